package scan

import (
	"context"
	"github.com/atoguard/atoguard/internal/testsupport"
	"io"
	"runtime"
	"strings"
	"testing"

	atoguard "github.com/atoguard/atoguard"
)

// repeatLine is the line of issue 11 item 5: one credential pair, 105 bytes.
const repeatLine = "TWILIO_ACCOUNT_SID=" + sid1 + " TWILIO_AUTH_TOKEN=" + tok1 + "\n"

// repeatReader yields repeatLine n times without holding them.
type repeatReader struct {
	n, off int
	line   string
}

func (r *repeatReader) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) && r.n > 0 {
		c := copy(p[w:], r.line[r.off:])
		w += c
		if r.off += c; r.off == len(r.line) {
			r.off, r.n = 0, r.n-1
		}
	}
	if w == 0 {
		return 0, io.EOF
	}
	return w, nil
}

func repeatItem(path string, r io.Reader) Item {
	return Item{Path: path, Size: -1, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

// A credential repeated in one item is one finding with its count and the
// first further places (bare SIDs too); what an allow comment covers is not
// counted; another credential in the same item stays a finding of its own.
// Small chunks put repetitions on both sides of many read boundaries.
func TestRepeatedCredentialOnce(t *testing.T) {
	const n = 3000
	var b strings.Builder
	for i := range n {
		switch i {
		case 4:
			b.WriteString(strings.Replace(repeatLine, tok1, tok2, 1))
		case 7:
			b.WriteString(strings.TrimSuffix(repeatLine, "\n") + " # atoguard:allow\n")
		default:
			b.WriteString(repeatLine)
		}
	}
	bareSIDs := strings.Repeat("tenant "+sid2+"\n", 500)
	res, err := New(Options{ChunkSize: 4096, Concurrency: 1}).Scan(context.Background(),
		items{textItem("creds.env", b.String()), textItem("sids.txt", bareSIDs)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 3 {
		t.Fatalf("findings %q, want the pair, the other token and the bare SID", placed(res.Findings))
	}
	col := strings.Index(repeatLine, tok1) + 1
	wants := []string{
		authTok(sid1, tok1).String(), authTok(sid1, tok2).String(), bare(sid2).String(),
	}
	more := []atoguard.Location{{Line: 2, Column: col}, {Line: 3, Column: col}, {Line: 4, Column: col}, {Line: 6, Column: col}, {Line: 7, Column: col},
		{Line: 9, Column: col}, {Line: 10, Column: col}, {Line: 11, Column: col}, {Line: 12, Column: col}, {Line: 13, Column: col}}
	for _, f := range res.Findings {
		w := want{f.Rule, f.AccountSID, f.KeySID, f.Secret.Reveal(), f.Placeholder}.String()
		switch w {
		case wants[0]:
			if f.Count != n-2 || f.Line != 1 || f.Column != col || !equalLocations(f.More, more) {
				t.Errorf("repeated pair: count %d at %d:%d, more %v; want %d at 1:%d, more %v", f.Count, f.Line, f.Column, f.More, n-2, col, more)
			}
		case wants[1]:
			if f.Count != 1 || f.Line != 5 || len(f.More) != 0 {
				t.Errorf("other token: count %d line %d more %v", f.Count, f.Line, f.More)
			}
		case wants[2]:
			if f.Count != 500 || f.Line != 1 || len(f.More) != atoguard.MaxMoreLocations || f.More[9].Line != 11 {
				t.Errorf("bare SID: count %d line %d more %v", f.Count, f.Line, f.More)
			}
		default:
			t.Errorf("unexpected finding %s", w)
		}
	}
}

func equalLocations(a, b []atoguard.Location) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Memory does not grow with repetitions: 100,000 repeated lines (10 MB)
// leave one finding whose size is bounded, and the live heap after the scan
// is far below the input's size.
func TestRepeatedCredentialMemoryBounded(t *testing.T) {
	const n = 100000
	res, err := New(Options{}).Scan(context.Background(), items{repeatItem("-", &repeatReader{n: n, line: repeatLine})})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Count != n || len(res.Findings[0].More) != atoguard.MaxMoreLocations {
		t.Fatalf("findings %q", placed(res.Findings))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if input := uint64(n * len(repeatLine)); ms.HeapAlloc > input/2 {
		t.Errorf("live heap %d bytes after scanning %d bytes of one repeated credential", ms.HeapAlloc, input)
	}
}

// BenchmarkScanRepeated streams one credential pair repeated 200,000 times
// (21 MB) through the engine: what a finding that is only counted costs.
func BenchmarkScanRepeated(b *testing.B) {
	const n = 200000
	s := New(Options{})
	b.SetBytes(int64(n * len(repeatLine)))
	b.ReportAllocs()
	c0 := testsupport.CPUTime()
	for b.Loop() {
		res, err := s.Scan(context.Background(), items{repeatItem("-", &repeatReader{n: n, line: repeatLine})})
		if err != nil || len(res.Findings) != 1 {
			b.Fatalf("findings %d, %v", len(res.Findings), err)
		}
	}
	reportCPU(b, c0, n*len(repeatLine))
}
