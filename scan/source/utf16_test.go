package source

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/atoguard/atoguard/scan"
)

// The public test credential other scanners use (issue 3).
const utf16Secret = "TWILIO_ACCOUNT_SID=AC1b3f0bddbb6887d68d8454e66c749c6a\r\nTWILIO_AUTH_TOKEN=daf7b3d34b9787f1212316eea62ba186\r\n"

// encodeUTF16 encodes s, with a byte-order mark when bom.
func encodeUTF16(s string, big, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if big {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

func TestSniffUTF16(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"), randomBytes(1, 600)...)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"), randomBytes(2, 600)...)
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), randomBytes(3, 600)...)
	tests := []struct {
		name string
		data []byte
		want kind
		bom  []byte // what missingBOM adds
	}{
		{"le bom", encodeUTF16(utf16Secret, false, true), kindText, nil},
		{"be bom", encodeUTF16(utf16Secret, true, true), kindText, nil},
		{"le no bom", encodeUTF16(utf16Secret, false, false), kindText, []byte{0xFF, 0xFE}},
		{"be no bom", encodeUTF16(utf16Secret, true, false), kindText, []byte{0xFE, 0xFF}},
		{"le no bom, accents and emoji", encodeUTF16("café 😀 naïve\n"+utf16Secret, false, false), kindText, []byte{0xFF, 0xFE}},
		{"le bom, all CJK", encodeUTF16(strings.Repeat("日本語のテキスト", 50), false, true), kindText, nil},
		{"le no bom, long", encodeUTF16(strings.Repeat("line of text\n", 2000), false, false), kindText, []byte{0xFF, 0xFE}},
		{"ascii", []byte(utf16Secret), kindText, nil},
		{"png", png, kindBinary, nil},
		{"elf", elf, kindBinary, nil},
		{"windows exe", pe, kindBinary, nil},
		{"nul then ascii", []byte("\x00" + utf16Secret), kindBinary, nil},
		{"ascii then nul", []byte(utf16Secret + "\x00"), kindBinary, nil},
		{"le no bom with a NUL character", append(encodeUTF16("abc", false, false), 0, 0, 'd', 0), kindBinary, nil},
		{"le no bom with control characters", encodeUTF16("ab\x01\x02cd", false, false), kindBinary, nil},
		{"le no bom, lone surrogate", append(encodeUTF16("abcd", false, false), 0x00, 0xD8, 'a', 0), kindBinary, nil},
		{"le no bom, mostly wide", encodeUTF16("a日本語のテキスト", false, false), kindBinary, nil},
		{"bom then random bytes", append([]byte{0xFF, 0xFE}, randomBytes(4, 4000)...), kindBinary, nil},
		{"be bom then random bytes", append([]byte{0xFE, 0xFF}, randomBytes(5, 4000)...), kindBinary, nil},
		{"uint16 table", []byte{1, 0, 2, 0, 3, 0, 4, 0, 0, 0}, kindBinary, nil},
	}
	for seed := range uint64(20) {
		tests = append(tests, struct {
			name string
			data []byte
			want kind
			bom  []byte
		}{"random", randomBytes(100+seed, 8192), kindBinary, nil})
	}
	for _, tt := range tests {
		if got := sniff(tt.data); got != tt.want {
			t.Errorf("%s: sniff = %v, want %v", tt.name, got, tt.want)
		}
		if tt.want == kindText {
			if got := missingBOM(tt.data); !bytes.Equal(got, tt.bom) {
				t.Errorf("%s: missingBOM = %x, want %x", tt.name, got, tt.bom)
			}
		}
	}
}

// utf16Findings scans src with the real engine and lists "path rule" per
// finding, sorted.
func utf16Findings(t *testing.T, src scan.Source) ([]string, scan.Result, []string) {
	t.Helper()
	g := newGot()
	res, err := scan.New(scan.Options{Warn: g.warner(), ChunkSize: 4096}).Scan(context.Background(), src)
	must(t, err)
	var got []string
	for _, f := range res.Findings {
		got = append(got, filepath.ToSlash(f.Path)+" "+f.Rule)
	}
	slices.Sort(got)
	return got, res, g.warnings
}

// UTF-16 files are decoded from every source: a directory (small and
// streamed files, archive members), stdin, git history and staged blobs.
func TestUTF16Sources(t *testing.T) {
	long := strings.Repeat("# padding line so the file is streamed, not held whole\r\n", 1200) // > prefixSize once encoded
	files := map[string][]byte{
		"le-bom.txt":        encodeUTF16(utf16Secret, false, true),
		"be-bom.txt":        encodeUTF16(utf16Secret, true, true),
		"le-nobom.ps1":      encodeUTF16(utf16Secret, false, false),
		"be-nobom.txt":      encodeUTF16(utf16Secret, true, false),
		"long-nobom.txt":    encodeUTF16(long+utf16Secret, false, false),
		"image.png":         append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), randomBytes(9, 300)...),
		"random.bin":        randomBytes(10, 5000),
		"export.zip":        makeZip(t, member{"creds.txt", encodeUTF16(utf16Secret, false, false)}),
		"export.tgz":        gz(t, makeTar(t, member{"creds.txt", encodeUTF16(utf16Secret, true, true)})),
		"plain-utf8.env":    []byte(utf16Secret),
		"nested/deep/u.txt": encodeUTF16("# nested\n"+utf16Secret, false, true),
	}
	want := []string{}
	for _, name := range []string{"le-bom.txt", "be-bom.txt", "le-nobom.ps1", "be-nobom.txt", "long-nobom.txt", "export.zip!creds.txt", "export.tgz!creds.txt", "plain-utf8.env", "nested/deep/u.txt"} {
		want = append(want, name+" "+scan.RuleAuthToken)
	}
	slices.Sort(want)

	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		for name, data := range files {
			must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		}
		p := NewPaths([]string{dir}, Options{})
		got, res, warnings := utf16Findings(t, p)
		for i := range got {
			got[i] = strings.TrimPrefix(got[i], filepath.ToSlash(dir)+"/")
		}
		if !slices.Equal(got, want) {
			t.Errorf("findings\n%q\nwant\n%q", got, want)
		}
		if skipped := res.Stats.Skipped + p.Binary(); skipped != 2 || len(warnings) != 0 {
			t.Errorf("skipped %d (want the image and the random bytes), warnings %q", skipped, warnings)
		}
	})

	t.Run("stdin", func(t *testing.T) {
		for _, data := range [][]byte{files["le-nobom.ps1"], files["be-nobom.txt"], files["le-bom.txt"], files["long-nobom.txt"]} {
			got, _, _ := utf16Findings(t, Stdin{R: bytes.NewReader(data)})
			if !slices.Equal(got, []string{"- " + scan.RuleAuthToken}) {
				t.Errorf("stdin %x…: findings %q", data[:4], got)
			}
		}
	})

	t.Run("git", func(t *testing.T) {
		r := newRepo(t)
		committed := map[string]string{}
		for name, data := range files {
			committed[name] = string(data)
		}
		r.write(committed)
		r.commit("utf-16 exports")
		for _, maxMem := range []int64{0, 64} { // blobs in memory, and streamed (archives spooled)
			// Archives are expanded, held in memory or streamed, and a
			// finding names the member, as in a directory scan.
			wantHist := want
			got, _, warnings := utf16Findings(t, NewHistory(r.dir, GitOptions{MaxMemory: maxMem}))
			if !slices.Equal(got, wantHist) {
				t.Errorf("history (max memory %d): findings\n%q\nwant\n%q\nwarnings %q", maxMem, got, wantHist, warnings)
			}
		}
		staged := map[string]string{
			"staged-le.txt": string(encodeUTF16(utf16Secret, false, false)),
			"staged-be.txt": string(encodeUTF16(utf16Secret, true, true)),
		}
		r.write(staged)
		r.git("add", "staged-le.txt", "staged-be.txt")
		got, _, _ := utf16Findings(t, NewStaged(r.dir, GitOptions{}))
		if want := []string{"staged-be.txt " + scan.RuleAuthToken, "staged-le.txt " + scan.RuleAuthToken}; !slices.Equal(got, want) {
			t.Errorf("staged: findings %q, want %q", got, want)
		}
	})
}
