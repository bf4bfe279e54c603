package source

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/scan"
)

// repo is a real git repository built by a test.
type repo struct {
	t    *testing.T
	dir  string
	tick int
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required (scripts/ensure-deps.sh installs it)")
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git with a fixed identity and a clock that advances one hour per commit.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	return r.gitAs("Alice", "alice@example.com", args...)
}

func (r *repo) gitAs(name, email string, args ...string) string {
	r.t.Helper()
	date := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.tick) * time.Hour).Format(time.RFC3339)
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), gitTestEnv(name, email, date)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func gitTestEnv(name, email, date string) []string {
	return []string{
		"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email, "GIT_COMMITTER_DATE=" + date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	}
}

func (r *repo) write(files map[string]string) {
	r.t.Helper()
	writeFiles(r.t, r.dir, files)
}

// commit stages everything and commits; it returns the commit hash.
func (r *repo) commit(msg string) string {
	r.t.Helper()
	return r.commitAs("Alice", "alice@example.com", msg)
}

func (r *repo) commitAs(name, email, msg string) string {
	r.t.Helper()
	r.tick++
	r.gitAs(name, email, "add", "-A")
	r.gitAs(name, email, "commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func TestHistory(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"README.md": "readme v1", "config.env": "SECRET=added-then-deleted"})
	c1 := r.commit("c1: add config")
	must(t, os.Remove(filepath.Join(r.dir, "config.env")))
	c2 := r.commit("c2: delete config")
	_ = c2
	r.git("checkout", "-q", "-b", "feature", c1)
	r.write(map[string]string{"app.py": "token = 'feature-secret'", "logo.png": "\x89PNG\x00\x00binary"})
	c3 := r.commitAs("Bob", "bob@example.com", "c3: app on feature")
	r.git("mv", "app.py", "src_app.py")
	r.write(map[string]string{"dup.txt": "readme v1"}) // same blob as README.md: not scanned again
	c4 := r.commit("c4: rename")
	r.git("checkout", "-q", "main")
	r.write(map[string]string{"notes.txt": "notes on main"})
	c5 := r.commit("c5: notes")
	r.tick++
	r.git("merge", "-q", "--no-ff", "--no-commit", "feature")
	r.write(map[string]string{"merged.txt": "only in the merge"})
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "c6: merge")
	c6 := r.git("rev-parse", "HEAD")
	r.git("checkout", "-q", "-b", "orphan-ish", c1)
	r.write(map[string]string{"side.txt": "side branch only"})
	c7 := r.commit("c7: side")
	r.git("checkout", "-q", "main")

	type want struct{ commit, author, path string }
	wants := map[string]want{
		"readme v1":                 {c1, "Alice", "README.md"},
		"SECRET=added-then-deleted": {c1, "Alice", "config.env"},
		"token = 'feature-secret'":  {c3, "Bob", "app.py"},
		"notes on main":             {c5, "Alice", "notes.txt"},
		"only in the merge":         {c6, "Alice", "merged.txt"},
		"side branch only":          {c7, "Alice", "side.txt"},
	}
	_ = c4
	for _, workers := range []int{0, 2} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			g := newGot()
			h := NewHistory(r.dir, GitOptions{Warn: g.warner()})
			must(t, consume(t, h, g, workers))
			byContent := map[string]bool{}
			for path, c := range g.content {
				if g.count[path] != 1 {
					t.Errorf("%s read %d times", path, g.count[path])
				}
				byContent[c] = true
				w, ok := wants[c]
				if !ok {
					t.Errorf("unexpected blob %q at %s", c, path)
					continue
				}
				o := g.items[path].Origins
				if len(o) != 1 || o[0].Commit != w.commit || o[0].Author != w.author || o[0].Path != w.path || path != w.path {
					t.Errorf("%q: origins %+v path %s, want %+v", c, o, path, w)
				}
				if len(o) == 1 && (o[0].Date.IsZero() || !strings.HasSuffix(o[0].Email, "@example.com")) {
					t.Errorf("%q: date/email missing: %+v", c, o[0])
				}
			}
			for c := range wants {
				if !byContent[c] {
					t.Errorf("blob %q not scanned", c)
				}
			}
			// Exactly once each: as many items as distinct text blobs in the repository.
			if len(g.content) != len(wants) || h.Blobs() != int64(len(wants)) {
				t.Errorf("got %d items (%d blobs), want %d", len(g.content), h.Blobs(), len(wants))
			}
			if h.Binary() != 1 {
				t.Errorf("skipped %d, want 1 (logo.png)", h.Binary())
			}
			if len(g.warnings) > 0 {
				t.Errorf("warnings %v", g.warnings)
			}
		})
	}
}

// --since-commit scans what a branch adds: its own commits, and of a merge
// of the base into it only what the merge itself wrote, never the base's
// changes that came in with it.
func TestHistorySinceCommit(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"README.md": "readme", "a.env": "main secret one"})
	r.commit("c1")
	r.git("checkout", "-q", "-b", "feature")
	r.write(map[string]string{"app.py": "feature secret"})
	f1 := r.commitAs("Bob", "bob@example.com", "f1")
	r.git("checkout", "-q", "main")
	r.write(map[string]string{"b.env": "main secret two"})
	r.commit("c2")
	r.git("checkout", "-q", "feature")
	r.tick++
	r.git("merge", "-q", "--no-ff", "--no-commit", "main")
	r.write(map[string]string{"resolved.txt": "written in the merge"})
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "f2: merge main")
	f2 := r.git("rev-parse", "HEAD")

	for _, since := range []string{"main", "refs/heads/main", r.git("rev-parse", "main")} {
		g := newGot()
		must(t, consume(t, NewHistory(r.dir, GitOptions{SinceCommit: since}), g, 0))
		if got := strings.Join(g.paths(), ","); got != "app.py,resolved.txt" {
			t.Errorf("since %s: paths %s, want app.py,resolved.txt", since, got)
		}
		for path, commit := range map[string]string{"app.py": f1, "resolved.txt": f2} {
			if o := g.items[path].Origins; len(o) != 1 || o[0].Commit != commit {
				t.Errorf("since %s: %s origins %+v, want commit %s", since, path, o, commit)
			}
		}
	}
	// The whole history has every blob, the merge's included, once.
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{}), g, 2))
	if got := strings.Join(g.paths(), ","); got != "README.md,a.env,app.py,b.env,resolved.txt" {
		t.Errorf("whole history: %s", got)
	}

	for _, bad := range []string{"no-such-branch", "--output=/tmp/x", "main~99"} {
		err := NewHistory(r.dir, GitOptions{SinceCommit: bad}).Items(context.Background(), func(scan.Item) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "--since-commit") || !strings.Contains(err.Error(), "no such commit") {
			t.Errorf("since %q: %v", bad, err)
		}
	}
}

func TestHistoryIgnoreAndSubdir(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{
		".atoguardignore":  "testdata/\n",
		"testdata/fixture": "ignored fixture",
		"svc/a/main.go":    "package main",
		"svc/b/other.go":   "package other",
		"copy/fixture.txt": "ignored fixture", // same blob, not ignored here
	})
	r.commit("c1")
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{}), g, 0))
	if got := strings.Join(g.paths(), ","); got != ".atoguardignore,copy/fixture.txt,svc/a/main.go,svc/b/other.go" {
		t.Errorf("history paths: %s", got)
	}
	// A sub-directory scans only its own history; paths stay repository-relative.
	g = newGot()
	must(t, consume(t, NewHistory(filepath.Join(r.dir, "svc", "a"), GitOptions{}), g, 0))
	if got := strings.Join(g.paths(), ","); got != "svc/a/main.go" {
		t.Errorf("sub-directory history paths: %s", got)
	}
}

func TestHistoryLargeBlobStreams(t *testing.T) {
	r := newRepo(t)
	big := strings.Repeat("0123456789abcdef\n", 100000) // 1.7 MB > MaxMemory below
	r.write(map[string]string{"big.txt": big, "small.txt": "s"})
	r.commit("c1")
	for _, workers := range []int{0, 2} {
		g := newGot()
		must(t, consume(t, NewHistory(r.dir, GitOptions{MaxMemory: 64 << 10}), g, workers))
		if g.content["big.txt"] != big || g.content["small.txt"] != "s" {
			t.Errorf("workers=%d: big %d bytes, small %q", workers, len(g.content["big.txt"]), g.content["small.txt"])
		}
	}
}

func TestHistoryErrors(t *testing.T) {
	notRepo := t.TempDir()
	err := NewHistory(notRepo, GitOptions{}).Items(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("not a repo: %v", err)
	}
	err = NewHistory(notRepo, GitOptions{Git: "/nonexistent/git"}).Items(context.Background(), nil)
	if err == nil {
		t.Error("missing git: no error")
	}
	// An empty repository has no history and that is fine.
	r := newRepo(t)
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{}), g, 0))
	if len(g.content) != 0 {
		t.Errorf("empty repo: %v", g.paths())
	}
}

func TestHistoryCancel(t *testing.T) {
	r := newRepo(t)
	for i := range 30 {
		r.write(map[string]string{fmt.Sprintf("f%d.txt", i): fmt.Sprint("content ", i)})
		r.commit(fmt.Sprint("c", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := NewHistory(r.dir, GitOptions{}).Items(ctx, func(it scan.Item) error {
		n++
		if n == 3 {
			cancel()
		}
		return ctx.Err()
	})
	if err == nil || n > 4 {
		t.Errorf("cancel: err=%v after %d items", err, n)
	}
}

func TestStaged(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"committed.txt": "old", "mod.txt": "v1", "gone.txt": "g", ".atoguardignore": "skip/\n"})
	r.commit("c1")
	r.write(map[string]string{
		"mod.txt":          "v2 staged",
		"new.env":          "NEW=staged",
		"unstaged.txt":     "not added",
		"skip/x.txt":       "ignored",
		"weird name\t.txt": "tab in name",
		"img.bin":          "\x00\x01",
	})
	must(t, os.Remove(filepath.Join(r.dir, "gone.txt")))
	r.git("add", "mod.txt", "new.env", "gone.txt", "skip/x.txt", "weird name\t.txt", "img.bin")
	// A change after staging is not what gets committed: the index wins.
	r.write(map[string]string{"mod.txt": "v3 in work tree only"})
	g := newGot()
	s := NewStaged(filepath.Join(r.dir), GitOptions{Warn: g.warner()})
	must(t, consume(t, s, g, 2))
	want := map[string]string{"mod.txt": "v2 staged", "new.env": "NEW=staged", "weird name\t.txt": "tab in name"}
	if len(g.content) != len(want) {
		t.Errorf("staged items %q", g.paths())
	}
	for p, c := range want {
		if g.content[p] != c {
			t.Errorf("%q = %q, want %q", p, g.content[p], c)
		}
	}
	if s.Binary() != 1 || len(g.warnings) != 0 {
		t.Errorf("skipped %d warnings %v", s.Binary(), g.warnings)
	}
	// Nothing staged: nothing to scan.
	r.commit("c2")
	g = newGot()
	must(t, consume(t, NewStaged(r.dir, GitOptions{}), g, 0))
	if len(g.content) != 0 {
		t.Errorf("after commit: %v", g.paths())
	}
}

func TestHistoryArchiveBlob(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"backup.zip": string(makeZip(t, member{"conf/prod.env", []byte("TOKEN=zipped")}))})
	c1 := r.commit("c1: backup")
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{Warn: g.warner()}), g, 2))
	it, ok := g.items["backup.zip!conf/prod.env"]
	if !ok || g.content["backup.zip!conf/prod.env"] != "TOKEN=zipped" {
		t.Fatalf("items %v", g.paths())
	}
	if len(it.Origins) != 1 || it.Origins[0].Commit != c1 || it.Origins[0].Path != "backup.zip" {
		t.Errorf("origins %+v", it.Origins)
	}
	// Staged archives are expanded too.
	r.write(map[string]string{"new.tgz": string(gz(t, makeTar(t, member{"a.env", []byte("TOKEN=staged")})))})
	r.git("add", "new.tgz")
	g = newGot()
	must(t, consume(t, NewStaged(r.dir, GitOptions{}), g, 0))
	if g.content["new.tgz!a.env"] != "TOKEN=staged" {
		t.Errorf("staged items %v", g.paths())
	}
}

func TestHistoryTaggedBlob(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"a.txt": "in a commit"})
	r.commit("c1")
	r.write(map[string]string{"key.pub": "only in a tag"})
	id := r.git("hash-object", "-w", "key.pub")
	must(t, os.Remove(filepath.Join(r.dir, "key.pub")))
	r.git("tag", "-a", "-m", "a key", "signing-key", id)
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{}), g, 0))
	if g.content["refs/tags/signing-key"] != "only in a tag" || g.content["a.txt"] != "in a commit" || len(g.content) != 2 {
		t.Errorf("items %v", g.paths())
	}
}

// Versions of one file must reach the same cat-file process (its delta
// cache serves the chain), and paths must still spread across processes.
func TestPathWorkerSpreadsPathsAndKeepsEachOnOne(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		counts := make([]int, n)
		for i := range 3000 {
			path := fmt.Sprintf("src/pkg%02d/file_%d.go", i%29, i)
			w := pathWorker(path, n)
			if w != pathWorker(path, n) {
				t.Fatalf("n=%d: %s went to two workers", n, path)
			}
			counts[w]++
		}
		for w, c := range counts {
			if c < 3000/n*8/10 {
				t.Errorf("n=%d: worker %d got %d of 3000 paths: %v", n, w, c, counts)
			}
		}
	}
}

// Mirrors and bare clones are how security teams keep many repositories:
// they have no work tree, and every ref is still scanned.
func TestHistoryBareAndMirror(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"a.env": "on main"})
	r.commit("c1")
	r.git("checkout", "-q", "-b", "side")
	r.write(map[string]string{"b.env": "on side"})
	r.commit("c2")
	parent := t.TempDir()
	for _, kind := range []string{"--bare", "--mirror"} {
		dir := filepath.Join(parent, strings.TrimPrefix(kind, "--")+".git")
		r.git("clone", "-q", kind, r.dir, dir)
		for _, d := range []string{dir, filepath.Join(dir, "refs")} { // also from inside it
			g := newGot()
			must(t, consume(t, NewHistory(d, GitOptions{Warn: g.warner()}), g, 0))
			if got := strings.Join(g.paths(), ","); got != "a.env,b.env" || len(g.warnings) > 0 {
				t.Errorf("%s in %s: paths %s, warnings %v", kind, d, got, g.warnings)
			}
		}
	}
}

func TestHistoryShallowAndSubmoduleWarn(t *testing.T) {
	sub := newRepo(t)
	sub.write(map[string]string{"lib.js": "in the submodule"})
	sub.commit("s1")
	r := newRepo(t)
	r.write(map[string]string{"a.txt": "v1"})
	r.commit("c1")
	r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.dir, "vendor/lib")
	r.commit("add submodule")
	r.write(map[string]string{"a.txt": "v2"})
	r.commit("c3")

	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{Warn: g.warner()}), g, 0))
	if len(g.warnings) != 1 || !strings.Contains(g.warnings[0], "vendor/lib: submodule") {
		t.Errorf("submodule warnings %v", g.warnings)
	}
	if _, ok := g.content["vendor/lib/lib.js"]; ok {
		t.Error("submodule content read as the superproject's")
	}

	shallow := filepath.Join(t.TempDir(), "shallow")
	r.git("clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
	g = newGot()
	must(t, consume(t, NewHistory(shallow, GitOptions{Warn: g.warner()}), g, 0))
	if len(g.warnings) == 0 || !strings.Contains(strings.Join(g.warnings, "\n"), "shallow clone") {
		t.Errorf("shallow clone warnings %v", g.warnings)
	}
}

// With --since-commit only HEAD's own commits count: a tag or another
// branch the pull request does not contain is not its doing.
func TestHistorySinceCommitIsHeadOnly(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"base.txt": "base"})
	r.commit("c1")
	r.git("checkout", "-q", "-b", "other")
	r.write(map[string]string{"other.txt": "elsewhere"})
	r.commit("other")
	r.git("tag", "t1")
	r.git("checkout", "-q", "main")
	r.git("checkout", "-q", "-b", "pr")
	r.write(map[string]string{"pr.txt": "the pull request"})
	r.commit("pr")
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{SinceCommit: "main"}), g, 0))
	if got := strings.Join(g.paths(), ","); got != "pr.txt" {
		t.Errorf("since main on pr: %s", got)
	}
}

// The first commit to hold a blob is found by commit date: an author date
// set back to 2020 does not move a later commit before the real first one.
func TestHistoryBackdatedAuthorDoesNotWin(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"base.txt": "base"})
	r.commit("c1")
	r.git("checkout", "-q", "-b", "early")
	r.write(map[string]string{"x.env": "same content"})
	first := r.commit("really first")
	r.git("checkout", "-q", "main")
	r.tick += 5
	r.write(map[string]string{"x.env": "same content"})
	cmd := exec.Command("git", "-C", r.dir, "commit", "-q", "-m", "back-dated")
	cmd.Env = append(os.Environ(), gitTestEnv("Mallory", "m@example.com", "2025-06-01T00:00:00Z")...)
	cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE=2020-01-01T00:00:00Z")
	r.git("add", "-A")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("commit: %v %s", err, out)
	}
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{}), g, 0))
	if o := g.items["x.env"].Origins; len(o) != 1 || o[0].Commit != first {
		t.Errorf("x.env attributed to %+v, want %s", o, first)
	}
}

// PathsAsGiven shows paths under the PATH as given, as a directory scan
// does, so several repositories stay apart; --staged in a sub-directory
// reads only what is staged there.
func TestGitPathsAsGivenAndStagedSubdir(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"svc/a/main.go": "package main", "top.txt": "top"})
	r.commit("c1")
	t.Chdir(filepath.Dir(r.dir))
	name := filepath.Base(r.dir)
	for dir, want := range map[string]string{
		name:                                 name + "/svc/a/main.go," + name + "/top.txt",
		filepath.Join(name, "svc", "a"):      name + "/svc/a/main.go",
		filepath.Join(name, "svc", "a", "."): name + "/svc/a/main.go",
		// repo/.git is the repository at repo (issue 18), not a folder in it.
		filepath.Join(name, ".git"): name + "/svc/a/main.go," + name + "/top.txt",
	} {
		g := newGot()
		must(t, consume(t, NewHistory(dir, GitOptions{PathsAsGiven: true}), g, 0))
		if got := strings.Join(g.paths(), ","); got != want {
			t.Errorf("history %s: %s, want %s", dir, got, want)
		}
	}
	// From inside the work tree, paths are relative to where the scan runs.
	t.Chdir(filepath.Join(r.dir, "svc"))
	for dir, want := range map[string]string{
		"a":  "a/main.go",
		".":  "a/main.go",                   // the sub-directory's own history
		"..": "../svc/a/main.go,../top.txt", // as a directory scan of .. shows them
	} {
		g := newGot()
		must(t, consume(t, NewHistory(dir, GitOptions{PathsAsGiven: true}), g, 0))
		if got := strings.Join(g.paths(), ","); got != want {
			t.Errorf("history %s from svc: %s, want %s", dir, got, want)
		}
	}
	t.Chdir(filepath.Dir(r.dir))
	r.write(map[string]string{"svc/a/new.go": "staged in a", "top2.txt": "staged at the top"})
	r.git("add", "-A")
	g := newGot()
	must(t, consume(t, NewStaged(filepath.Join(name, "svc", "a"), GitOptions{PathsAsGiven: true}), g, 0))
	if got := strings.Join(g.paths(), ","); got != name+"/svc/a/new.go" {
		t.Errorf("staged in svc/a: %s", got)
	}
}

// A corrupt blob is not scanned and says so: a skip (listed by the CLI)
// naming the path and the object, and the rest of the history is read.
func TestHistoryCorruptBlobIsSkipped(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"a.txt": "hello\n", "b.txt": "world\n"})
	r.commit("c1")
	id := r.git("rev-parse", "HEAD:a.txt")
	obj := filepath.Join(r.dir, ".git", "objects", id[:2], id[2:])
	must(t, os.Chmod(obj, 0o644))
	must(t, os.WriteFile(obj, []byte("garbage"), 0o644))
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{Warn: g.warner()}), g, 0))
	if g.content["b.txt"] != "world\n" {
		t.Errorf("items %q", g.paths())
	}
	if want := "a.txt: git object " + id + " missing or corrupt, not scanned"; len(g.skips) != 1 || g.skips[0] != want {
		t.Errorf("skips %q, want [%q]", g.skips, want)
	}
}

// A report atoguard wrote and someone committed is not scanned in history
// either: a note, no item.
func TestHistoryOwnReportNoted(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{
		"leaks.json": "{\n  \"findings\": [],\n  \"skipped\": [],\n  \"stats\": {}\n}\n",
		"app.txt":    "hello\n",
	})
	r.commit("c1")
	g := newGot()
	must(t, consume(t, NewHistory(r.dir, GitOptions{Warn: g.warner()}), g, 0))
	if _, ok := g.content["leaks.json"]; ok || g.content["app.txt"] != "hello\n" {
		t.Errorf("items %q", g.paths())
	}
	if want := "leaks.json: atoguard's own scan report (JSON), not scanned"; len(g.warnings) != 1 || g.warnings[0] != want || len(g.skips) != 0 {
		t.Errorf("warnings %q skips %q, want one note and no skip", g.warnings, g.skips)
	}
}
