package detect

import (
	"slices"
	"time"
)

// profile is one pass over an account's messages and calls: hourly series
// over baseline and window, per-country aggregates and the destination
// numbers the destination detectors need. Built once, read by several
// detectors, so each record is classified once.
type profile struct {
	start    time.Time // first hour (BaselineSince truncated to the hour)
	hours    int       // buckets in [start, Until)
	sinceIdx int       // first window bucket
	// baseIdx is the first bucket that counts as baseline: later than
	// sinceIdx-baseline when the account is younger than the baseline.
	baseIdx int

	sms, smsFailed, voice, cost []float64
	countries                   map[string]*countryAgg
	order                       []*countryAgg // first-seen order, for determinism

	homeRegions map[string]bool // regions of the account's own sender numbers
	// ownNumbers are the account's configured and sending numbers (at most
	// maxOwnNumbers): they name its country and time zone.
	ownNumbers []string
	loc        *time.Location // the account's local time (see timezone.go)
	// Window destination numbers grouped by (country code, national length),
	// for sequential-run detection.
	seqNumbers map[seqKey][]seqRecord

	shortCalls         map[string]string // window: destination → call SID, calls ≤ shortCallMax s
	shortFirst         time.Time
	shortLast          time.Time
	baselineShortCalls map[string]bool
	windowCalls        int
	baselineOutbound   int
	windowOutbound     int
}

type seqKey struct {
	cc, natLen int
}

// seqRecord is one window record to a destination number. A slice of
// these (sorted later) is far cheaper than a map over every number.
type seqRecord struct {
	nat uint64
	sid string
	at  time.Time
}

type countryAgg struct {
	region   string
	baseline float64 // outbound records in the baseline
	window   float64 // outbound records in the window
	winCost  float64
	hourly   []float64
	failed   float64 // window records that failed
	premium  int     // window records to premium-like numbers
	premEx   []string
	examples []string // window destinations
	records  []string // window SIDs
	first    time.Time
	last     time.Time
}

const (
	shortCallMax = 10 // seconds; IRSF calls are short and many
	maxExamples  = 5
	maxRecords   = 20
)

func (r *run) profile(a *AccountData) *profile {
	ds := r.ds
	start := ds.BaselineSince.Truncate(time.Hour)
	if start.IsZero() || start.After(ds.Since) {
		start = ds.Since.Truncate(time.Hour)
	}
	hours := int((ds.Until.Sub(start) + time.Hour - 1) / time.Hour)
	if hours < 0 {
		hours = 0
	}
	p := &profile{
		start: start, hours: hours,
		sinceIdx:           int(ds.Since.Sub(start) / time.Hour),
		sms:                make([]float64, hours),
		smsFailed:          make([]float64, hours),
		voice:              make([]float64, hours),
		cost:               make([]float64, hours),
		countries:          map[string]*countryAgg{},
		homeRegions:        map[string]bool{},
		seqNumbers:         map[seqKey][]seqRecord{},
		shortCalls:         map[string]string{},
		baselineShortCalls: map[string]bool{},
	}
	// A young account has no baseline before it existed: those hours are not
	// "zero traffic", they are no data.
	if c := a.Account.DateCreated; !c.IsZero() && c.After(start) {
		p.baseIdx = min(int(c.Sub(start)/time.Hour)+1, p.sinceIdx)
	}
	for _, pn := range a.configNumbers() {
		if info := r.numbers.Classify(pn); info.Region != "" {
			p.homeRegions[info.Region] = true
		}
		p.addOwn(pn)
	}
	r.profileMessages(a, p)
	r.profileCalls(a, p)
	for idx := p.sinceIdx; idx < p.hours; idx++ {
		p.windowOutbound += int(p.sms[idx] + p.voice[idx])
	}
	p.loc = r.localZone(p)
	return p
}

// profileMessages adds the outbound messages to the hourly series.
func (r *run) profileMessages(a *AccountData, p *profile) {
	for i := range a.Messages {
		m := &a.Messages[i]
		if !m.Outbound() {
			continue
		}
		t := messageTime(m)
		idx := p.index(t)
		if idx < 0 {
			continue
		}
		p.sms[idx]++
		if failedStatus(m.Status) {
			p.smsFailed[idx]++
		}
		p.cost[idx] += m.Price
		p.record(r, idx, t, m.To, m.From, m.SID, m.Price, failedStatus(m.Status))
	}
}

// profileCalls adds the outbound calls, and the answered short ones (the
// toll-fraud pattern), to the hourly series.
func (r *run) profileCalls(a *AccountData, p *profile) {
	for i := range a.Calls {
		c := &a.Calls[i]
		if !c.Outbound() {
			continue
		}
		idx := p.index(c.StartTime)
		if idx < 0 {
			continue
		}
		p.voice[idx]++
		p.cost[idx] += c.Price
		p.record(r, idx, c.StartTime, c.To, c.From, c.SID, c.Price, c.Status == "failed")
		// Answered and short: a revenue-share number picks up and hangs up.
		// Failed or unanswered calls are not toll fraud (they cost nothing).
		short := c.Duration <= shortCallMax && c.Status == "completed"
		if !short {
			continue
		}
		if idx >= p.sinceIdx {
			p.windowCalls++
			if _, ok := p.shortCalls[c.To]; !ok {
				p.shortCalls[c.To] = c.SID
			}
			p.shortFirst = minTime(p.shortFirst, c.StartTime)
			p.shortLast = maxTime(p.shortLast, c.StartTime)
		} else {
			p.baselineShortCalls[c.To] = true
		}
	}
}

// maxOwnNumbers bounds the numbers kept to infer an account's zone.
const maxOwnNumbers = 16

func (p *profile) addOwn(n string) {
	if n != "" && len(p.ownNumbers) < maxOwnNumbers && !slices.Contains(p.ownNumbers, n) {
		p.ownNumbers = append(p.ownNumbers, n)
	}
}

// index maps a time to its hourly bucket, -1 outside [start, Until).
func (p *profile) index(t time.Time) int {
	if t.Before(p.start) {
		return -1
	}
	i := int(t.Sub(p.start) / time.Hour)
	if i >= p.hours {
		return -1
	}
	return i
}

func (p *profile) record(r *run, idx int, t time.Time, to, from, sid string, price float64, failed bool) {
	if idx < p.sinceIdx {
		p.addOwn(from) // baseline senders: the business's own numbers
	}
	if from != "" && len(p.homeRegions) < 8 {
		// Sender numbers tell where the business lives, useful when the
		// baseline is empty.
		if info := r.numbers.Classify(from); info.Region != "" {
			p.homeRegions[info.Region] = true
		}
	}
	info := r.numbers.Classify(to)
	region := info.Region
	if region == "" {
		if !info.Valid {
			return // short codes, alphanumeric, malformed: no country
		}
		region = "+" + itoa(info.CountryCode) // non-geographic code
	}
	c := p.countries[region]
	if c == nil {
		c = &countryAgg{region: region, hourly: make([]float64, p.hours)}
		p.countries[region] = c
		p.order = append(p.order, c)
	}
	c.hourly[idx]++
	if idx < p.sinceIdx {
		if idx >= p.baseIdx {
			c.baseline++
			p.baselineOutbound++
		}
		return
	}
	c.window++
	c.winCost += price
	if failed {
		c.failed++
	}
	if c.first.IsZero() || t.Before(c.first) {
		c.first = t
	}
	if t.After(c.last) {
		c.last = t
	}
	if len(c.examples) < maxExamples && !slices.Contains(c.examples, info.E164) {
		c.examples = append(c.examples, info.E164)
	}
	c.records = appendLimited(c.records, maxRecords, sid)
	if info.PremiumLike() {
		c.premium++
		c.premEx = appendLimited(c.premEx, maxExamples, info.E164+" ("+info.Type+")")
	}
	if info.Valid && info.NationalLen >= 6 {
		k := seqKey{info.CountryCode, info.NationalLen}
		p.seqNumbers[k] = append(p.seqNumbers[k], seqRecord{info.National, sid, t})
	}
}

// configNumbers are the account's own phone numbers (home regions).
func (a *AccountData) configNumbers() []string {
	if a.Config == nil {
		return nil
	}
	var out []string
	for _, pn := range a.Config.PhoneNumbers {
		out = append(out, pn.PhoneNumber)
	}
	return out
}
