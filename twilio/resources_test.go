package twilio

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/atoguard/atoguard"
)

// recorder wraps a handler and keeps the requests it served.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, query, user string
	form                      map[string][]string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_ = req.ParseForm()
	user, _, _ := req.BasicAuth()
	rec := recorded{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, user: user, form: req.PostForm}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func (r *recorder) last() recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		return recorded{}
	}
	return r.reqs[len(r.reqs)-1]
}

// exampleHarness serves the specs' own example replies.
func exampleHarness(t *testing.T) (*harness, *recorder) {
	rec := &recorder{next: specs.Load(t).ExampleHandler()}
	return newHarness(t, rec, nil), rec
}

// TestResourcesAgainstSpecExamples calls every client method against a
// server that answers with the specs' examples: requests and responses are
// validated by the transport; decoded values are checked here.
func TestResourcesAgainstSpecExamples(t *testing.T) {
	h, rec := exampleHarness(t)
	c := h.c
	ctx := context.Background()

	t.Run("accounts", func(t *testing.T) {
		a, err := c.FetchAccount(ctx, testAccount)
		if err != nil {
			t.Fatal(err)
		}
		if a.SID == "" || a.Status == "" || a.DateCreated.IsZero() {
			t.Errorf("FetchAccount decoded %+v", a)
		}
		if got := rec.last(); got.path != "/api/2010-04-01/Accounts/"+testAccount+".json" || got.user != testAccount {
			t.Errorf("request %+v", got)
		}
		tok, err := c.SubaccountAuthToken(ctx, subAccount)
		if err != nil {
			t.Fatal(err)
		}
		if tok.IsZero() || tok.String() != atoguard.Redacted {
			t.Errorf("token not a usable redacting secret")
		}
		accts, err := atoguard.Collect(c.ListAccounts(ctx, AccountFilter{Status: "active", FriendlyName: "x"}))
		if err != nil || len(accts) == 0 {
			t.Fatalf("ListAccounts: %v %v", accts, err)
		}
		if q := rec.last().query; !strings.Contains(q, "Status=active") || !strings.Contains(q, "FriendlyName=x") || !strings.Contains(q, "PageSize=1000") {
			t.Errorf("ListAccounts query %q", q)
		}
		if _, err := c.CreateSubaccount(ctx, "incident sandbox"); err != nil {
			t.Fatal(err)
		}
		if got := rec.last(); got.method != "POST" || got.form["FriendlyName"][0] != "incident sandbox" {
			t.Errorf("CreateSubaccount sent %+v", got)
		}
		if _, err := c.UpdateAccountStatus(ctx, subAccount, "suspended"); err != nil {
			t.Fatal(err)
		}
		if got := rec.last(); got.form["Status"][0] != "suspended" {
			t.Errorf("UpdateAccountStatus sent %+v", got)
		}
		if _, err := c.UpdateAccountStatus(ctx, subAccount, "frozen"); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("bad status: %v", err)
		}
	})

	t.Run("auth tokens", func(t *testing.T) {
		sec, err := c.CreateSecondaryAuthToken(ctx)
		if err != nil || sec.IsZero() {
			t.Fatalf("CreateSecondaryAuthToken: %v", err)
		}
		if err := c.DeleteSecondaryAuthToken(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.PromoteSecondaryAuthToken(ctx); err != nil {
			t.Fatal(err)
		}
		if got := rec.last(); got.path != "/accounts/v1/AuthTokens/Promote" || got.method != "POST" {
			t.Errorf("promote sent %+v", got)
		}
	})

	t.Run("keys", func(t *testing.T) {
		keys, err := atoguard.Collect(c.ListKeys(ctx, testAccount))
		if err != nil || len(keys) == 0 || keys[0].SID == "" {
			t.Fatalf("ListKeys: %v %v", keys, err)
		}
		ikeys, err := atoguard.Collect(c.ListIAMKeys(ctx, testAccount))
		if err != nil || len(ikeys) == 0 {
			t.Fatalf("ListIAMKeys: %v %v", ikeys, err)
		}
		if q := rec.last().query; !strings.Contains(q, "AccountSid="+testAccount) {
			t.Errorf("ListIAMKeys query %q", q)
		}
		if err := c.DeleteKey(ctx, testAccount, "SK0123456789abcdef0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteIAMKey(ctx, "SK0123456789abcdef0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
		sid, secret, err := c.CreateKey(ctx, testAccount, "drill")
		if err != nil || sid == "" || secret.IsZero() {
			t.Fatalf("CreateKey: %q %v", sid, err)
		}
		if err := c.DeleteKey(ctx, testAccount, "../x"); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("path-breaking SID accepted: %v", err)
		}
	})

	t.Run("messages and calls", func(t *testing.T) {
		msgs, err := atoguard.Collect(c.ListMessages(ctx, testAccount, MessageFilter{To: "+15558675310"}))
		if err != nil || len(msgs) == 0 {
			t.Fatalf("ListMessages: %v %v", msgs, err)
		}
		for _, m := range msgs {
			if m.Price < 0 {
				t.Errorf("price %v not made positive", m.Price)
			}
			if m.DateCreated.IsZero() {
				t.Errorf("date_created not decoded: %+v", m)
			}
		}
		m, err := c.CreateMessage(ctx, testAccount, "+15017122661", "+15558675310", "drill")
		if err != nil || m.SID == "" {
			t.Fatalf("CreateMessage: %+v %v", m, err)
		}
		calls, err := atoguard.Collect(c.ListCalls(ctx, testAccount, CallFilter{Status: "completed"}))
		if err != nil || len(calls) == 0 {
			t.Fatalf("ListCalls: %v %v", calls, err)
		}
		if calls[0].StartTime.IsZero() || calls[0].Duration == 0 {
			t.Errorf("call decoded %+v", calls[0])
		}
	})

	t.Run("usage", func(t *testing.T) {
		no := false
		recs, err := atoguard.Collect(c.ListUsageRecords(ctx, testAccount, UsageFilter{Period: "Daily", Category: "sms", IncludeSubaccounts: &no}))
		if err != nil || len(recs) == 0 {
			t.Fatalf("ListUsageRecords: %v %v", recs, err)
		}
		if q := rec.last().query; !strings.Contains(q, "IncludeSubaccounts=false") || !strings.Contains(q, "Category=sms") {
			t.Errorf("usage query %q", q)
		}
		if rec.last().path != "/api/2010-04-01/Accounts/"+testAccount+"/Usage/Records/Daily.json" {
			t.Errorf("usage path %q", rec.last().path)
		}
		if _, err := atoguard.Collect(c.ListUsageRecords(ctx, testAccount, UsageFilter{Period: "Hourly"})); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("bad period: %v", err)
		}
		trs, err := atoguard.Collect(c.ListUsageTriggers(ctx, testAccount))
		if err != nil || len(trs) == 0 {
			t.Fatalf("ListUsageTriggers: %v %v", trs, err)
		}
		tr, err := c.CreateUsageTrigger(ctx, testAccount, atoguard.UsageTrigger{UsageCategory: "totalprice", TriggerBy: "price",
			TriggerValue: 50, Recurring: "daily", CallbackURL: "https://example.com/hook", FriendlyName: "atoguard daily cap"})
		if err != nil || tr.SID == "" {
			t.Fatalf("CreateUsageTrigger: %+v %v", tr, err)
		}
		if f := rec.last().form; f["TriggerValue"][0] != "50" || f["Recurring"][0] != "daily" || f["TriggerBy"][0] != "price" {
			t.Errorf("trigger form %v", f)
		}
		if err := c.DeleteUsageTrigger(ctx, testAccount, "UT0123456789abcdef0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("monitor", func(t *testing.T) {
		evs, err := atoguard.Collect(c.ListEvents(ctx, EventFilter{EventType: "account-api-keys.created"}))
		if err != nil || len(evs) == 0 {
			t.Fatalf("ListEvents: %v %v", evs, err)
		}
		if evs[0].EventDate.IsZero() || evs[0].EventType == "" {
			t.Errorf("event decoded %+v", evs[0])
		}
		_, err = atoguard.Collect(c.ListEvents(ctx, EventFilter{EventType: "x", SourceIP: "1.2.3.4"}))
		if atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("two filters: %v, want EINVALID", err)
		}
	})

	t.Run("configuration", func(t *testing.T) {
		pns, err := atoguard.Collect(c.ListIncomingPhoneNumbers(ctx, testAccount))
		if err != nil || len(pns) == 0 {
			t.Fatalf("ListIncomingPhoneNumbers: %v %v", pns, err)
		}
		if _, ok := pns[0].Webhooks["voice_url"]; !ok {
			t.Errorf("webhooks lack voice_url: %v", pns[0].Webhooks)
		}
		pn, err := c.UpdateIncomingPhoneNumber(ctx, testAccount, "PN0123456789abcdef0123456789abcdef",
			atoguard.Webhooks{"voice_url": "https://example.com/voice", "sms_url": "", "voice_method": "", "sms_method": "POST"})
		if err != nil || pn.SID == "" {
			t.Fatalf("UpdateIncomingPhoneNumber: %v", err)
		}
		f := rec.last().form
		if f["VoiceUrl"][0] != "https://example.com/voice" || f["SmsMethod"][0] != "POST" {
			t.Errorf("update form %v", f)
		}
		if v, ok := f["SmsUrl"]; !ok || v[0] != "" {
			t.Errorf("empty sms_url must be sent to clear it: %v", f)
		}
		if _, ok := f["VoiceMethod"]; ok {
			t.Errorf("empty voice_method must not be sent: %v", f)
		}
		if _, err := c.UpdateIncomingPhoneNumber(ctx, testAccount, "PN0123456789abcdef0123456789abcdef", atoguard.Webhooks{"evil": "x"}); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("unknown field: %v", err)
		}
		apps, err := atoguard.Collect(c.ListApplications(ctx, testAccount))
		if err != nil || len(apps) == 0 {
			t.Fatalf("ListApplications: %v %v", apps, err)
		}
		if _, err := c.UpdateApplication(ctx, testAccount, "AP0123456789abcdef0123456789abcdef", atoguard.Webhooks{"sms_url": "https://example.com/sms"}); err != nil {
			t.Fatal(err)
		}
		svcs, err := atoguard.Collect(c.ListMessagingServices(ctx))
		if err != nil || len(svcs) == 0 {
			t.Fatalf("ListMessagingServices: %v %v", svcs, err)
		}
		if _, err := c.UpdateMessagingService(ctx, "MG0123456789abcdef0123456789abcdef", atoguard.Webhooks{"inbound_request_url": "https://example.com/in"}); err != nil {
			t.Fatal(err)
		}
		if f := rec.last().form; f["InboundRequestUrl"][0] != "https://example.com/in" {
			t.Errorf("service form %v", f)
		}
		ids, err := atoguard.Collect(c.ListCallerIDs(ctx, testAccount))
		if err != nil || len(ids) == 0 {
			t.Fatalf("ListCallerIDs: %v %v", ids, err)
		}
		if err := c.DeleteCallerID(ctx, testAccount, "PN0123456789abcdef0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("voice", func(t *testing.T) {
		cs, err := atoguard.Collect(c.ListVoiceCountries(ctx))
		if err != nil || len(cs) == 0 || cs[0].ISOCode == "" {
			t.Fatalf("ListVoiceCountries: %v %v", cs, err)
		}
		n, err := c.BulkUpdateVoiceCountries(ctx, []atoguard.VoicePermission{{ISOCode: "gb", LowRiskEnabled: true}})
		if err != nil || n == 0 {
			t.Fatalf("BulkUpdateVoiceCountries: %d %v", n, err)
		}
		want := `[{"iso_code":"GB","low_risk_numbers_enabled":"true","high_risk_special_numbers_enabled":"false","high_risk_tollfraud_numbers_enabled":"false"}]`
		if got := rec.last().form["UpdateRequest"][0]; got != want {
			t.Errorf("UpdateRequest %s, want %s", got, want)
		}
		if _, err := atoguard.Collect(c.ListHighRiskSpecialPrefixes(ctx, "..")); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("path-breaking ISO code: %v", err)
		}
		ps, err := atoguard.Collect(c.ListHighRiskSpecialPrefixes(ctx, "LV"))
		if err != nil || len(ps) == 0 || ps[0] == "" {
			t.Fatalf("ListHighRiskSpecialPrefixes: %v %v", ps, err)
		}
		if _, err := c.GetVoiceSettings(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.SetVoiceInheritance(ctx, false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("sms geo", func(t *testing.T) {
		ps, err := c.ListSMSPermissions(ctx)
		if err != nil || len(ps) == 0 {
			t.Fatalf("ListSMSPermissions: %v %v", ps, err)
		}
		res, err := c.UpdateSMSPermissions(ctx, []atoguard.SMSPermission{{CountryCode: "IN"}, {CountryCode: "PK", Enabled: true}})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.last().form["Permissions"]; len(got) != 2 || got[0] != `{"country_code":"IN","type":"country","enabled":false}` {
			t.Errorf("Permissions sent %q", got)
		}
		if rec.last().method != "PATCH" {
			t.Errorf("method %s", rec.last().method)
		}
		var failed []string
		for _, r := range res {
			if !r.OK() {
				failed = append(failed, r.CountryCode)
				if r.ErrorCode != CodeGeoHighRisk || len(r.ErrorMessages) == 0 {
					t.Errorf("per-item error not decoded: %+v", r)
				}
			}
		}
		if len(failed) != 1 || failed[0] != "PK" {
			t.Errorf("failed countries %v, want [PK]", failed)
		}
	})

	t.Run("event streams", func(t *testing.T) {
		s, err := c.CreateEventSink(ctx, "atoguard", "https://example.com/sink")
		if err != nil || s.SID == "" {
			t.Fatalf("CreateEventSink: %+v %v", s, err)
		}
		if f := rec.last().form; f["SinkType"][0] != "webhook" || !strings.Contains(f["SinkConfiguration"][0], `"destination":"https://example.com/sink"`) {
			t.Errorf("sink form %v", f)
		}
		sinks, err := atoguard.Collect(c.ListEventSinks(ctx))
		if err != nil || len(sinks) == 0 {
			t.Fatalf("ListEventSinks: %v %v", sinks, err)
		}
		if err := c.TestEventSink(ctx, s.SID); err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateEventSink(ctx, s.SID, "0123456789abcdef0123456789abcdef01"); err != nil {
			t.Fatal(err)
		}
		sub, err := c.CreateSubscription(ctx, "atoguard", s.SID, []string{"com.twilio.messaging.message.sent"})
		if err != nil || sub.SID == "" {
			t.Fatalf("CreateSubscription: %+v %v", sub, err)
		}
		if got := rec.last().form["Types"]; len(got) != 1 || got[0] != `{"schema_version":1,"type":"com.twilio.messaging.message.sent"}` {
			t.Errorf("Types %q", got)
		}
		subs, err := atoguard.Collect(c.ListSubscriptions(ctx))
		if err != nil || len(subs) == 0 {
			t.Fatalf("ListSubscriptions: %v %v", subs, err)
		}
		if err := c.DeleteSubscription(ctx, sub.SID); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteEventSink(ctx, s.SID); err != nil {
			t.Fatal(err)
		}
	})
}
