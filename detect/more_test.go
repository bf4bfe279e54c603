package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

func TestSeasonalityNightBurst(t *testing.T) {
	// Daytime hours carry ~60 messages; a burst of 90 at 03:00 (normally
	// ~15) is anomalous for its hour although it is an ordinary daytime figure.
	w := newWorld()
	w.steady(0, "US", 60, w.ds.BaselineSince, w.ds.Until, "Reminder")
	night := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
	for i := range 90 {
		w.msg(0, w.number("US"), night.Add(time.Duration(i)*30*time.Second), "Reminder", "delivered", 0.0079)
	}
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDVolumeSpike)
	if s == nil || !s.Start.Equal(night) {
		t.Fatalf("night burst: %+v (%v)", s, ids(r.Signals))
	}
}

func TestFailureSpikeNeedsRisingShare(t *testing.T) {
	// A campaign doubles volume with the usual 2% failures: volume, not failure.
	w := newWorld()
	w.steady(0, "US", 30, w.ds.BaselineSince, w.ds.Until, "x")
	a := w.acct(0)
	for i := range a.Messages {
		if i%50 == 0 {
			a.Messages[i].Status = "undelivered"
		}
	}
	start := testNow.Add(-10 * time.Hour)
	for i := range 3000 {
		st := "delivered"
		if i%50 == 0 {
			st = "failed"
		}
		w.msg(0, w.number("US"), start.Add(time.Duration(i)*3*time.Second), "x", st, 0.0079)
	}
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDVolumeSpike)
	mustNotHave(t, r, atoguard.IDFailureSpike)
}

func TestCountrySpikeHiddenInTotal(t *testing.T) {
	// A big US account; GB normally gets a trickle and suddenly 600 in a day
	// — small against the US total, large for GB.
	w := newWorld()
	w.steady(0, "US", 150, w.ds.BaselineSince, w.ds.Until, "x")
	w.steady(0, "GB", 1, w.ds.BaselineSince, w.ds.Until, "x")
	start := testNow.Add(-30 * time.Hour)
	for i := range 600 {
		w.msg(0, w.number("GB"), start.Add(time.Duration(i)*90*time.Second), "x", "delivered", 0.04)
	}
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDVolumeSpike)
	if s == nil || s.Evidence.Details["country"] != "GB" {
		t.Fatalf("country spike: %+v %v", s, ids(r.Signals))
	}
}

func TestUsageCostSpike(t *testing.T) {
	w := newWorld()
	a := w.acct(0)
	for d := 1; d <= 37; d++ {
		price := 10.0 + float64(d%3)
		if d == 2 {
			price = 400
		}
		day := testNow.Truncate(24*time.Hour).AddDate(0, 0, -d)
		a.Usage = append(a.Usage, atoguard.UsageRecord{AccountSID: mainSID, Category: "totalprice", StartDate: day, EndDate: day.Add(24 * time.Hour), Price: price, PriceUnit: "USD"})
	}
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDCostSpike)
	if s == nil || s.Evidence.Details["source"] != "usage-records" || s.Evidence.Counts["observed"] != 400 {
		t.Fatalf("%+v", s)
	}
}

func TestEvidenceDeletedAndGeoNarrowing(t *testing.T) {
	w := newWorld()
	w.officeHistory(0)
	for i := range 30 {
		w.event(0, "message.deleted", knownUser, "203.0.113.10", testNow.Add(-time.Duration(i+1)*time.Minute), nil)
	}
	// Disabling a country is not widening.
	w.event(0, "voice-geographic-permissions.updated", knownUser, "203.0.113.10", testNow.Add(-time.Hour),
		map[string]any{"CU": map[string]any{"previous": true, "updated": false}})
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDEvidenceDeleted)
	if s == nil || s.Evidence.Counts["events"] != 30 || len(s.Evidence.Records) != maxRecords {
		t.Fatalf("%+v", s)
	}
	mustNotHave(t, r, atoguard.IDGeoWidened)
}

func TestHighRiskCountryInBaselineIsNormal(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 10, w.ds.BaselineSince, w.ds.Until, "x")
	w.steady(0, "NG", 2, w.ds.BaselineSince, w.ds.Until, "x") // a business with Nigerian customers
	r := Run(w.ds, Options{})
	mustNotHave(t, r, atoguard.IDHighRisk, atoguard.IDNewCountry)
}

func TestFewSequentialNumbersAreNotPumping(t *testing.T) {
	// Eight colleagues on consecutive office extensions: below the guard.
	w := newWorld()
	w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Until, "x")
	for i := range 8 {
		w.msg(0, fmt.Sprintf("+1415555%04d", 100+i), testNow.Add(-time.Duration(i+1)*time.Hour), "all hands at 3", "delivered", 0.0079)
	}
	r := Run(w.ds, Options{})
	mustNotHave(t, r, atoguard.IDSequentialNumbers)
}

func TestDeterministic(t *testing.T) {
	build := func() Result {
		w := newWorld(mainSID, subSID)
		w.steady(0, "US", 8, w.ds.BaselineSince, w.ds.Until, "Your code is 1234")
		w.steady(1, "DE", 3, w.ds.BaselineSince, w.ds.Until, "x")
		w.officeHistory(0)
		for i := range 400 {
			w.msg(1, fmt.Sprintf("+2348030%06d", i), testNow.Add(-5*time.Hour).Add(time.Duration(i)*time.Second), "code", "failed", 0.3)
		}
		w.event(0, "account-api-keys.created", "US9", "192.0.2.1", testNow.Add(-6*time.Hour), nil)
		return Run(w.ds, Options{})
	}
	a, b := build(), build()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("two runs over the same data differ")
	}
	// The key was created in the main account, the pumping came from the
	// subaccount, and nothing links the two: two cases, each likely.
	if a.Verdict != atoguard.VerdictLikely || len(a.Cases) != 2 || a.Cases[1].Verdict != atoguard.VerdictLikely {
		t.Fatalf("verdict %s %v", a.Verdict, a.Reasons)
	}
	if !strings.Contains(a.Reasons[0], "in acct2 ("+subSID+")") {
		t.Errorf("verdict does not name the account: %v", a.Reasons)
	}
}

func TestBrandsOwnDomainIsNotEvidence(t *testing.T) {
	w := newWorld()
	w.officeHistory(0)
	for i := range 10 {
		w.msg(0, w.number("US"), testNow.Add(-time.Duration(i+1)*time.Hour),
			"PayPal: verify at https://paypa1-secure.com/login or visit https://www.paypal.com", "delivered", 0.0079)
	}
	r := Run(w.ds, Options{Phisher: fakePhisher{newBasicPhisher()}})
	s := find(r.Signals, atoguard.IDBrandImpersonation)
	if s == nil {
		t.Fatal("no phishing signal")
	}
	if _, ok := s.Evidence.Counts["domain:paypal.com"]; ok {
		t.Errorf("the brand's own domain counted as phishing: %+v", s.Evidence.Counts)
	}
}

func TestFailedCallsAreNotTollFraud(t *testing.T) {
	w := newWorld()
	a := w.acct(0)
	for i := range 60 {
		at := testNow.Add(-8 * time.Hour).Add(time.Duration(i) * time.Minute)
		a.Calls = append(a.Calls, atoguard.Call{SID: w.sid("CA"), To: w.number("US"), Direction: "outbound-api",
			Status: "failed", StartTime: at, Duration: 0})
	}
	mustNotHave(t, Run(w.ds, Options{}), atoguard.IDShortCalls)
}
