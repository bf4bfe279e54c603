package emulator

import (
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// usageCategories are the categories the emulator derives from stored traffic.
var usageCategories = []struct{ name, desc, countUnit, usageUnit string }{
	{"calls", "Voice Minutes", "calls", "minutes"},
	{"calls-inbound", "Inbound Voice Minutes", "calls", "minutes"},
	{"calls-outbound", "Outbound Voice Minutes", "calls", "minutes"},
	{"sms", "SMS Messages", "messages", "messages"},
	{"sms-inbound", "Inbound SMS Messages", "messages", "messages"},
	{"sms-outbound", "Outbound SMS Messages", "messages", "messages"},
	{"totalprice", "Total Price", "", "usd"},
}

type usageSum struct{ count, usage, price float64 }

// usageTotals adds the traffic of accts between [from, to) into buckets
// chosen by bucket (Unix seconds → bucket index, -1 to skip).
func usageTotals(accts []*account, from, to int64, n int, bucket func(int64) int) []map[string]*usageSum {
	out := make([]map[string]*usageSum, n)
	for i := range out {
		out[i] = map[string]*usageSum{}
		for _, cat := range usageCategories {
			out[i][cat.name] = &usageSum{}
		}
	}
	add := func(b int, cat string, count, usage, price float64) {
		s := out[b][cat]
		s.count += count
		s.usage += usage
		s.price += price
	}
	for _, a := range accts {
		ms := &a.msgs
		lo, hi := ms.bounds(from, to)
		for i := lo; i < hi; i++ {
			r := &ms.recs[i]
			b := bucket(r.key)
			if b < 0 {
				continue
			}
			price := 0.0
			if r.price != noPrice {
				price = float64(r.price) / 1e5
			}
			segs := float64(r.segs)
			add(b, "sms", 1, segs, price)
			if r.dir == 0 {
				add(b, "sms-inbound", 1, segs, price)
			} else {
				add(b, "sms-outbound", 1, segs, price)
			}
			add(b, "totalprice", 1, price, price)
		}
		for i := range a.calls {
			ca := &a.calls[i]
			t := ca.StartTime.Unix()
			if t < from || t >= to {
				continue
			}
			b := bucket(t)
			if b < 0 {
				continue
			}
			mins := math.Ceil(float64(ca.Duration) / 60)
			add(b, "calls", 1, mins, ca.Price)
			if ca.Outbound() {
				add(b, "calls-outbound", 1, mins, ca.Price)
			} else {
				add(b, "calls-inbound", 1, mins, ca.Price)
			}
			add(b, "totalprice", 1, ca.Price, ca.Price)
		}
	}
	return out
}

var relDate = regexp.MustCompile(`^([+-]?)(\d{1,5})days$`)

// usageDate reads StartDate/EndDate: YYYY-MM-DD or an offset like -30days.
func usageDate(s string, today time.Time) (time.Time, bool) {
	if m := relDate.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "-" {
			n = -n
		}
		return today.AddDate(0, 0, n), true
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

type period struct{ start, end time.Time } // end inclusive day

// listUsage serves Usage/Records.json and its subresources (Daily, Monthly,
// Yearly, AllTime, Today, Yesterday, ThisMonth, LastMonth).
func (c *call) listUsage(sub string) {
	pr, ok := c.paging()
	if !ok {
		return
	}
	start, end, ok := c.usageRange(sub)
	if !ok {
		return
	}
	accts, ok := c.usageAccounts()
	if !ok {
		return
	}
	cat := c.v("Category")
	if cat != "" && !slices.ContainsFunc(usageCategories, func(u struct{ name, desc, countUnit, usageUnit string }) bool { return u.name == cat }) {
		cat = "\x00unknown" // a category the emulator has no traffic for: no records
	}
	periods := usagePeriods(sub, start, end)
	from, to := start.Unix(), end.Unix()+86400
	sums := usageTotals(accts, from, to, len(periods), periodIndex(periods))
	var recs []usageRec
	for i, p := range periods {
		for j, u := range usageCategories {
			if cat == "" || cat == u.name {
				recs = append(recs, usageRec{p, j, sums[i][u.name]})
			}
		}
	}
	page, next := pageSlice(c, recs, pr)
	c.write2010List("usage_records", marshalAll(page, c.usageRecordJSON(sub)), pr, next)
}

// usageRange is the inclusive range of days a usage list covers: the
// subresource's own range, or StartDate/EndDate within the account's life.
// It answers a bad request itself and then returns ok false.
func (c *call) usageRange(sub string) (start, end time.Time, ok bool) {
	today := c.now.Truncate(24 * time.Hour)
	start, end = defaultUsageRange(sub, c.acct.DateCreated.Truncate(24*time.Hour), today)
	fixed := sub == "Today" || sub == "Yesterday" || sub == "ThisMonth" || sub == "LastMonth"
	if s := c.v("StartDate"); s != "" && !fixed {
		t, ok := usageDate(s, today)
		if !ok {
			c.badParam("Invalid StartDate: " + s)
			return start, end, false
		}
		start = t
	}
	if s := c.v("EndDate"); s != "" && !fixed {
		t, ok := usageDate(s, today)
		if !ok {
			c.badParam("Invalid EndDate: " + s)
			return start, end, false
		}
		end = t
	}
	if end.Before(start) {
		c.badParam("EndDate must not be before StartDate")
		return start, end, false
	}
	if end.Sub(start) > 20*366*24*time.Hour {
		c.badParam("Date range too large")
		return start, end, false
	}
	return start, end, true
}

// defaultUsageRange is a subresource's range before StartDate/EndDate:
// from the account's first day to today unless the subresource says
// otherwise.
func defaultUsageRange(sub string, first, today time.Time) (start, end time.Time) {
	start, end = first, today
	switch sub {
	case "Daily":
		start = today.AddDate(0, -1, 0)
	case "Today":
		start = today
	case "Yesterday":
		start, end = today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)
	case "ThisMonth":
		start = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "LastMonth":
		end = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		start = time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return start, end
}

// usageAccounts is the account, with its subaccounts unless
// IncludeSubaccounts is false. It answers a bad value itself.
func (c *call) usageAccounts() ([]*account, bool) {
	include := true
	if s := c.v("IncludeSubaccounts"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			c.badParam("Invalid IncludeSubaccounts: " + s)
			return nil, false
		}
		include = b
	}
	accts := []*account{c.acct}
	if include {
		accts = append(accts, c.st.subaccounts(c.acct)...)
	}
	return accts, true
}

// usagePeriods cuts [start, end] into the subresource's days, months or
// years; the others are one period.
func usagePeriods(sub string, start, end time.Time) []period {
	var periods []period
	switch sub {
	case "Daily":
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			periods = append(periods, period{d, d})
		}
	case "Monthly":
		for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
			periods = append(periods, period{maxTime(m, start), minTime(m.AddDate(0, 1, -1), end)})
		}
	case "Yearly":
		for y := time.Date(start.Year(), 1, 1, 0, 0, 0, 0, time.UTC); !y.After(end); y = y.AddDate(1, 0, 0) {
			periods = append(periods, period{maxTime(y, start), minTime(y.AddDate(1, 0, -1), end)})
		}
	default:
		periods = []period{{start, end}}
	}
	return periods
}

// periodIndex maps a Unix time to the index of the sorted period holding
// it, or -1.
func periodIndex(periods []period) func(int64) int {
	return func(t int64) int {
		i, _ := slices.BinarySearchFunc(periods, t, func(p period, t int64) int {
			switch {
			case p.end.Unix()+86400 <= t:
				return -1
			case p.start.Unix() > t:
				return 1
			}
			return 0
		})
		if i >= len(periods) {
			return -1
		}
		return i
	}
}

// usageRec is one usage record: a category's totals over a period.
type usageRec struct {
	p   period
	cat int
	sum *usageSum
}

// usageRecordJSON renders usage records as Twilio does, linking to the
// subresource they were listed from.
func (c *call) usageRecordJSON(sub string) func(usageRec) any {
	subPath := ""
	if sub != "" {
		subPath = "/" + sub
	}
	asOf := c.now.Format("2006-01-02T15:04:05+00:00")
	return func(r usageRec) any {
		u := usageCategories[r.cat]
		base := "/2010-04-01/Accounts/" + c.acct.SID + "/Usage/Records"
		q := "?Category=" + u.name + "&StartDate=" + r.p.start.Format("2006-01-02") + "&EndDate=" + r.p.end.Format("2006-01-02")
		return map[string]any{
			"account_sid": c.acct.SID, "api_version": "2010-04-01", "as_of": asOf,
			"category": u.name, "description": u.desc,
			"count": fmtNum(r.sum.count), "count_unit": u.countUnit,
			"usage": fmtNum(r.sum.usage), "usage_unit": u.usageUnit,
			"price": math.Round(r.sum.price*1e5) / 1e5, "price_unit": "usd",
			"start_date": r.p.start.Format("2006-01-02"), "end_date": r.p.end.Format("2006-01-02"),
			"uri": base + subPath + ".json" + q,
			"subresource_uris": map[string]any{
				"daily":   base + "/Daily.json" + q,
				"monthly": base + "/Monthly.json" + q,
				"yearly":  base + "/Yearly.json" + q,
			},
		}
	}
}

func fmtNum(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 5, 64)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// currentUsage is a trigger's current value: its category and measure over
// its recurrence period up to now.
func (c *call) currentUsage(t *usageTrigger) float64 { return triggerValue(c.acct, t, c.now) }

// periodStart is the start of the trigger's current recurrence period (GMT);
// one-shot and alltime triggers count from the account's creation.
func periodStart(a *account, t *usageTrigger, now time.Time) time.Time {
	today := now.Truncate(24 * time.Hour)
	switch t.Recurring {
	case "daily":
		return today
	case "monthly":
		return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "yearly":
		return time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return a.DateCreated.Truncate(24 * time.Hour)
}

func triggerValue(a *account, t *usageTrigger, now time.Time) float64 {
	start := periodStart(a, t, now)
	today := now.Truncate(24 * time.Hour)
	sums := usageTotals([]*account{a}, start.Unix(), today.Unix()+86400, 1, func(int64) int { return 0 })
	s, ok := sums[0][t.UsageCategory]
	if !ok {
		return 0
	}
	switch t.TriggerBy {
	case "count":
		return s.count
	case "price":
		return s.price
	}
	return s.usage
}

// fireTriggers evaluates the account's usage triggers after new traffic, as
// Twilio does about once a minute: a trigger whose value is reached fires
// once per recurrence period (one-shot triggers once ever), POSTing Twilio's
// callback parameters, signed, to its callback URL in the background.
func fireTriggers(a *account, now time.Time, idem func() string) {
	for _, t := range a.triggers {
		if !t.fired.IsZero() && (t.Recurring == "" || t.Recurring == "alltime" || !t.fired.Before(periodStart(a, t, now))) {
			continue
		}
		v := triggerValue(a, t, now)
		if v < t.TriggerValue {
			continue
		}
		t.fired = now
		form := url.Values{
			"AccountSid": {a.SID}, "UsageTriggerSid": {t.SID}, "DateFired": {now.Format(time.RFC1123Z)},
			"Recurring": {t.Recurring}, "UsageCategory": {t.UsageCategory}, "TriggerBy": {t.TriggerBy},
			"TriggerValue": {fmtNum(t.TriggerValue)}, "CurrentValue": {fmtNum(v)},
			"UsageRecordUri":   {"/2010-04-01/Accounts/" + a.SID + "/Usage/Records.json?Category=" + t.UsageCategory},
			"IdempotencyToken": {idem()},
		}
		go deliverForm(t.CallbackURL, t.callbackMethod, a.token, form)
	}
}
