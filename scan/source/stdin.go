package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
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
	var mu sync.Mutex
	warn := s.Warn
	if warn == nil {
		warn = func(path string, err error) {
			mu.Lock()
			defer mu.Unlock()
			notices = append(notices, noticeItem(path, err))
		}
	}
	flush := func() error {
		mu.Lock()
		defer mu.Unlock()
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
		warn("-", errBinaryStdin)
		return flush()
	case kindZip, kindGzip, kindTar:
		p := NewPaths(nil, Options{Warn: warn, Archive: s.Archive})
		a := p.archiveWalker(ctx, yield, "-")
		// Binary members go to the scanner, which skips and counts them:
		// stdin has no skip counter of its own.
		a.binaryToScanner = true
		rest := io.MultiReader(bytes.NewReader(prefix), s.R)
		var err error
		if k == kindZip {
			err = s.zip(a, rest, warn)
		} else {
			err = a.stream(k, rest)
		}
		if err != nil {
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

// zip spools a zip from r, in memory up to MaxMemory and in a temporary
// file beyond, at most MaxTotal bytes, and expands it.
func (s Stdin) zip(a *archiveWalker, r io.Reader, warn scan.Warner) error {
	l := a.limits()
	var mem bytes.Buffer
	if _, err := io.Copy(&mem, io.LimitReader(r, l.MaxMemory+1)); err != nil {
		warn("-", fmt.Errorf("reading zip from stdin: %w", err))
		return nil
	}
	if int64(mem.Len()) <= l.MaxMemory {
		return a.file(bytes.NewReader(mem.Bytes()), int64(mem.Len()))
	}
	f, err := os.CreateTemp(s.TempDir, "atoguard-stdin-*.zip")
	if err != nil {
		warn("-", fmt.Errorf("zip on stdin not expanded: spooling it: %w", err))
		return nil
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, io.LimitReader(io.MultiReader(&mem, r), l.MaxTotal+1))
	switch {
	case err != nil:
		warn("-", fmt.Errorf("zip on stdin not expanded: spooling it: %w", err))
		return nil
	case n > l.MaxTotal:
		warn("-", fmt.Errorf("zip on stdin larger than %s, not expanded", humanBytes(l.MaxTotal)))
		return nil
	}
	// Every member is copied or streamed to its end before file returns,
	// so the spool can go as soon as it does.
	return a.file(f, n)
}

// noticeItem carries a warning to the scanner: opening it fails with err,
// which the scanner reports for path and counts as skipped.
func noticeItem(path string, err error) scan.Item {
	return scan.Item{Path: path, Size: -1, Open: func() (io.ReadCloser, error) { return nil, err }}
}
