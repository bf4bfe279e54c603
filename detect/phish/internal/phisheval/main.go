// Command phisheval measures detect/phish on the development sets in
// detect/phish/data (see data/PROVENANCE.md) and prints the tables of
// docs/detection.md. Run from the repository root:
//
//	go run ./detect/phish/internal/phisheval
//
// With -collect-openphish DIR (a git clone of github.com/openphish/public_feed)
// it first rebuilds data/dev/openphish-urls.txt.gz from the feed's history.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/detect/phish/internal/devdata"
)

func main() {
	dir := flag.String("dir", "detect/phish", "the detect/phish directory")
	collect := flag.String("collect-openphish", "", "git clone of openphish/public_feed to rebuild the URL dev set from")
	flag.Parse()
	if *collect != "" {
		if err := collectOpenPhish(*collect, filepath.Join(*dir, "data", "dev", "openphish-urls.txt.gz")); err != nil {
			fmt.Fprintln(os.Stderr, "phisheval:", err)
			os.Exit(1)
		}
	}
	if err := evaluate(*dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "phisheval:", err)
		os.Exit(1)
	}
}

// collectOpenPhish samples every 40th snapshot of feed.txt, keeps the
// distinct URLs, and writes at most 6,000 of them (a fixed hash order).
func collectOpenPhish(repo, out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	log, err := exec.CommandContext(ctx, "git", "-C", repo, "log", "--format=%H", "--", "feed.txt").Output()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	commits := strings.Fields(string(log))
	seen := map[string]bool{}
	for i := 0; i < len(commits); i += 40 {
		feed, err := exec.CommandContext(ctx, "git", "-C", repo, "show", commits[i]+":feed.txt").Output()
		if err != nil {
			return fmt.Errorf("git show %s: %w", commits[i], err)
		}
		for l := range strings.Lines(string(feed)) {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "http") {
				seen[l] = true
			}
		}
	}
	urls := make([]string, 0, len(seen))
	for u := range seen {
		urls = append(urls, u)
	}
	slices.SortFunc(urls, func(a, b string) int { return int(hash(a)) - int(hash(b)) })
	urls = urls[:min(len(urls), 6000)]
	slices.Sort(urls)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	z := gzip.NewWriter(f)
	fmt.Fprintf(z, "# OpenPhish Community feed (github.com/openphish/public_feed), %d snapshots sampled of %d, newest %s; non-commercial use\n",
		(len(commits)+39)/40, len(commits), commits[0])
	for _, u := range urls {
		fmt.Fprintln(z, u)
	}
	if err := z.Close(); err != nil {
		return err
	}
	return f.Close()
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() >> 1
}

type row struct {
	name           string
	n, flagged     int
	phish          bool
	zeroScore      int
	withBrandCount int
}

func scoreURLs(a *phish.Analyzer, urls []string, name string, keep func(devdata.Part) bool) row {
	r := row{name: name, phish: true}
	for _, u := range urls {
		ls := phish.Extract(u)
		if len(ls) > 0 && !keep(devdata.URLPart(ls[0].Host)) {
			continue
		}
		res := a.Analyze(u)
		r.n++
		if res.Phishing {
			r.flagged++
		}
		if res.Score == 0 {
			r.zeroScore++
		}
		if len(res.URLs) > 0 && res.URLs[0].Brand != "" {
			r.withBrandCount++
		}
	}
	return r
}

func all(devdata.Part) bool { return true }

func evaluate(dir string, w io.Writer) error {
	a := phish.New(phish.Options{CacheSize: -1})
	noModel := phish.New(phish.Options{CacheSize: -1, NoModel: true})
	rules := phish.New(phish.Options{CacheSize: -1, NoPopularList: true, NoModel: true})
	var rows []row

	// The OpenPhish feed is licensed for non-commercial use only, so its
	// URLs are not committed: build the file with -collect-openphish.
	urls, err := devdata.ReadGz(filepath.Join(dir, "data", devdata.OpenPhish))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintln(w, "OpenPhish URLs: not measured (data/dev/openphish-urls.txt.gz is not in the repository; build it with -collect-openphish)")
	case err != nil:
		return err
	default:
		test := func(p devdata.Part) bool { return p == devdata.Test }
		rows = append(rows, scoreURLs(a, urls, "OpenPhish URLs, all (bare link; rules + model)", all),
			scoreURLs(a, urls, "OpenPhish URLs, test part only (never trained or tuned on; rules + model)", test),
			scoreURLs(noModel, urls, "OpenPhish URLs, test part only (rules alone)", test))
	}

	sms, err := readSMS(filepath.Join(dir, "data", "dev", "sms-dev.tsv"))
	if err != nil {
		return err
	}
	ph, ham := row{name: "SMS dev set: phishing", phish: true}, row{name: "SMS dev set: ordinary"}
	for _, m := range sms {
		res := a.Analyze(m.text)
		p := &ham
		if m.phish {
			p = &ph
		}
		p.n++
		if res.Phishing {
			p.flagged++
		} else if m.phish {
			fmt.Fprintf(os.Stderr, "missed: %s %v\n", m.text, res.URLs)
		}
		if !m.phish && res.Phishing {
			fmt.Fprintf(os.Stderr, "false alarm: %s %v\n", m.text, res.URLs)
		}
	}
	rows = append(rows, ph, ham)

	popular, err := devdata.ReadGz(filepath.Join(dir, "data", devdata.Ranking))
	if err != nil {
		return err
	}
	rows = append(rows, popularRows(popular, a, noModel, rules)...)

	fmt.Fprintln(w, "| set | label | n | flagged | rate |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, r := range rows {
		label := "legitimate"
		if r.phish {
			label = "phishing"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.2f %% |\n", r.name, label, r.n, r.flagged, 100*float64(r.flagged)/float64(max(r.n, 1)))
	}
	tp, fp := ph.flagged, ham.flagged
	fmt.Fprintf(w, "\nSMS dev set: precision %.3f, recall %.3f.\n",
		float64(tp)/float64(max(tp+fp, 1)), float64(tp)/float64(max(ph.n, 1)))
	if len(urls) > 0 {
		fmt.Fprintf(w, "OpenPhish URLs: %d of %d score 0, %d name a brand.\n", rows[0].zeroScore, rows[0].n, rows[0].withBrandCount)
	}
	return nil
}

// popularRows measures false alarms on both halves of the ranking: the
// held-out half (never used for popular.txt, brands or the model) and the
// training half (in-sample for popular.txt and the model).
func popularRows(popular []string, a, noModel, rules *phish.Analyzer) []row {
	var out []row
	for _, half := range []struct {
		name string
		in   bool
	}{{"held-out half", false}, {"training half", true}} {
		for _, c := range []struct {
			what string
			a    *phish.Analyzer
		}{{"rules + popular list + model", a}, {"rules + popular list", noModel}, {"rules alone", rules}} {
			r := row{name: "Cloudflare Radar top 100k, " + half.name + " (" + c.what + ")"}
			for _, d := range popular {
				if devdata.TrainHalf(d) != half.in {
					continue
				}
				r.n++
				if res := c.a.Analyze("https://" + d + "/"); res.Phishing {
					r.flagged++
					if !half.in && c.a == a {
						fmt.Fprintf(os.Stderr, "popular flagged: %s %v\n", d, res.URLs[0].Reasons)
					}
				}
			}
			out = append(out, r)
		}
	}
	return out
}

type smsRow struct {
	phish bool
	text  string
}

func readSMS(path string) ([]smsRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []smsRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		label, text, ok := strings.Cut(l, "\t")
		if !ok || label != "phish" && label != "legit" {
			return nil, fmt.Errorf("%s: bad line %q", path, l)
		}
		out = append(out, smsRow{label == "phish", text})
	}
	return out, sc.Err()
}
