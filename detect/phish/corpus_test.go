package phish

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

type corpusRow struct{ label, technique, text string }

func readCorpus(t testing.TB) []corpusRow {
	t.Helper()
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 || parts[0] != "phish" && parts[0] != "legit" {
			t.Fatalf("bad corpus line %q", line)
		}
		rows = append(rows, corpusRow{parts[0], parts[1], parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCorpus measures precision and recall on the labelled corpus and fails
// below the thresholds. Run with -v to print the table for docs/detection.md.
func TestCorpus(t *testing.T) {
	rows := readCorpus(t)
	a := New(Options{})
	type counts struct{ tp, fn, fp, tn, recognised int }
	per := map[string]*counts{}
	var all counts
	brandsHit := map[string]bool{}
	for _, r := range rows {
		res := a.Analyze(r.text)
		c := per[r.technique]
		if c == nil {
			c = &counts{}
			per[r.technique] = c
		}
		if r.label == "phish" {
			want := techniqueReason(r.technique)
			found := false
			for _, u := range res.URLs {
				for _, reason := range u.Reasons {
					if want != "" && strings.Contains(","+want+",", ","+reason[:strings.IndexByte(reason+":", ':')]+",") {
						found = true
					}
				}
			}
			if found {
				c.recognised++
			} else {
				t.Logf("technique not recognised (%s): %q %+v", r.technique, r.text, res.URLs)
			}
		}
		switch {
		case r.label == "phish" && res.Phishing:
			c.tp++
			all.tp++
			for _, u := range res.URLs {
				brandsHit[u.Brand] = true
			}
		case r.label == "phish":
			c.fn++
			all.fn++
			t.Logf("missed (%s): %q score %v %+v", r.technique, r.text, res.Score, res.URLs)
		case res.Phishing:
			c.fp++
			all.fp++
			t.Errorf("false positive (%s): %q score %v %+v", r.technique, r.text, res.Score, res.URLs)
		default:
			c.tn++
			all.tn++
		}
		// Hard requirement: a brand's own domains never score at all.
		if strings.HasPrefix(r.technique, "official") && res.Score != 0 {
			t.Errorf("official domain scored %v: %q %+v", res.Score, r.text, res.URLs)
		}
	}
	nPhish, nLegit := all.tp+all.fn, all.fp+all.tn
	if nPhish < 150 || nLegit < 150 {
		t.Fatalf("corpus too small: %d phishing, %d legitimate", nPhish, nLegit)
	}
	// Every hand-written brand; the generated list is covered by
	// TestGeneratedBrands and the dev sets.
	hand, err := LoadBrands(strings.NewReader(string(brandsJSON)))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range hand {
		if !brandsHit[b.Name] {
			t.Errorf("no detected phishing row impersonates %s", b.Name)
		}
	}
	techs := make([]string, 0, len(per))
	for k := range per {
		techs = append(techs, k)
	}
	sort.Strings(techs)
	var b strings.Builder
	fmt.Fprintln(&b, "| technique | label | messages | flagged | precision | recall | technique named |")
	fmt.Fprintln(&b, "|---|---|---:|---:|---:|---:|---:|")
	for _, k := range techs {
		c := per[k]
		label := "phish"
		if c.tp+c.fn == 0 {
			label = "legit"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s |\n", k, label, c.tp+c.fn+c.fp+c.tn, c.tp+c.fp,
			ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn), ratio(c.recognised, c.tp+c.fn))
	}
	precision := float64(all.tp) / float64(max(1, all.tp+all.fp))
	recall := float64(all.tp) / float64(max(1, all.tp+all.fn))
	fmt.Fprintf(&b, "| **overall** | | %d | %d | %.3f | %.3f | |\n", nPhish+nLegit, all.tp+all.fp, precision, recall)
	t.Logf("corpus: %d phishing, %d legitimate\n%s", nPhish, nLegit, b.String())
	if precision < 0.98 {
		t.Errorf("precision %.3f < 0.98", precision)
	}
	if recall < 0.95 {
		t.Errorf("recall %.3f < 0.95", recall)
	}
}

func ratio(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", float64(n)/float64(d))
}

// techniqueReason names the reasons (comma-separated) that show the row's
// technique was recognised, not merely that the message scored high.
func techniqueReason(tech string) string {
	switch strings.TrimSuffix(tech, "-bare") {
	case "combosquat":
		return "brand-in-domain,hyphenated-brand"
	case "subdomain":
		return "brand-in-subdomain,official-domain-in-host"
	case "lookalike":
		return "lookalike-characters"
	case "homograph", "punycode":
		return "homograph"
	case "typosquat":
		return "typosquat"
	case "userinfo":
		return "userinfo-trick"
	case "shortener":
		return "shortener"
	case "ip-host":
		return "ip-host"
	case "obfuscated":
		return "obfuscated"
	case "brand-in-text":
		return "text-mentions-brand"
	case "weak":
		return "brand-in-subdomain,shortener,ip-host"
	}
	return ""
}

// TestHeldOut reports (does not tune against) a small corpus written after
// the rules were frozen; it fails only if a brand's official domain is flagged.
func TestHeldOut(t *testing.T) {
	a := New(Options{})
	f, err := os.Open("testdata/heldout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var tp, fn, fp, tn int
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 || strings.HasPrefix(parts[0], "#") {
			continue
		}
		r := a.Analyze(parts[2])
		switch {
		case parts[0] == "phish" && r.Phishing:
			tp++
		case parts[0] == "phish":
			fn++
			t.Logf("held-out miss (%s): %q %+v", parts[1], parts[2], r.URLs)
		case r.Phishing:
			fp++
			t.Logf("held-out false positive (%s): %q %+v", parts[1], parts[2], r.URLs)
		default:
			tn++
		}
		if parts[1] == "official" && r.Score != 0 {
			t.Errorf("official domain scored: %q %+v", parts[2], r.URLs)
		}
	}
	t.Logf("held-out: precision %s recall %s (tp %d fn %d fp %d tn %d)", ratio(tp, tp+fp), ratio(tp, tp+fn), tp, fn, fp, tn)
}
