package source

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

type member struct {
	name string
	data []byte
}

func makeZip(t testing.TB, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, m := range members {
		f, err := w.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func makeTar(t testing.TB, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, m := range members {
		if err := w.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestArchives(t *testing.T) {
	var lb bytes.Buffer // ~1 MB > MaxMemory below, compressible like real text
	for i := range 25000 {
		fmt.Fprintf(&lb, "line %d of a text file, value=%x\n", i, i*7919)
	}
	large := lb.Bytes()
	inner := makeZip(t, member{"deep/creds.env", []byte("TOKEN=1")})
	tgz := gz(t, makeTar(t,
		member{"src/app.py", []byte("print(1)")},
		member{"lib/inner.zip", inner},
		member{"img.bin", []byte("\x00\x01\x02")},
		member{"big.txt", large},
	))
	level3 := makeZip(t, member{"l1.zip", makeZip(t, member{"l2.zip", makeZip(t, member{"l3.zip", makeZip(t, member{"l4.txt", []byte("too deep")})})})})
	tests := []struct {
		name     string
		file     string
		data     []byte
		want     map[string]string
		warnings []string
	}{
		{
			name: "zip", file: "a.zip",
			data: makeZip(t, member{"x/.env", []byte("A=1")}, member{"b.bin", []byte{0, 1}}),
			want: map[string]string{"a.zip!x/.env": "A=1"},
		},
		{
			name: "tgz nested", file: "b.tgz", data: tgz,
			want: map[string]string{
				"b.tgz!src/app.py":                   "print(1)",
				"b.tgz!lib/inner.zip!deep/creds.env": "TOKEN=1",
				"b.tgz!big.txt":                      string(large),
			},
		},
		{
			name: "plain tar", file: "c.tar",
			data: makeTar(t, member{"a.txt", []byte("aaa")}),
			want: map[string]string{"c.tar!a.txt": "aaa"},
		},
		{
			name: "gzip single file", file: "notes.txt.gz",
			data: gz(t, []byte("gzipped text")),
			want: map[string]string{"notes.txt.gz!notes.txt": "gzipped text"},
		},
		{
			name: "depth limit", file: "n.zip", data: level3,
			want:     map[string]string{},
			warnings: []string{"n.zip!l1.zip!l2.zip!l3.zip: nested archive deeper than 3 levels"},
		},
		{
			name: "depth limit, one warning", file: "m.zip",
			data:     makeZip(t, member{"a.zip", level3}, member{"b.zip", level3}, member{"c.txt", []byte("ok")}),
			want:     map[string]string{"m.zip!c.txt": "ok"},
			warnings: []string{"m.zip!a.zip!l1.zip!l2.zip: nested archive deeper than 3 levels, not expanded, nor 1 more in "},
		},
		{
			name: "corrupt zip", file: "bad.zip", data: []byte("PK\x03\x04garbage"),
			want:     map[string]string{},
			warnings: []string{"bad.zip: reading zip"},
		},
	}
	for _, tt := range tests {
		for _, workers := range []int{0, 2} {
			t.Run(tt.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, tt.file)
				must(t, os.WriteFile(path, tt.data, 0o644))
				g := newGot()
				opts := Options{Warn: g.warner(), Archive: ArchiveLimits{MaxMemory: 256 << 10}}
				must(t, consume(t, NewPaths([]string{path}, opts), g, workers))
				if len(g.content) != len(tt.want) {
					t.Errorf("got items %v, want %d", g.paths(), len(tt.want))
				}
				for name, want := range tt.want {
					got, ok := g.content[filepath.Join(dir, name)]
					if !ok || got != want {
						t.Errorf("%s: present=%v, %d bytes, want %d", name, ok, len(got), len(want))
					}
				}
				if len(g.warnings) != len(tt.warnings) {
					t.Errorf("warnings %q, want %q", g.warnings, tt.warnings)
				}
				for i, w := range tt.warnings {
					if i < len(g.warnings) && !strings.Contains(g.warnings[i], w) {
						t.Errorf("warning %q lacks %q", g.warnings[i], w)
					}
				}
			})
		}
	}
}

func TestArchiveBombs(t *testing.T) {
	zeros := bytes.Repeat([]byte("0"), 8<<20) // compresses ~1000:1
	tests := []struct {
		name   string
		data   []byte
		limits ArchiveLimits
		max    int64
		why    string
	}{
		{"zip ratio", makeZip(t, member{"z.txt", zeros}), ArchiveLimits{MaxRatio: 10}, ratioFloor + 64<<10, "expansion ratio exceeded"},
		{"gzip ratio", gz(t, zeros), ArchiveLimits{MaxRatio: 10}, ratioFloor + 64<<10, "expansion ratio exceeded"},
		{"total", makeTar(t, member{"a.txt", zeros[:3<<20]}, member{"b.txt", zeros[:3<<20]}), ArchiveLimits{MaxTotal: 4 << 20}, 4 << 20, "expanded size limit reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bomb")
			must(t, os.WriteFile(path, tt.data, 0o644))
			g := newGot()
			must(t, consume(t, NewPaths([]string{path}, Options{Warn: g.warner(), Archive: tt.limits}), g, 0))
			var total int64
			for _, c := range g.content {
				total += int64(len(c))
			}
			if total == 0 || total > tt.max {
				t.Errorf("expanded %d bytes, want 0 < n <= %d", total, tt.max)
			}
			if len(g.warnings) != 1 || !strings.Contains(g.warnings[0], tt.why) {
				t.Errorf("warnings %q, want one with %q", g.warnings, tt.why)
			}
		})
	}
}

// FuzzArchive feeds arbitrary bytes to the archive reader: it must not
// panic, hang or exceed its limits.
func FuzzArchive(f *testing.F) {
	f.Add(makeZip(f, member{"a.txt", []byte("AC00000000000000000000000000000000")}))
	f.Add(gz(f, makeTar(f, member{"t/a.env", []byte("x=1")}, member{"z.zip", makeZip(f, member{"q", []byte("q")})})))
	f.Add(makeTar(f, member{"a", []byte("b")}))
	f.Add(gz(f, []byte("plain")))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		k := sniff(data)
		if k != kindZip && k != kindGzip && k != kindTar {
			return
		}
		limits := ArchiveLimits{MaxTotal: 8 << 20, MaxMemory: 1 << 20}
		p := NewPaths(nil, Options{Archive: limits, Warn: func(string, error) {}})
		var total int64
		a := p.archiveWalker(context.Background(), func(it scan.Item) error {
			rc, err := it.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			var b bytes.Buffer
			n, _ := b.ReadFrom(rc)
			total += n
			return nil
		}, "fuzz")
		if err := a.file(bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		if budget := limits.withDefaults().budgetFor(int64(len(data))); total > budget {
			t.Fatalf("expanded %d bytes, budget %d", total, budget)
		}
	})
}

// A truncated gzip stream loses nothing that could be read: what came before
// the cut is scanned, and the cut is reported as a warning.
func TestTruncatedGzipScansWhatWasRead(t *testing.T) {
	secret := "TWILIO_ACCOUNT_SID=AC1b3f0bddbb6887d68d8454e66c749c6a\nTWILIO_AUTH_TOKEN=daf7b3d34b9787f1212316eea62ba186\n"
	for _, tt := range []struct {
		name    string
		padding int // bytes after the secret: below and beyond the sniffed prefix
	}{{"small", 2 << 10}, {"large", 400 << 10}} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			pad := make([]byte, tt.padding)
			for i := range pad {
				pad[i] = "0123456789abcdef"[rng.IntN(16)]
			}
			full := gz(t, append([]byte(secret), pad...))
			dir := t.TempDir()
			path := filepath.Join(dir, "cut.env.gz")
			must(t, os.WriteFile(path, full[:len(full)*2/3], 0o600))

			g := newGot()
			res, err := scan.New(scan.Options{Warn: g.warner(), Concurrency: 1}).Scan(context.Background(), NewPaths([]string{path}, Options{Warn: g.warner()}))
			must(t, err)
			if len(res.Findings) != 1 || res.Findings[0].Rule != scan.RuleAuthToken {
				t.Fatalf("findings %+v, want the auth token from before the cut", res.Findings)
			}
			if len(g.warnings) != 1 || !strings.Contains(g.warnings[0], "cut.env.gz!cut.env") || !strings.Contains(g.warnings[0], "unexpected EOF") {
				t.Errorf("warnings %q, want one about the truncated member", g.warnings)
			}
		})
	}
}

// nestedBomb builds archives of archives of one highly compressible log:
// each level multiplies what a per-member ratio allows, so only a budget
// for the whole top-level archive bounds it.
func nestedBomb(t *testing.T) map[string][]byte {
	var lb bytes.Buffer
	for lb.Len() < 4<<20 {
		lb.WriteString("2025-01-01T00:00:00Z INFO request ok path=/health status=200\n")
	}
	log := lb.Bytes()
	l1 := makeZip(t, member{"app.log", log}) // ~4 KB
	var copies []member
	for i := range 6 { // six copies stay in gzip's 32 KB window: tar.gz dedups them
		copies = append(copies, member{fmt.Sprintf("inner%d.zip", i), l1})
	}
	l2 := gz(t, makeTar(t, copies...))
	copies = copies[:0]
	for i := range 6 {
		copies = append(copies, member{fmt.Sprintf("mid%d.tar.gz", i), l2})
	}
	// Incompressible padding puts the archives' budgets above ratioFloor.
	pad := member{"padding.bin", randomBytes(3, 16<<10)}
	copies = append(copies, pad)
	var zz []member
	for i := range 10 {
		zz = append(zz, member{fmt.Sprintf("z%d.zip", i), l1})
	}
	zips := makeZip(t, zz...)
	zz = zz[:0]
	for i := range 10 {
		zz = append(zz, member{fmt.Sprintf("y%d.zip", i), zips})
	}
	zz = append(zz, pad)
	return map[string][]byte{
		"tgz-tgz-zip": gz(t, makeTar(t, copies...)),
		"zip-zip-zip": makeZip(t, zz...),
	}
}

func TestNestedArchiveBomb(t *testing.T) {
	bombs := nestedBomb(t)
	tests := []struct {
		name   string
		limits ArchiveLimits
	}{
		{"tgz-tgz-zip", ArchiveLimits{}},                  // 36 logs of 4 MiB in ~17 KB
		{"zip-zip-zip", ArchiveLimits{MaxRatio: 100}},     // 100 logs of 4 MiB in ~23 KB
		{"tgz-tgz-zip", ArchiveLimits{MaxTotal: 2 << 20}}, // the absolute cap still holds
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bombs[tt.name]
			dir := t.TempDir()
			path := filepath.Join(dir, tt.name+".bin")
			must(t, os.WriteFile(path, data, 0o644))
			g := newGot()
			limits := tt.limits.withDefaults()
			budget := min(limits.MaxTotal, max(ratioFloor, limits.MaxRatio*int64(len(data))))
			must(t, consume(t, NewPaths([]string{path}, Options{Warn: g.warner(), Archive: tt.limits}), g, 2))
			var total int64
			for _, c := range g.content {
				total += int64(len(c))
			}
			t.Logf("%d bytes, budget %d, expanded %d bytes in %d items", len(data), budget, total, len(g.content))
			if total == 0 || total > budget {
				t.Errorf("expanded %d bytes, want 0 < n <= %d (budget of a %d-byte archive)", total, budget, len(data))
			}
			if len(g.warnings) != 1 {
				t.Fatalf("warnings %q, want exactly one", g.warnings)
			}
			w := g.warnings[0]
			for _, want := range []string{path + ": possible archive bomb", "member(s) cut short or not opened", "content past the limit is not scanned"} {
				if !strings.Contains(w, want) {
					t.Errorf("warning %q lacks %q", w, want)
				}
			}
		})
	}
}
