package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Destination thresholds. A single message to a new country is everyday
// life (a customer travelling); a handful is worth a look.
const (
	newCountryMin   = 3
	highRiskMin     = 3
	seqMaxGap       = 5  // numbers at most this far apart continue a run
	seqMinRun       = 5  // a run needs this many distinct numbers
	seqMinTotal     = 10 // numbers in runs before the account alerts
	shortCallsMin   = 20 // distinct destinations of short calls
	shortCallsShare = 0.5
)

func (r *run) destinations(a *AccountData, p *profile) []atoguard.Signal {
	var out []atoguard.Signal
	owned := r.ownerOpened(a, p)
	if s := r.newCountries(a, p, owned); s != nil {
		out = append(out, *s)
	}
	if s := r.highRisk(a, p, owned); s != nil {
		out = append(out, *s)
	}
	if s := r.sequential(a, p); s != nil {
		out = append(out, *s)
	}
	if s := r.shortCalls(a, p); s != nil {
		out = append(out, *s)
	}
	return out
}

// ownerOpened returns the window countries that look like the owner's own
// expansion: a known user enabled the country (a geo-permission change not
// attributed to an attacker) before the first record there, the traffic
// ramped up rather than burst (the first day carries under half of it),
// and it was delivered normally. The value says so, for the evidence.
func (r *run) ownerOpened(a *AccountData, p *profile) map[string]string {
	enabled := map[string]*atoguard.Event{}
	for i := range a.Events {
		e := &a.Events[i]
		if e.EventDate.Before(r.ds.BaselineSince) || !e.EventDate.Before(r.ds.Until) || classifyEvent(e) != atoguard.IDGeoWidened {
			continue
		}
		if att, why := r.attribute(e); att || slices.Contains(why, "no baseline events to compare") {
			continue
		}
		for _, k := range []string{"country_code", "iso_code"} {
			if c, ok := e.Data[k].(string); ok && enabled[strings.ToUpper(c)] == nil {
				enabled[strings.ToUpper(c)] = e
			}
		}
	}
	out := map[string]string{}
	for _, c := range p.order {
		e := enabled[c.region]
		if e == nil || c.window == 0 || e.EventDate.After(c.first) || c.failed/c.window >= 0.2 {
			continue
		}
		first := p.index(c.first)
		if first < 0 || sum(c.hourly[first:min(first+24, p.hours)]) >= c.window/2 {
			continue
		}
		out[c.region] = fmt.Sprintf("enabled by known user %s from %s on %s, ramped up, %.0f%% failed",
			orDash(e.ActorSID), orDash(e.SourceIP), e.EventDate.UTC().Format(time.DateOnly), 100*c.failed/c.window)
	}
	return out
}

func (r *run) newCountries(a *AccountData, p *profile, owned map[string]string) *atoguard.Signal {
	if p.baselineOutbound == 0 && len(p.homeRegions) == 0 {
		return nil // nothing to call "new" against
	}
	var fresh []*countryAgg
	for _, c := range p.order {
		if c.window >= newCountryMin && c.baseline == 0 && !p.homeRegions[c.region] {
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].window > fresh[j].window })
	hr := highRiskRegions()
	var total float64
	var names []string
	ev := atoguard.Evidence{Counts: map[string]float64{}, Details: map[string]string{}}
	start, end := fresh[0].first, fresh[0].last
	anyRisky := false
	for _, c := range fresh {
		total += c.window
		names = append(names, fmt.Sprintf("%s (%s)", c.region, num(c.window)))
		ev.Counts["country:"+c.region] = c.window
		for _, e := range c.examples {
			ev.Examples = appendLimited(ev.Examples, 10, e)
		}
		for _, rec := range c.records {
			ev.Records = appendLimited(ev.Records, maxRecords, rec)
		}
		if c.first.Before(start) {
			start = c.first
		}
		if c.last.After(end) {
			end = c.last
		}
		if _, ok := hr[c.region]; ok {
			anyRisky = true
		}
	}
	ev.Counts["records"] = total
	ev.Counts["countries"] = float64(len(fresh))
	known := knownCountries(p)
	ev.Details["baseline_countries"] = strings.Join(known, ",")
	sev := atoguard.SeverityLow
	switch {
	case total >= 100 || (anyRisky && total >= 10):
		sev = atoguard.SeverityHigh
	case total >= 10:
		sev = atoguard.SeverityMedium
	}
	if ownerAll(fresh, owned, ev.Details) {
		sev = lower(sev, atoguard.SeverityLow)
	}
	conf := 0.6
	if p.baselineOutbound == 0 {
		conf = 0.4 // judged against the sender numbers' countries only
	}
	return &atoguard.Signal{ID: atoguard.IDNewCountry, Sign: atoguard.SignUnusualCountries, Severity: sev, Confidence: conf,
		AccountSID: a.Account.SID, Start: start, End: end,
		Summary:  fmt.Sprintf("traffic to %d country(ies) never used in the baseline: %s", len(fresh), strings.Join(limitStrings(names, 8), ", ")),
		Evidence: ev}
}

func knownCountries(p *profile) []string {
	set := map[string]bool{}
	for _, c := range p.order {
		if c.baseline > 0 {
			set[c.region] = true
		}
	}
	for r := range p.homeRegions {
		set[r] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// ownerAll reports whether every fresh country is the owner's expansion,
// noting why in details.
func ownerAll(fresh []*countryAgg, owned map[string]string, details map[string]string) bool {
	for _, c := range fresh {
		if owned[c.region] == "" {
			return false
		}
	}
	for _, c := range fresh {
		details["owner:"+c.region] = owned[c.region]
	}
	return len(fresh) > 0
}

// lower returns the less severe of two severities.
func lower(a, b atoguard.Severity) atoguard.Severity {
	if b.Rank() < a.Rank() {
		return b
	}
	return a
}

func (r *run) highRisk(a *AccountData, p *profile, owned map[string]string) *atoguard.Signal {
	hr := highRiskRegions()
	hcc := highRiskCountryCodes()
	baseHours := float64(p.sinceIdx - p.baseIdx)
	winHours := float64(p.hours - p.sinceIdx)
	ev := atoguard.Evidence{Counts: map[string]float64{}, Details: map[string]string{}}
	var total, premium float64
	var start, end time.Time
	var names []string
	for _, c := range p.order {
		why, risky := hr[c.region]
		if !risky && strings.HasPrefix(c.region, "+") {
			var cc int
			fmt.Sscanf(c.region[1:], "%d", &cc)
			why, risky = hcc[cc]
		}
		hit := 0.0
		if risky && owned[c.region] != "" {
			// The owner's own expansion: listed, not counted.
			ev.Details["owner:"+c.region] = owned[c.region]
			risky = false
		}
		if risky {
			expected := 0.0
			if baseHours > 0 {
				expected = c.baseline * winHours / baseHours
			}
			if c.window >= highRiskMin && c.window > 3*expected+highRiskMin {
				hit = c.window
				ev.Details["country:"+c.region] = why
			}
		}
		if c.premium > 0 {
			premium += float64(c.premium)
			for _, e := range c.premEx {
				ev.Examples = appendLimited(ev.Examples, 10, e)
			}
			hit = max(hit, float64(c.premium))
		}
		if hit == 0 {
			continue
		}
		total += hit
		ev.Counts["country:"+c.region] = hit
		names = append(names, fmt.Sprintf("%s (%s)", c.region, num(hit)))
		for _, e := range c.examples {
			ev.Examples = appendLimited(ev.Examples, 10, e)
		}
		for _, rec := range c.records {
			ev.Records = appendLimited(ev.Records, maxRecords, rec)
		}
		if start.IsZero() || c.first.Before(start) {
			start = c.first
		}
		if c.last.After(end) {
			end = c.last
		}
	}
	if total == 0 || (premium < highRiskMin && total < highRiskMin) {
		return nil
	}
	ev.Counts["records"] = total
	ev.Counts["premium_rate"] = premium
	sev := atoguard.SeverityMedium
	if total >= 20 || premium >= highRiskMin {
		sev = atoguard.SeverityHigh
	}
	return &atoguard.Signal{ID: atoguard.IDHighRisk, Sign: atoguard.SignUnusualCountries, Severity: sev,
		Confidence: round2(math.Min(0.9, 0.5+total/200)), AccountSID: a.Account.SID, Start: start, End: end,
		Summary:  fmt.Sprintf("%s record(s) to high-risk or premium-rate destinations: %s", num(total), strings.Join(limitStrings(names, 8), ", ")),
		Evidence: ev}
}

// sequential finds runs of consecutive or nearly consecutive destination
// numbers in one numbering range: pumping bots walk number blocks.
func (r *run) sequential(a *AccountData, p *profile) *atoguard.Signal {
	keys := make([]seqKey, 0, len(p.seqNumbers))
	for k := range p.seqNumbers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].cc != keys[j].cc {
			return keys[i].cc < keys[j].cc
		}
		return keys[i].natLen < keys[j].natLen
	})
	type run struct {
		cc, natLen  int
		from, to    uint64
		n           int
		firstRecord string
	}
	var runs []run
	inRuns := 0
	var first, last time.Time
	for _, k := range keys {
		recs := p.seqNumbers[k]
		// By number, earliest first: the first record of a number is its evidence.
		slices.SortFunc(recs, func(a, b seqRecord) int {
			if a.nat != b.nat {
				return cmp.Compare(a.nat, b.nat)
			}
			return a.at.Compare(b.at)
		})
		recs = slices.CompactFunc(recs, func(a, b seqRecord) bool { return a.nat == b.nat })
		i := 0
		for i < len(recs) {
			j := i
			for j+1 < len(recs) && recs[j+1].nat-recs[j].nat <= seqMaxGap {
				j++
			}
			if n := j - i + 1; n >= seqMinRun {
				runs = append(runs, run{k.cc, k.natLen, recs[i].nat, recs[j].nat, n, recs[i].sid})
				inRuns += n
				for _, x := range recs[i : j+1] {
					first, last = minTime(first, x.at), maxTime(last, x.at)
				}
			}
			i = j + 1
		}
	}
	if inRuns < seqMinTotal {
		return nil
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].n > runs[j].n })
	ev := atoguard.Evidence{Counts: map[string]float64{"numbers_in_runs": float64(inRuns), "runs": float64(len(runs)), "longest_run": float64(runs[0].n)}}
	for i, rn := range runs {
		if i == 10 {
			break
		}
		ev.Examples = append(ev.Examples, fmt.Sprintf("+%d%0*d … +%d%0*d (%d numbers)", rn.cc, rn.natLen, rn.from, rn.cc, rn.natLen, rn.to, rn.n))
		ev.Records = appendLimited(ev.Records, maxRecords, rn.firstRecord)
	}
	return &atoguard.Signal{ID: atoguard.IDSequentialNumbers, Sign: atoguard.SignUnauthorizedTraffic, Severity: atoguard.SeverityHigh,
		Confidence: round2(math.Min(0.95, 0.6+float64(inRuns)/500)), AccountSID: a.Account.SID, Start: first, End: last.Add(time.Second),
		Summary: fmt.Sprintf("%d destination numbers in %d sequential run(s), longest %d (+%d%0*d…): SMS pumping / IRSF pattern",
			inRuns, len(runs), runs[0].n, runs[0].cc, runs[0].natLen, runs[0].from),
		Evidence: ev}
}

func (r *run) shortCalls(a *AccountData, p *profile) *atoguard.Signal {
	var fresh []string
	for to := range p.shortCalls {
		if !p.baselineShortCalls[to] {
			fresh = append(fresh, to)
		}
	}
	if len(fresh) < shortCallsMin {
		return nil
	}
	var windowCalls float64
	for i := p.sinceIdx; i < p.hours; i++ {
		windowCalls += p.voice[i]
	}
	if float64(p.windowCalls) < shortCallsShare*windowCalls {
		return nil
	}
	slices.Sort(fresh)
	ev := atoguard.Evidence{Counts: map[string]float64{"destinations": float64(len(fresh)), "short_calls": float64(p.windowCalls), "window_calls": windowCalls},
		Details: map[string]string{"max_duration_seconds": itoa(shortCallMax)}}
	for _, to := range fresh {
		ev.Examples = appendLimited(ev.Examples, maxExamples, to)
		ev.Records = appendLimited(ev.Records, maxRecords, p.shortCalls[to])
	}
	return &atoguard.Signal{ID: atoguard.IDShortCalls, Sign: atoguard.SignUnauthorizedTraffic, Severity: atoguard.SeverityHigh,
		Confidence: round2(math.Min(0.9, 0.5+float64(len(fresh))/200)), AccountSID: a.Account.SID, Start: p.shortFirst, End: p.shortLast.Add(time.Second),
		Summary:  fmt.Sprintf("%d short calls (≤%ds) to %d new destinations: toll-fraud pattern", p.windowCalls, shortCallMax, len(fresh)),
		Evidence: ev}
}

func limitStrings(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clone(s[:n]), fmt.Sprintf("+%d more", len(s)-n))
}
