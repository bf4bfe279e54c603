package cli

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// skipTree writes a tree holding one of each thing a scan cannot read in
// full, and a binary file, which is only counted. It returns what the JSON
// report must list: path → a piece of the reason.
func skipTree(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	deep := dir
	for range 258 {
		deep = filepath.Join(deep, "d")
	}
	writeTree(t, dir, map[string]string{
		"corrupt.zip": "PK\x03\x04 not a zip at all",
		"logo.png":    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
		"ok.txt":      "nothing here\n",
	})
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTree(t, deep, map[string]string{".env": "TWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n"})

	var zb bytes.Buffer // 4 MiB of one letter deflate ~1000:1, past the 250:1 limit
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("zeros.txt")
	w.Write(bytes.Repeat([]byte("a"), 4<<20))
	must(t, zw.Close())
	var tb bytes.Buffer // a tar.gz cut in the middle of its member
	gw := gzip.NewWriter(&tb)
	tw := tar.NewWriter(gw)
	body := bytes.Repeat([]byte("harmless log line\n"), 4000)
	must(t, tw.WriteHeader(&tar.Header{Name: "app.log", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
	tw.Write(body)
	must(t, tw.Close())
	must(t, gw.Close())
	must(t, os.WriteFile(filepath.Join(dir, "bomb.zip"), zb.Bytes(), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "cut.tar.gz"), tb.Bytes()[:tb.Len()/2], 0o644))

	// The first directory past the limit: 256 levels below the root are read.
	tooDeep := dir + strings.Repeat(string(filepath.Separator)+"d", 257)
	return dir, map[string]string{
		tooDeep:                                  "more than 256 directories deep",
		filepath.Join(dir, "corrupt.zip"):        "reading zip",
		filepath.Join(dir, "bomb.zip!zeros.txt"): "archive limit: expansion ratio exceeded",
		filepath.Join(dir, "cut.tar.gz!app.log"): "truncated",
		filepath.Join(dir, "cut.tar.gz"):         "reading tar: unexpected EOF", // nothing after it listed
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Everything a scan could not read in full is listed with its reason in
// JSON and SARIF and counted in the summary; --fail-on-skip turns it into
// exit 1, and binary files alone never do.
func TestScanSkippedListed(t *testing.T) {
	dir, want := skipTree(t)
	code, out, stderr := cli{}.run(t, "scan", "--json", dir)
	if code != ExitClean {
		t.Fatalf("exit %d without --fail-on-skip: %s", code, stderr)
	}
	var rep struct {
		Skipped []struct{ Path, Reason string } `json:"skipped"`
		Stats   struct{ Skipped, Binary int64 } `json:"stats"`
	}
	must(t, json.Unmarshal([]byte(out), &rep))
	got := map[string]string{}
	for _, s := range rep.Skipped {
		got[s.Path] = s.Reason
	}
	for p, why := range want {
		if !strings.Contains(got[p], why) {
			t.Errorf("skipped[%s] = %q, want it to say %q", p, got[p], why)
		}
	}
	if len(got) != len(want) || rep.Stats.Binary != 1 || rep.Stats.Skipped != int64(len(want))+1 {
		t.Errorf("skipped %q, stats %+v", got, rep.Stats)
	}
	// The bomb warns once for the archive; its cut members are only listed.
	if !strings.Contains(stderr, "skipped (1 binary, 5 not read in full)") || !strings.Contains(stderr, "possible archive bomb") ||
		strings.Contains(stderr, "zeros.txt: archive limit") {
		t.Errorf("stderr:\n%s", stderr)
	}

	code, out, stderr = cli{}.run(t, "scan", "--fail-on-skip", dir)
	if code != ExitFindings || !strings.Contains(stderr, "--fail-on-skip: 5 item(s) not read in full") ||
		!strings.Contains(out, "no findings in ") || !strings.Contains(out, "5 not read in full") {
		t.Errorf("--fail-on-skip: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}

	code, out, _ = cli{}.run(t, "scan", "--format", "sarif", dir)
	var log struct {
		Runs []struct {
			Invocations []struct {
				Notes []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	must(t, json.Unmarshal([]byte(out), &log))
	if code != ExitClean || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 || len(log.Runs[0].Invocations[0].Notes) != len(want) {
		t.Errorf("SARIF: exit %d, %+v", code, log.Runs)
	}

	// Binary files alone are not a failure to read.
	bin := t.TempDir()
	writeTree(t, bin, map[string]string{"logo.png": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"})
	if code, _, stderr := (cli{}).run(t, "scan", "--fail-on-skip", bin); code != ExitClean {
		t.Errorf("binary only, --fail-on-skip: exit %d: %s", code, stderr)
	}
}
