package scenario

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/nyaruka/phonenumbers"
)

// numberKind selects which libphonenumber types a generated number may have.
type numberKind int

const (
	kindMobile numberKind = iota // MOBILE or FIXED_LINE_OR_MOBILE
	kindFixed                    // FIXED_LINE or FIXED_LINE_OR_MOBILE
)

// numberPlan is what is needed to draw numbers of one country quickly.
type numberPlan struct {
	iso      string
	cc       string // country calling code digits
	prefixes []string
	length   int    // national significant number length
	fallback string // libphonenumber's example, always valid
}

func newNumberPlan(iso string, kind numberKind) (numberPlan, error) {
	code := phonenumbers.GetCountryCodeForRegion(iso)
	if code == 0 {
		return numberPlan{}, fmt.Errorf("unknown country %q", iso)
	}
	typ := phonenumbers.MOBILE
	if kind == kindFixed {
		typ = phonenumbers.FIXED_LINE
	}
	ex := phonenumbers.GetExampleNumberForType(iso, typ)
	if ex == nil {
		ex = phonenumbers.GetExampleNumber(iso)
	}
	if ex == nil {
		return numberPlan{}, fmt.Errorf("no numbering plan for country %q", iso)
	}
	nsn := phonenumbers.GetNationalSignificantNumber(ex)
	p := numberPlan{iso: iso, cc: strconv.Itoa(code), length: len(nsn), fallback: phonenumbers.Format(ex, phonenumbers.E164)}
	if c := lookupCountry(iso); len(c.Mobile) > 0 && (kind == kindMobile || iso == "US" || iso == "CA") {
		p.prefixes = c.Mobile
	} else {
		keep := max(2, len(nsn)-7)
		p.prefixes = []string{nsn[:min(keep, len(nsn))]}
	}
	return p, nil
}

// valid reports whether e164 is a valid number of the plan's country and kind.
// It builds the number directly instead of parsing the string: generation
// validates tens of thousands of candidates.
func (p numberPlan) valid(e164 string, kind numberKind) bool {
	if len(e164) < len(p.cc)+2 || e164[0] != '+' || e164[1:1+len(p.cc)] != p.cc {
		return false
	}
	nn, err := strconv.ParseUint(e164[1+len(p.cc):], 10, 64)
	if err != nil || e164[1+len(p.cc)] == '0' {
		return false
	}
	cc64, _ := strconv.ParseInt(p.cc, 10, 32)
	cc := int32(cc64)
	n := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
	if !phonenumbers.IsValidNumberForRegion(n, p.iso) {
		return false
	}
	if p.cc == "1" {
		// NANP mobile and fixed-line ranges are the same; GetNumberType would
		// search every NANP region for nothing.
		return true
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return true
	case phonenumbers.MOBILE:
		return kind == kindMobile
	case phonenumbers.FIXED_LINE:
		return kind == kindFixed
	}
	return false
}

// draw returns a random valid E.164 number; after a bounded number of misses
// it returns the plan's example number rather than loop.
func (p numberPlan) draw(r *rand.Rand, kind numberKind) string {
	buf := make([]byte, 0, 16)
	for range 64 {
		pre := p.prefixes[r.IntN(len(p.prefixes))]
		buf = append(buf[:0], '+')
		buf = append(buf, p.cc...)
		buf = append(buf, pre...)
		for i := len(pre); i < p.length; i++ {
			d := byte('0' + r.IntN(10))
			if i == len(pre) && (p.iso == "US" || p.iso == "CA") {
				d = byte('2' + r.IntN(8)) // NANP exchange codes start 2–9
			}
			buf = append(buf, d)
		}
		if s := string(buf); p.valid(s, kind) {
			return s
		}
	}
	return p.fallback
}

// pool draws n distinct numbers.
func (p numberPlan) pool(r *rand.Rand, kind numberKind, n int) []string {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < n*4; tries++ {
		s := p.draw(r, kind)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// sequence returns n valid mobile numbers in one block of the country's
// range: a fixed prefix and a counter advancing by 1 (or by up to maxStep
// when near-sequential), as SMS pumping and IRSF number blocks look.
func (p numberPlan) sequence(r *rand.Rand, n, maxStep int) []string {
	// Four varying digits as a rule; more only when the run needs them.
	width := 4
	for span := 9000; width < 7 && n*maxStep > span; span *= 10 {
		width++
	}
	for range 16 {
		base := p.draw(r, kindMobile)
		if len(base) <= width+len(p.cc)+2 {
			continue
		}
		head := base[:len(base)-width]
		limit := 1
		for range width {
			limit *= 10
		}
		start := r.IntN(max(1, limit-n*maxStep))
		out := make([]string, 0, n)
		v := start
		for len(out) < n && v < limit {
			s := head + fmt.Sprintf("%0*d", width, v)
			if p.valid(s, kindMobile) {
				out = append(out, s)
			}
			v += 1 + r.IntN(maxStep)
		}
		if len(out) == n {
			return out
		}
	}
	return nil
}

// e164Number builds a libphonenumber number from a strict E.164 string
// without phonenumbers.Parse, whose normalisation dominates validation time.
// Country codes are prefix-free, so the first known prefix is the code.
func e164Number(s string) (*phonenumbers.PhoneNumber, bool) {
	if len(s) < 4 || len(s) > 16 || s[0] != '+' {
		return nil, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
	}
	for k := 1; k <= 3 && k+1 < len(s); k++ {
		cc, _ := strconv.Atoi(s[1 : 1+k])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == "ZZ" {
			continue
		}
		national := s[1+k:]
		if national[0] == '0' {
			return nil, false // Italian-style leading zeros: let Parse handle them
		}
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return nil, false
		}
		cc32 := int32(cc)
		return &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}, true
	}
	return nil, false
}

// isE164 reports whether s is a valid E.164 number per libphonenumber.
func isE164(s string) bool {
	n, ok := e164Number(s)
	if !ok {
		var err error
		if n, err = phonenumbers.Parse(s, ""); err != nil || len(s) < 8 || s[0] != '+' {
			return false
		}
	}
	return phonenumbers.IsValidNumber(n) && phonenumbers.Format(n, phonenumbers.E164) == s
}

// regionOf returns the ISO country of an E.164 number ("" when unknown).
func regionOf(s string) string {
	n, ok := e164Number(s)
	if !ok {
		var err error
		if n, err = phonenumbers.Parse(s, ""); err != nil {
			return ""
		}
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}
