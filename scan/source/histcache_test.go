package source

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// Fabricated credentials (not real accounts).
const (
	cacheSID   = "AC" + "88494bf070a6da91369434bba2fd478d"
	cacheToken = "d689a52598f93d5a8fe2ff581940fec0"
	cacheSID2  = "AC" + "87f106bdc054a13b04d706b2d46092f5"
	cacheTok2  = "8f0529e130652dfd499e22ed1e7b1d29"
)

// cachedScan runs the history pipeline with a cache file, as scan
// --history --cache does, and returns the findings, the warnings and how
// many blobs the engine read.
func cachedScan(t *testing.T, dir, file, detector string) ([]atoguard.Finding, []string, int64) {
	t.Helper()
	var warns []string
	warn := func(p string, err error) { warns = append(warns, p+": "+err.Error()) }
	c := OpenHistoryCache(file, detector, warn)
	s := scan.New(scan.Options{ItemDone: c.Done, Warn: warn})
	res, err := s.Run(context.Background(), scan.Job{History: true,
		Source: NewHistory(dir, GitOptions{Warn: warn, Cache: c, PathsAsGiven: true})})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	return res.Findings, warns, res.Stats.Blobs + res.Stats.Files + res.Stats.Binary
}

func historyRepo(t *testing.T) *repo {
	r := newRepo(t)
	r.write(map[string]string{"README.md": "hello", "app.py": "print(1)\n"})
	r.commit("one")
	r.write(map[string]string{".env": "TWILIO_ACCOUNT_SID=" + cacheSID + "\nTWILIO_AUTH_TOKEN=" + cacheToken + "\n"})
	r.commit("leak")
	r.write(map[string]string{".env": "TWILIO_ACCOUNT_SID=\n", "app.py": "print(2)\n"})
	r.commit("remove")
	r.git("checkout", "-q", "-b", "side")
	r.write(map[string]string{"side.txt": "side branch"})
	r.commit("side")
	r.git("checkout", "-q", "main")
	return r
}

// An unchanged repository scanned again gives the same findings while
// reading only the blobs that had findings.
func TestHistoryCacheUnchanged(t *testing.T) {
	r := historyRepo(t)
	file := filepath.Join(t.TempDir(), "cache.json")
	first, warns, read1 := cachedScan(t, r.dir, file, "d1")
	if len(first) != 1 || len(warns) != 0 {
		t.Fatalf("first scan: %d findings, warnings %q", len(first), warns)
	}
	again, warns, read2 := cachedScan(t, r.dir, file, "d1")
	if !sameFindings(first, again) || len(warns) != 0 {
		t.Fatalf("re-scan differs:\n%+v\n%+v\nwarnings %q", first, again, warns)
	}
	if read2 != 1 || read1 < 5 {
		t.Fatalf("read %d blobs, then %d; want the one with findings only", read1, read2)
	}
	// The same repository under another name (a CI checkout elsewhere).
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(r.dir, moved); err != nil {
		t.Fatal(err)
	}
	third, _, _ := cachedScan(t, moved, file, "d1")
	if len(third) != 1 || !strings.HasPrefix(third[0].Path, moved+"/") || third[0].Commit != first[0].Commit {
		t.Fatalf("moved repository: %+v", third)
	}
}

// A new commit is scanned; what was scanned before is not read again.
func TestHistoryCacheNewCommit(t *testing.T) {
	r := historyRepo(t)
	file := filepath.Join(t.TempDir(), "cache.json")
	cachedScan(t, r.dir, file, "d1")
	r.write(map[string]string{"deploy/settings.yml": "twilio:\n  account_sid: " + cacheSID2 + "\n  auth_token: " + cacheTok2 + "\n"})
	c := r.commit("new secret")
	got, _, read := cachedScan(t, r.dir, file, "d1")
	if len(got) != 2 || read != 2 {
		t.Fatalf("after a new commit: %d findings, %d blobs read; want 2 and 2 (the old finding's blob, the new file)", len(got), read)
	}
	var found bool
	for _, f := range got {
		found = found || f.Commit == c && f.AccountSID == cacheSID2
	}
	if !found {
		t.Fatalf("new secret not reported from commit %s: %+v", c, got)
	}
}

// The cache holds object ids and paths, never content.
func TestHistoryCacheHoldsNoSecrets(t *testing.T) {
	r := historyRepo(t)
	file := filepath.Join(t.TempDir(), "cache.json")
	cachedScan(t, r.dir, file, "d1")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{cacheToken, cacheSID, cacheSID[2:], "hello", "print("} {
		if strings.Contains(string(data), s) {
			t.Fatalf("cache file holds %q", s)
		}
	}
}

// A cache from another detector version, a corrupt one, or one naming
// objects this clone lacks is never trusted: full results, a warning.
func TestHistoryCacheUntrusted(t *testing.T) {
	r := historyRepo(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "cache.json")
	want, _, full := cachedScan(t, r.dir, file, "d1")

	got, warns, read := cachedScan(t, r.dir, file, "d2")
	if !sameFindings(got, want) || read != full || len(warns) != 1 || !strings.Contains(warns[0], "another detector version") {
		t.Fatalf("version mismatch: read %d of %d, warnings %q", read, full, warns)
	}
	for name, content := range map[string]string{
		"corrupt": "{not json",
		"bad ids": `{"format":"atoguard-history-cache/1","detector":"d2","tips":["--output=x"]}`,
	} {
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, warns, read := cachedScan(t, r.dir, file, "d2")
		if !sameFindings(got, want) || read != full || len(warns) != 1 || !strings.Contains(warns[0], "not an atoguard history cache") {
			t.Fatalf("%s: read %d of %d, warnings %q", name, read, full, warns)
		}
	}
	// Another clone's cache: its tips and its finding's blob are unknown
	// here, the blobs both have are still skipped.
	var f cacheFile
	data, _ := os.ReadFile(file)
	if !parseCache(data, &f) || len(f.Clean) < 4 {
		t.Fatalf("cache not parsed back: %+v", f)
	}
	f.Tips = []string{strings.Repeat("ab", 20)}
	f.Hits = append(f.Hits, cachedHit{Blob: strings.Repeat("cd", 20), Path: "gone.env"})
	header, _ := json.Marshal(f)
	_, rest, _ := strings.Cut(string(data), "\n")
	if err := os.WriteFile(file, []byte(string(header)+"\n"+rest), 0o644); err != nil {
		t.Fatal(err)
	}
	got, warns, read = cachedScan(t, r.dir, file, "d2")
	if !sameFindings(got, want) || read != 1 || len(warns) != 0 {
		t.Fatalf("foreign clone's cache: read %d, warnings %q, findings %+v", read, warns, got)
	}
}

// sameFindings compares findings as the JSON report shows them.
func sameFindings(a, b []atoguard.Finding) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
