package detect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/atoguard/atoguard"
)

// spike is the anomalous part of one hourly series.
type spike struct {
	first, last int     // anomalous buckets (inclusive)
	observed    float64 // sum over anomalous buckets
	expected    float64
	peak        float64 // largest anomalous hour
	peakIdx     int
	z           float64 // largest robust z
	window      float64 // whole window total
	baseMedian  float64 // median baseline hourly value
	noBaseline  bool
	buckets     []int
}

// seasonal is a robust hour-of-week (or hour-of-day) model of a baseline.
type seasonal struct {
	expected []float64 // per slot median
	sigma    float64   // robust scale of residuals (1.4826·MAD)
	period   int
	slotOf   func(i int) int
}

// model fits a series' baseline buckets [p.baseIdx, p.sinceIdx) in the
// account's local time.
func (r *run) model(p *profile, series []float64) *seasonal {
	return fitSeasonal(p, series, p.loc)
}

func fitSeasonal(p *profile, series []float64, loc *time.Location) *seasonal {
	n := p.sinceIdx - p.baseIdx
	if n < 24 {
		return nil
	}
	period := 168
	if n < 2*168 {
		period = 24 // less than two weeks: hour-of-day only
	}
	slots := make([]int, p.hours)
	for i := range slots {
		t := p.start.Add(time.Duration(i) * time.Hour).In(loc)
		if period == 168 {
			slots[i] = int(t.Weekday())*24 + t.Hour()
		} else {
			slots[i] = t.Hour()
		}
	}
	values := make([][]float64, period)
	for i := p.baseIdx; i < p.sinceIdx; i++ {
		values[slots[i]] = append(values[slots[i]], series[i])
	}
	m := &seasonal{expected: make([]float64, period), period: period, slotOf: func(i int) int { return slots[i] }}
	for s, v := range values {
		m.expected[s] = median(v)
	}
	res := make([]float64, 0, n)
	for i := p.baseIdx; i < p.sinceIdx; i++ {
		res = append(res, math.Abs(series[i]-m.expected[slots[i]]))
	}
	m.sigma = 1.4826 * median(res)
	return m
}

// detectSpike finds anomalous window hours and days of one series.
// minHour and minDay are the minimum-volume guards.
func (r *run) detectSpike(p *profile, series []float64, minHour, minDay float64) *spike {
	if p.sinceIdx >= p.hours {
		return nil
	}
	sp := &spike{first: -1, peakIdx: -1}
	for i := p.sinceIdx; i < p.hours; i++ {
		sp.window += series[i]
	}
	if sp.window < minHour {
		return nil
	}
	m := r.model(p, series)
	if m == nil {
		// No baseline (new or just-created account): only volumes far above
		// the guard are anomalous, and with less confidence.
		sp.noBaseline = true
		for i := p.sinceIdx; i < p.hours; i++ {
			if series[i] >= 2.5*minHour {
				sp.mark(i, series[i], 0, series[i]/minHour)
			}
		}
	} else {
		var base []float64
		for i := p.baseIdx; i < p.sinceIdx; i++ {
			base = append(base, series[i])
		}
		sp.baseMedian = median(base)
		r.hourSpikes(sp, p, m, series, minHour)
		r.daySpikes(sp, p, m, series, minDay)
	}
	if sp.first < 0 {
		return nil
	}
	sort.Ints(sp.buckets)
	return sp
}

// mark adds hour i (observed obs, expected exp, score z) to the spike.
func (sp *spike) mark(i int, obs, exp, z float64) {
	if sp.first < 0 || i < sp.first {
		sp.first = i
	}
	if i > sp.last {
		sp.last = i
	}
	if !slices.Contains(sp.buckets, i) {
		sp.buckets = append(sp.buckets, i)
		sp.observed += obs
		sp.expected += exp
	}
	if obs > sp.peak {
		sp.peak, sp.peakIdx = obs, i
	}
	sp.z = max(sp.z, z)
}

// hourSpikes marks the window hours far above the seasonal model.
func (r *run) hourSpikes(sp *spike, p *profile, m *seasonal, series []float64, minHour float64) {
	for i := p.sinceIdx; i < p.hours; i++ {
		obs := series[i]
		if obs < minHour {
			continue
		}
		exp := m.expected[m.slotOf(i)]
		sigma := max(m.sigma, math.Sqrt(max(exp, 1)), 1)
		z := (obs - exp) / sigma
		if z >= r.opts.SpikeZ && obs >= 2*exp+minHour/4 {
			sp.mark(i, obs, exp, z)
		}
	}
}

// daySpikes looks at 24-hour blocks ending at Until: it catches pumping
// spread thinly across hours, each under the hourly guard.
func (r *run) daySpikes(sp *spike, p *profile, m *seasonal, series []float64, minDay float64) {
	var baseDays []float64
	for end := p.sinceIdx; end-24 >= p.baseIdx; end -= 24 {
		baseDays = append(baseDays, sum(series[end-24:end]))
	}
	if len(baseDays) == 0 {
		return
	}
	med := median(baseDays)
	dev := make([]float64, len(baseDays))
	for i, d := range baseDays {
		dev[i] = math.Abs(d - med)
	}
	sigma := max(1.4826*median(dev), math.Sqrt(max(med, 1)), 1)
	for end := p.hours; end > p.sinceIdx; end -= 24 {
		from := max(end-24, p.sinceIdx)
		obs := sum(series[from:end])
		exp := med * float64(end-from) / 24
		z := (obs - exp) / sigma
		if obs >= minDay && z >= r.opts.SpikeZ && obs >= 2*exp+minDay/4 {
			// Only the hours that carry the excess, not the day's
			// ordinary traffic.
			for i := from; i < end; i++ {
				if exp := m.expected[m.slotOf(i)]; series[i] >= 2*exp+1 {
					sp.mark(i, series[i], exp, z)
				}
			}
		}
	}
}

func (r *run) traffic(a *AccountData, p *profile) []atoguard.Signal {
	var out []atoguard.Signal
	sid := a.Account.SID
	o := r.opts
	type series struct {
		id, channel, unit string
		data              []float64
		minH, minD        float64
	}
	all := []series{
		{atoguard.IDVolumeSpike, "sms", "messages", p.sms, o.MinHourlyVolume, o.MinDailyVolume},
		{atoguard.IDVolumeSpike, "voice", "calls", p.voice, o.MinHourlyVolume / 2, o.MinDailyVolume / 2},
		{atoguard.IDCostSpike, "sms+voice", "USD", p.cost, o.MinHourlyCost, o.MinDailyCost},
		{atoguard.IDFailureSpike, "sms", "failed messages", p.smsFailed, o.MinHourlyVolume / 2, o.MinDailyVolume / 2},
	}
	fired := map[string]bool{}
	for _, s := range all {
		sp := r.detectSpike(p, s.data, s.minH, s.minD)
		if sp == nil {
			continue
		}
		if s.id == atoguard.IDFailureSpike && !failureRateUp(p, sp) {
			continue
		}
		fired[s.id+s.channel] = true
		out = append(out, r.spikeSignal(p, sid, s.id, s.channel, s.unit, sp, ""))
	}
	// Per-country spikes hidden in a large account total.
	if !fired[atoguard.IDVolumeSpike+"sms"] && !fired[atoguard.IDVolumeSpike+"voice"] {
		for _, c := range p.order {
			if c.window < o.MinDailyVolume {
				continue
			}
			if sp := r.detectSpike(p, c.hourly, o.MinHourlyVolume, o.MinDailyVolume); sp != nil {
				out = append(out, r.spikeSignal(p, sid, atoguard.IDVolumeSpike, "sms+voice", "records", sp, c.region))
			}
		}
	}
	if !fired[atoguard.IDCostSpike+"sms+voice"] {
		if s := r.usageCostSpike(a); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// failureRateUp keeps failure spikes that are more than volume spikes: the
// share of failed messages must rise too (pumped numbers rarely deliver).
func failureRateUp(p *profile, sp *spike) bool {
	var fw, tw, fb, tb float64
	for _, i := range sp.buckets {
		fw += p.smsFailed[i]
		tw += p.sms[i]
	}
	for i := p.baseIdx; i < p.sinceIdx; i++ {
		fb += p.smsFailed[i]
		tb += p.sms[i]
	}
	if tw == 0 {
		return false
	}
	rate := fw / tw
	base := 0.0
	if tb > 0 {
		base = fb / tb
	}
	return rate >= 0.2 && rate >= 2*base
}

func (r *run) spikeSignal(p *profile, sid, id, channel, unit string, sp *spike, country string) atoguard.Signal {
	start := p.start.Add(time.Duration(sp.first) * time.Hour)
	end := p.start.Add(time.Duration(sp.last+1) * time.Hour)
	if end.After(r.ds.Until) {
		end = r.ds.Until
	}
	ratio := sp.observed / max(sp.expected, 1)
	sev := atoguard.SeverityMedium
	if ratio >= 10 && !sp.noBaseline {
		sev = atoguard.SeverityHigh
	}
	conf := math.Min(0.95, 0.5+sp.z/40)
	if sp.noBaseline {
		conf = 0.4
	}
	sign := atoguard.SignUnauthorizedTraffic
	what := map[string]string{atoguard.IDVolumeSpike: "volume", atoguard.IDCostSpike: "cost", atoguard.IDFailureSpike: "failed/undelivered"}[id]
	where := ""
	if country != "" {
		where = " to " + country
	}
	var summary string
	if sp.noBaseline {
		summary = fmt.Sprintf("%s %s%s: %s %s in %d hour(s), no baseline to compare (new or quiet account)",
			channel, what, where, num(sp.observed), unit, len(sp.buckets))
	} else {
		summary = fmt.Sprintf("%s %s spike%s: %s %s in %d anomalous hour(s) vs %s expected (×%.0f, z=%.0f)",
			channel, what, where, num(sp.observed), unit, len(sp.buckets), num(sp.expected), ratio, sp.z)
	}
	ev := atoguard.Evidence{
		Counts: map[string]float64{
			"observed": round2(sp.observed), "expected": round2(sp.expected), "peak_hour": round2(sp.peak),
			"z": round2(sp.z), "window_total": round2(sp.window), "baseline_hourly_median": round2(sp.baseMedian),
			"anomalous_hours": float64(len(sp.buckets)),
		},
		Details: map[string]string{"channel": channel, "unit": unit,
			"peak_hour": p.start.Add(time.Duration(sp.peakIdx) * time.Hour).UTC().Format(time.RFC3339)},
	}
	if country != "" {
		ev.Details["country"] = country
		if c := p.countries[country]; c != nil {
			ev.Examples = c.examples
			ev.Records = c.records
		}
	} else {
		// The countries that carried the spike.
		type share struct {
			region string
			n      float64
		}
		var shares []share
		for _, c := range p.order {
			var n float64
			for _, i := range sp.buckets {
				n += c.hourly[i]
			}
			if n > 0 {
				shares = append(shares, share{c.region, n})
			}
		}
		sort.SliceStable(shares, func(i, j int) bool { return shares[i].n > shares[j].n })
		for i, s := range shares {
			if i == 5 {
				break
			}
			ev.Counts["country:"+s.region] = s.n
			if c := p.countries[s.region]; c != nil {
				for _, rec := range c.records {
					ev.Records = appendLimited(ev.Records, maxRecords, rec)
				}
			}
		}
	}
	return atoguard.Signal{ID: id, Sign: sign, Severity: sev, Confidence: round2(conf), AccountSID: sid,
		Start: start, End: end, Summary: summary, Evidence: ev}
}

// usageCostSpike compares daily usage prices (category totalprice) in the
// window with the baseline days: a second opinion when records lack prices.
func (r *run) usageCostSpike(a *AccountData) *atoguard.Signal {
	var base, win []atoguard.UsageRecord
	for _, u := range a.Usage {
		if u.Category != "totalprice" {
			continue
		}
		switch {
		case r.inBaseline(u.StartDate):
			base = append(base, u)
		case r.inWindow(u.StartDate):
			win = append(win, u)
		}
	}
	if len(base) < 7 || len(win) == 0 {
		return nil
	}
	vals := make([]float64, len(base))
	for i, u := range base {
		vals[i] = u.Price
	}
	med := median(vals)
	dev := make([]float64, len(vals))
	for i, v := range vals {
		dev[i] = math.Abs(v - med)
	}
	sigma := max(1.4826*median(dev), 0.1*med, 1)
	var worst *atoguard.UsageRecord
	var wz float64
	for i := range win {
		u := &win[i]
		z := (u.Price - med) / sigma
		if u.Price >= r.opts.MinDailyCost*2 && u.Price >= 3*med && z >= r.opts.SpikeZ && z > wz {
			worst, wz = u, z
		}
	}
	if worst == nil {
		return nil
	}
	return &atoguard.Signal{ID: atoguard.IDCostSpike, Sign: atoguard.SignUnauthorizedTraffic, Severity: atoguard.SeverityMedium,
		Confidence: round2(math.Min(0.9, 0.5+wz/40)), AccountSID: a.Account.SID,
		Start: worst.StartDate, End: worst.EndDate,
		Summary: fmt.Sprintf("daily usage cost %.2f %s on %s vs median %.2f (usage records)", worst.Price, worst.PriceUnit,
			worst.StartDate.UTC().Format(time.DateOnly), med),
		Evidence: atoguard.Evidence{Counts: map[string]float64{"observed": round2(worst.Price), "baseline_daily_median": round2(med), "z": round2(wz)},
			Details: map[string]string{"source": "usage-records", "category": "totalprice"}}}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	c := slices.Clone(v)
	slices.Sort(c)
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func num(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2f", f)
}
