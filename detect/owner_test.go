package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect/phish"
)

// A known user opens a high-risk market from the office, then traffic there
// ramps up over days to random numbers, delivered normally: the owner's own
// expansion, at most suspicious. The same traffic without the owner's change
// (or bursting, undelivered) stays likely.
func TestOwnerExpansionTempers(t *testing.T) {
	build := func(owner bool, status string) Result {
		w := newWorld()
		w.steady(0, "US", 8, w.ds.BaselineSince, w.ds.Until, "Your code is 1234")
		w.officeHistory(0)
		start := testNow.Add(-6 * 24 * time.Hour)
		if owner {
			w.event(0, "sms-geographic-permissions.updated", "US00000000000000000000000000000001", "203.0.113.10", start.Add(-2*time.Hour),
				map[string]any{"country_code": "NG", "enabled": map[string]any{"previous": false, "updated": true}})
		}
		for d := range 6 {
			for range 10 * (d + 1) {
				at := start.Add(time.Duration(d)*24*time.Hour + time.Duration(w.rng.IntN(10*3600))*time.Second)
				w.msg(0, w.number("NG"), at, "Your code is 1234", status, 0.3)
			}
		}
		return Run(w.ds, Options{})
	}
	if r := build(true, "delivered"); r.Verdict.Rank() > atoguard.VerdictSuspicious.Rank() {
		t.Errorf("owner's expansion: %s %v", r.Verdict, r.Reasons)
	} else if s := find(r.Signals, atoguard.IDNewCountry); s == nil || s.Evidence.Details["owner:NG"] == "" {
		t.Errorf("the owner's change is not in the evidence: %+v", s)
	}
	if r := build(false, "delivered"); r.Verdict != atoguard.VerdictLikely {
		t.Errorf("without the owner's change: %s %v", r.Verdict, r.Reasons)
	}
	if r := build(true, "undelivered"); r.Verdict != atoguard.VerdictLikely {
		t.Errorf("undelivered traffic after the owner's change: %s %v", r.Verdict, r.Reasons)
	}
}

// A sign-in from a new network with nothing done afterwards is worth a
// look, not a takeover.
func TestNewSessionAloneIsSuspicious(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Until, "x")
	w.officeHistory(0)
	w.event(0, "user-session.created", "US00000000000000000000000000000001", "100.64.7.9", testNow.Add(-30*time.Hour), nil)
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDNewSessionIP)
	if r.Verdict != atoguard.VerdictSuspicious {
		t.Errorf("verdict %s %v", r.Verdict, r.Reasons)
	}
	// With a change by the same stranger it is a takeover again.
	w.event(0, "account-api-keys.created", "US00000000000000000000000000000001", "100.64.7.9", testNow.Add(-29*time.Hour), nil)
	if r := Run(w.ds, Options{}); r.Verdict != atoguard.VerdictCompromised {
		t.Errorf("session and key: %s %v", r.Verdict, r.Reasons)
	}
}

// Phishing for a brand no list knows: a lure with a link to a domain the
// account never sent, to hundreds of numbers it never messaged.
func TestAccountLevelPhishing(t *testing.T) {
	build := func(body string, own bool) Result {
		w := newWorld()
		w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Since, "Hi from Harbor Lane, see https://harborlane.example/x")
		w.officeHistory(0)
		past := []string{}
		for _, m := range w.acct(0).Messages {
			past = append(past, m.To)
		}
		for i := range 300 {
			to := w.number("US")
			if own {
				to = past[i%len(past)]
			}
			w.msg(0, to, testNow.Add(-20*time.Hour).Add(time.Duration(i)*10*time.Second), fmt.Sprintf(body, i), "delivered", 0.0079)
		}
		return Run(w.ds, Options{Phisher: NewPhisher(phish.New(phish.Options{}))})
	}
	lure := "Quillfeather Bank: your account is suspended due to unusual activity. Restore access at https://quillfeather-restore.top/r/%d"
	r := build(lure, false)
	if r.Verdict.Rank() < atoguard.VerdictLikely.Rank() {
		t.Errorf("unknown-brand phishing: %s %v", r.Verdict, r.Reasons)
	}
	if s := find(r.Signals, atoguard.IDTemplateBlast); s == nil || s.Evidence.Details["account_phishing"] != "true" {
		t.Errorf("blast %+v", s)
	}
	// The same words to the account's own customers, or a plain notice with
	// a new link, are not phishing by history.
	if r := build(lure, true); r.Verdict.Rank() > atoguard.VerdictSuspicious.Rank() && find(r.Signals, atoguard.IDBrandImpersonation) == nil {
		t.Errorf("lure to own customers: %s %v", r.Verdict, r.Reasons)
	}
	if r := build("Harbor Lane: our opening hours change next week, details at https://hlnews.example/h/%d", false); r.Verdict.Rank() > atoguard.VerdictSuspicious.Rank() {
		t.Errorf("plain notice: %s %v", r.Verdict, r.Reasons)
	}
}
