// Command train fits detect/phish's lexical model (logistic regression
// over hashed name features, see detect/phish/model.go) on the
// development sets and writes detect/phish/model.bin. Run from the
// repository root:
//
//	go run ./detect/phish/internal/train
//
// Legitimate names: the training half of the popularity ranking. Phishing
// names: the OpenPhish URL set (not in git, see data/PROVENANCE.md; the
// command stops when it is absent). Both are split by internal/devdata:
// "fit" trains, "calib" chooses the thresholds, "test" is never read here.
// It is deterministic: the same inputs give the same model.bin.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/detect/phish/internal/devdata"
)

const bits = 16

// Threshold budgets, as shares of the calib half of legitimate names.
const (
	budgetHigh = 0.0005 // the model alone flags at most 0.05 %
	budgetMid  = 0.01   // supporting evidence on at most 1 %
	// doubtLoss is the share of brand-token phishing names (calib) that
	// the model may wrongly read as a brand's own service.
	doubtLoss = 0.05
)

type sample struct {
	feats []uint32
	phish bool
	part  devdata.Part
	doubt bool // the rules see a doubtable brand token in the name
	name  string
}

func main() {
	dir := flag.String("dir", "detect/phish", "the detect/phish directory")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	urls, err := devdata.ReadGz(filepath.Join(dir, "data", devdata.OpenPhish))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("data/%s is absent (not in git: non-commercial licence); build it with go run ./detect/phish/internal/phisheval -collect-openphish DIR", devdata.OpenPhish)
	}
	if err != nil {
		return err
	}
	ranking, err := devdata.ReadGz(filepath.Join(dir, "data", devdata.Ranking))
	if err != nil {
		return err
	}
	samples := collect(urls, ranking)
	w, bias := fit(samples)
	m := quantize(w, bias)
	choose(m, samples)
	out, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.bin"), out, 0o644)
}

// collect turns names into samples; the test part of either set is skipped.
func collect(urls, ranking []string) []sample {
	a := phish.New(phish.Options{CacheSize: -1, NoModel: true, NoPopularList: true})
	var out []sample
	add := func(host string, ph bool, part devdata.Part) {
		f, ok := a.ModelFeatures(host)
		if !ok || part == devdata.Test {
			return
		}
		doubt := false
		for _, u := range a.Analyze("https://" + host + "/").URLs {
			doubt = doubt || slices.ContainsFunc(u.Reasons, func(r string) bool {
				return strings.HasPrefix(r, "brand-in-domain:")
			})
		}
		out = append(out, sample{feats: f, phish: ph, part: part, doubt: doubt, name: host})
	}
	for _, d := range ranking {
		add(strings.ToLower(d), false, devdata.RankingPart(strings.ToLower(d)))
	}
	seen := map[string]bool{}
	for _, u := range urls {
		ls := phish.Extract(u)
		if len(ls) == 0 || ls[0].IP.IsValid() || seen[ls[0].Host] {
			continue
		}
		seen[ls[0].Host] = true
		add(ls[0].Host, true, devdata.URLPart(ls[0].Host))
	}
	return out
}

// fit trains logistic regression with AdaGrad and L2, classes weighted to
// balance, in a fixed shuffled order.
func fit(samples []sample) ([]float64, float64) {
	var train []sample
	npos, nneg := 0.0, 0.0
	for _, s := range samples {
		if s.part == devdata.Fit {
			train = append(train, s)
			if s.phish {
				npos++
			} else {
				nneg++
			}
		}
	}
	w := make([]float64, 1<<bits)
	g2 := make([]float64, 1<<bits)
	bias, gb := 0.0, 0.0
	const rate, l2, epochs = 0.2, 1e-6, 30
	rng := rand.New(rand.NewPCG(15, 2024))
	mask := uint32(1<<bits - 1)
	for range epochs {
		rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		for _, s := range train {
			z := bias
			for _, f := range s.feats {
				z += w[f&mask]
			}
			p := 1 / (1 + math.Exp(-z))
			y, cw := 0.0, 0.5/nneg*(npos+nneg)
			if s.phish {
				y, cw = 1, 0.5/npos*(npos+nneg)
			}
			g := cw * (p - y)
			for _, f := range s.feats {
				i := f & mask
				gi := g + l2*w[i]
				g2[i] += gi * gi
				w[i] -= rate * gi / math.Sqrt(g2[i]+1e-8)
			}
			gb += g * g
			bias -= rate * g / math.Sqrt(gb+1e-8)
		}
	}
	return w, bias
}

func quantize(w []float64, bias float64) *phish.Model {
	maxAbs := 0.0
	for _, x := range w {
		maxAbs = math.Max(maxAbs, math.Abs(x))
	}
	m := &phish.Model{Bits: bits, Bias: float32(bias), Scale: float32(maxAbs / 32767), Weights: make([]int16, len(w))}
	for i, x := range w {
		m.Weights[i] = int16(math.Round(x / float64(m.Scale)))
	}
	return m
}

// choose sets the thresholds on the calib part: High and Mid from the
// legitimate names' scores (budgets above), Low as the lowest score the
// brand-token phishing names may have with at most doubtLoss of them below.
func choose(m *phish.Model, samples []sample) {
	var neg, brandPos, brandNeg []float64
	pos := 0
	var posScores []float64
	for _, s := range samples {
		if s.part != devdata.Calib {
			continue
		}
		p := m.Prob(s.feats)
		switch {
		case s.phish:
			pos++
			posScores = append(posScores, p)
			if s.doubt {
				brandPos = append(brandPos, p)
			}
		default:
			neg = append(neg, p)
			if s.doubt {
				brandNeg = append(brandNeg, p)
			}
		}
	}
	slices.Sort(neg)
	slices.Sort(brandPos)
	above := func(share float64) float32 {
		k := int(share * float64(len(neg)))
		return float32(math.Nextafter(neg[len(neg)-1-k], 2))
	}
	m.High, m.Mid = above(budgetHigh), above(budgetMid)
	m.Low = float32(brandPos[int(doubtLoss*float64(len(brandPos)))])
	for _, loss := range []float64{0.01, 0.03, 0.05, 0.08, 0.1, 0.15} {
		t := brandPos[int(loss*float64(len(brandPos)))]
		n := 0
		for _, x := range brandNeg {
			if x < t {
				n++
			}
		}
		fmt.Printf("  doubt loss %.2f: low %.4f doubts %d of %d legitimate\n", loss, t, n, len(brandNeg))
	}
	count := func(xs []float64, t float32, ge bool) int {
		n := 0
		for _, x := range xs {
			if (x >= float64(t)) == ge {
				n++
			}
		}
		return n
	}
	fmt.Printf("calib: %d legitimate, %d phishing names; high %.4f (%d legitimate, %d phishing above), mid %.4f (%d, %d)\n",
		len(neg), pos, m.High, count(neg, m.High, true), count(posScores, m.High, true),
		m.Mid, count(neg, m.Mid, true), count(posScores, m.Mid, true))
	fmt.Printf("calib: low %.4f doubts %d of %d brand-token legitimate names and %d of %d brand-token phishing names\n",
		m.Low, count(brandNeg, m.Low, false), len(brandNeg), count(brandPos, m.Low, false), len(brandPos))
}
