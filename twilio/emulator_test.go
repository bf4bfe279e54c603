package twilio_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/oaitest"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// Fabricated credentials of the hand-built world.
const (
	emuMain    = "AC10000000000000000000000000000001"
	emuSub     = "AC10000000000000000000000000000002"
	emuMainTok = "a123456789abcdef0123456789abcdef"
	emuSubTok  = "b123456789abcdef0123456789abcdef"
	emuKey     = "SK10000000000000000000000000000001"
	emuKeySec  = "keysecretkeysecretkeysecretkey01"
)

var emuNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// emuWorld is a main account with a subaccount, a key, configuration and n
// messages one minute apart ending at emuNow.
func emuWorld(n int) *scenario.World {
	acc := func(sid, owner, name, tok string) scenario.Account {
		return scenario.Account{Account: atoguard.Account{SID: sid, OwnerSID: owner, FriendlyName: name,
			Status: "active", Type: "Full", DateCreated: emuNow.AddDate(-1, 0, 0)}, AuthToken: tok}
	}
	main := acc(emuMain, emuMain, "Acme", emuMainTok)
	main.Users = []scenario.User{{SID: "US10000000000000000000000000000001", Email: "ops@example.com", Name: "Ops"}}
	main.Keys = []scenario.Key{{SID: emuKey, FriendlyName: "ci", Secret: emuKeySec, Type: "standard", DateCreated: emuNow.AddDate(0, -2, 0)}}
	main.PhoneNumbers = []atoguard.PhoneNumber{{SID: "PN10000000000000000000000000000001", PhoneNumber: "+15005550006", FriendlyName: "main",
		Webhooks: atoguard.Webhooks{"sms_url": "https://acme.example/sms", "voice_url": "https://acme.example/voice"}}}
	main.Applications = []atoguard.Application{{SID: "AP10000000000000000000000000000001", FriendlyName: "ivr",
		Webhooks: atoguard.Webhooks{"voice_url": "https://acme.example/ivr"}}}
	main.MessagingServices = []atoguard.MessagingService{{SID: "MG10000000000000000000000000000001", FriendlyName: "notify",
		Webhooks: atoguard.Webhooks{"inbound_request_url": "https://acme.example/in"}}}
	main.CallerIDs = []atoguard.CallerID{{SID: "PN10000000000000000000000000000002", PhoneNumber: "+14155550100", FriendlyName: "office"}}
	main.UsageTriggers = []atoguard.UsageTrigger{{SID: "UT10000000000000000000000000000001", FriendlyName: "cap", UsageCategory: "totalprice",
		TriggerBy: "price", TriggerValue: 50, Recurring: "daily", CallbackURL: "https://acme.example/cap"}}
	main.SMSPermissions = []atoguard.SMSPermission{{CountryCode: "GB", Enabled: true}, {CountryCode: "NG", Enabled: false, HighRisk: true}}
	main.VoicePermissions = []atoguard.VoicePermission{{ISOCode: "GB", Name: "United Kingdom", LowRiskEnabled: true}}
	main.Calls = []atoguard.Call{{SID: "CA10000000000000000000000000000001", From: "+15005550006", To: "+14155550101", Direction: "outbound-api",
		Status: "completed", StartTime: emuNow.Add(-48 * time.Hour), EndTime: emuNow.Add(-48*time.Hour + 90*time.Second), Duration: 90, Price: 0.028, PriceUnit: "USD"}}
	main.Events = []atoguard.Event{{SID: "AE10000000000000000000000000000001", ActorSID: "US10000000000000000000000000000001", ActorType: "user",
		Source: "web", SourceIP: "198.51.100.7", EventType: "user-session.created", EventDate: emuNow.Add(-72 * time.Hour),
		ResourceSID: "US10000000000000000000000000000001", ResourceType: "user"}}
	for i := range n {
		d := emuNow.Add(-time.Duration(i) * time.Minute)
		main.Messages = append(main.Messages, atoguard.Message{SID: fmt.Sprintf("SM%032x", i+1), From: "+15005550006",
			To: fmt.Sprintf("+4477009%05d", i%100000), Body: fmt.Sprintf("Your code is %06d", i), Direction: "outbound-api",
			Status: "delivered", NumSegments: 1, Price: 0.04, PriceUnit: "USD", DateCreated: d, DateSent: d})
	}
	sub := acc(emuSub, emuMain, "Acme EU", emuSubTok)
	return &scenario.World{Name: "client-test", Seed: 1, Now: emuNow, Accounts: []scenario.Account{main, sub}}
}

type emuHarness struct {
	emu    *emulator.Emulator
	srv    *httptest.Server
	c      *twilio.Client
	tr     *oaitest.Transport
	sleeps atomic.Int64
}

// newEmu serves world from an emulator over real HTTP; validate wraps the
// client's transport in the spec validator.
func newEmu(t *testing.T, world *scenario.World, validate bool, mod func(*twilio.Options)) *emuHarness {
	t.Helper()
	emu, err := emulator.New(emulator.Options{World: world, Seed: 7, Clock: emulator.NewFrozenClock(emuNow)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	h := &emuHarness{emu: emu, srv: srv}
	var rt http.RoundTripper = srv.Client().Transport
	if validate {
		h.tr = &oaitest.Transport{Router: twilio.SpecRouter(t), Base: rt, T: t, SkipInjected: true}
		rt = h.tr
	}
	opts := twilio.Options{
		BaseURL:    srv.URL,
		Credential: atoguard.Credential{AccountSID: emuMain, Secret: atoguard.NewSecret(emuMainTok)},
		HTTPClient: &http.Client{Transport: rt},
		RPS:        -1,
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.sleeps.Add(1)
			return ctx.Err()
		},
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := twilio.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	return h
}

func listSIDs(t *testing.T, c *twilio.Client, ctx context.Context) ([]string, error) {
	t.Helper()
	var sids []string
	for m, err := range c.ListMessages(ctx, emuMain, twilio.MessageFilter{}) {
		if err != nil {
			return sids, err
		}
		sids = append(sids, m.SID)
	}
	return sids, nil
}

func TestEmulatorPagingTenThousand(t *testing.T) {
	const n = 12345
	h := newEmu(t, emuWorld(n), false, nil)
	sids, err := listSIDs(t, h.c, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sids) != n {
		t.Fatalf("listed %d messages, want %d", len(sids), n)
	}
	seen := make(map[string]bool, n)
	for i, s := range sids {
		if seen[s] {
			t.Fatalf("duplicate %s at %d", s, i)
		}
		seen[s] = true
	}
	if sids[0] != fmt.Sprintf("SM%032x", 1) || sids[n-1] != fmt.Sprintf("SM%032x", n) {
		t.Errorf("order: first %s last %s, want newest first", sids[0], sids[n-1])
	}
	// A date window is honoured across pages.
	after, before := emuNow.Add(-5000*time.Minute), emuNow.Add(-2000*time.Minute)
	msgs, err := atoguard.Collect(h.c.ListMessages(context.Background(), emuMain, twilio.MessageFilter{SentAfter: after, SentBefore: before}))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3000 {
		t.Errorf("window [−5000m, −2000m) has %d messages, want 3000", len(msgs))
	}
}

func TestEmulatorCancelMidPage(t *testing.T) {
	h := newEmu(t, emuWorld(5000), false, func(o *twilio.Options) { o.PageSize = 100 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	var canceledAt time.Time
	for _, err := range h.c.ListMessages(ctx, emuMain, twilio.MessageFilter{}) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 250 {
			// From now on every page takes 30 s: the client must give up at
			// once when the context ends, not wait for the page.
			if err := h.emu.SetFaults([]emulator.FaultRule{{Product: "api", Kind: emulator.FaultLatency, Probability: 1, Latency: emulator.Duration(30 * time.Second)}}); err != nil {
				t.Fatal(err)
			}
			go func() { time.Sleep(50 * time.Millisecond); canceledAt = time.Now(); cancel() }()
		}
	}
	if !errors.Is(last, context.Canceled) || atoguard.CodeOf(last) != atoguard.ECANCELED {
		t.Fatalf("after %d messages: %v, want canceled", n, last)
	}
	if n >= 5000 || n < 250 {
		t.Errorf("read %d messages", n)
	}
	if d := time.Since(canceledAt); d > 5*time.Second {
		t.Errorf("took %v to stop after cancel", d)
	}
	_ = h.emu.SetFaults(nil)
}

// workload reads and writes through the client and returns what it saw, so
// a run under faults can be compared with a clean one.
func workload(t *testing.T, c *twilio.Client) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	sids, err := listSIDs(t, c, ctx)
	must("messages", err)
	out["messages"] = sids
	acct, err := c.FetchAccount(ctx, emuMain)
	must("account", err)
	out["account"] = acct.SID + acct.Status
	accts, err := atoguard.Collect(c.ListAccounts(ctx, twilio.AccountFilter{}))
	must("accounts", err)
	out["accounts"] = len(accts)
	keys, err := atoguard.Collect(c.ListKeys(ctx, emuMain))
	must("keys", err)
	out["keys"] = len(keys)
	calls, err := atoguard.Collect(c.ListCalls(ctx, emuMain, twilio.CallFilter{}))
	must("calls", err)
	out["calls"] = len(calls)
	pns, err := atoguard.Collect(c.ListIncomingPhoneNumbers(ctx, emuMain))
	must("numbers", err)
	out["numbers"] = pns[0].Webhooks["sms_url"]
	_, err = c.UpdateIncomingPhoneNumber(ctx, emuMain, pns[0].SID, atoguard.Webhooks{"sms_url": "https://acme.example/sms2"})
	must("update number", err)
	_, err = c.UpdateAccountStatus(ctx, emuSub, "suspended")
	must("suspend", err)
	sub, err := c.FetchAccount(ctx, emuSub)
	must("sub", err)
	out["sub"] = sub.Status
	must("delete trigger", c.DeleteUsageTrigger(ctx, emuMain, "UT10000000000000000000000000000001"))
	trs, err := atoguard.Collect(c.ListUsageTriggers(ctx, emuMain))
	must("triggers", err)
	out["triggers"] = len(trs)
	evs, err := atoguard.Collect(c.ListEvents(ctx, twilio.EventFilter{}))
	must("events", err)
	types := []string{}
	for _, e := range evs {
		types = append(types, e.EventType)
	}
	out["events"] = types
	return out
}

func TestEmulatorRetriesUnderFaults(t *testing.T) {
	small := func(o *twilio.Options) { o.PageSize = 100; o.MaxRetries = 12 }
	clean := workload(t, newEmu(t, emuWorld(1000), false, small).c)

	h := newEmu(t, emuWorld(1000), true, small)
	// 30% of requests fail: throttled, server errors, dropped and cut-short
	// replies (the last two only on reads, which are safe to repeat).
	rules := []emulator.FaultRule{
		{Kind: emulator.FaultStatus, Status: 429, Probability: 0.10, RetryAfter: emulator.Duration(time.Second)},
		{Kind: emulator.FaultStatus, Status: 500, Probability: 0.05},
		{Kind: emulator.FaultStatus, Status: 503, Probability: 0.05},
		{Kind: emulator.FaultReset, Method: "GET", Probability: 0.05},
		{Kind: emulator.FaultTruncate, Method: "GET", Probability: 0.05},
	}
	if err := h.emu.SetFaults(rules); err != nil {
		t.Fatal(err)
	}
	faulty := workload(t, h.c)
	if fmt.Sprint(faulty) != fmt.Sprint(clean) {
		t.Errorf("results differ under faults:\nclean  %.400v\nfaulty %.400v", clean, faulty)
	}
	if h.sleeps.Load() < 3 {
		t.Errorf("only %d retries: were faults injected?", h.sleeps.Load())
	}
	t.Logf("%d retries", h.sleeps.Load())
}

// A create whose reply is cut short may have been applied: the client must
// not send it again (that would send a second message), while a 429 — never
// processed — is retried and applies exactly once.
func TestEmulatorNoRetryOfAppliedCreate(t *testing.T) {
	h := newEmu(t, emuWorld(0), false, nil)
	ctx := context.Background()
	var posts atomic.Int64
	base := h.srv.Config.Handler
	h.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			posts.Add(1)
		}
		base.ServeHTTP(w, r)
	})
	count := func(body string) int {
		n := 0
		for m, err := range h.c.ListMessages(ctx, emuMain, twilio.MessageFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Body == body {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name      string
		rule      emulator.FaultRule
		wantErr   bool
		wantPosts int64
	}{
		{"truncated reply", emulator.FaultRule{Kind: emulator.FaultTruncate, Method: "POST", Probability: 1, Limit: 1}, true, 1},
		{"reset after serving", emulator.FaultRule{Kind: emulator.FaultStatus, Status: 500, Method: "POST", Probability: 1, Limit: 1}, true, 1},
		{"throttled", emulator.FaultRule{Kind: emulator.FaultStatus, Status: 429, Method: "POST", Probability: 1, Limit: 2}, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.emu.SetFaults([]emulator.FaultRule{tc.rule}); err != nil {
				t.Fatal(err)
			}
			posts.Store(0)
			body := "drill " + tc.name
			_, err := h.c.CreateMessage(ctx, emuMain, "+15005550006", "+14155550123", body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if got := posts.Load(); got != tc.wantPosts {
				t.Errorf("%d POSTs, want %d", got, tc.wantPosts)
			}
			_ = h.emu.SetFaults(nil)
			want := 1
			if tc.rule.Kind == emulator.FaultStatus && tc.rule.Status == 500 {
				want = 0 // the emulator's 500 answers without serving
			}
			if got := count(body); got != want {
				t.Errorf("%d messages with the body, want %d", got, want)
			}
		})
	}
}

// TestEmulatorEndToEnd drives every client method against the emulator with
// every request and response validated against the specs, and checks the
// semantics the rest of atoguard relies on.
func TestEmulatorEndToEnd(t *testing.T) {
	h := newEmu(t, emuWorld(20), true, nil)
	c := h.c
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Accounts and the parent reading a subaccount's token.
	subTok, err := c.SubaccountAuthToken(ctx, emuSub)
	must("subaccount token", err)
	if subTok.Reveal() != emuSubTok {
		t.Errorf("subaccount token mismatch")
	}
	sub := c.As(atoguard.Credential{AccountSID: emuSub, Secret: subTok})
	if _, err := sub.FetchAccount(ctx, emuMain); !twilio.IsUnauthorized(err) && !twilio.IsNotFound(err) {
		t.Errorf("subaccount reached its parent: %v", err)
	}
	created, err := c.CreateSubaccount(ctx, "sandbox")
	must("create subaccount", err)
	if !created.IsSubaccount() {
		t.Errorf("created %+v", created)
	}
	active, err := atoguard.Collect(c.ListAccounts(ctx, twilio.AccountFilter{Status: "active"}))
	must("list accounts", err)
	if len(active) < 3 {
		t.Errorf("%d active accounts", len(active))
	}

	// Keys: list (both APIs), a new key works, deleting it revokes it at once.
	keys, err := atoguard.Collect(c.ListKeys(ctx, emuMain))
	must("keys", err)
	ikeys, err := atoguard.Collect(c.ListIAMKeys(ctx, emuMain))
	must("iam keys", err)
	if len(keys) == 0 || len(ikeys) == 0 {
		t.Errorf("keys %d / %d", len(keys), len(ikeys))
	}
	ksid, ksec, err := c.CreateKey(ctx, emuMain, "drill")
	must("create key", err)
	asKey := c.As(atoguard.Credential{AccountSID: emuMain, KeySID: ksid, Secret: ksec})
	_, err = atoguard.Collect(asKey.ListCalls(ctx, emuMain, twilio.CallFilter{}))
	must("use new key", err)
	must("delete key", c.DeleteKey(ctx, emuMain, ksid))
	if _, err := atoguard.Collect(asKey.ListCalls(ctx, emuMain, twilio.CallFilter{})); !twilio.IsUnauthorized(err) {
		t.Errorf("deleted key still works: %v", err)
	}
	if err := c.DeleteIAMKey(ctx, emuKey); err != nil {
		t.Errorf("delete iam key: %v", err)
	}

	// Traffic, usage, triggers.
	m, err := c.CreateMessage(ctx, emuMain, "+15005550006", "+14155550123", "drill")
	must("send", err)
	if m.SID == "" {
		t.Error("no SID")
	}
	msgs, err := atoguard.Collect(c.ListMessages(ctx, emuMain, twilio.MessageFilter{To: "+14155550123"}))
	must("messages", err)
	if len(msgs) != 1 {
		t.Errorf("%d messages to the drill number", len(msgs))
	}
	calls, err := atoguard.Collect(c.ListCalls(ctx, emuMain, twilio.CallFilter{Status: "completed"}))
	must("calls", err)
	if len(calls) != 1 || calls[0].Duration != 90 || calls[0].Price <= 0 {
		t.Errorf("calls %+v", calls)
	}
	_, err = atoguard.Collect(c.ListUsageRecords(ctx, emuMain, twilio.UsageFilter{Period: "Daily", Category: "sms", Start: emuNow.AddDate(0, 0, -7), End: emuNow}))
	must("usage", err)
	tr, err := c.CreateUsageTrigger(ctx, emuMain, atoguard.UsageTrigger{UsageCategory: "totalprice", TriggerBy: "price", TriggerValue: 25,
		Recurring: "daily", CallbackURL: "https://acme.example/cap2", FriendlyName: "atoguard cap"})
	must("create trigger", err)
	trs, err := atoguard.Collect(c.ListUsageTriggers(ctx, emuMain))
	must("triggers", err)
	if len(trs) != 2 {
		t.Errorf("%d triggers", len(trs))
	}
	must("delete trigger", c.DeleteUsageTrigger(ctx, emuMain, tr.SID))

	// Configuration.
	pns, err := atoguard.Collect(c.ListIncomingPhoneNumbers(ctx, emuMain))
	must("numbers", err)
	pn, err := c.UpdateIncomingPhoneNumber(ctx, emuMain, pns[0].SID, atoguard.Webhooks{"sms_url": "https://acme.example/restored", "voice_url": ""})
	must("update number", err)
	if pn.Webhooks["sms_url"] != "https://acme.example/restored" || pn.Webhooks["voice_url"] != "" {
		t.Errorf("number after update %v", pn.Webhooks)
	}
	apps, err := atoguard.Collect(c.ListApplications(ctx, emuMain))
	must("apps", err)
	_, err = c.UpdateApplication(ctx, emuMain, apps[0].SID, atoguard.Webhooks{"voice_url": "https://acme.example/ivr2"})
	must("update app", err)
	svcs, err := atoguard.Collect(c.ListMessagingServices(ctx))
	must("services", err)
	_, err = c.UpdateMessagingService(ctx, svcs[0].SID, atoguard.Webhooks{"inbound_request_url": "https://acme.example/in2"})
	must("update service", err)
	ids, err := atoguard.Collect(c.ListCallerIDs(ctx, emuMain))
	must("caller ids", err)
	must("delete caller id", c.DeleteCallerID(ctx, emuMain, ids[0].SID))

	// Geo permissions.
	vc, err := atoguard.Collect(c.ListVoiceCountries(ctx))
	must("voice countries", err)
	if len(vc) == 0 {
		t.Error("no voice countries")
	}
	n, err := c.BulkUpdateVoiceCountries(ctx, []atoguard.VoicePermission{{ISOCode: "GB"}, {ISOCode: "FR"}})
	must("bulk voice", err)
	if n != 2 {
		t.Errorf("update_count %d", n)
	}
	_, err = atoguard.Collect(c.ListHighRiskSpecialPrefixes(ctx, "GB"))
	must("prefixes", err)
	must("inheritance", sub.SetVoiceInheritance(ctx, true))
	vs, err := sub.GetVoiceSettings(ctx)
	must("voice settings", err)
	if !vs.Inheritance {
		t.Error("inheritance not set")
	}
	sms, err := c.ListSMSPermissions(ctx)
	must("sms permissions", err)
	if len(sms) == 0 {
		t.Error("no sms permissions")
	}
	res, err := c.UpdateSMSPermissions(ctx, []atoguard.SMSPermission{{CountryCode: "GB", Enabled: false}, {CountryCode: "NG", Enabled: true}})
	must("update sms", err)
	for _, r := range res {
		if r.CountryCode == "NG" && r.ErrorCode != twilio.CodeGeoHighRisk {
			t.Errorf("high-risk NG updated: %+v", r)
		}
		if r.CountryCode == "GB" && (!r.OK() || r.Enabled) {
			t.Errorf("GB not disabled: %+v", r)
		}
	}

	// Event Streams: the test event reaches our sink, which validates it.
	testIDs := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Type string `json:"type"`
			Data struct {
				TestID string `json:"test_id"`
			} `json:"data"`
		}
		if json.NewDecoder(r.Body).Decode(&ev) == nil && ev.Type == "com.twilio.eventstreams.test-event" {
			select {
			case testIDs <- ev.Data.TestID:
			default:
			}
		}
	}))
	defer hook.Close()
	sink, err := c.CreateEventSink(ctx, "atoguard", hook.URL+"/twilio")
	must("create sink", err)
	if sink.Destination != hook.URL+"/twilio" || sink.SID == "" {
		t.Errorf("sink %+v", sink)
	}
	if _, err := c.CreateSubscription(ctx, "atoguard", sink.SID, []string{"com.twilio.messaging.message.sent"}); err == nil {
		t.Error("subscription accepted on a sink not yet validated")
	}
	must("test sink", c.TestEventSink(ctx, sink.SID))
	select {
	case id := <-testIDs:
		must("validate sink", c.ValidateEventSink(ctx, sink.SID, id))
	case <-time.After(5 * time.Second):
		t.Fatal("no test event delivered")
	}
	sinks, err := atoguard.Collect(c.ListEventSinks(ctx))
	must("sinks", err)
	if len(sinks) != 1 || sinks[0].Status != "active" {
		t.Errorf("sinks %+v", sinks)
	}
	s, err := c.CreateSubscription(ctx, "atoguard", sink.SID, []string{"com.twilio.messaging.message.sent"})
	must("create subscription", err)
	subs, err := atoguard.Collect(c.ListSubscriptions(ctx))
	must("subscriptions", err)
	if len(subs) != 1 || subs[0].SinkSID != sink.SID {
		t.Errorf("subscriptions %+v", subs)
	}
	must("delete subscription", c.DeleteSubscription(ctx, s.SID))
	must("delete sink", c.DeleteEventSink(ctx, sink.SID))

	// Token rotation: secondary → promote as the new token → old token dead.
	sec, err := c.CreateSecondaryAuthToken(ctx)
	must("secondary", err)
	rotated := c.As(atoguard.Credential{AccountSID: emuMain, Secret: sec})
	_, err = rotated.FetchAccount(ctx, emuMain)
	must("secondary works", err)
	must("promote", rotated.PromoteSecondaryAuthToken(ctx))
	if _, err := c.FetchAccount(ctx, emuMain); !twilio.IsUnauthorized(err) || twilio.CodeOf(err) != twilio.CodeAuthenticate {
		t.Errorf("old token after promote: %v", err)
	}
	if err := rotated.PromoteSecondaryAuthToken(ctx); !twilio.IsNotFound(err) {
		t.Errorf("promote without secondary: %v", err)
	}
	if err := rotated.DeleteSecondaryAuthToken(ctx); err != nil && !twilio.IsNotFound(err) {
		t.Errorf("delete secondary: %v", err)
	}

	// Monitor events record what was done, one filter at a time.
	evs, err := atoguard.Collect(rotated.ListEvents(ctx, twilio.EventFilter{EventType: "account-auth-token.promoted"}))
	must("events", err)
	if len(evs) != 1 {
		t.Errorf("%d promotion events", len(evs))
	}
	all, err := atoguard.Collect(rotated.ListEvents(ctx, twilio.EventFilter{Start: emuNow.Add(-time.Hour)}))
	must("all events", err)
	if len(all) < 5 {
		t.Errorf("only %d events for the changes made", len(all))
	}

	seen := h.tr.Seen()
	if len(seen) < 40 {
		t.Errorf("validated only %d distinct operations", len(seen))
	}
	t.Logf("%d distinct operations validated", len(seen))
}
