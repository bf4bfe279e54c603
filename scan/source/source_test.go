package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

// got is what a consumer saw from a source.
type got struct {
	mu       sync.Mutex
	content  map[string]string
	items    map[string]scan.Item
	count    map[string]int
	warnings []string
	skips    []string // every scan.SkipError, quiet ones too
}

func (g *got) paths() []string {
	var ps []string
	for p := range g.content {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

func (g *got) warner() scan.Warner {
	return func(path string, err error) {
		g.mu.Lock()
		defer g.mu.Unlock()
		skip, quiet := scan.AsSkip(err)
		if skip {
			g.skips = append(g.skips, path+": "+err.Error())
		}
		if !quiet { // as the CLI prints them
			g.warnings = append(g.warnings, path+": "+err.Error())
		}
	}
}

func newGot() *got {
	return &got{content: map[string]string{}, items: map[string]scan.Item{}, count: map[string]int{}}
}

// consume reads every item like the scanner does. With workers > 0 the items
// are read on other goroutines after yield returned, as a parallel engine would.
func consume(t *testing.T, src scan.Source, g *got, workers int) error {
	t.Helper()
	read := func(it scan.Item) error {
		rc, err := it.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", it.Path, err)
		}
		var b bytes.Buffer
		_, err = io.Copy(&b, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", it.Path, err)
		}
		g.mu.Lock()
		g.content[it.Path] = b.String()
		g.items[it.Path] = it
		g.count[it.Path]++
		g.mu.Unlock()
		return nil
	}
	if workers == 0 {
		return src.Items(context.Background(), read)
	}
	ch := make(chan scan.Item, 4)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				if err := read(it); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	err := src.Items(context.Background(), func(it scan.Item) error { ch <- it; return nil })
	close(ch)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func rel(root string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			r = p
		}
		out = append(out, filepath.ToSlash(r))
	}
	sort.Strings(out)
	return out
}

func TestPathsWalk(t *testing.T) {
	big := strings.Repeat("line of text TWILIO\n", 20000) // 400 kB: streamed, not in the prefix
	files := map[string]string{
		"a.txt":                 "hello",
		"bin.dat":               "abc\x00def",
		"big.txt":               big,
		"sub/b.go":              "package b",
		"sub/.gitignore":        "*.log\n!keep.log\n",
		"sub/x.log":             "ignored",
		"sub/keep.log":          "kept by negation",
		"sub/deep/y.log":        "ignored by the nested file's unanchored rule",
		".gitignore":            "build/\n/top-only.txt\nnode_modules\n**/gen/**\n",
		"build/out.txt":         "ignored dir",
		"top-only.txt":          "ignored at top",
		"sub/top-only.txt":      "not ignored below top",
		"node_modules/m/i.js":   "ignored",
		"a/gen/b/c.txt":         "ignored by **",
		"build.txt":             "a file named like the dir-only pattern is kept",
		".atoguardignore":       "fixtures/\n*.snap\n",
		"fixtures/secret.env":   "always ignored",
		"sub/s.snap":            "always ignored",
		"empty.txt":             "",
		"crlf.txt":              "a\r\nb\r\n",
		"sub/deep/ok/notes.txt": "kept",
	}
	for _, workers := range []int{0, 3} {
		for _, noIgnore := range []bool{false, true} {
			t.Run(fmt.Sprintf("workers=%d/noIgnore=%v", workers, noIgnore), func(t *testing.T) {
				root := t.TempDir()
				writeFiles(t, root, files)
				g := newGot()
				p := NewPaths([]string{root}, Options{NoIgnore: noIgnore, Warn: g.warner()})
				if err := consume(t, p, g, workers); err != nil {
					t.Fatal(err)
				}
				want := []string{".atoguardignore", ".gitignore", "a.txt", "big.txt", "build.txt", "crlf.txt", "empty.txt",
					"sub/.gitignore", "sub/b.go", "sub/deep/ok/notes.txt", "sub/keep.log", "sub/top-only.txt"}
				if noIgnore {
					want = append(want, "a/gen/b/c.txt", "build/out.txt", "node_modules/m/i.js", "sub/deep/y.log", "sub/x.log", "top-only.txt")
					sort.Strings(want)
				}
				if got := rel(root, g.paths()); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("paths\n got %v\nwant %v", got, want)
				}
				if c := g.content[filepath.Join(root, "big.txt")]; c != big {
					t.Errorf("big.txt: got %d bytes, want %d", len(c), len(big))
				}
				if it := g.items[filepath.Join(root, "big.txt")]; it.Size != int64(len(big)) {
					t.Errorf("big.txt size %d", it.Size)
				}
				if p.Binary() != 1 {
					t.Errorf("skipped %d, want 1 (bin.dat)", p.Binary())
				}
				if len(g.warnings) != 0 {
					t.Errorf("warnings: %v", g.warnings)
				}
			})
		}
	}
}

func TestPathsParentIgnores(t *testing.T) {
	// Scanning a sub-directory of a repository applies the repository's rules:
	// .gitignore and info/exclude unless --no-ignore, .atoguardignore always.
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".gitignore":        "*.tmp\n/app/generated/\n",
		".atoguardignore":   "*.fixture\n/app/vendor/\n",
		".git/info/exclude": "*.local\n",
		"app/main.go":       "x",
		"app/cache.tmp":     "x",
		"app/generated/g":   "x",
		"app/conf.local":    "x",
		"app/a.fixture":     "x",
		"app/vendor/v.go":   "x",
		// A .gitignore negation cannot bring back what .atoguardignore excludes.
		"app/.gitignore":   "!keep.fixture\n",
		"app/keep.fixture": "x",
	})
	for _, tt := range []struct {
		noIgnore bool
		want     string
	}{
		{false, ".gitignore,main.go"},
		{true, ".gitignore,cache.tmp,conf.local,generated/g,main.go"},
	} {
		g := newGot()
		if err := consume(t, NewPaths([]string{filepath.Join(root, "app")}, Options{NoIgnore: tt.noIgnore, Warn: g.warner()}), g, 0); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rel(filepath.Join(root, "app"), g.paths()), ","); got != tt.want {
			t.Errorf("noIgnore=%v: got %s, want %s", tt.noIgnore, got, tt.want)
		}
	}
	// The repository top itself as root reads info/exclude too.
	g := newGot()
	must(t, consume(t, NewPaths([]string{root}, Options{}), g, 0))
	for _, p := range g.paths() {
		if strings.HasSuffix(p, ".local") || strings.HasSuffix(p, ".fixture") || strings.Contains(p, "/.git/") {
			t.Errorf("%s not ignored", p)
		}
	}
}

func TestPathsSymlinksAndErrors(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"d/a.txt": "a", "unreadable.txt": "u", "z.txt": "z"})
	must(t, os.Symlink("..", filepath.Join(root, "d", "loop")))
	must(t, os.Symlink("nowhere", filepath.Join(root, "broken")))
	must(t, os.Symlink("z.txt", filepath.Join(root, "link.txt")))
	must(t, os.Chmod(filepath.Join(root, "unreadable.txt"), 0))
	g := newGot()
	p := NewPaths([]string{root}, Options{Warn: g.warner()})
	if err := consume(t, p, g, 0); err != nil {
		t.Fatal(err)
	}
	want := "d/a.txt,link.txt,z.txt"
	if os.Geteuid() == 0 {
		want = "d/a.txt,link.txt,unreadable.txt,z.txt" // root reads anything
	}
	if got := strings.Join(rel(root, g.paths()), ","); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	joined := strings.Join(g.warnings, "\n")
	for _, w := range []string{"symlink loop", "broken symlink"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no %q warning in %q", w, joined)
		}
	}
	if os.Geteuid() != 0 && !strings.Contains(joined, "unreadable.txt: permission denied") {
		t.Errorf("no permission warning in %q", joined)
	}
}

func TestPathsMissingRoot(t *testing.T) {
	err := NewPaths([]string{filepath.Join(t.TempDir(), "nope")}, Options{}).Items(context.Background(), func(scan.Item) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestPathsSingleFileAndYieldError(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"x.env": "A=1", "y.env": "B=2"})
	stop := fmt.Errorf("stop")
	n := 0
	err := NewPaths([]string{root}, Options{}).Items(context.Background(), func(scan.Item) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err=%v n=%d: a yield error must stop the walk", err, n)
	}
	g := newGot()
	if err := consume(t, NewPaths([]string{filepath.Join(root, "x.env")}, Options{}), g, 0); err != nil {
		t.Fatal(err)
	}
	if g.content[filepath.Join(root, "x.env")] != "A=1" {
		t.Errorf("got %v", g.content)
	}
}

func TestStdin(t *testing.T) {
	g := newGot()
	src := Multi{Stdin{R: strings.NewReader("from stdin")}}
	if err := consume(t, src, g, 0); err != nil {
		t.Fatal(err)
	}
	if g.content["-"] != "from stdin" || g.items["-"].Size != -1 {
		t.Errorf("got %q", g.content)
	}
}

func TestReopen(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("x", prefixSize*2)
	writeFiles(t, root, map[string]string{"big": big, "small": "s"})
	var items []scan.Item
	err := NewPaths([]string{root}, Options{}).Items(context.Background(), func(it scan.Item) error { items = append(items, it); return nil })
	must(t, err)
	for _, it := range items {
		for i := range 2 { // a second Open must give the whole content again
			rc, err := it.Open()
			must(t, err)
			b, err := io.ReadAll(rc)
			must(t, err)
			rc.Close()
			if want := map[string]int{"big": len(big), "small": 1}[filepath.Base(it.Path)]; len(b) != want {
				t.Errorf("%s open %d: %d bytes, want %d", it.Path, i, len(b), want)
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
