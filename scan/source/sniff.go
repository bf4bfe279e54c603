package source

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// prefixSize is how much of each file the walker reads before handing it
// to the scanner: enough to sniff, and the whole of most source files, which
// then never need their descriptor again.
const prefixSize = 32 << 10

// sniffSize is the window searched for a NUL byte, as git does.
const sniffSize = 8000

type kind int

const (
	kindText kind = iota
	kindBinary
	kindZip
	kindGzip
	kindTar
	kindReport // a report atoguard wrote (scan.OwnReport): not scanned
)

// sniff classifies content by its first bytes.
func sniff(p []byte) kind {
	switch {
	case len(p) > 0 && (p[0] == '{' || p[0] == '#') && scan.OwnReport(p) != "":
		return kindReport
	case bytes.HasPrefix(p, []byte("PK\x03\x04")), bytes.HasPrefix(p, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(p, []byte{0x1f, 0x8b}):
		return kindGzip
	case isTar(p):
		return kindTar
	}
	if bytes.IndexByte(p[:min(len(p), sniffSize)], 0) >= 0 {
		if ok, _ := utf16Text(p); ok {
			return kindText
		}
		return kindBinary
	}
	return kindText
}

// utf16Text recognises UTF-16 text, whose NUL bytes would otherwise make it
// binary: after a byte-order mark (FF FE little-endian, FE FF big-endian),
// or without one when the first code unit and at least half of the rest are
// in the ASCII/Latin-1 range, so that the zero bytes alternate ("a\x00b\x00"
// is little-endian, "\x00a\x00b" big-endian). Every unit in the sniffed
// window must be a character of text: no NUL, no control character but
// whitespace and ESC, no unpaired surrogate. That keeps images, executables
// and random bytes binary. bom is the mark to prepend when p has none, so the
// scanner (which decodes UTF-16 after a mark) reads the text.
func utf16Text(p []byte) (ok bool, bom []byte) {
	if len(p) < 2 {
		return false, nil
	}
	w := p[:min(len(p), sniffSize)]
	switch {
	case p[0] == 0xFF && p[1] == 0xFE:
		return utf16Plausible(w[2:], false, false), nil
	case p[0] == 0xFE && p[1] == 0xFF:
		return utf16Plausible(w[2:], true, false), nil
	case p[0] != 0 && p[1] == 0:
		return utf16Plausible(w, false, true), []byte{0xFF, 0xFE}
	case p[0] == 0 && p[1] != 0:
		return utf16Plausible(w, true, true), []byte{0xFE, 0xFF}
	}
	return false, nil
}

// utf16Plausible checks the code units of w (a trailing odd byte, or a high
// surrogate cut off by the end of the window, is ignored). With halfASCII,
// at least half of the units must have a zero high byte.
func utf16Plausible(w []byte, big, halfASCII bool) bool {
	units, narrow := 0, 0
	high := false // the previous unit was a high surrogate
	for i := 0; i+1 < len(w); i += 2 {
		hi, lo := w[i+1], w[i]
		if big {
			hi, lo = w[i], w[i+1]
		}
		units++
		isLow := hi >= 0xDC && hi <= 0xDF
		if high != isLow {
			return false // a surrogate without its partner
		}
		high = hi >= 0xD8 && hi <= 0xDB
		if hi != 0 {
			continue
		}
		narrow++
		if lo < 0x20 && lo != '\t' && lo != '\n' && lo != '\v' && lo != '\f' && lo != '\r' && lo != 0x1b {
			return false // NUL or a control character: not text
		}
	}
	return !halfASCII || (units > 0 && 2*narrow >= units)
}

// missingBOM is the byte-order mark to put before content that starts with
// prefix, when that content is UTF-16 without one; nil otherwise. It costs
// two byte comparisons for ordinary text.
func missingBOM(prefix []byte) []byte {
	if len(prefix) < 2 || (prefix[0] != 0 && prefix[1] != 0) {
		return nil
	}
	if ok, bom := utf16Text(prefix); ok {
		return bom
	}
	return nil
}

// isTar checks the POSIX/GNU magic at offset 257.
func isTar(p []byte) bool {
	return len(p) >= 262 && bytes.Equal(p[257:262], []byte("ustar"))
}

// bufPool recycles prefix buffers between files.
type bufPool struct{ p sync.Pool }

func newBufPool() *bufPool {
	bp := &bufPool{}
	bp.p.New = func() any { b := make([]byte, prefixSize); return &b }
	return bp
}

func (bp *bufPool) get() *[]byte  { return bp.p.Get().(*[]byte) }
func (bp *bufPool) put(b *[]byte) { bp.p.Put(b) }

// readPrefix fills buf from r as far as it goes; eof reports that r has
// nothing more. A truncated stream is an error, not a short file.
func readPrefix(r io.Reader, buf []byte) (n int, eof bool, err error) {
	return scan.Fill(r, buf)
}

// prefixReader yields a prefix already read and then the rest of the stream.
// Close releases the prefix buffer and the underlying stream exactly once.
// UTF-16 text without a byte-order mark gets one first (see missingBOM).
type prefixReader struct {
	prefix  []byte
	rest    io.Reader
	onClose func()
	once    sync.Once
	started bool
	bom     []byte
}

func (r *prefixReader) Read(p []byte) (int, error) {
	if !r.started {
		r.started = true
		r.bom = missingBOM(r.prefix)
	}
	if len(r.bom) > 0 {
		n := copy(p, r.bom)
		r.bom = r.bom[n:]
		return n, nil
	}
	if len(r.prefix) > 0 {
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	}
	if r.rest == nil {
		return 0, io.EOF
	}
	return r.rest.Read(p)
}

func (r *prefixReader) Close() error {
	r.once.Do(func() {
		r.prefix = nil
		r.rest = nil
		if r.onClose != nil {
			r.onClose()
		}
	})
	return nil
}

// opener hands out a prepared reader on the first Open and falls back to
// reopen for any later one, so a scanner that opens twice still works.
type opener struct {
	mu     sync.Mutex
	first  io.ReadCloser
	reopen func() (io.ReadCloser, error)
}

func (o *opener) open() (io.ReadCloser, error) {
	o.mu.Lock()
	r := o.first
	o.first = nil
	o.mu.Unlock()
	if r != nil {
		return r, nil
	}
	if o.reopen == nil {
		return nil, errReopen
	}
	return o.reopen()
}

type sourceError string

func (e sourceError) Error() string { return string(e) }

const errReopen = sourceError("content can be read only once")

// sizedPool recycles blob buffers: a history scan reads tens of thousands of
// small blobs, and reusing their memory spares the allocator and the GC.
type sizedPool struct{ p sync.Pool }

func newSizedPool() *sizedPool { return &sizedPool{} }

// get returns a buffer with capacity for n bytes.
func (sp *sizedPool) get(n int) *[]byte {
	if bp, ok := sp.p.Get().(*[]byte); ok && cap(*bp) >= n {
		return bp
	}
	b := make([]byte, n, max(n, 16<<10))
	return &b
}

func (sp *sizedPool) put(bp *[]byte) { sp.p.Put(bp) }

// pooledItem is an in-memory item whose buffer goes back to pool when the
// scanner closes it; it can be opened once.
func pooledItem(path string, bp *[]byte, n int, origins []scan.Origin, pool *sizedPool) scan.Item {
	var used atomic.Bool
	return scan.Item{Path: path, Size: int64(n), Origins: origins, Open: func() (io.ReadCloser, error) {
		if used.Swap(true) {
			return nil, errReopen
		}
		return &prefixReader{prefix: (*bp)[:n], onClose: func() { pool.put(bp) }}, nil
	}}
}

// bytesItem is an item whose content is already in memory.
func bytesItem(path string, data []byte, origins []scan.Origin) scan.Item {
	return scan.Item{
		Path: path, Size: int64(len(data)), Origins: origins,
		Open: func() (io.ReadCloser, error) { return &prefixReader{prefix: data}, nil },
	}
}

// ownReportNote is the warning for a report atoguard wrote, found among
// what it scans: not scanned, and said so, since it holds the SIDs and
// fingerprints it reports (scan.OwnReport).
func ownReportNote(head []byte) error {
	return fmt.Errorf("atoguard's own %s, not scanned", scan.OwnReport(head))
}
