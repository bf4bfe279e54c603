// Command genbrands generates detect/phish/brands_gen.json (the expanded
// brand list) and detect/phish/popular.txt (popular domains that the brand
// rules would take for look-alikes) from the inputs in detect/phish/data:
// the hand-curated seed-brands.txt and the Cloudflare Radar top-100k
// ranking (see data/PROVENANCE.md). Run from the repository root:
//
//	go run ./detect/phish/internal/genbrands
//
// It is deterministic: the same inputs give the same files.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/detect/phish/internal/devdata"
	"golang.org/x/net/publicsuffix"
)

func main() {
	dir := flag.String("dir", "detect/phish", "the detect/phish directory")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "genbrands:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	seed, err := readSeed(filepath.Join(dir, "data", "seed-brands.txt"))
	if err != nil {
		return err
	}
	hand, err := readBrands(filepath.Join(dir, "brands.json"))
	if err != nil {
		return err
	}
	popular, err := readRanking(filepath.Join(dir, "data", "cloudflare-radar-top100k-2024-01-22.txt.gz"))
	if err != nil {
		return err
	}
	gen := expand(seed, hand, popular)
	if err := writeJSON(filepath.Join(dir, "brands_gen.json"), gen); err != nil {
		return err
	}
	allow := lookalikes(phish.MergeBrands(hand, gen), popular)
	fmt.Printf("%d brands (%d seed), %d domains; %d popular domains kept from look-alike rules\n",
		len(gen), len(seed), countDomains(gen), len(allow))
	return writePopular(filepath.Join(dir, "popular.txt"), allow)
}

// readSeed parses seed-brands.txt: name | category | domains | tokens | aliases.
func readSeed(path string) ([]phish.Brand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []phish.Brand
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 5 {
			return nil, fmt.Errorf("%s:%d: want 5 fields separated by |, got %d", path, n, len(f))
		}
		b := phish.Brand{Name: strings.TrimSpace(f[0]), Domains: strings.Fields(f[2])}
		if len(b.Domains) == 0 {
			return nil, fmt.Errorf("%s:%d: no domains", path, n)
		}
		toks := strings.Fields(f[3])
		if len(toks) == 0 {
			toks = []string{label(b.Domains[0])}
		}
		for _, t := range toks {
			if s, ok := strings.CutPrefix(t, "!"); ok {
				b.StrictTokens = append(b.StrictTokens, s)
				continue
			}
			b.Tokens = append(b.Tokens, t)
		}
		for a := range strings.SplitSeq(f[4], ";") {
			if a = strings.TrimSpace(a); a != "" {
				b.Aliases = append(b.Aliases, a)
			}
		}
		out = append(out, b)
	}
	return out, sc.Err()
}

func readBrands(path string) ([]phish.Brand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return phish.LoadBrands(f)
}

// readRanking reads the ranking (devdata.ReadGz), lower-cased; an empty one
// is an error.
func readRanking(path string) ([]string, error) {
	out, err := devdata.ReadGz(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, errors.New(path + ": empty")
	}
	for i, d := range out {
		out[i] = strings.ToLower(d)
	}
	return out, nil
}

// label is the registrable label of a domain: "amazon" of amazon.co.uk.
func label(d string) string {
	rd, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		rd = d
	}
	return rd[:strings.IndexByte(rd+".", '.')]
}

// expand adds to every brand (seed and hand-written) the popular domains
// with one of its labels under a country-code suffix: amazon.de,
// orange.pl, apple.com.cn (training half of the ranking only). The ranking says they are established sites,
// and a brand's label under a country code is the brand's in practice.
func expand(seed, hand []phish.Brand, popular []string) []phish.Brand {
	out := make([]phish.Brand, 0, len(seed)+len(hand))
	for _, b := range hand {
		out = append(out, phish.Brand{Name: b.Name, Domains: nil})
	}
	out = append(out, seed...)
	byLabel := map[string][]int{}
	all := slices.Concat(hand, seed)
	for i, b := range all {
		for _, d := range b.Domains {
			if rd, err := publicsuffix.EffectiveTLDPlusOne(d); err != nil || rd != d {
				continue // google.* and pay.google.com do not name a label of their own
			}
			if l := label(d); len(l) >= 3 && !slices.Contains(byLabel[l], i) {
				byLabel[l] = append(byLabel[l], i)
			}
		}
	}
	for _, p := range popular {
		if !devdata.TrainHalf(p) {
			continue // the other half measures; it must not feed the brand list
		}
		rd, err := publicsuffix.EffectiveTLDPlusOne(p)
		if err != nil || rd != p {
			continue
		}
		suffix, icann := publicsuffix.PublicSuffix(p)
		tld := suffix[strings.LastIndexByte(suffix, '.')+1:]
		if !icann || len(tld) != 2 {
			continue
		}
		for _, i := range byLabel[label(p)] {
			if !slices.Contains(all[i].Domains, p) && !slices.Contains(out[i].Domains, p) {
				out[i].Domains = append(out[i].Domains, p)
			}
		}
	}
	// Hand-written brands keep their own entries in brands.json; only the
	// additions are written, and a brand with none is left out.
	kept := out[:0]
	for i, b := range out {
		if i >= len(hand) || len(b.Domains) > 0 {
			slices.Sort(b.Domains[min(len(b.Domains), len(seedDomains(seed, b.Name))):])
			kept = append(kept, b)
		}
	}
	return kept
}

func seedDomains(seed []phish.Brand, name string) []string {
	for _, b := range seed {
		if b.Name == name {
			return b.Domains
		}
	}
	return nil
}

// lookalikes returns the popular domains that the brand rules flag as a
// brand's look-alike: real, established sites (pcloud.com, jsonline.com).
// Only half the ranking (by a hash of the name) is used, so that the other
// half measures the rules' false alarms honestly (cmd phisheval).
func lookalikes(brands []phish.Brand, popular []string) []string {
	a := phish.New(phish.Options{Brands: brands, NoDefaultBrands: true, NoPopularList: true, NoModel: true, CacheSize: -1})
	var out []string
	for _, d := range popular {
		if !devdata.TrainHalf(d) {
			continue
		}
		r := a.Analyze("https://" + d + "/")
		for _, u := range r.URLs {
			if u.Brand != "" && u.Score > 0 && u.RegistrableDomain == d {
				out = append(out, d)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

func countDomains(bs []phish.Brand) int {
	n := 0
	for _, b := range bs {
		n += len(b.Domains)
	}
	return n
}

func writeJSON(path string, bs []phish.Brand) error {
	var sb strings.Builder
	sb.WriteString("{\"brands\": [\n")
	for i, b := range bs {
		line, err := json.Marshal(b)
		if err != nil {
			return err
		}
		sb.Write(line)
		if i < len(bs)-1 {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("]}\n")
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

func writePopular(path string, ds []string) error {
	var sb strings.Builder
	sb.WriteString("# generated by go run ./detect/phish/internal/genbrands; do not edit\n")
	sb.WriteString("# popular domains (Cloudflare Radar top 100k, CC BY 4.0) the brand rules would flag\n")
	for _, d := range ds {
		sb.WriteString(d + "\n")
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}
