package playbook

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// BaselineDays is how far before the incident the baseline reaches.
const BaselineDays = 30

// accountBaseline is what one account's traffic looked like before the
// incident.
type accountBaseline struct {
	limits map[string]float64
}

// resolveCountries sets the allowlist: the flag, else the countries of the
// baseline traffic of every account in scope, else what the snapshot shows
// enabled for the main account.
func (e *engine) resolveCountries(ctx context.Context) error {
	if len(e.opts.AllowCountries) > 0 {
		e.targets.AllowCountries = normCountries(e.opts.AllowCountries)
		e.targets.AllowCountriesSource = cmp.Or(e.opts.AllowCountriesFrom, "flag")
		return e.checkLockout(ctx)
	}
	if !e.opts.stepEnabled(StepGeoPermissions) {
		e.targets.AllowCountriesSource = "none"
		return nil
	}
	per, start, end, err := e.baselineCountries(ctx)
	if err != nil {
		return fmt.Errorf("reading baseline traffic for the country allowlist (or pass --allow-countries): %w", err)
	}
	set := map[string]bool{}
	for _, cs := range per {
		for _, c := range cs {
			set[c] = true
		}
	}
	if len(set) > 0 {
		e.targets.AllowCountries = sortedKeys(set)
		e.targets.AllowCountriesSource = fmt.Sprintf("baseline traffic %s – %s", start.Format("2006-01-02"), end.Format("2006-01-02"))
		return nil
	}
	if snap := e.snapshot(e.main.AccountSID); snap != nil {
		for _, v := range snap.VoicePermissions {
			if v.LowRiskEnabled {
				set[v.ISOCode] = true
			}
		}
		for _, p := range snap.SMSPermissions {
			if p.Enabled {
				set[p.CountryCode] = true
			}
		}
		e.targets.AllowCountries = sortedKeys(set)
		e.targets.AllowCountriesSource = "snapshot"
		return nil
	}
	e.targets.AllowCountriesSource = "none (no baseline traffic: every country off)"
	return nil
}

// checkLockout refuses a given allowlist that turns off every country an
// account sent messages or calls to before the incident: that stops the
// customer's own business, not only the attacker (a typo such as "CA" for
// "US" would do it). ForceCountries skips the check. Traffic that cannot be
// read is not taken as "no traffic": the plan is refused.
func (e *engine) checkLockout(ctx context.Context) error {
	if e.opts.ForceCountries || !e.opts.stepEnabled(StepGeoPermissions) {
		return nil
	}
	per, _, _, err := e.baselineCountries(ctx)
	if err != nil {
		return fmt.Errorf("reading baseline traffic to check that --allow-countries keeps each account's usual countries (--force-countries skips the check): %w", err)
	}
	var locked []string
	for _, a := range e.accts {
		cs := per[a.SID]
		if len(cs) > 0 && !slices.ContainsFunc(cs, func(c string) bool { return slices.Contains(e.targets.AllowCountries, c) }) {
			locked = append(locked, a.SID+" ("+strings.Join(cs, ", ")+")")
		}
	}
	if len(locked) == 0 {
		return nil
	}
	return atoguard.Errorf(atoguard.EINVALID, "respond",
		"the allowed countries %s (--allow-countries, respond.allow-countries) would turn off every country these accounts sent to in the %d days before the incident: %s; "+
			"add the countries they need, or pass --force-countries to turn them off anyway",
		strings.Join(e.targets.AllowCountries, ","), BaselineDays, strings.Join(locked, "; "))
}

// baselineCountries reads, per account in scope, the countries of its
// outbound traffic over the BaselineDays before the incident.
func (e *engine) baselineCountries(ctx context.Context) (per map[string][]string, start, end time.Time, err error) {
	end = e.opts.incidentStart()
	start = end.Add(-BaselineDays * 24 * time.Hour)
	per = map[string][]string{}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, max(e.opts.Concurrency, 8))
	var wg sync.WaitGroup
	for _, a := range e.accts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cs, err := e.trafficCountries(ctx, a, start, end)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			per[a.SID] = cs
		}()
	}
	wg.Wait()
	return per, start, end, firstErr
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func normCountries(cs []string) []string {
	set := map[string]bool{}
	for _, c := range cs {
		for _, p := range strings.Split(c, ",") {
			if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
				set[p] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (e *engine) trafficCountries(ctx context.Context, info atoguard.Account, start, end time.Time) ([]string, error) {
	tw, _, err := e.clientFor(ctx, info)
	if err != nil {
		return nil, err
	}
	msgs, err := atoguard.Collect(tw.ListMessages(ctx, info.SID, atoguard.MessageFilter{SentAfter: start, SentBefore: end}))
	if err != nil {
		return nil, err
	}
	calls, err := atoguard.Collect(tw.ListCalls(ctx, info.SID, atoguard.CallFilter{StartedAfter: start, StartedBefore: end}))
	if err != nil {
		return nil, err
	}
	var to []string
	for _, m := range msgs {
		if m.Outbound() && !m.DateCreated.Before(start) && m.DateCreated.Before(end) {
			to = append(to, m.To)
		}
	}
	for _, c := range calls {
		if c.Outbound() && !c.StartTime.Before(start) && c.StartTime.Before(end) {
			to = append(to, c.To)
		}
	}
	return detect.NewNumbers().Countries(to), nil
}

// minLimit is the smallest daily limit, so a quiet account still gets a
// usable trigger.
func minLimit(cat string) float64 {
	return map[string]float64{"totalprice": 10, "sms": 100, "calls": 50}[cat]
}

// limits returns the daily trigger value per category: the override, else
// the baseline daily maximum times the headroom, at least the minimum.
func (e *engine) limits(ctx context.Context, a *acct) (map[string]float64, error) {
	out := map[string]float64{}
	need := false
	for cat := range TriggerCategories() {
		if v, ok := e.opts.DailyLimits[cat]; ok {
			out[cat] = v
		} else {
			need = true
		}
	}
	if !need {
		return out, nil
	}
	e.mu.Lock()
	b := e.baseline[a.info.SID]
	e.mu.Unlock()
	if b == nil {
		b = &accountBaseline{limits: map[string]float64{}}
		end := e.opts.incidentStart()
		start := end.Add(-BaselineDays * 24 * time.Hour)
		headroom := e.opts.Headroom
		if headroom <= 0 {
			headroom = 2
		}
		for cat, by := range TriggerCategories() {
			recs, err := atoguard.Collect(a.tw.ListUsageRecords(ctx, a.info.SID, dailyUsage(cat, start, end)))
			if err != nil {
				return nil, fmt.Errorf("reading baseline usage for %s: %w", cat, err)
			}
			peak := 0.0
			for _, r := range recs {
				// whole days before the incident only: the day it began may hold the attack
				if r.Category != cat || r.StartDate.Before(start) || r.StartDate.Add(24*time.Hour).After(end) {
					continue
				}
				v := r.Count
				if by == "price" {
					v = r.Price
				}
				peak = math.Max(peak, v)
			}
			lim := peak * headroom
			if by == "price" {
				lim = math.Ceil(lim*100) / 100
			} else {
				lim = math.Ceil(lim)
			}
			b.limits[cat] = math.Max(lim, minLimit(cat))
		}
		e.mu.Lock()
		e.baseline[a.info.SID] = b
		e.mu.Unlock()
	}
	for cat, v := range b.limits {
		if _, ok := out[cat]; !ok {
			out[cat] = v
		}
	}
	return out, nil
}

type baselineAPI interface {
	ListMessages(ctx context.Context, account string, f atoguard.MessageFilter) iter.Seq2[atoguard.Message, error]
	ListCalls(ctx context.Context, account string, f atoguard.CallFilter) iter.Seq2[atoguard.Call, error]
	ListUsageRecords(ctx context.Context, account string, f atoguard.UsageFilter) iter.Seq2[atoguard.UsageRecord, error]
}

// dailyUsage asks for an account's own daily records of one category
// (subaccounts excluded: each is baselined on its own).
func dailyUsage(category string, start, end time.Time) atoguard.UsageFilter {
	no := false
	return atoguard.UsageFilter{Period: "Daily", Category: category, Start: start, End: end, IncludeSubaccounts: &no}
}
