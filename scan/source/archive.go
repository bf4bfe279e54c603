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
	"sync"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// ArchiveLimits bound what one archive (with everything nested in it) may
// cost, so a zip bomb costs a warning and not the machine.
//
// The budget of a top-level archive is min(MaxTotal, MaxRatio x its own
// size) expanded bytes (at least ratioFloor), and it covers every level
// nested beneath it: an inflated member that is itself an archive is charged
// once as it is inflated and its members again as they are, so zips of zips
// cannot multiply the ratio. Members of a tar are not charged again (tar
// does not compress; what they hold was charged when the tar was inflated),
// except those of a top-level uncompressed tar, which nothing else charges.
type ArchiveLimits struct {
	MaxDepth  int   // nesting levels expanded (outer.zip!inner.zip!file is 2); default 3
	MaxTotal  int64 // expanded bytes per top-level archive, nested levels included; default 1 GiB
	MaxRatio  int64 // expanded/compressed bytes per top-level archive, and per member or stream; default 250
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
	p     *Paths
	ctx   context.Context
	yield func(scan.Item) error
	name  string
	// The expansion budget: fixed from the archive's size, or, for a stream
	// of unknown size (stdin), growing with the compressed bytes read from in.
	budget int64
	in     *countingReader
	used   atomic.Int64 // expanded bytes charged to the budget
	// What the limits cut, reported once by finish.
	mu        sync.Mutex
	cuts      int
	firstCut  string
	firstWhy  string
	deep      int // nested archives past MaxDepth
	firstDeep string
	// origins are given to every member: an archive committed to git is
	// attributed to the commit that introduced it.
	origins []scan.Origin
	// binaryToScanner yields a binary member's first bytes for the scanner
	// to skip and count, for a source without a skip counter (stdin).
	binaryToScanner bool
}

func (p *Paths) archiveWalker(ctx context.Context, yield func(scan.Item) error, name string) *archiveWalker {
	return &archiveWalker{p: p, ctx: ctx, yield: yield, name: name, budget: p.opts.Archive.MaxTotal}
}

func (a *archiveWalker) limits() ArchiveLimits { return a.p.opts.Archive }

// budgetFor is the expansion allowed to a top-level archive of size bytes.
func (l ArchiveLimits) budgetFor(size int64) int64 {
	if size > l.MaxTotal/l.MaxRatio {
		return l.MaxTotal
	}
	return min(l.MaxTotal, max(ratioFloor, size*l.MaxRatio))
}

// room is what is left of the budget.
func (a *archiveWalker) room() int64 {
	b := a.budget
	if a.in != nil {
		b = a.limits().budgetFor(a.in.n.Load())
	}
	return b - a.used.Load()
}

// limitHit records content cut by a limit; finish warns of it once per
// archive (a bomb with a thousand members costs one line, not a thousand),
// and each member cut is a quiet skip, listed by the caller.
func (a *archiveWalker) limitHit(member string, why string) {
	a.p.skipQuietly(member, fmt.Errorf("archive limit: %s, content past it not scanned", why))
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cuts == 0 {
		a.firstCut, a.firstWhy = member, why
	}
	a.cuts++
}

// cut reports whether a limit has cut anything yet: a stream that ends
// early after that was ended by the limit, not found truncated.
func (a *archiveWalker) cut() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cuts > 0
}

// finish warns once if the limits cut anything, saying what and why.
func (a *archiveWalker) finish() {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.limits()
	if a.deep > 0 {
		more := ""
		if a.deep > 1 {
			more = fmt.Sprintf(", nor %d more in %s", a.deep-1, a.name)
		}
		a.p.warn(a.firstDeep, fmt.Errorf("nested archive deeper than %d levels, not expanded%s", l.MaxDepth, more))
	}
	if a.cuts == 0 {
		return
	}
	budget := fmt.Sprintf("%s (%d× its size, at most %s)", humanBytes(a.budget), l.MaxRatio, humanBytes(l.MaxTotal))
	if a.in != nil {
		read := a.in.n.Load()
		budget = fmt.Sprintf("%s (%d× the %s read, at most %s)", humanBytes(l.budgetFor(read)), l.MaxRatio, humanBytes(read), humanBytes(l.MaxTotal))
	}
	a.p.warn(a.name, fmt.Errorf("possible archive bomb: %s at %s; %d member(s) cut short or not opened (nested archives among them not expanded), %s expanded in all; "+
		"an archive may expand to %s with everything nested in it, and each member to %d× its compressed size (at least %s); content past the limit is not scanned",
		a.firstWhy, a.firstCut, a.cuts, humanBytes(a.used.Load()), budget, l.MaxRatio, humanBytes(ratioFloor)))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// file expands a top-level archive whose content is ra.
func (a *archiveWalker) file(ra io.ReaderAt, size int64) error {
	var head [512]byte
	n, _ := ra.ReadAt(head[:], 0)
	a.budget = a.limits().budgetFor(size)
	defer a.finish()
	return a.expand(sniff(head[:n]), ra, io.NewSectionReader(ra, 0, size), size, a.name, 1)
}

// stream expands a top-level gzip or tar stream of unknown size (stdin):
// its budget grows with the bytes read from r.
func (a *archiveWalker) stream(k kind, r io.Reader) error {
	a.in = &countingReader{r: r}
	defer a.finish()
	return a.expand(k, nil, a.in, -1, a.name, 1)
}

// reader expands an archive of kind k that arrives as a stream (stdin, a
// git blob too large to hold): gzip and tar are read as they come; a zip
// needs random access and is spooled, in memory up to MaxMemory and in a
// temporary file in tempDir beyond ("" is the system's), at most MaxTotal
// bytes. The file never has a name that outlives opening it.
func (a *archiveWalker) reader(k kind, r io.Reader, tempDir string) error {
	if k != kindZip {
		return a.stream(k, r)
	}
	l := a.limits()
	var mem bytes.Buffer
	if _, err := io.Copy(&mem, io.LimitReader(r, l.MaxMemory+1)); err != nil {
		a.p.skip(a.name, fmt.Errorf("reading zip: %w", err))
		return nil
	}
	if int64(mem.Len()) <= l.MaxMemory {
		return a.file(bytes.NewReader(mem.Bytes()), int64(mem.Len()))
	}
	// The spool has no name from the start (or loses it at once): a scan
	// killed while reading leaves no copy of the secrets in tempDir.
	f, cleanup, err := spoolFile(tempDir)
	if err != nil {
		a.p.skip(a.name, fmt.Errorf("zip not expanded: spooling it: %w", err))
		return nil
	}
	defer cleanup()
	n, err := io.Copy(f, io.LimitReader(io.MultiReader(&mem, r), l.MaxTotal+1))
	switch {
	case err != nil:
		a.p.skip(a.name, fmt.Errorf("zip not expanded: spooling it: %w", err))
		return nil
	case n > l.MaxTotal:
		a.p.skip(a.name, fmt.Errorf("zip larger than %s, not expanded", humanBytes(l.MaxTotal)))
		return nil
	}
	// Every member is copied or streamed to its end before file returns,
	// so the spool can go as soon as it does.
	return a.file(f, n)
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
		// Only a top-level tar's members are charged: a nested tar's bytes
		// were charged as they were inflated.
		return a.tarMembers(r, name, depth, depth == 1)
	}
	return nil
}

func (a *archiveWalker) zipMembers(ra io.ReaderAt, size int64, name string, depth int) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		a.p.skip(name, fmt.Errorf("reading zip: %w", err))
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
			a.p.skip(member, err)
			continue
		}
		if a.room() <= 0 {
			// The budget is spent: the rest is not even opened.
			rc.Close()
			a.limitHit(member, "expanded size limit reached")
			continue
		}
		limit := int64(math.MaxInt64)
		if c := int64(zf.CompressedSize64); c < math.MaxInt64/a.limits().MaxRatio {
			limit = max(ratioFloor, c*a.limits().MaxRatio)
		}
		br := a.bounded(rc, member, true, func(int64) int64 { return limit })
		err = a.member(member, br, br, depth)
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
		a.p.skip(name, fmt.Errorf("reading gzip: %w", err))
		return nil
	}
	defer zr.Close()
	ratio := a.limits().MaxRatio
	br := a.bounded(zr, name, true, func(int64) int64 { return max(ratioFloor, cr.n.Load()*ratio) })
	bufr := bufio.NewReaderSize(br, 1024)
	head, _ := bufr.Peek(512)
	if isTar(head) {
		return a.tarMembers(bufr, name, depth, false)
	}
	inner := zr.Name
	if inner == "" {
		inner = strings.TrimSuffix(strings.TrimSuffix(path.Base(name), ".gz"), ".tgz")
	}
	br.name = name + "!" + inner
	return a.member(br.name, bufr, br, depth)
}

// tarMembers lists a tar's members; charge says whether their bytes count
// against the budget (see ArchiveLimits).
func (a *archiveWalker) tarMembers(r io.Reader, name string, depth int, charge bool) error {
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
			if !a.cut() { // a stream cut at a limit is reported by finish
				a.p.skip(name, fmt.Errorf("reading tar: %w", err))
			}
			return nil
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		member := name + "!" + hdr.Name
		unbounded := func(int64) int64 { return math.MaxInt64 }
		br := a.bounded(tr, member, charge, unbounded)
		if err := a.member(member, br, br, depth); err != nil {
			return err
		}
	}
}

// member sniffs one member's content and yields it, skips it, or expands it
// as a nested archive. r is read sequentially and must be drained (or
// abandoned) before the caller moves on, so large members are handed to the
// scanner and waited for. br is the bounded reader under r, which tells
// whether a limit cut the member.
func (a *archiveWalker) member(name string, r io.Reader, br *boundedReader, depth int) error {
	bp := a.p.pool.get()
	defer a.p.pool.put(bp)
	buf := *bp
	n, eof, err := readPrefix(r, buf)
	if n == 0 && br.cut {
		return nil // nothing of it within the limits; limitHit listed it
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// A truncated archive: what could be read is still worth scanning.
		return a.yield(failedItem(name, bytes.Clone(buf[:n]), a.origins, fmt.Errorf("truncated: %w", err)))
	}
	if err != nil {
		a.p.skip(name, err)
		return nil
	}
	k := sniff(buf[:n])
	switch k {
	case kindReport:
		a.p.warn(name, ownReportNote(buf[:n]))
		return nil
	case kindBinary:
		if a.binaryToScanner {
			return a.yield(bytesItem(name, bytes.Clone(buf[:min(n, sniffSize)]), a.origins))
		}
		a.p.binary.Add(1)
		return nil
	case kindZip, kindGzip, kindTar:
		if depth >= a.limits().MaxDepth {
			// Reported once per archive by finish.
			a.mu.Lock()
			if a.deep == 0 {
				a.firstDeep = name
			}
			a.deep++
			a.mu.Unlock()
			a.p.skipQuietly(name, fmt.Errorf("nested archive deeper than %d levels, not expanded", a.limits().MaxDepth))
			return nil
		}
		rest := io.MultiReader(bytes.NewReader(bytes.Clone(buf[:n])), r)
		if k != kindZip {
			return a.expand(k, nil, rest, -1, name, depth+1)
		}
		// zip needs random access: hold it in memory, within bounds.
		data, err := io.ReadAll(io.LimitReader(rest, a.limits().MaxMemory+1))
		if br.cut {
			// Its directory is at the end: a zip cut short cannot be
			// listed (limitHit listed it).
			return nil
		}
		if err != nil {
			a.p.skip(name, err)
			return nil
		}
		if int64(len(data)) > a.limits().MaxMemory {
			a.p.skip(name, fmt.Errorf("nested zip larger than %d bytes, not expanded", a.limits().MaxMemory))
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

// bounded wraps r so it yields at most allowed(produced) bytes and, when
// charge, never more than the archive's remaining budget, to which it then
// charges what it yields.
func (a *archiveWalker) bounded(r io.Reader, name string, charge bool, allowed func(int64) int64) *boundedReader {
	return &boundedReader{r: r, a: a, name: name, charge: charge, allowed: allowed}
}

type boundedReader struct {
	r        io.Reader
	a        *archiveWalker
	name     string
	charge   bool
	allowed  func(produced int64) int64
	produced int64
	done     bool
	cut      bool // a limit stopped it with content left
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	room := b.allowed(b.produced) - b.produced
	why := "expansion ratio exceeded"
	if b.charge {
		if left := b.a.room(); left < room {
			room, why = left, "expanded size limit reached"
		}
	}
	if room <= 0 {
		// Stop, and record a cut only if there really was more to read.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			b.cut = true
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
	if b.charge {
		b.a.used.Add(int64(n))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && b.a.cut() {
		// A nested stream ended early because a limit cut what holds it:
		// already reported, not a damaged archive.
		b.cut = true
		err = io.EOF
	}
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
// limits; its members carry origins. It returns how many members were
// binary; other skips go to warn.
func expandBlob(ctx context.Context, yield func(scan.Item) error, name string, origins []scan.Origin, data []byte, warn scan.Warner) (int64, error) {
	p := NewPaths(nil, Options{Warn: warn})
	a := p.archiveWalker(ctx, yield, name)
	a.origins = origins
	err := a.file(bytes.NewReader(data), int64(len(data)))
	return p.Binary(), err
}

// expandBlobStream is expandBlob for a blob too large to hold, read from r.
func expandBlobStream(ctx context.Context, yield func(scan.Item) error, name string, origins []scan.Origin, k kind, r io.Reader, warn scan.Warner) (int64, error) {
	p := NewPaths(nil, Options{Warn: warn})
	a := p.archiveWalker(ctx, yield, name)
	a.origins = origins
	err := a.reader(k, r, "")
	return p.Binary(), err
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
