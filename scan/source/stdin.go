package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// Stdin is the content of R, named "-": text as one item; an archive (zip,
// gzip, tar, sniffed by its magic bytes) expanded into items "-!member"
// within the same limits as an archive file.
type Stdin struct {
	R io.Reader
	// Warn receives non-fatal problems (binary content, archive limits).
	// With nil they reach the scanner as items that fail to open, so the
	// scan reports them through its own Warner and counts them skipped.
	Warn scan.Warner
	// Archive bounds archive expansion; zero fields take defaults.
	Archive ArchiveLimits
	// TempDir holds a zip spooled from stdin (zip needs random access)
	// while it is read; "" is the system's. The file is removed after.
	TempDir string
}

const errBinaryStdin = sourceError("binary content on stdin, not scanned (pipe a text, zip, tar or gzip stream)")

// Items reads stdin's first bytes, sniffs them and yields its items.
func (s Stdin) Items(ctx context.Context, yield func(scan.Item) error) error {
	buf := make([]byte, prefixSize)
	n, eof, rerr := readPrefix(s.R, buf)
	prefix := buf[:n]
	var notices []scan.Item
	var unlisted int // notices past MaxListedSkips: a bomb of a million members costs a number
	var mu sync.Mutex
	warn := s.Warn
	if warn == nil {
		warn = func(path string, err error) {
			mu.Lock()
			defer mu.Unlock()
			if len(notices) >= scan.MaxListedSkips {
				unlisted++
				return
			}
			notices = append(notices, noticeItem(path, err))
		}
	}
	flush := func() error {
		mu.Lock()
		defer mu.Unlock()
		if unlisted > 0 {
			notices = append(notices, noticeItem("-", scan.Skipped(fmt.Errorf("%d more items not read in full, not listed", unlisted))))
			unlisted = 0
		}
		for _, it := range notices {
			if err := yield(it); err != nil {
				return err
			}
		}
		notices = nil
		return nil
	}
	k := sniff(prefix)
	if rerr != nil {
		k = kindText // scan what was read; the scanner reports the error
	}
	switch k {
	case kindBinary:
		warn("-", scan.Skipped(errBinaryStdin))
		return flush()
	case kindReport:
		// All of stdin is left out: a skip, unlike such a file in a tree.
		warn("-", scan.Skipped(ownReportNote(prefix)))
		return flush()
	case kindZip, kindGzip, kindTar:
		p := NewPaths(nil, Options{Warn: warn, Archive: s.Archive})
		a := p.archiveWalker(ctx, yield, "-")
		// Binary members go to the scanner, which skips and counts them:
		// stdin has no counter of its own.
		a.binaryToScanner = true
		if err := a.reader(k, io.MultiReader(bytes.NewReader(prefix), s.R), s.TempDir); err != nil {
			return err
		}
		return flush()
	}
	var rest io.Reader
	switch {
	case rerr != nil:
		rest = failingReader{rerr}
	case !eof:
		rest = s.R
	}
	used := atomic.Bool{}
	return yield(scan.Item{Path: "-", Size: -1, Open: func() (io.ReadCloser, error) {
		if used.Swap(true) {
			return nil, errReopen
		}
		return &prefixReader{prefix: prefix, rest: rest}, nil
	}})
}

// noticeItem carries a warning to the scanner: opening it fails with err,
// which the scanner reports for path and lists as skipped (quietly if err
// is a quiet scan.SkipError).
func noticeItem(path string, err error) scan.Item {
	return scan.Item{Path: path, Size: -1, Open: func() (io.ReadCloser, error) { return nil, err }}
}
