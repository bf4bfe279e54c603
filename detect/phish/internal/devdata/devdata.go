// Package devdata reads detect/phish's development sets and splits them
// the same way for the trainer (internal/train), the brand generator
// (internal/genbrands) and the evaluation (internal/phisheval), so that
// what one of them holds out the others never see.
package devdata

import (
	"compress/gzip"
	"hash/fnv"
	"io"
	"os"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Files under detect/phish/data.
const (
	Ranking   = "cloudflare-radar-top100k-2024-01-22.txt.gz"
	OpenPhish = "dev/openphish-urls.txt.gz" // not in git: non-commercial licence
)

// ReadGz reads a gzip-compressed list, one entry a line, without comments
// and the header line "domain".
func ReadGz(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(z)
	if err != nil {
		return nil, err
	}
	var out []string
	for l := range strings.Lines(string(data)) {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' && l != "domain" {
			out = append(out, l)
		}
	}
	return out, nil
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// TrainHalf is the fixed split of the popularity ranking: the domains of
// this half feed popular.txt and the model; the other half only measures.
func TrainHalf(domain string) bool { return fnv32(domain)%2 == 0 }

// Part names a part of a development set.
type Part string

// The parts: fit trains the model, calib chooses its thresholds, test
// only measures.
const (
	Fit   Part = "fit"
	Calib Part = "calib"
	Test  Part = "test"
)

// RankingPart splits the training half of the ranking: 4/5 fit, 1/5 calib.
// The other half is Test.
func RankingPart(domain string) Part {
	if !TrainHalf(domain) {
		return Test
	}
	if fnv32("calib:"+domain)%5 == 0 {
		return Calib
	}
	return Fit
}

// URLPart splits phishing URLs by registrable domain (a campaign's URLs
// stay together): 3/5 fit, 1/5 calib, 1/5 test.
func URLPart(host string) Part {
	rd, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		rd = host
	}
	switch fnv32("url:"+rd) % 5 {
	case 0:
		return Calib
	case 1:
		return Test
	}
	return Fit
}
