package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

const knownUser = "US00000000000000000000000000000001"

func TestSteadyTrafficIsClean(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 20, w.ds.BaselineSince, w.ds.Until, "Your appointment is tomorrow at 10:00")
	w.officeHistory(0)
	w.event(0, "user-session.created", knownUser, "203.0.113.10", testNow.Add(-30*time.Hour), nil)
	r := Run(w.ds, Options{})
	if r.Verdict != atoguard.VerdictClean || len(r.Signals) != 0 {
		t.Fatalf("verdict %s, signals %v", r.Verdict, ids(r.Signals))
	}
	if r.Accounts[0].Messages == 0 || r.Score >= 20 {
		t.Fatalf("accounts %+v score %v", r.Accounts, r.Score)
	}
}

func TestSMSPumping(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 20, w.ds.BaselineSince, w.ds.Until, "Your code is 1234")
	w.officeHistory(0)
	start := testNow.Add(-20 * time.Hour)
	for i := range 1500 {
		status := "undelivered"
		if i%4 == 0 {
			status = "delivered"
		}
		to := fmt.Sprintf("+2348030%06d", 100000+i*2) // a walked block
		w.msg(0, to, start.Add(time.Duration(i)*7*time.Second), "Your code is 5678", status, 0.31)
	}
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDVolumeSpike, atoguard.IDCostSpike, atoguard.IDFailureSpike, atoguard.IDNewCountry, atoguard.IDHighRisk, atoguard.IDSequentialNumbers)
	if r.Verdict != atoguard.VerdictLikely {
		t.Fatalf("verdict %s: %v", r.Verdict, r.Reasons)
	}
	seq := find(r.Signals, atoguard.IDSequentialNumbers)
	if seq.Evidence.Counts["numbers_in_runs"] < 1000 || len(seq.Evidence.Records) == 0 {
		t.Fatalf("sequential evidence %+v", seq.Evidence)
	}
	nc := find(r.Signals, atoguard.IDNewCountry)
	if nc.Evidence.Counts["country:NG"] != 1500 || nc.Severity != atoguard.SeverityHigh {
		t.Fatalf("new-country %+v", nc)
	}
}

func TestQuietAccountSmallNumbersDoNotAlert(t *testing.T) {
	w := newWorld()
	// Two messages a day in the baseline, then a busy day of 30: ×15, but tiny.
	for d := 1; d < 37; d++ {
		n := 2
		if d == 2 {
			n = 30
		}
		for k := range n {
			w.msg(0, w.number("US"), testNow.AddDate(0, 0, -d).Add(time.Duration(k)*time.Minute), "hi", "delivered", 0.0079)
		}
	}
	r := Run(w.ds, Options{})
	mustNotHave(t, r, atoguard.IDVolumeSpike, atoguard.IDCostSpike)
	if r.Verdict != atoguard.VerdictClean {
		t.Fatalf("verdict %s %v", r.Verdict, ids(r.Signals))
	}
}

func TestAttackerTakeover(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Until, "Reminder")
	w.officeHistory(0)
	at := testNow.Add(-50 * time.Hour)
	w.event(0, "user-session.created", knownUser, "198.51.100.77", at, nil)
	w.event(0, "user-password.updated", knownUser, "198.51.100.77", at.Add(2*time.Minute), nil)
	w.event(0, "user.updated", knownUser, "198.51.100.77", at.Add(3*time.Minute), map[string]any{"email": map[string]any{"previous": "ops@example.com", "updated": "x@evil.test"}})
	w.event(0, "account-api-keys.created", knownUser, "198.51.100.77", at.Add(5*time.Minute), nil)
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDNewSessionIP, atoguard.IDPasswordChanged, atoguard.IDEmailChanged, atoguard.IDAPIKeyCreated)
	if r.Verdict != atoguard.VerdictCompromised {
		t.Fatalf("verdict %s: %v", r.Verdict, r.Reasons)
	}
	if len(r.Timeline) < 4 || !r.Timeline[0].Attacker || r.Timeline[0].Ref == "" {
		t.Fatalf("timeline %+v", r.Timeline)
	}
	if !strings.Contains(r.Reasons[0], "likely attacker") {
		t.Fatalf("reasons %v", r.Reasons)
	}
}

func TestKnownUserTokenRotationStaysSuspicious(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Until, "Reminder")
	w.officeHistory(0)
	at := testNow.Add(-26 * time.Hour)
	w.event(0, "user-session.created", knownUser, "203.0.113.10", at, nil)
	w.event(0, "account-auth-token.secondary-created", knownUser, "203.0.113.10", at.Add(time.Minute), nil)
	w.event(0, "account-auth-token.promoted", knownUser, "203.0.113.10", at.Add(10*time.Minute), nil)
	// A new address of the same office network is not an attacker either.
	w.event(0, "account-api-keys.created", knownUser, "203.0.113.99", at.Add(20*time.Minute), nil)
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDAuthTokenChanged, atoguard.IDAPIKeyCreated)
	if r.Verdict.Rank() > atoguard.VerdictSuspicious.Rank() {
		t.Fatalf("verdict %s: %v", r.Verdict, r.Reasons)
	}
	for _, e := range r.Timeline {
		if e.Attacker {
			t.Fatalf("attributed %+v", e)
		}
	}
}

func TestNoBaselineEventsAttributesNothing(t *testing.T) {
	w := newWorld()
	w.event(0, "user-password.updated", knownUser, "198.51.100.77", testNow.Add(-time.Hour), nil)
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDPasswordChanged)
	if s == nil || s.Evidence.Details["attributed_to_attacker"] != "false" || r.Verdict != atoguard.VerdictSuspicious {
		t.Fatalf("%+v %s", s, r.Verdict)
	}
}

func TestWebhookHijack(t *testing.T) {
	w := newWorld()
	w.officeHistory(0)
	w.event(0, "phone-number.updated", "AC00000000000000000000000000000001", "192.0.2.55", testNow.Add(-3*time.Hour),
		map[string]any{"sms_url": map[string]any{"previous": "https://hooks.example.com/sms", "updated": "http://a1b2.ngrok-free.app/sms"}})
	w.acct(0).Config.PhoneNumbers[0].Webhooks["sms_url"] = "http://a1b2.ngrok-free.app/sms"
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDWebhookChanged)
	if s == nil {
		t.Fatalf("no webhook signal: %v", ids(r.Signals))
	}
	for _, want := range []string{"new host", "plain HTTP", "tunnelling host"} {
		if !strings.Contains(s.Evidence.Details["url_flags"], want) {
			t.Errorf("flags %q lack %q", s.Evidence.Details["url_flags"], want)
		}
	}
	if !strings.Contains(s.Evidence.Examples[0], "https://hooks.example.com/sms → http://a1b2.ngrok-free.app/sms") {
		t.Errorf("example %q", s.Evidence.Examples[0])
	}
	if r.Verdict != atoguard.VerdictCompromised || s.Severity != atoguard.SeverityCritical {
		t.Fatalf("verdict %s sev %s", r.Verdict, s.Severity)
	}
}

func TestEventKinds(t *testing.T) {
	cases := []struct {
		typ  string
		data map[string]any
		want string
	}{
		{"user-password.updated", nil, atoguard.IDPasswordChanged},
		{"user.updated", map[string]any{"email": map[string]any{"previous": "a", "updated": "b"}}, atoguard.IDEmailChanged},
		{"user.updated", map[string]any{"friendly_name": map[string]any{"previous": "a", "updated": "b"}}, ""},
		{"account-keys.created", nil, atoguard.IDAPIKeyCreated},
		{"account-auth-token.promoted", nil, atoguard.IDAuthTokenChanged},
		{"account-auth-token.deleted", nil, atoguard.IDAuthTokenChanged},
		{"voice-geographic-permissions.updated", map[string]any{"CU": map[string]any{"previous": false, "updated": true}}, atoguard.IDGeoWidened},
		{"sms-geographic-permissions.updated", nil, atoguard.IDGeoWidened},
		{"usage-trigger.deleted", nil, atoguard.IDUsageTriggerDeleted},
		{"usage-trigger.created", nil, ""},
		{"caller-id.created", nil, atoguard.IDCallerIDAdded},
		{"account.created", nil, atoguard.IDSubaccountCreated},
		{"message.deleted", nil, atoguard.IDEvidenceDeleted},
		{"user-invitation.created", nil, atoguard.IDUserAdded},
		{"user.created", nil, atoguard.IDUserAdded},
		{"recording.deleted", nil, atoguard.IDEvidenceDeleted},
		{"phone-number.updated", map[string]any{"friendly_name": map[string]any{"previous": "a", "updated": "b"}}, ""},
		{"application.updated", map[string]any{"voice_url": map[string]any{"previous": "https://a", "updated": "https://b"}}, atoguard.IDWebhookChanged},
	}
	for _, c := range cases {
		e := atoguard.Event{EventType: c.typ, Data: c.data}
		if got := classifyEvent(&e); got != c.want {
			t.Errorf("%s %v: got %q want %q", c.typ, c.data, got, c.want)
		}
	}
}

func TestURLFlags(t *testing.T) {
	known := map[string]bool{"hooks.example.com": true}
	cases := map[string]string{
		"https://hooks.example.com/x":     "",
		"http://hooks.example.com/x":      "plain HTTP",
		"https://abc.trycloudflare.com/x": "new host,tunnelling host",
		"https://x.serveo.net":            "new host,tunnelling host",
		"https://10.0.0.1/x":              "new host,IP-literal host",
		"::::":                            "unparsable",
	}
	for in, want := range cases {
		if got := strings.ReplaceAll(flagText(URLFlags(in, known)), ", ", ","); got != want {
			t.Errorf("%s: %q want %q", in, got, want)
		}
	}
}

func TestMarketingSpikeOwnDomainStaysSuspicious(t *testing.T) {
	w := newWorld()
	body := "Black Friday at Acme: 30% off everything https://shop.acme-store.com/bf"
	w.steady(0, "US", 10, w.ds.BaselineSince, w.ds.Until, "Your order shipped, track at https://shop.acme-store.com/t")
	w.officeHistory(0)
	start := testNow.Add(-30 * time.Hour)
	for i := range 3000 {
		w.msg(0, w.number("US"), start.Add(time.Duration(i)*2*time.Second), body, "delivered", 0.0079)
	}
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDVolumeSpike)
	mustNotHave(t, r, atoguard.IDTemplateBlast, atoguard.IDBrandImpersonation, atoguard.IDNewCountry, atoguard.IDSequentialNumbers, atoguard.IDHighRisk)
	if r.Verdict != atoguard.VerdictSuspicious {
		t.Fatalf("verdict %s %v", r.Verdict, r.Reasons)
	}
}

func TestTemplateBlastToNewDomain(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 2, w.ds.BaselineSince, w.ds.Since, "Reminder")
	start := testNow.Add(-5 * time.Hour)
	for i := range 50 {
		w.msg(0, w.number("US"), start.Add(time.Duration(i)*time.Minute), fmt.Sprintf("Hi %d, your parcel is held: pay the fee at parcel-fee.example-track.info/p", i), "delivered", 0.0079)
	}
	r := Run(w.ds, Options{})
	s := find(r.Signals, atoguard.IDTemplateBlast)
	if s == nil || s.Evidence.Counts["recipients"] != 50 {
		t.Fatalf("template blast %+v (%v)", s, ids(r.Signals))
	}
}

// fakePhisher flags one domain, like detect/phish would.
type fakePhisher struct{ basicPhisher }

func (f fakePhisher) Analyze(text string) PhishResult {
	res := f.basicPhisher.Analyze(text)
	for i, u := range res.URLs {
		if u.RegistrableDomain == "paypal.com" {
			res.URLs[i].Brand = "PayPal" // the owner of an official domain, as detect/phish reports it
		}
		if strings.Contains(u.Host, "paypa1") {
			res.URLs[i].Brand, res.URLs[i].Score, res.URLs[i].Reasons = "PayPal", 0.9, []string{"typosquat of paypal"}
			res.Phishing, res.Score = true, 0.9
		}
	}
	return res
}

func TestBrandImpersonation(t *testing.T) {
	w := newWorld()
	w.steady(0, "US", 10, w.ds.BaselineSince, w.ds.Until, "Reminder")
	w.officeHistory(0)
	for i := range 400 {
		w.msg(0, w.number("US"), testNow.Add(-10*time.Hour).Add(time.Duration(i)*9*time.Second),
			"PayPal: your account is limited, verify at https://paypa1-secure.com/login", "delivered", 0.0079)
	}
	r := Run(w.ds, Options{Phisher: fakePhisher{newBasicPhisher()}})
	mustHave(t, r, atoguard.IDBrandImpersonation, atoguard.IDTemplateBlast, atoguard.IDVolumeSpike)
	s := find(r.Signals, atoguard.IDBrandImpersonation)
	if s.Severity != atoguard.SeverityCritical || s.Evidence.Details["brand:paypa1-secure.com"] != "PayPal" {
		t.Fatalf("%+v", s)
	}
	if r.Verdict != atoguard.VerdictCompromised {
		t.Fatalf("verdict %s %v", r.Verdict, r.Reasons)
	}
}

func TestShortCalls(t *testing.T) {
	w := newWorld()
	w.officeHistory(0)
	a := w.acct(0)
	for i := range 60 {
		at := testNow.Add(-8 * time.Hour).Add(time.Duration(i) * time.Minute)
		a.Calls = append(a.Calls, atoguard.Call{SID: w.sid("CA"), AccountSID: mainSID, From: "+14155550100",
			To: fmt.Sprintf("+53%08d", 52000000+i*37), Direction: "outbound-api", Status: "completed",
			StartTime: at, EndTime: at.Add(4 * time.Second), Duration: 4, Price: 1.2})
	}
	r := Run(w.ds, Options{})
	mustHave(t, r, atoguard.IDShortCalls, atoguard.IDHighRisk, atoguard.IDNewCountry)
	if r.Verdict != atoguard.VerdictLikely {
		t.Fatalf("verdict %s %v %v", r.Verdict, r.Reasons, ids(r.Signals))
	}
}

func TestEdgeCases(t *testing.T) {
	t.Run("empty dataset", func(t *testing.T) {
		r := Run(&Dataset{}, Options{})
		if r.Verdict != atoguard.VerdictClean || r.Signals == nil || r.Timeline == nil || r.Accounts == nil {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("brand-new account with traffic", func(t *testing.T) {
		w := newWorld()
		w.acct(0).Account.DateCreated = testNow.Add(-48 * time.Hour)
		w.steady(0, "US", 30, testNow.Add(-47*time.Hour), testNow, "Welcome")
		r := Run(w.ds, Options{})
		mustNotHave(t, r, atoguard.IDVolumeSpike, atoguard.IDNewCountry)
	})
	t.Run("brand-new account pumping", func(t *testing.T) {
		w := newWorld()
		w.acct(0).Account.DateCreated = testNow.Add(-3 * time.Hour)
		for i := range 900 {
			w.msg(0, fmt.Sprintf("+2348030%06d", i), testNow.Add(-2*time.Hour).Add(time.Duration(i)*5*time.Second), "code", "failed", 0.3)
		}
		r := Run(w.ds, Options{})
		mustHave(t, r, atoguard.IDVolumeSpike, atoguard.IDSequentialNumbers, atoguard.IDNewCountry)
		if s := find(r.Signals, atoguard.IDVolumeSpike); s.Confidence > 0.5 {
			t.Errorf("no-baseline spike confidence %v", s.Confidence)
		}
	})
	t.Run("subaccount with no traffic", func(t *testing.T) {
		w := newWorld(mainSID, subSID)
		w.steady(0, "US", 5, w.ds.BaselineSince, w.ds.Until, "x")
		r := Run(w.ds, Options{})
		// Nothing in the window is nothing to judge, never clean; the run
		// as a whole stays clean on the account that had traffic.
		if len(r.Accounts) != 2 || r.Accounts[1].Verdict != atoguard.VerdictIncomplete || r.Accounts[1].Note == "" || r.Accounts[1].Messages != 0 {
			t.Fatalf("%+v", r.Accounts)
		}
		if r.Verdict != atoguard.VerdictClean || !strings.Contains(strings.Join(r.Reasons, " "), subSID) {
			t.Fatalf("verdict %s %v", r.Verdict, r.Reasons)
		}
	})
	t.Run("malformed numbers, non-UTF-8 and huge bodies", func(t *testing.T) {
		w := newWorld()
		bad := []string{"", "+", "+1", "abc", "+999999999999999999999", "whatsapp:+", "12345", "+44 (0) 20-7946 0958", "\xff\xfe", "+1415555010\x00"}
		huge := strings.Repeat("pay at http://x"+strings.Repeat("y", 100)+".com/ \xff\xfe ", 1500)
		for i, to := range bad {
			w.msg(0, to, testNow.Add(-time.Duration(i+1)*time.Hour), huge, "failed", 0)
		}
		r := Run(w.ds, Options{})
		for _, s := range r.Signals {
			for _, ex := range s.Evidence.Examples {
				if len(ex) > 400 {
					t.Errorf("example too long: %d", len(ex))
				}
			}
		}
	})
	t.Run("window before baseline start", func(t *testing.T) {
		w := newWorld()
		w.ds.BaselineSince = w.ds.Until.Add(time.Hour)
		w.steady(0, "US", 5, w.ds.Since, w.ds.Until, "x")
		_ = Run(w.ds, Options{})
	})
}

func TestDSTDoesNotLookLikeASpike(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// Window straddles the end of US DST (2026-11-01): traffic follows local
	// business hours, so its UTC hours shift by one.
	until := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	w := newWorld()
	w.ds.Until, w.ds.Since, w.ds.BaselineSince = until, until.AddDate(0, 0, -7), until.AddDate(0, 0, -37)
	a := w.acct(0)
	for tt := w.ds.BaselineSince; tt.Before(until); tt = tt.Add(time.Hour) {
		local := tt.In(ny)
		n := 0
		if wd := local.Weekday(); local.Hour() >= 9 && local.Hour() < 17 && wd != time.Saturday && wd != time.Sunday {
			n = 60
		}
		for k := range n {
			at := tt.Add(time.Duration(k) * 59 * time.Second)
			a.Messages = append(a.Messages, atoguard.Message{SID: w.sid("SM"), To: w.number("US"), Direction: "outbound-api", Status: "delivered", DateSent: at, Price: 0.0079})
		}
	}
	if r := Run(w.ds, Options{Location: ny}); len(r.Signals) != 0 {
		t.Fatalf("local-time model: %v %s", ids(r.Signals), r.Signals[0].Summary)
	}
	r := Run(w.ds, Options{Location: time.UTC})
	t.Logf("UTC model on local-time traffic: %v", ids(r.Signals))
}

func TestConfigDiffAgainstSnapshot(t *testing.T) {
	w := newWorld(mainSID, subSID)
	for i := range w.ds.Accounts {
		a := w.acct(i)
		known := *a.Config
		known.PhoneNumbers = []atoguard.PhoneNumber{{SID: a.Config.PhoneNumbers[0].SID, PhoneNumber: "+14155550100",
			Webhooks: atoguard.Webhooks{"sms_url": "https://hooks.example.com/sms", "voice_url": "https://hooks.example.com/voice"}}}
		known.UsageTriggers = []atoguard.UsageTrigger{{SID: "UT1", UsageCategory: "totalprice", TriggerBy: "price", TriggerValue: 50, Recurring: "daily"}}
		known.VoicePermissions = []atoguard.VoicePermission{{ISOCode: "CU"}}
		known.SMSPermissions = []atoguard.SMSPermission{{CountryCode: "NG"}}
		a.Known = &known
	}
	cur := w.acct(1).Config
	cur.PhoneNumbers[0].Webhooks = atoguard.Webhooks{"sms_url": "http://evil.trycloudflare.com/x", "voice_url": "https://hooks.example.com/voice"}
	cur.APIKeys = []atoguard.APIKey{{SID: "SK1", FriendlyName: "backup"}}
	cur.CallerIDs = []atoguard.CallerID{{SID: "PN9", PhoneNumber: "+5355551234"}}
	cur.VoicePermissions = []atoguard.VoicePermission{{ISOCode: "CU", HighRiskTollFraud: true}}
	cur.SMSPermissions = []atoguard.SMSPermission{{CountryCode: "NG", Enabled: true}}
	w.acct(0).Config.UsageTriggers = w.acct(0).Known.UsageTriggers // main unchanged
	r := Run(w.ds, Options{})
	var subIDs []string
	for _, s := range r.Signals {
		if s.AccountSID == subSID {
			subIDs = append(subIDs, s.ID)
		} else {
			t.Errorf("main account signal %s: %s", s.ID, s.Summary)
		}
	}
	want := []string{atoguard.IDConfigWebhookChanged, atoguard.IDConfigAPIKeyCreated, atoguard.IDConfigCallerIDAdded, atoguard.IDConfigTriggerDeleted, atoguard.IDConfigGeoWidened}
	for _, id := range want {
		if find(r.Signals, id) == nil {
			t.Errorf("missing %s in %v", id, subIDs)
		}
	}
	if s := find(r.Signals, atoguard.IDConfigWebhookChanged); s.Severity != atoguard.SeverityHigh {
		t.Errorf("webhook diff severity %s", s.Severity)
	}
}
