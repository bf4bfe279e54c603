package source

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// ArchiveLimits bound what one archive (with everything nested in it) may
// cost, so a zip bomb costs a warning and not the machine.
type ArchiveLimits struct {
	MaxDepth  int   // nesting levels expanded (outer.zip!inner.zip!file is 2); default 3
	MaxTotal  int64 // expanded bytes per top-level archive; default 1 GiB
	MaxRatio  int64 // expanded/compressed bytes per member or stream; default 250
	MaxMemory int64 // a member up to this size is held in memory; default 8 MiB
}

// ratioFloor is the output allowed regardless of ratio: small, highly
// repetitive files (a megabyte of zeros) are not bombs.
const ratioFloor = 1 << 20

func (l ArchiveLimits) withDefaults() ArchiveLimits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = 3
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = 1 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 250 // deflate tops out near 1032:1; real text stays far below 250
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = 8 << 20
	}
	return l
}

// archiveWalker expands one top-level archive.
type archiveWalker struct {
	p      *Paths
	ctx    context.Context
	yield  func(scan.Item) error
	name   string
	left   atomic.Int64 // expansion budget left for this archive
	warned atomic.Bool
	// origins are given to every member: an archive committed to git is
	// attributed to the commit that introduced it.
	origins []scan.Origin
}

func (p *Paths) archiveWalker(ctx context.Context, yield func(scan.Item) error, name string) *archiveWalker {
	a := &archiveWalker{p: p, ctx: ctx, yield: yield, name: name}
	a.left.Store(p.opts.Archive.MaxTotal)
	return a
}

func (a *archiveWalker) limits() ArchiveLimits { return a.p.opts.Archive }

// limitHit warns once per archive: a bomb with a thousand members should
// cost one line, not a thousand.
func (a *archiveWalker) limitHit(member string, why string) {
	if !a.warned.Swap(true) {
		a.p.warn(member, fmt.Errorf("archive %s; content past the limit is not scanned (possible archive bomb)", why))
	}
}

// file expands a top-level archive whose content is ra.
func (a *archiveWalker) file(ra io.ReaderAt, size int64) error {
	var head [512]byte
	n, _ := ra.ReadAt(head[:], 0)
	return a.expand(sniff(head[:n]), ra, io.NewSectionReader(ra, 0, size), size, a.name, 1)
}

// expand lists an archive of kind k whose members are at depth.
func (a *archiveWalker) expand(k kind, ra io.ReaderAt, r io.Reader, size int64, name string, depth int) error {
	switch k {
	case kindZip:
		if ra == nil {
			return errors.New("internal: zip without random access")
		}
		return a.zipMembers(ra, size, name, depth)
	case kindGzip:
		return a.gzipStream(r, size, name, depth)
	case kindTar:
		return a.tarMembers(r, name, depth)
	}
	return nil
}

func (a *archiveWalker) zipMembers(ra io.ReaderAt, size int64, name string, depth int) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		a.p.warn(name, fmt.Errorf("reading zip: %w", err))
		a.p.skipped.Add(1)
		return nil
	}
	for _, zf := range zr.File {
		if err := a.ctx.Err(); err != nil {
			return err
		}
		if !zf.Mode().IsRegular() {
			continue
		}
		member := name + "!" + zf.Name
		rc, err := zf.Open()
		if err != nil {
			a.p.warn(member, err)
			a.p.skipped.Add(1)
			continue
		}
		limit := max(ratioFloor, int64(zf.CompressedSize64)*a.limits().MaxRatio)
		br := a.bounded(rc, member, func(int64) int64 { return limit })
		err = a.member(member, br, depth)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (a *archiveWalker) gzipStream(r io.Reader, size int64, name string, depth int) error {
	cr := &countingReader{r: r}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		a.p.warn(name, fmt.Errorf("reading gzip: %w", err))
		a.p.skipped.Add(1)
		return nil
	}
	defer zr.Close()
	ratio := a.limits().MaxRatio
	br := a.bounded(zr, name, func(int64) int64 { return max(ratioFloor, cr.n.Load()*ratio) })
	bufr := bufio.NewReaderSize(br, 1024)
	head, _ := bufr.Peek(512)
	if isTar(head) {
		return a.tarMembers(bufr, name, depth)
	}
	inner := zr.Name
	if inner == "" {
		inner = strings.TrimSuffix(strings.TrimSuffix(path.Base(name), ".gz"), ".tgz")
	}
	return a.member(name+"!"+inner, bufr, depth)
}

func (a *archiveWalker) tarMembers(r io.Reader, name string, depth int) error {
	tr := tar.NewReader(r)
	for {
		if err := a.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if !a.warned.Load() { // a stream cut at a limit has already been reported
				a.p.warn(name, fmt.Errorf("reading tar: %w", err))
				a.p.skipped.Add(1)
			}
			return nil
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		member := name + "!" + hdr.Name
		unbounded := func(int64) int64 { return math.MaxInt64 }
		if err := a.member(member, a.bounded(tr, member, unbounded), depth); err != nil {
			return err
		}
	}
}

// member sniffs one member's content and yields it, skips it, or expands it
// as a nested archive. r is read sequentially and must be drained (or
// abandoned) before the caller moves on, so large members are handed to the
// scanner and waited for.
func (a *archiveWalker) member(name string, r io.Reader, depth int) error {
	bp := a.p.pool.get()
	defer a.p.pool.put(bp)
	buf := *bp
	n, eof, err := readPrefix(r, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// A truncated archive: what could be read is still worth scanning.
		return a.yield(failedItem(name, bytes.Clone(buf[:n]), a.origins, fmt.Errorf("truncated: %w", err)))
	}
	if err != nil {
		a.p.warn(name, err)
		a.p.skipped.Add(1)
		return nil
	}
	k := sniff(buf[:n])
	switch k {
	case kindBinary:
		a.p.skipped.Add(1)
		return nil
	case kindZip, kindGzip, kindTar:
		if depth >= a.limits().MaxDepth {
			a.p.warn(name, fmt.Errorf("nested archive deeper than %d levels, not expanded", a.limits().MaxDepth))
			a.p.skipped.Add(1)
			return nil
		}
		rest := io.MultiReader(bytes.NewReader(bytes.Clone(buf[:n])), r)
		if k != kindZip {
			return a.expand(k, nil, rest, -1, name, depth+1)
		}
		// zip needs random access: hold it in memory, within bounds.
		data, err := io.ReadAll(io.LimitReader(rest, a.limits().MaxMemory+1))
		if err != nil {
			a.p.warn(name, err)
			a.p.skipped.Add(1)
			return nil
		}
		if int64(len(data)) > a.limits().MaxMemory {
			a.p.warn(name, fmt.Errorf("nested zip larger than %d bytes, not expanded", a.limits().MaxMemory))
			a.p.skipped.Add(1)
			return nil
		}
		return a.expand(k, bytes.NewReader(data), nil, int64(len(data)), name, depth+1)
	}
	return handoff(a.ctx, a.yield, name, a.origins, buf[:n], eof, r, a.limits().MaxMemory)
}

// handoff yields content that is a window on a sequential stream: the
// prefix plus what is left of r. Content up to maxMem is copied so the
// scanner can take its time; beyond that the item streams from r and
// handoff waits until the scanner closes it.
func handoff(ctx context.Context, yield func(scan.Item) error, name string, origins []scan.Origin, prefix []byte, eof bool, r io.Reader, maxMem int64) error {
	if eof {
		return yield(bytesItem(name, bytes.Clone(prefix), origins))
	}
	data := bytes.NewBuffer(make([]byte, 0, len(prefix)*2))
	data.Write(prefix)
	_, err := io.Copy(data, io.LimitReader(r, maxMem-int64(len(prefix))))
	if err != nil {
		return yield(failedItem(name, data.Bytes(), origins, err))
	}
	// Is there more?
	var one [1]byte
	m, _ := io.ReadFull(r, one[:])
	if m == 0 {
		return yield(bytesItem(name, data.Bytes(), origins))
	}
	data.Write(one[:m])
	done := make(chan struct{})
	rc := &prefixReader{prefix: data.Bytes(), rest: r, onClose: func() { close(done) }}
	o := &opener{first: rc}
	if err := yield(scan.Item{Path: name, Size: -1, Origins: origins, Open: o.open}); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// bounded wraps r so it yields at most allowed(produced) bytes and never more
// than the archive's remaining budget.
func (a *archiveWalker) bounded(r io.Reader, name string, allowed func(int64) int64) io.Reader {
	return &boundedReader{r: r, a: a, name: name, allowed: allowed}
}

type boundedReader struct {
	r        io.Reader
	a        *archiveWalker
	name     string
	allowed  func(produced int64) int64
	produced int64
	done     bool
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	room := min(b.allowed(b.produced)-b.produced, b.a.left.Load())
	if room <= 0 {
		// Stop, and warn only if there really was more to read.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			why := "expansion ratio exceeded"
			if b.a.left.Load() <= 0 {
				why = "expanded size limit reached"
			}
			b.a.limitHit(b.name, why)
		}
		b.done = true
		return 0, io.EOF
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.produced += int64(n)
	b.a.left.Add(-int64(n))
	return n, err
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// expandBlob expands an archive held in memory (a git blob) with the default
// limits; its members carry origins. It returns how many members were skipped.
func expandBlob(ctx context.Context, yield func(scan.Item) error, name string, origins []scan.Origin, data []byte, warn scan.Warner) (int64, error) {
	p := NewPaths(nil, Options{Warn: warn})
	a := p.archiveWalker(ctx, yield, name)
	a.origins = origins
	err := a.file(bytes.NewReader(data), int64(len(data)))
	return p.Skipped(), err
}

// failedItem is content whose reading failed part way: the scanner scans what
// was read, then reports err as a warning.
func failedItem(name string, data []byte, origins []scan.Origin, err error) scan.Item {
	it := bytesItem(name, data, origins)
	it.Open = func() (io.ReadCloser, error) {
		return &prefixReader{prefix: data, rest: failingReader{err}}, nil
	}
	return it
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
