package detect

import (
	"cmp"
	"math"
	"slices"
	"time"
	_ "time/tzdata" // zones named by phone numbers must resolve on every machine

	"github.com/nyaruka/phonenumbers"
)

// The time-zone model: hour-of-week baselines are kept in each account's
// own local time, so that a daily 10:00 batch stays in its slot when the
// clocks change and subaccounts in different zones each keep their day.
// The candidates are the zones of the account's own numbers (senders and
// configured numbers, by libphonenumber's prefix map) and Options.Location;
// the one whose hour-of-week model fits the account's baseline traffic best
// wins, ties going to the numbers' zones.

// maxZoneCandidates bounds the zones tried per account.
const maxZoneCandidates = 4

// Zones returns the IANA time zones of a number's prefix (several for a
// country spanning zones; none when unknown), cached like Classify.
func (n *Numbers) Zones(raw string) []string {
	s := normaliseNumber(raw)
	if len(s) < 8 {
		return nil
	}
	key := s[:min(len(s), cacheKeyLen+1)]
	if z, ok := n.zones[key]; ok {
		return z
	}
	z := zonesSlow(s)
	if n.zones == nil {
		n.zones = map[string][]string{}
	}
	n.zones[key] = z
	return z
}

func zonesSlow(s string) (out []string) {
	defer func() {
		if recover() != nil { // third-party code fed with outside input
			out = nil
		}
	}()
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		return nil
	}
	zs, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(zs, func(z string) bool { return z == "Etc/Unknown" || z == "" })
}

// localZone picks the account's time zone for its baselines.
func (r *run) localZone(p *profile) *time.Location {
	votes := map[string]float64{}
	for _, n := range p.ownNumbers {
		zs := r.numbers.Zones(n)
		for _, z := range zs {
			votes[z] += 1 / float64(len(zs))
		}
	}
	names := make([]string, 0, len(votes))
	for z := range votes {
		names = append(names, z)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(votes[b], votes[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var cands []*time.Location
	for _, name := range names[:min(len(names), maxZoneCandidates)] {
		if loc, err := time.LoadLocation(name); err == nil {
			cands = append(cands, loc)
		}
	}
	if !slices.ContainsFunc(cands, func(l *time.Location) bool { return l.String() == r.opts.Location.String() }) {
		cands = append(cands, r.opts.Location)
	}
	if len(cands) == 1 || p.sinceIdx-p.baseIdx < 24 {
		return cands[0]
	}
	total := make([]float64, p.hours)
	for i := range total {
		total[i] = p.sms[i] + p.voice[i]
	}
	best, bestFit := cands[0], math.Inf(1)
	for _, loc := range cands {
		if fit := misfit(p, total, loc); fit < bestFit-1e-9 {
			best, bestFit = loc, fit
		}
	}
	return best
}

// misfit is the mean absolute residual of a series' baseline against its
// hour-of-week model in loc: the right zone lines the days up.
func misfit(p *profile, series []float64, loc *time.Location) float64 {
	m := fitSeasonal(p, series, loc)
	if m == nil {
		return 0
	}
	var s float64
	for i := p.baseIdx; i < p.sinceIdx; i++ {
		s += math.Abs(series[i] - m.expected[m.slotOf(i)])
	}
	return s / float64(p.sinceIdx-p.baseIdx)
}
