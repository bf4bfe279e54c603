package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// localBatches gives account i a daily 10:00-local batch of reminders
// (the rest spread over the local working day), sent from number from.
func (w *world) localBatches(i int, from string, loc *time.Location, perDay int) {
	a := w.acct(i)
	a.Config.PhoneNumbers[0].PhoneNumber = from
	start := w.ds.BaselineSince.In(loc)
	for d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc); d.Before(w.ds.Until); d = d.AddDate(0, 0, 1) {
		for k := range perDay {
			t := time.Date(d.Year(), d.Month(), d.Day(), 10, w.rng.IntN(20), w.rng.IntN(60), 0, loc)
			if k%3 == 0 {
				t = time.Date(d.Year(), d.Month(), d.Day(), 8+w.rng.IntN(10), w.rng.IntN(60), 0, 0, loc)
			}
			if t.Before(w.ds.BaselineSince) || !t.Before(w.ds.Until) {
				continue
			}
			a.Messages = append(a.Messages, atoguard.Message{SID: w.sid("SM"), AccountSID: a.Account.SID, From: from,
				To: fmt.Sprintf("%s%07d", from[:len(from)-7], w.rng.IntN(10000000)), Body: "Reminder: your appointment tomorrow",
				Direction: "outbound-api", Status: "delivered", NumSegments: 1, Price: 0.0079, PriceUnit: "USD", DateCreated: t, DateSent: t})
		}
	}
}

// TestLocalTimeAcrossDST: subaccounts in New York, London and Sydney each
// send a 10:00-local batch every day; the window follows clock changes in
// all three zones (Sydney on 4 October, London on 25 October, New York on
// 1 November 2026). Kept in UTC, each shifted batch is a volume spike; in
// each account's own local time, none is.
func TestLocalTimeAcrossDST(t *testing.T) {
	build := func() *world {
		w := newWorld(mainSID, subSID, "AC00000000000000000000000000000003")
		until := time.Date(2026, 11, 6, 12, 0, 0, 0, time.UTC)
		w.ds.Until, w.ds.Since, w.ds.BaselineSince = until, until.AddDate(0, 0, -7), until.AddDate(0, 0, -37)
		zones := []struct{ from, tz string }{{"+12125550142", "America/New_York"}, {"+442079460018", "Europe/London"}, {"+61291234567", "Australia/Sydney"}}
		for i, z := range zones {
			loc, err := time.LoadLocation(z.tz)
			if err != nil {
				t.Fatal(err)
			}
			w.localBatches(i, z.from, loc, 600)
		}
		return w
	}
	r := Run(build().ds, Options{})
	mustNotHave(t, r, atoguard.IDVolumeSpike)
	if r.Verdict != atoguard.VerdictClean {
		t.Errorf("verdict %s: %v", r.Verdict, r.Reasons)
	}
	want := []string{"America/New_York", "Europe/London", "Australia/Sydney"}
	for i, a := range r.Accounts {
		if a.TimeZone != want[i] {
			t.Errorf("account %d: time zone %q, want %s", i, a.TimeZone, want[i])
		}
	}
	// The same traffic modelled in UTC (what one zone for all did) spikes.
	w := build()
	p := &run{ds: w.ds, opts: Options{}.withDefaults(), numbers: NewNumbers(), bodyCache: map[string]*bodyInfo{}}
	spikes := 0
	for i := range w.ds.Accounts {
		prof := p.profile(&w.ds.Accounts[i])
		prof.loc = time.UTC
		if p.detectSpike(prof, prof.sms, 40, 150) != nil {
			spikes++
		}
	}
	if spikes == 0 {
		t.Error("the UTC model raises no spike either: the test does not cross a clock change")
	}
}
