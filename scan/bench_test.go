package scan

import (
	"bytes"
	"context"
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mixedSource generates n bytes of source-like text in several languages,
// with words that trip naive prefilters (ACTION, SKIP, TRACE, base64, hex
// hashes, UUIDs) and a credential pair about every 256 KiB.
func mixedSource(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	hex := func(k int) string {
		const h = "0123456789abcdef"
		b := make([]byte, k)
		for i := range b {
			b[i] = h[r.IntN(16)]
		}
		return string(b)
	}
	templates := []func() string{
		func() string { return "func handleAction(ctx context.Context, req *Request) (*Response, error) {\n" },
		func() string {
			return "\tif err := s.store.Save(ctx, ACTION_CREATE, req.Body); err != nil {\n\t\treturn nil, err\n\t}\n"
		},
		func() string {
			return "    logger.debug(\"TRACE %s SKIP %d\", request.path, len(payload))  # ACCESS log\n"
		},
		func() string {
			return "  \"integrity\": \"sha512-" + hex(40) + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\",\n"
		},
		func() string {
			return "  \"resolved\": \"https://registry.example.org/pkg/-/pkg-1.2.3.tgz\", \"shasum\": \"" + hex(40) + "\",\n"
		},
		func() string { return "const checksum = '" + hex(32) + "'; // md5 of the fixture\n" },
		func() string {
			return "export const ACCEPT_HEADER = 'application/json'; const SKU = \"SKU-" + hex(8) + "\";\n"
		},
		func() string { return "request_id: " + hex(32) + "\nstatus: ACTIVE\nregion: us-east-1\n" },
		func() string {
			return "<div class=\"card\" data-id=\"" + hex(12) + "\">Lorem ipsum dolor sit amet, consectetur adipiscing elit.</div>\n"
		},
		func() string {
			return "SELECT id, name, created_at FROM accounts WHERE status = 'ACTIVE' AND id > 1000 ORDER BY id;\n"
		},
		func() string { return "\n" },
	}
	var b bytes.Buffer
	next := 256 << 10
	for b.Len() < n {
		b.WriteString(templates[r.IntN(len(templates))]())
		if b.Len() > next {
			next += 256 << 10
			fmt.Fprintf(&b, "TWILIO_ACCOUNT_SID=AC%s\nTWILIO_AUTH_TOKEN=%s\n", hex(32), hex(32))
		}
	}
	return b.Bytes()[:n]
}

func BenchmarkDetect(b *testing.B) {
	data := mixedSource(4<<20, 1)
	d := detector{}
	var hits []hit
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	c0 := testsupport.CPUTime()
	for b.Loop() {
		hits = d.detect(data, 0, len(data), hits[:0])
	}
	reportCPU(b, c0, len(data))
	if len(hits) == 0 {
		b.Fatal("no hits")
	}
}

// BenchmarkScan runs the whole engine (chunked reads, worker pool) over
// 64 MiB in files of 4 KiB–1 MiB, at 1 and 2 workers, and in 16,384 files
// of 4 KiB (per-item overhead).
func BenchmarkScan(b *testing.B) {
	data := mixedSource(64<<20, 2)
	split := func(size func() int) items {
		var src items
		for off := 0; off < len(data); {
			n := min(len(data)-off, size())
			part := data[off : off+n]
			src = append(src, Item{Path: fmt.Sprint(off), Size: int64(n), Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(part)), nil
			}})
			off += n
		}
		return src
	}
	r := rand.New(rand.NewPCG(3, 4))
	mixed := split(func() int { return 4<<10 + r.IntN(1<<20) })
	small := split(func() int { return 4 << 10 })
	for _, bc := range []struct {
		name    string
		workers int
		src     items
	}{{"workers=1", 1, mixed}, {"workers=2", 2, mixed}, {"workers=2/files=4KiB", 2, small}} {
		src, workers := bc.src, bc.workers
		b.Run(bc.name, func(b *testing.B) {
			s := New(Options{Concurrency: workers})
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			c0 := testsupport.CPUTime()
			for b.Loop() {
				res, err := s.Scan(context.Background(), src)
				if err != nil || len(res.Findings) == 0 {
					b.Fatal(err, len(res.Findings))
				}
			}
			reportCPU(b, c0, len(data))
		})
	}
}

// BenchmarkDetectGoSource runs the detectors over real code: up to 32 MiB of
// the Go distribution's own sources (GOROOT/src), as one buffer.
func BenchmarkDetectGoSource(b *testing.B) {
	var data []byte
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skip("go env GOROOT:", err)
	}
	root := filepath.Join(strings.TrimSpace(string(out)), "src")
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && len(data) < 32<<20 && strings.HasSuffix(p, ".go") {
			if c, err := os.ReadFile(p); err == nil {
				data = append(data, c...)
			}
		}
		return nil
	})
	if len(data) < 1<<20 {
		b.Skip("GOROOT sources not available")
	}
	d := detector{}
	var hits []hit
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	c0 := testsupport.CPUTime()
	for b.Loop() {
		hits = d.detect(data, 0, len(data), hits[:0])
	}
	reportCPU(b, c0, len(data))
}

// reportCPU adds "cpuMB/s": bytes scanned per CPU-second used.
func reportCPU(b *testing.B, c0 time.Duration, size int) {
	if cpu := testsupport.CPUTime() - c0; cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
}

// BenchmarkDetectDense runs the detectors over inputs made only of hits
// (pairs, bare SIDs, SIDs among hashes, Basic headers): the cost per finding
// must stay linear, so a crafted file cannot stall a scan.
func BenchmarkDetectDense(b *testing.B) {
	for name, unit := range map[string]string{
		"pairs":       expand("{SID} auth_token={TOK}\n"),
		"bare-sids":   expand("{SID}\n"),
		"sid-hashes":  expand("sid={SID} x={MD5} y={UUID}\n"),
		"basic-auth":  "Authorization: Basic " + basic(sid1, tok1) + "\n",
		"tokens-only": expand("{TOK} "),
		// One 1 MiB line, as in minified code: every backward search is bounded.
		"one-line-pairs": expand("{accountSid:'{SID}',authToken:'{TOK}'},"),
		"one-line-sids":  expand("'{SID}',"),
	} {
		data := []byte(strings.Repeat(unit, (1<<20)/len(unit)))
		b.Run(name, func(b *testing.B) {
			s := New(Options{})
			b.SetBytes(int64(len(data)))
			c0 := testsupport.CPUTime()
			for b.Loop() {
				s.ScanBytes("dense", data)
			}
			reportCPU(b, c0, len(data))
		})
	}
}
