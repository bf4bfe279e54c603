package source

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestPathsExclude checks that Options.Exclude leaves out the scan's own
// report and baseline by file identity, however the path is spelled, and
// only those files.
func TestPathsExclude(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"report.json":     `{"findings":[]}`,
		"base.json":       `{"findings":[]}`,
		"app.env":         "A=1\n",
		"sub/report.json": `{"other": true}`, // same name, another file: scanned
	})
	t.Chdir(root)
	abs := func(name string) string { return filepath.Join(root, name) }
	tests := []struct {
		name    string
		roots   []string
		exclude []string
		want    []string
	}{
		{"nothing excluded", []string{"."}, nil, []string{"app.env", "base.json", "report.json", "sub/report.json"}},
		{"relative", []string{"."}, []string{"report.json", "base.json"}, []string{"app.env", "sub/report.json"}},
		{"dot-slash", []string{"."}, []string{"./report.json"}, []string{"app.env", "base.json", "sub/report.json"}},
		{"absolute exclude, relative root", []string{"."}, []string{abs("report.json")}, []string{"app.env", "base.json", "sub/report.json"}},
		{"relative exclude, absolute root", []string{root}, []string{"report.json"}, []string{"app.env", "base.json", "sub/report.json"}},
		{"unclean spelling", []string{"."}, []string{"sub/../report.json"}, []string{"app.env", "base.json", "sub/report.json"}},
		{"missing exclude is ignored", []string{"."}, []string{"nope.json"}, []string{"app.env", "base.json", "report.json", "sub/report.json"}},
		{"excluded file given as a root", []string{"report.json", "app.env"}, []string{"./report.json"}, []string{"app.env"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGot()
			src := NewPaths(tt.roots, Options{Exclude: tt.exclude, Warn: g.warner()})
			if err := consume(t, src, g, 0); err != nil {
				t.Fatal(err)
			}
			got := rel(root, absAll(root, g.paths()))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("scanned %v, want %v", got, tt.want)
			}
			if len(g.warnings) > 0 {
				t.Errorf("warnings %v", g.warnings)
			}
			if src.Binary() != 0 {
				t.Errorf("an excluded file counted as skipped: %d", src.Binary())
			}
		})
	}
}

// absAll makes paths relative to root absolute, so relative and absolute
// roots compare alike.
func absAll(root string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		out = append(out, p)
	}
	return out
}

// TestPathsExcludeLink: a hard link is the same file, a copy is not.
func TestPathsExcludeLink(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"report.json": "{}", "copy.json": "{}"})
	if err := os.Link(filepath.Join(root, "report.json"), filepath.Join(root, "link.json")); err != nil {
		t.Skip("no hard links here:", err)
	}
	g := newGot()
	if err := consume(t, NewPaths([]string{root}, Options{Exclude: []string{filepath.Join(root, "report.json")}}), g, 0); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rel(root, g.paths())); got != "[copy.json]" {
		t.Errorf("scanned %s, want [copy.json]", got)
	}
}
