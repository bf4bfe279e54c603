package scan

import (
	"context"
	"io"
	"time"
)

// Item is one thing to scan: a file, an archive member, a git blob or stdin.
type Item struct {
	Path string // display path; archive members as "outer.zip!inner/path"
	Size int64  // -1 when unknown (stdin, streams)
	// Open returns the content. The scanner reads it once, streaming.
	Open func() (io.ReadCloser, error)
	// Origins attributes a git blob to where it appeared. For history scans
	// the first origin is the commit that introduced the blob; empty otherwise.
	Origins []Origin
	// Text tells the scanner the content is text whatever its bytes (it
	// then skips its own binary sniffing: NUL bytes in the first 8 KiB).
	Text bool
	// Blob is the git object id of a history blob read whole as this item
	// (not set for archive members): what a history cache remembers.
	Blob string
}

// Origin is a commit/path where a git blob appears.
type Origin struct {
	Path   string
	Commit string
	Author string
	Email  string
	Date   time.Time
}

// Source yields the items to scan. Sources report non-fatal problems
// (unreadable files, symlink loops) through Warn and continue.
type Source interface {
	Items(ctx context.Context, yield func(Item) error) error
}

// Warner receives non-fatal problems found while walking a source.
type Warner func(path string, err error)
