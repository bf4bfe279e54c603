package scan

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	atoguard "github.com/atoguard/atoguard"
)

// DefaultChunkSize is how much of an item the engine reads at a time.
const DefaultChunkSize = 1 << 20

// sniffSize is the prefix searched for NUL bytes to recognise binary content.
const sniffSize = 8 << 10

// AllowMarker on the line of a finding (or of its SID) suppresses it.
const AllowMarker = "atoguard:allow"

// Options configure a Scanner. The zero value is usable.
type Options struct {
	// IncludePlaceholders reports documentation placeholders and example
	// values too (Finding.Placeholder is true for them).
	IncludePlaceholders bool
	// Warn receives non-fatal problems; the scan goes on. An item not read
	// in full (unreadable, read failed part way) comes as a *SkipError and
	// is also listed in Result.Skipped.
	Warn Warner
	// Progress is called, never concurrently, with running totals of bytes
	// read and items finished.
	Progress func(bytes, files int64)
	// Concurrency is the number of items scanned at once (default GOMAXPROCS).
	Concurrency int
	// ChunkSize is the streaming read size (default DefaultChunkSize).
	ChunkSize int
	// ItemDone, when set, is called (never concurrently) after each item
	// with the number of findings it gave and whether it was read in full
	// (binary content counts as read): a history cache records blobs by it.
	ItemDone func(it Item, findings int, complete bool)
}

// DetectorRevision names the detectors' behaviour: bump it with any change
// to what they report, so caches of scanned blobs (source.HistoryCache)
// written by an older revision are not trusted.
const DetectorRevision = "2026-12-issue18.1"

// Stats describe a finished scan.
type Stats struct {
	Files    int64 // items without git origins that were scanned
	Blobs    int64 // git blobs scanned
	Bytes    int64 // bytes read
	Duration time.Duration
	// Skipped counts the items left out or not read in full: Binary plus
	// every Skip (listed or not).
	Skipped int64
	Binary  int64 // items left out as binary content
}

// Incomplete is the number of skips other than binary content: what was
// not read in full because of a problem or a limit.
func (s Stats) Incomplete() int64 { return s.Skipped - s.Binary }

// Result is what Scan returns: findings sorted by path, line and column,
// and what was not read in full, sorted by path (at most MaxListedSkips;
// Stats.Incomplete counts them all).
type Result struct {
	Findings []atoguard.Finding
	Skipped  []Skip
	Stats    Stats
}

// Scanner runs the detectors over a Source with a bounded worker pool.
type Scanner struct {
	opts Options
}

// New returns a Scanner with opts.
func New(opts Options) *Scanner {
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.GOMAXPROCS(0)
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	return &Scanner{opts: opts}
}

type run struct {
	s     *Scanner
	mu    sync.Mutex
	res   Result
	skips Skips
	bytes int64
	items int64
}

// Scan reads every item of src once and returns the findings. Problems with
// single items go to Options.Warn; an error from the source itself or the
// context ends the scan and is returned with the findings so far.
func (s *Scanner) Scan(ctx context.Context, src Source) (Result, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{s: s}
	items := make(chan Item, s.opts.Concurrency)
	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Go(func() {
			w := s.newWorker()
			for it := range items {
				if ctx.Err() != nil {
					continue
				}
				r.scanItem(ctx, w, it)
			}
		})
	}
	err := src.Items(ctx, func(it Item) error {
		select {
		case items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(items)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	sortFindings(r.res.Findings)
	r.res.Skipped = r.skips.List()
	r.res.Stats.Skipped += r.skips.Count()
	r.res.Stats.Duration = time.Since(start)
	return r.res, err
}

func sortFindings(fs []atoguard.Finding) {
	slices.SortStableFunc(fs, func(a, b atoguard.Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Commit, b.Commit))
	})
}

func (r *run) scanItem(ctx context.Context, w *worker, it Item) {
	fs, n, err := w.scan(ctx, it, r.s.opts.IncludePlaceholders, func(n int64) {
		r.mu.Lock()
		r.bytes += n
		if p := r.s.opts.Progress; p != nil {
			p(r.bytes, r.items)
		}
		r.mu.Unlock()
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Stats.Bytes += n
	r.items++
	r.res.Findings = append(r.res.Findings, fs...)
	if done := r.s.opts.ItemDone; done != nil {
		done(it, len(fs), ctx.Err() == nil && (err == nil || errors.Is(err, errBinary)))
	}
	switch {
	case errors.Is(err, errBinary):
		r.res.Stats.Skipped++
		r.res.Stats.Binary++
	case ctx.Err() != nil:
		// Cancelled: Scan returns the context's error; no warning per item.
	case err != nil && n == 0:
		r.skip(it.Path, err)
	default:
		if err != nil {
			r.skip(it.Path, err) // read failed part way: keep what was found
		}
		if len(it.Origins) > 0 {
			r.res.Stats.Blobs++
		} else {
			r.res.Stats.Files++
		}
	}
	if p := r.s.opts.Progress; p != nil {
		p(r.bytes, r.items)
	}
}

// skip lists an item not read in full and warns of it (a scan.SkipError,
// quiet if err already was a quiet one).
func (r *run) skip(path string, err error) {
	r.skips.Add(path, err)
	if r.s.opts.Warn != nil {
		r.s.opts.Warn(path, Skipped(err))
	}
}

var errBinary = errors.New("binary content")

// worker holds one goroutine's reusable buffers.
type worker struct {
	chunk int
	buf   []byte
	det   detector
	hits  []hit
}

func (s *Scanner) newWorker() *worker {
	return &worker{chunk: s.opts.ChunkSize, det: detector{includePlaceholders: s.opts.IncludePlaceholders}}
}

// scan streams one item through the detectors. The buffer holds
// [margin | chunk | margin]; only hits anchored in the middle part are
// reported, so a pair split by a read boundary is still seen whole once.
func (w *worker) scan(ctx context.Context, it Item, includePH bool, progress func(int64)) ([]atoguard.Finding, int64, error) {
	if it.Open == nil {
		return nil, 0, errors.New("item has no content")
	}
	rc, err := it.Open()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	var rd io.Reader = rc
	if w.buf == nil {
		w.buf = make([]byte, w.chunk+2*windowMargin)
	}
	buf := w.buf
	var (
		findings []atoguard.Finding
		total    int64
		base     int64 // absolute offset of buf[0]
		n        int   // valid bytes in buf
		emitted  int64 // absolute offset up to which hits were reported
		lines    int   // newlines before base
		lastNL   int64 = -1
		first          = true
		seen     repeats
	)
	for {
		if err := ctx.Err(); err != nil {
			return findings, total, err // a cancelled scan stops inside big items too
		}
		m, eof, rerr := Fill(rd, buf[n:])
		n += m
		total += int64(m)
		if m > 0 {
			progress(int64(m))
		}
		if rerr != nil {
			err = fmt.Errorf("read: %w", rerr) // what was read is still scanned
		}
		if first {
			first = false
			if ok, big := utf16BOM(buf[:n]); ok {
				// Re-read what was read, and the rest, decoded to UTF-8.
				head := bytes.Clone(buf[2:n])
				rd = &utf16Reader{r: bufio.NewReader(io.MultiReader(bytes.NewReader(head), rc)), big: big}
				n, total = 0, 0
				continue
			}
			if !it.Text && bytes.IndexByte(buf[:min(n, sniffSize)], 0) >= 0 {
				return nil, total, errBinary
			}
		}
		end := base + int64(n)
		if !eof && err == nil {
			end -= windowMargin
		}
		if end > emitted {
			w.hits = w.det.detect(buf[:n], int(emitted-base), int(end-base), w.hits[:0])
			slices.SortStableFunc(w.hits, func(a, b hit) int { return a.pos - b.pos })
			cur := cursor{buf: buf[:n], line: lines + 1, lastNL: int(lastNL - base)}
			for _, h := range w.hits {
				findings = seen.add(findings, w, it, buf[:n], h, &cur, includePH)
			}
			emitted = end
		}
		if eof || err != nil {
			return dropCoveredSIDs(findings), total, err
		}
		keep := int(end - windowMargin - base)
		if keep > 0 {
			lines += bytes.Count(buf[:keep], []byte{'\n'})
			if j := bytes.LastIndexByte(buf[:keep], '\n'); j >= 0 {
				lastNL = base + int64(j)
			}
			n = copy(buf, buf[keep:n])
			base += int64(keep)
		}
	}
}

// repeats maps what an item reported to its index among the item's
// findings: a credential (or a bare Account SID) seen again adds to that
// finding's Count and, up to atoguard.MaxMoreLocations, its More; so an
// item's findings grow with the distinct credentials in it, not with
// their repetitions.
type repeats map[string]int

func (r *repeats) add(fs []atoguard.Finding, w *worker, it Item, buf []byte, h hit, cur *cursor, includePH bool) []atoguard.Finding {
	if h.placeholder && !includePH {
		return fs
	}
	if allowed(buf, h.pos) || (h.sidPos >= 0 && allowed(buf, h.sidPos)) {
		return fs
	}
	key := repeatKey(h)
	if i, ok := (*r)[key]; ok {
		f := &fs[i]
		f.Count++
		if len(f.More) < atoguard.MaxMoreLocations {
			line, col := cur.position(h.pos)
			f.More = append(f.More, atoguard.Location{Line: line, Column: col})
		}
		return fs
	}
	if *r == nil {
		*r = repeats{}
	}
	(*r)[key] = len(fs)
	return append(fs, w.finding(it, h, cur))
}

// repeatKey identifies a credential within an item: rule, SIDs and the
// secret itself (a bare SID by the SID alone); a placeholder apart.
func repeatKey(h hit) string {
	ph := ""
	if h.placeholder {
		ph = "\x00placeholder"
	}
	return h.rule + "\x00" + h.accountSID + "\x00" + h.keySID + "\x00" + h.secret + ph
}

func (w *worker) finding(it Item, h hit, cur *cursor) atoguard.Finding {
	f := atoguard.Finding{
		Rule:         h.rule,
		Severity:     severity(h.rule),
		Path:         it.Path,
		AccountSID:   h.accountSID,
		KeySID:       h.keySID,
		Placeholder:  h.placeholder,
		Verification: atoguard.Unverified,
		Count:        1,
	}
	f.Line, f.Column = cur.position(h.pos)
	if h.secret != "" {
		f.Secret = atoguard.NewSecret(h.secret)
		f.Fingerprint = f.Secret.Fingerprint()
	} else {
		f.Fingerprint = atoguard.Fingerprint(h.accountSID)
	}
	if len(it.Origins) > 0 {
		o := it.Origins[0]
		f.Commit, f.Author, f.Email, f.Date = o.Commit, o.Author, o.Email, o.Date
		// The item's own path names an archive member (big.zip!cred.env)
		// where the origin names only the blob.
		if f.Path == "" {
			f.Path = o.Path
		}
	}
	return f
}

// cursor turns buffer offsets, visited in increasing order, into 1-based
// lines and byte columns, counting each newline once.
type cursor struct {
	buf    []byte
	pos    int // offset reached
	line   int // line at pos
	lastNL int // offset of the last newline before pos (may be negative: before buf)
}

func (c *cursor) position(i int) (line, col int) {
	if i > c.pos {
		seg := c.buf[c.pos:i]
		if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
			c.line += n
			c.lastNL = c.pos + bytes.LastIndexByte(seg, '\n')
		}
		c.pos = i
	}
	return c.line, i - c.lastNL
}

// allowed reports whether the line around buffer offset i carries
// AllowMarker (looking at most 1 KiB each way on very long lines).
func allowed(buf []byte, i int) bool {
	ls := lineStart(buf, i, i-1024)
	end := min(len(buf), i+1024)
	le := bytes.IndexByte(buf[i:end], '\n')
	if le < 0 {
		le = end
	} else {
		le += i
	}
	return bytes.Contains(buf[ls:le], []byte(AllowMarker))
}

// ScanBytes runs the detectors over one in-memory document (used by
// exposure for fetched files). Placeholders follow Options.
func (s *Scanner) ScanBytes(path string, data []byte) []atoguard.Finding {
	w := s.newWorker()
	w.chunk = max(len(data), 1)
	fs, _, _ := w.scan(context.Background(), Item{Path: path, Size: int64(len(data)), Text: true,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }},
		s.opts.IncludePlaceholders, func(int64) {})
	sortFindings(fs)
	return fs
}

// dropCoveredSIDs removes bare Account SID findings for a SID that has a
// credential finding in the same item (e.g. a URL path beside its Basic header).
func dropCoveredSIDs(fs []atoguard.Finding) []atoguard.Finding {
	covered := map[string]bool{}
	for _, f := range fs {
		if f.Rule != RuleAccountSID && f.AccountSID != "" && !f.Placeholder {
			covered[f.AccountSID] = true
		}
	}
	if len(covered) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Rule != RuleAccountSID || !covered[f.AccountSID] {
			out = append(out, f)
		}
	}
	return out
}

// Fill reads from r until buf is full, r ends (eof) or r fails. Unlike
// io.ReadFull it keeps a reader's own io.ErrUnexpectedEOF (a truncated gzip
// stream) as an error instead of taking it for a short file.
func Fill(r io.Reader, buf []byte) (n int, eof bool, err error) {
	for n < len(buf) {
		var m int
		m, err = r.Read(buf[n:])
		n += m
		switch {
		case err == io.EOF:
			return n, true, nil
		case err != nil:
			return n, false, err
		}
	}
	return n, false, nil
}
