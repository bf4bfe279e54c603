package phish

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"
	"strings"
)

// The learned lexical model: logistic regression over hashed features of
// the name a link's owner chose (the registrable label, or the customer's
// label on a hosting platform) and the host-level rule evidence. It is
// trained by `go run ./detect/phish/internal/train` (see docs/detection.md)
// and read from model.bin. It is evaluated once per host (the verdict is
// cached with the host's) and works in two directions:
//
//   - p ≥ high: the name reads like a phisher's (`model:<p>`, scoring the
//     threshold on its own); mid ≤ p < high, or p ≥ high for a customer's
//     name on a hosting platform, adds supporting evidence;
//   - p < low on a registrable domain whose only brand evidence is the
//     brand's token inside a longer name (amazon-corp.com, alibabacloud.com):
//     the name reads like the brand's own service, so that evidence is
//     doubted (scoreBrandDoubted) rather than taken as an impersonation,
//     except under a suspicious TLD.
//
//go:embed model.bin
var modelBin []byte

// Scores of the model's evidence.
const (
	scoreModelHigh    = DefaultThreshold // a phisher's name on its own
	scoreModelMid     = 0.25
	scoreBrandDoubted = 0.5 // a brand token in a name the model reads as the brand's own: one more clue flags it
)

// modelMagic starts model.bin (format version 1).
const modelMagic = "PLM1"

// Model is the lexical model's weights and thresholds.
type Model struct {
	Bits           uint32
	Bias           float32
	High, Mid, Low float32
	Scale          float32 // weight = int16 × Scale
	Weights        []int16 // 1 << Bits hashed buckets
}

// MarshalBinary writes the model in model.bin's format.
func (m *Model) MarshalBinary() ([]byte, error) {
	if len(m.Weights) != 1<<m.Bits {
		return nil, errors.New("model: weights do not match bits")
	}
	out := []byte(modelMagic)
	out = binary.LittleEndian.AppendUint32(out, m.Bits)
	for _, f := range []float32{m.Bias, m.High, m.Mid, m.Low, m.Scale} {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
	}
	for _, w := range m.Weights {
		out = binary.LittleEndian.AppendUint16(out, uint16(w))
	}
	return out, nil
}

// UnmarshalBinary reads model.bin's format.
func (m *Model) UnmarshalBinary(b []byte) error {
	if len(b) < 28 || string(b[:4]) != modelMagic {
		return errors.New("model: not a model file")
	}
	m.Bits = binary.LittleEndian.Uint32(b[4:])
	if m.Bits < 8 || m.Bits > 24 || len(b) != 28+2<<m.Bits {
		return errors.New("model: bad size")
	}
	fs := make([]float32, 5)
	for i := range fs {
		fs[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	m.Bias, m.High, m.Mid, m.Low, m.Scale = fs[0], fs[1], fs[2], fs[3], fs[4]
	m.Weights = make([]int16, 1<<m.Bits)
	for i := range m.Weights {
		m.Weights[i] = int16(binary.LittleEndian.Uint16(b[28+2*i:]))
	}
	return nil
}

// Prob is the model's phishing probability for hashed features.
func (m *Model) Prob(feats []uint32) float64 {
	z := float64(m.Bias)
	mask := uint32(len(m.Weights) - 1)
	for _, f := range feats {
		z += float64(m.Weights[f&mask]) * float64(m.Scale)
	}
	return 1 / (1 + math.Exp(-z))
}

// DefaultModel returns the shipped model (nil if model.bin is a placeholder).
func DefaultModel() *Model {
	m := &Model{}
	if m.UnmarshalBinary(modelBin) != nil {
		return nil
	}
	return m
}

// features hashes the model's inputs for one name: character 3- and
// 4-grams of ^label$, its hyphen-separated words, the public suffix (not on
// a hosting platform: a platform's suffix says nothing of its customer),
// length, digit and hyphen counts, and the names (not tokens) of the
// host-level rule reasons.
func features(dst []uint32, label, suffix string, reasons []string) []uint32 {
	s := "^" + label + "$"
	for n := 3; n <= 4; n++ {
		for i := 0; i+n <= len(s); i++ {
			dst = append(dst, fhash(byte('0'+n), s[i:i+n]))
		}
	}
	digits, hyphens := 0, 0
	for i := 0; i < len(label); i++ {
		switch c := label[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-':
			hyphens++
		}
	}
	for w := range strings.FieldsFuncSeq(label, func(r rune) bool { return r == '-' || r == '_' }) {
		dst = append(dst, fhash('w', w))
	}
	if suffix != "" {
		dst = append(dst, fhash('t', suffix))
	}
	dst = append(dst, fhash('L', bucket(len(label), 3, 6, 9, 12, 16, 22)),
		fhash('D', bucket(digits, 0, 1, 3)), fhash('H', bucket(hyphens, 0, 1, 2)))
	for _, r := range reasons {
		name, _, _ := strings.Cut(r, ":")
		if name != "shortener" && name != "hosting" {
			dst = append(dst, fhash('R', name))
		}
	}
	return dst
}

func bucket(n int, bounds ...int) string {
	for i, b := range bounds {
		if n <= b {
			return string(rune('a' + i))
		}
	}
	return string(rune('a' + len(bounds)))
}

// fhash is FNV-1a over a namespace byte and a string, without allocating.
func fhash(ns byte, s string) uint32 {
	h := uint32(2166136261)
	h = (h ^ uint32(ns)) * 16777619
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// modelInput is what the model reads of a judged host: the name its owner
// chose, the suffix ("" on a hosting platform) and whether the name is a
// registrable label.
type modelInput struct {
	label, suffix string
	registrable   bool
}

// applyModel adds the model's evidence to a judged host.
func (a *Analyzer) applyModel(hi *hostInfo, in modelInput) {
	if a.model == nil || in.label == "" || !isASCII(in.label) {
		return
	}
	p := a.model.Prob(features(make([]uint32, 0, 64), in.label, in.suffix, hi.reasons))
	hi.prob = p
	reason := "model:" + strconvFloat(p)
	switch {
	case p >= float64(a.model.High) && in.registrable:
		hi.reasons = append(hi.reasons, reason)
		hi.scores = append(hi.scores, scoreModelHigh)
	case p >= float64(a.model.Mid):
		// On a hosting platform the model only supports other evidence:
		// its training set holds no legitimate customer names there.
		hi.reasons = append(hi.reasons, reason)
		hi.scores = append(hi.scores, scoreModelMid)
	case p < float64(a.model.Low) && in.registrable && hi.brand >= 0 && !cheapTLD(hi.reasons):
		for i, r := range hi.reasons {
			if doubtable(r) && hi.scores[i] > scoreBrandDoubted {
				hi.scores[i] = scoreBrandDoubted
				hi.reasons = append(hi.reasons, reason)
				hi.scores = append(hi.scores, 0)
				break
			}
		}
	}
}

// cheapTLD reports a suspicious-tld reason: google.xyz is not Google's
// own service, however ordinary the name.
func cheapTLD(reasons []string) bool {
	for _, r := range reasons {
		if strings.HasPrefix(r, "suspicious-tld:") {
			return true
		}
	}
	return false
}

// doubtable reasons are the brand evidence a real company's own name also
// shows (the token inside a longer name: amazon-corp, alibabacloud); a
// typo, a hyphenated or look-alike spelling, a homograph or an official
// domain spelled in the host never is (the model cannot tell netflx.com
// from a real name).
func doubtable(r string) bool {
	return strings.HasPrefix(r, "brand-in-domain:")
}

// strconvFloat formats a probability with two decimals.
func strconvFloat(p float64) string {
	n := int(math.Round(p * 100))
	if n >= 100 {
		return "1.00"
	}
	return "0." + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// ModelFeatures returns the model's hashed input for a host and whether the
// model judges it (not for official, popular or listed domains, IPs or
// shorteners). For detect/phish/internal/train.
func (a *Analyzer) ModelFeatures(host string) ([]uint32, bool) {
	hi := a.judgeHostRules(host)
	if hi.input.label == "" {
		return nil, false
	}
	return features(nil, hi.input.label, hi.input.suffix, hi.reasons), true
}
