package scan

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirSource walks a directory (the real walker lives in scan/source, which
// imports this package).
type dirSource string

func (d dirSource) Items(ctx context.Context, yield func(Item) error) error {
	return filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(string(d), p)
		return yield(Item{Path: filepath.ToSlash(rel), Size: -1, Open: func() (io.ReadCloser, error) { return os.Open(p) }})
	})
}

// Precision and recall floors for the labelled corpus (docs/detectors.md).
const (
	minPrecision = 0.95
	minRecall    = 0.90
)

func TestCorpusPrecisionRecall(t *testing.T) {
	f, err := os.Open("testdata/corpus-expected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	expected := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			expected[line] = true
		}
	}
	res, err := New(Options{}).Scan(context.Background(), dirSource("testdata/corpus"))
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	get := func(rule string) *counts {
		if per[rule] == nil {
			per[rule] = &counts{}
		}
		return per[rule]
	}
	// Each held-out set is reported on its own: its first-run figures are
	// the honest estimate for code the rules were not tuned on.
	sets := map[string]*counts{}
	set := func(key string) *counts {
		name := "main"
		if dir, _, ok := strings.Cut(key, "/"); ok && strings.HasPrefix(dir, "holdout") {
			name = dir
		}
		if sets[name] == nil {
			sets[name] = &counts{}
		}
		return sets[name]
	}
	found := map[string]bool{}
	for _, fd := range res.Findings {
		key := strings.Join([]string{fd.Path, fd.Rule, fd.AccountSID, fd.KeySID, fd.Secret.Reveal()}, "\t")
		found[key] = true
		if expected[key] {
			get(fd.Rule).tp++
			set(key).tp++
		} else {
			get(fd.Rule).fp++
			set(key).fp++
			t.Logf("false positive: %s", key)
		}
	}
	for key := range expected {
		if !found[key] {
			get(strings.Split(key, "\t")[1]).fn++
			set(key).fn++
			t.Logf("missed: %s", key)
		}
	}
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := sets[n]
		t.Logf("set %-16s %4d %4d %4d %9.3f %7.3f", n, c.tp, c.fp, c.fn, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
	}
	var all counts
	rules := make([]string, 0, len(per))
	for r := range per {
		rules = append(rules, r)
	}
	slices.Sort(rules)
	t.Logf("%-20s %4s %4s %4s %9s %7s", "rule", "TP", "FP", "FN", "precision", "recall")
	for _, r := range rules {
		c := per[r]
		all.tp, all.fp, all.fn = all.tp+c.tp, all.fp+c.fp, all.fn+c.fn
		t.Logf("%-20s %4d %4d %4d %9.3f %7.3f", r, c.tp, c.fp, c.fn, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
	}
	p, r := ratio(all.tp, all.tp+all.fp), ratio(all.tp, all.tp+all.fn)
	t.Logf("%-20s %4d %4d %4d %9.3f %7.3f  (%d files)", "all", all.tp, all.fp, all.fn, p, r, res.Stats.Files)
	if p < minPrecision || r < minRecall {
		t.Errorf("precision %.3f (min %.2f), recall %.3f (min %.2f)", p, minPrecision, r, minRecall)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
