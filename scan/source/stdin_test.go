package source

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

// Archives piped on stdin are expanded like archive files, members named
// "-!member"; binary stdin is reported, not silently dropped.
func TestStdinArchives(t *testing.T) {
	secret := []byte(utf16Secret)
	bin := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), randomBytes(11, 200)...)
	var big bytes.Buffer // past MaxMemory below: the zip is spooled to a file
	big.Write(randomBytes(12, 96<<10))
	tests := []struct {
		name     string
		data     []byte
		want     []string // "path rule" of each finding
		skipped  int64
		warnings []string
	}{
		{
			name: "tar.gz",
			data: gz(t, makeTar(t, member{"app/.env", secret}, member{"logo.png", bin}, member{"win/u.txt", encodeUTF16(utf16Secret, false, false)})),
			want: []string{"-!app/.env " + scan.RuleAuthToken, "-!win/u.txt " + scan.RuleAuthToken}, skipped: 1,
		},
		{
			name: "tar",
			data: makeTar(t, member{"app/.env", secret}),
			want: []string{"-!app/.env " + scan.RuleAuthToken},
		},
		{
			name: "gzip",
			data: gz(t, secret),
			want: []string{"-!- " + scan.RuleAuthToken},
		},
		{
			name: "zip in memory",
			data: makeZip(t, member{"conf/prod.env", secret}, member{"inner.tgz", gz(t, makeTar(t, member{"deep.env", secret}))}),
			want: []string{"-!conf/prod.env " + scan.RuleAuthToken, "-!inner.tgz!deep.env " + scan.RuleAuthToken},
		},
		{
			name: "zip spooled to a file",
			data: makeZip(t, member{"noise.bin", big.Bytes()}, member{"conf/prod.env", secret}),
			want: []string{"-!conf/prod.env " + scan.RuleAuthToken}, skipped: 1,
		},
		{
			name: "binary", data: bin,
			skipped: 1, warnings: []string{"-: binary content on stdin, not scanned"},
		},
		{
			name: "text", data: secret,
			want: []string{"- " + scan.RuleAuthToken},
		},
	}
	for _, tt := range tests {
		for _, viaScanner := range []bool{true, false} {
			t.Run(tt.name, func(t *testing.T) {
				tmp := t.TempDir()
				g := newGot()
				src := Stdin{R: bytes.NewReader(tt.data), Archive: ArchiveLimits{MaxMemory: 64 << 10}, TempDir: tmp}
				if !viaScanner {
					src.Warn = g.warner()
				}
				got, res, warnings := utf16Findings(t, src)
				warnings = append(warnings, g.warnings...)
				if !slices.Equal(got, tt.want) {
					t.Errorf("findings %q, want %q", got, tt.want)
				}
				skipped := tt.skipped
				if !viaScanner && len(tt.warnings) > 0 {
					skipped-- // a warning given to Warn is not an item the scanner skips
				}
				if res.Stats.Skipped != skipped {
					t.Errorf("skipped %d, want %d", res.Stats.Skipped, skipped)
				}
				if len(warnings) != len(tt.warnings) {
					t.Fatalf("warnings %q, want %q", warnings, tt.warnings)
				}
				for i, w := range tt.warnings {
					if !strings.HasPrefix(warnings[i], w) {
						t.Errorf("warning %q, want %q", warnings[i], w)
					}
				}
				if left, _ := os.ReadDir(tmp); len(left) != 0 {
					t.Errorf("temporary files left: %v", left)
				}
			})
		}
	}
}

// A bomb on stdin gets the budget of an archive file of its size: a stream
// by what was read so far, a zip once spooled.
func TestStdinArchiveBomb(t *testing.T) {
	for name, data := range nestedBomb(t) {
		t.Run(name, func(t *testing.T) {
			g := newGot()
			must(t, consume(t, Stdin{R: bytes.NewReader(data), Warn: g.warner()}, g, 2))
			var total int64
			for _, c := range g.content {
				total += int64(len(c))
			}
			budget := ArchiveLimits{}.withDefaults().budgetFor(int64(len(data)))
			if total == 0 || total > budget {
				t.Errorf("expanded %d bytes, want 0 < n <= %d", total, budget)
			}
			if len(g.warnings) != 1 || !strings.HasPrefix(g.warnings[0], "-: possible archive bomb") {
				t.Errorf("warnings %q, want one about the bomb", g.warnings)
			}
		})
	}
	// Larger than the budget allows to spool: not expanded, said so.
	zip := makeZip(t, member{"a.bin", randomBytes(13, 300<<10)})
	g := newGot()
	must(t, consume(t, Stdin{R: bytes.NewReader(zip), Warn: g.warner(), Archive: ArchiveLimits{MaxMemory: 64 << 10, MaxTotal: 128 << 10}}, g, 0))
	if len(g.content) != 0 || len(g.warnings) != 1 || !strings.Contains(g.warnings[0], "zip larger than 128.0 KiB, not expanded") {
		t.Errorf("items %v, warnings %q", g.paths(), g.warnings)
	}
}

// A zip on stdin larger than MaxMemory is spooled to a file; while its
// members are read (when a SIGKILL could come) no file with the secrets is
// in TempDir, neither with O_TMPFILE nor with the unlinked-file fallback.
func TestStdinZipSpoolHasNoName(t *testing.T) {
	data := makeZip(t, member{"noise.bin", randomBytes(14, 96<<10)}, member{"conf/prod.env", []byte(utf16Secret)})
	tmp := t.TempDir()
	var seen []string
	src := Stdin{R: bytes.NewReader(data), Archive: ArchiveLimits{MaxMemory: 64 << 10}, TempDir: tmp}
	err := src.Items(t.Context(), func(it scan.Item) error {
		seen = append(seen, it.Path)
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("while reading %s, TMPDIR holds %v", it.Path, left)
		}
		return nil
	})
	must(t, err)
	if !slices.Contains(seen, "-!conf/prod.env") {
		t.Fatalf("members %q: the zip was not spooled and expanded", seen)
	}
	f, cleanup, err := unlinkedTemp(tmp)
	must(t, err)
	defer cleanup()
	if _, err := f.WriteString("secret"); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("fallback spool left a name: %v", left)
	}
}

// A bomb on stdin with more members past its budget than MaxListedSkips
// holds a bounded number of notices for the scanner, then one that counts
// the rest.
func TestStdinNoticesBounded(t *testing.T) {
	members := make([]member, scan.MaxListedSkips+50)
	for i := range members {
		members[i] = member{name: fmt.Sprintf("m%05d.txt", i), data: []byte("0123456789abcdef0123456789abcdef")}
	}
	src := Stdin{R: bytes.NewReader(makeZip(t, members...)), Archive: ArchiveLimits{MaxTotal: 1 << 10}}
	var notices []string
	must(t, src.Items(t.Context(), func(it scan.Item) error {
		if _, err := it.Open(); err != nil {
			notices = append(notices, err.Error())
		}
		return nil
	}))
	if len(notices) != scan.MaxListedSkips+1 || !strings.HasSuffix(notices[len(notices)-1], "more items not read in full, not listed") {
		t.Fatalf("%d notices, last %q", len(notices), notices[len(notices)-1])
	}
}
