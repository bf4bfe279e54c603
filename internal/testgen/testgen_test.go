package testgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestTreeDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	sa, err := Tree(a, TreeOptions{Bytes: 1 << 20, Seed: 7, SecretEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Tree(b, TreeOptions{Bytes: 1 << 20, Seed: 7, SecretEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb || sa.Bytes < 1<<20 || sa.Secrets == 0 || sa.Files < 10 {
		t.Fatalf("stats %+v vs %+v", sa, sb)
	}
	var total int64
	err = filepath.Walk(a, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
		return err
	})
	if err != nil || total != sa.Bytes {
		t.Errorf("on disk %d bytes, stats %d (%v)", total, sa.Bytes, err)
	}
}

func TestHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	dir := t.TempDir()
	st, err := History(dir, HistoryOptions{Commits: 40, Files: 20, FileBytes: 2000, Seed: 1, SecretEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", dir, "rev-list", "--all", "--count").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "40" || st.Commits != 40 {
		t.Errorf("commits: git says %s, stats %d", got, st.Commits)
	}
	merges, _ := exec.Command("git", "-C", dir, "rev-list", "--all", "--merges", "--count").Output()
	if strings.TrimSpace(string(merges)) == "0" {
		t.Error("no merges")
	}
	if st.Secrets == 0 || st.Blobs < 20+39*2 {
		t.Errorf("stats %+v", st)
	}
}
