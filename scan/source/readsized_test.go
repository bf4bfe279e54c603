package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

// Small files are handed to the engine in the walker's pooled buffers, not
// copied: each must still be scanned with its own content while other files
// are being read into recycled buffers.
func TestDirSmallFilesOwnContent(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	want := map[string]string{}
	for i := range 300 {
		// Fabricated: a distinct SID per file, and a token that is not a placeholder.
		sid := fmt.Sprintf("AC%08x%024x", 0x9e3779b9*uint32(i+1), 0x5deece66d*uint64(i+7))
		name := fmt.Sprintf("svc%03d/.env", i)
		files[name] = strings.Repeat("# padding line\n", i%40) + "TWILIO_ACCOUNT_SID=" + sid +
			"\nTWILIO_AUTH_TOKEN=" + fmt.Sprintf("%08x%024x", 0x2545f491*uint32(i+3), 0x27bb2ee687b0b0fd*uint64(i+1)) + "\n"
		want[filepath.Join(dir, name)] = sid
	}
	writeFiles(t, dir, files)
	res, err := scan.New(scan.Options{Concurrency: 4}).Scan(context.Background(), NewPaths([]string{dir}, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		if f.Rule == scan.RuleAuthToken {
			got[f.Path] = f.AccountSID
		}
	}
	for p, sid := range want {
		if got[p] != sid {
			t.Fatalf("%s: found %q, want %q (%d findings)", p, got[p], sid, len(res.Findings))
		}
	}
}

// A file read with the size it had when opened is complete; one that is
// shorter than that is read to its end; a size of 0 (special files) is not
// trusted.
func TestReadSized(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("hello world"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for _, tc := range []struct {
		size int64
		want string
	}{{11, "hello world"}, {20, "hello world"}, {0, "hello world"}, {5, "hello"}} {
		f, err := openFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n, eof, err := readSized(f, buf, tc.size)
		f.Close()
		if err != nil || !eof || string(buf[:n]) != tc.want {
			t.Errorf("size %d: %q eof=%v err=%v, want %q", tc.size, buf[:n], eof, err, tc.want)
		}
	}
	if _, err := openFile(filepath.Join(filepath.Dir(p), "missing")); !os.IsNotExist(err) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
}
