package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

func TestSubaccountLifecycle(t *testing.T) {
	te := newEnv(t, testWorld(1))
	r := te.do("POST", "/api/2010-04-01/Accounts.json", mainSID, mainTok, url.Values{"FriendlyName": {"new customer"}})
	if r.status != 201 || r.json["owner_account_sid"] != mainSID {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	sid, tok := r.json["sid"].(string), r.json["auth_token"].(string)
	// The subaccount's own token works; it cannot create subaccounts or suspend itself.
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+sid+".json", sid, tok, nil); r.status != 200 {
		t.Fatalf("new subaccount token: %d", r.status)
	}
	if r := te.do("POST", "/api/2010-04-01/Accounts.json", sid, tok, url.Values{}); r.status != 403 {
		t.Fatalf("subaccount creating a subaccount: %d", r.status)
	}
	if r := te.do("POST", "/api/2010-04-01/Accounts/"+sid+".json", sid, tok, url.Values{"Status": {"suspended"}}); r.status != 401 {
		t.Fatalf("subaccount suspending itself: %d", r.status)
	}
	// The parent lists it with its token; the main account cannot be suspended.
	r = te.do("GET", "/api/2010-04-01/Accounts.json", mainSID, mainTok, url.Values{"FriendlyName": {"new customer"}})
	if l := r.list("accounts"); len(l) != 1 || l[0].(map[string]any)["auth_token"] != tok {
		t.Fatalf("list by name: %s", r.body)
	}
	if r := te.do("POST", "/api/2010-04-01/Accounts/"+mainSID+".json", mainSID, mainTok, url.Values{"Status": {"suspended"}}); r.status != 400 {
		t.Fatalf("suspending the main account: %d", r.status)
	}
	// Closing is final and kills the credentials at once.
	if r := te.do("POST", "/api/2010-04-01/Accounts/"+sid+".json", mainSID, mainTok, url.Values{"Status": {"closed"}}); r.status != 200 {
		t.Fatalf("close: %d", r.status)
	}
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+sid+".json", sid, tok, nil); r.status != 401 {
		t.Fatalf("closed account's token: %d", r.status)
	}
	if r := te.do("POST", "/api/2010-04-01/Accounts/"+sid+".json", mainSID, mainTok, url.Values{"Status": {"active"}}); r.status != 400 || r.code() != 21479 {
		t.Fatalf("reopening: %d %s", r.status, r.body)
	}
	// A key of the main account reads the account but gets no token.
	r = te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+".json", mainKey, keySecret, nil)
	if r.status != 200 || r.json["auth_token"] != "" {
		t.Fatalf("main key fetch: %d auth_token %v", r.status, r.json["auth_token"])
	}
}

func TestUsageRecordsFromTraffic(t *testing.T) {
	te := newEnv(t, testWorld(100)) // 100 SMS at $0.0079 today; sub: 1 SMS at $0.04
	usage := "/api/2010-04-01/Accounts/" + mainSID + "/Usage/Records"
	get := func(path string, q url.Values) map[string]map[string]any {
		t.Helper()
		r := te.do("GET", path, mainSID, mainTok, q)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		out := map[string]map[string]any{}
		for _, rec := range r.list("usage_records") {
			m := rec.(map[string]any)
			out[m["category"].(string)+" "+m["start_date"].(string)] = m
		}
		return out
	}
	day := testNow.Format("2006-01-02")
	today := get(usage+"/Today.json", nil)
	if sms := today["sms "+day]; sms["count"] != "101" || sms["price"] != 0.83 {
		t.Fatalf("today sms with subaccounts: %v", sms)
	}
	only := get(usage+"/Today.json", url.Values{"IncludeSubaccounts": {"false"}})
	if sms := only["sms-outbound "+day]; sms["count"] != "100" || sms["price"] != 0.79 || sms["usage_unit"] != "messages" {
		t.Fatalf("today sms without subaccounts: %v", sms)
	}
	if calls := only["calls-outbound "+day]; calls["count"] != "1" || calls["usage"] != "0" { // the live call, no minutes yet
		t.Fatalf("today outbound calls: %v", calls)
	}
	daily := get(usage+"/Daily.json", url.Values{"StartDate": {"-2days"}, "EndDate": {day}, "Category": {"calls"}, "IncludeSubaccounts": {"false"}})
	if len(daily) != 3 {
		t.Fatalf("3 days of calls: %v", daily)
	}
	if c := daily["calls "+testNow.AddDate(0, 0, -2).Format("2006-01-02")]; c["count"] != "1" || c["usage"] != "2" {
		t.Fatalf("90 s call two days ago: %v", c)
	}
	if r := te.do("GET", usage+"/Daily.json", mainSID, mainTok, url.Values{"StartDate": {"2026-03-10"}, "EndDate": {"2026-03-01"}}); r.status != 400 {
		t.Fatalf("reversed range: %d", r.status)
	}
	// Triggers: "+N" is relative to the current value.
	r := te.do("POST", "/api/2010-04-01/Accounts/"+mainSID+"/Usage/Triggers.json", mainSID, mainTok, url.Values{
		"CallbackUrl": {"https://acme.example/t"}, "TriggerValue": {"+30"}, "UsageCategory": {"sms"}, "TriggerBy": {"count"}, "Recurring": {"daily"}})
	if r.status != 201 || r.json["trigger_value"] != "130" || r.json["current_value"] != "100" {
		t.Fatalf("relative trigger: %d %s", r.status, r.body)
	}
}

func TestConfigurationChangesRecordEvents(t *testing.T) {
	te := newEnv(t, testWorld(1))
	api := "/api/2010-04-01/Accounts/" + mainSID
	pn := api + "/IncomingPhoneNumbers/PN00000000000000000000000000000001.json"
	r := te.do("POST", pn, mainSID, mainTok, url.Values{"SmsUrl": {"https://evil.example/x"}}, "X-Forwarded-For", "203.0.113.66")
	if r.status != 200 || r.json["sms_url"] != "https://evil.example/x" || r.json["voice_url"] != "https://acme.example/voice" {
		t.Fatalf("update number: %d %s", r.status, r.body)
	}
	if r := te.do("POST", pn, mainSID, mainTok, url.Values{"SmsUrl": {"ftp://x"}}); r.status != 400 {
		t.Fatalf("bad URL accepted: %d", r.status)
	}
	evs := te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"EventType": {"phone-number.updated"}}).list("events")
	if len(evs) != 1 {
		t.Fatalf("phone-number.updated events: %v", evs)
	}
	ev := evs[0].(map[string]any)
	ch := ev["event_data"].(map[string]any)["sms_url"].(map[string]any)
	if ch["previous"] != "https://acme.example/sms" || ch["updated"] != "https://evil.example/x" || ev["source_ip_address"] != "203.0.113.66" {
		t.Fatalf("event: %v", ev)
	}
	// Moving the number to a subaccount.
	if r := te.do("POST", pn, mainSID, mainTok, url.Values{"AccountSid": {subSID}}); r.status != 200 || r.json["account_sid"] != subSID {
		t.Fatalf("move: %d %s", r.status, r.body)
	}
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+subSID+"/IncomingPhoneNumbers/PN00000000000000000000000000000001.json", subSID, subTok, nil); r.status != 200 {
		t.Fatalf("moved number under the subaccount: %d", r.status)
	}
	if r := te.do("POST", "/api/2010-04-01/Accounts/"+subSID+"/IncomingPhoneNumbers/PN00000000000000000000000000000001.json", mainSID, mainTok, url.Values{"AccountSid": {otherSID}}); r.status != 400 {
		t.Fatalf("moving a number to a stranger: %d", r.status)
	}

	// SMS geo: high-risk countries only in the Console.
	r = te.do("PATCH", "/accounts/v1/Messaging/GeoPermissions", mainSID, mainTok, url.Values{"Permissions": {
		`{"country_code":"NG","type":"country","enabled":true}`, `{"country_code":"FR","type":"country","enabled":true}`, `not json`}})
	res := r.list("permissions")
	if r.status != 200 || len(res) != 3 {
		t.Fatalf("geo patch: %d %s", r.status, r.body)
	}
	if ng := res[0].(map[string]any); ng["error_code"] != float64(30649) || ng["enabled"] != false {
		t.Errorf("NG: %v", ng)
	}
	if fr := res[1].(map[string]any); fr["error_code"] != float64(0) || fr["enabled"] != true {
		t.Errorf("FR: %v", fr)
	}
	if bad := res[2].(map[string]any); bad["error_code"] == float64(0) {
		t.Errorf("bad item accepted: %v", bad)
	}
	g := te.do("GET", "/accounts/v1/Messaging/GeoPermissions", mainSID, mainTok, url.Values{"CountryCode": {"FR,NG"}}).list("permissions")
	if len(g) != 2 || g[0].(map[string]any)["enabled"] != true || g[1].(map[string]any)["message"] != "High Risk Country" {
		t.Fatalf("geo get: %v", g)
	}

	// Voice bulk update with before/after per country.
	r = te.do("POST", "/voice/v1/DialingPermissions/BulkCountryUpdates", mainSID, mainTok, url.Values{"UpdateRequest": {
		`[{"iso_code":"UZ","low_risk_numbers_enabled":"true","high_risk_tollfraud_numbers_enabled":true}]`}})
	if r.status != 201 || r.json["update_count"] != float64(1) {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
	c := te.do("GET", "/voice/v1/DialingPermissions/Countries", mainSID, mainTok, url.Values{"LowRiskNumbersEnabled": {"true"}}).list("content")
	if len(c) != 3 { // US, CA by default, UZ now
		t.Fatalf("enabled countries: %v", c)
	}
	ev = te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"EventType": {"voice-geographic-permissions.updated"}}).list("events")[0].(map[string]any)
	uz := ev["event_data"].(map[string]any)["UZ"].(map[string]any)["high_risk_tollfraud_numbers_enabled"].(map[string]any)
	if uz["previous"] != false || uz["updated"] != true {
		t.Fatalf("voice event: %v", ev)
	}
	// Voice settings are per account: the subaccount sees its own.
	if r := te.do("GET", "/voice/v1/Settings", subSID, subTok, nil); r.json["dialing_permissions_inheritance"] != false {
		t.Fatalf("sub settings: %s", r.body)
	}
}

// TestConcurrentUse exercises the locking under -race: readers page while
// writers send messages and rotate tokens.
func TestConcurrentUse(t *testing.T) {
	te := newEnv(t, testWorld(300))
	te.e.Clock().Set(testNow.Add(time.Hour))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if g%2 == 0 {
					te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainKey, keySecret, url.Values{"PageSize": {"100"}, "Page": {"1"}})
					te.do("GET", "/monitor/v1/Events", mainKey, keySecret, nil)
				} else {
					te.do("POST", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainKey, keySecret,
						url.Values{"To": {"+1415555" + string(rune('0'+g)) + "00" + string(rune('0'+i))}, "From": {"+15005550006"}, "Body": {"x"}})
					te.do("POST", "/accounts/v1/AuthTokens/Secondary", mainKey, keySecret, url.Values{})
				}
			}
		}()
	}
	wg.Wait()
	r := te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainSID, mainTok, url.Values{"PageSize": {"1000"}})
	if n := len(r.list("messages")); n != 320 {
		t.Fatalf("%d messages, want 320", n)
	}
}

// TestStartAndBulkLoad: Start serves over a real listener; AppendMessages
// and sends with the clock set back keep lists in date order.
func TestStartAndBulkLoad(t *testing.T) {
	e, err := New(Options{World: testWorld(2), Clock: NewFrozenClock(testNow)})
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := e.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	te := &testEnv{t: t, e: e, srv: &httptest.Server{URL: base, Config: &http.Server{}}}
	// Older messages appended out of order.
	old := []atoguard.Message{
		{SID: "SM000000000000000000000000000000f2", To: "+1", From: "+2", Body: "b", Direction: "outbound-api", Status: "sent", DateSent: testNow.Add(-48 * time.Hour)},
		{SID: "SM000000000000000000000000000000f1", To: "+1", From: "+2", Body: "a", Direction: "outbound-api", Status: "sent", DateSent: testNow.Add(-72 * time.Hour)},
	}
	if err := e.AppendMessages(mainSID, old); err != nil {
		t.Fatal(err)
	}
	if err := e.AppendMessages(otherSID+"x", old); err == nil {
		t.Fatal("unknown account accepted")
	}
	e.Clock().Set(testNow.Add(-60 * time.Hour)) // a send between the two old messages
	r := te.do("POST", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainSID, mainTok,
		url.Values{"To": {"+14155550123"}, "MessagingServiceSid": {"MG00000000000000000000000000000001"}, "Body": {"svc"}})
	if r.status != 201 || r.json["from"] != "+15005550006" {
		t.Fatalf("send via service: %d %s", r.status, r.body)
	}
	r = te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainSID, mainTok, nil)
	var bodies []string
	for _, m := range r.list("messages") {
		bodies = append(bodies, m.(map[string]any)["body"].(string))
	}
	if got := strings.Join(bodies, ","); got != "Your code is 1,Your code is 0,b,svc,a" {
		t.Fatalf("order: %s", got)
	}
	if err := e.SetFaults([]FaultRule{{Kind: FaultStatus, Status: 418}}); err == nil {
		t.Fatal("invalid fault accepted")
	}
	stop()
	if _, err := http.Get(base + "/_emulator/state"); err == nil {
		t.Fatal("still serving after stop")
	}
}

// TestConcurrentDeletes: deletes change state and record events; under -race
// they must not share the state with each other.
func TestConcurrentDeletes(t *testing.T) {
	te := newEnv(t, testWorld(1))
	var sids []string
	for range 8 {
		r := te.do("POST", "/api/2010-04-01/Accounts/"+mainSID+"/Keys.json", mainSID, mainTok, url.Values{"FriendlyName": {"k"}})
		sids = append(sids, r.json["sid"].(string))
	}
	var wg sync.WaitGroup
	for _, sid := range sids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := te.do("DELETE", "/api/2010-04-01/Accounts/"+mainSID+"/Keys/"+sid+".json", mainSID, mainTok, nil); r.status != 204 {
				t.Errorf("delete %s: %d", sid, r.status)
			}
		}()
	}
	wg.Wait()
	r := te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"EventType": {"account-api-keys.deleted"}})
	if n := len(r.list("events")); n != 8 {
		t.Fatalf("%d delete events, want 8", n)
	}
}

func TestMessageEvidence(t *testing.T) {
	te := newEnv(t, testWorld(5))
	msg := "/api/2010-04-01/Accounts/" + mainSID + "/Messages/SM00000000000000000000000000000003.json"
	for _, tt := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"Body": {"rewritten"}}, 20001},
		{url.Values{"Status": {"canceled"}}, 30409},
		{url.Values{"Status": {"sent"}}, 20001},
	} {
		if r := te.do("POST", msg, mainSID, mainTok, tt.form); r.status != 400 || r.code() != tt.code {
			t.Errorf("%v: %d %s", tt.form, r.status, r.body)
		}
	}
	// The parent deletes a subaccount's message; the event lands on the subaccount.
	sub := "/api/2010-04-01/Accounts/" + subSID + "/Messages/SM10000000000000000000000000000001.json"
	if r := te.do("DELETE", sub, mainSID, mainTok, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r := te.do("GET", "/monitor/v1/Events", subSID, subTok, url.Values{"EventType": {"message.deleted"}})
	if evs := r.list("events"); len(evs) != 1 || evs[0].(map[string]any)["actor_sid"] != mainSID {
		t.Fatalf("message.deleted: %s", r.body)
	}
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+subSID+"/Messages.json", subSID, subTok, nil); len(r.list("messages")) != 0 {
		t.Fatalf("deleted message still listed: %s", r.body)
	}
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+"/Messages/odd.json", mainSID, mainTok, nil); r.status != 404 {
		t.Fatalf("odd SID: %d", r.status)
	}
}
