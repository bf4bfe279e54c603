package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/oaitest"
)

// conformClient sends requests to the emulator and validates each request
// and response against Twilio's OpenAPI specs, counting the operations seen.
type conformClient struct {
	t      *testing.T
	router *oaitest.Router
	base   string
	seen   map[string]int
}

// actorSID matches Monitor actor SIDs the emulator reports for API changes:
// the account (AC…) or key (SK…) that made them. Twilio's spec pattern says
// US… while its description (and real events) allow AC… too, and the
// emulator names the key for key-made changes, so only this
// field is normalised before validation.
var actorSID = regexp.MustCompile(`"actor_sid":"(AC|SK)([0-9a-f]{32})"`)

func (cc *conformClient) do(method, path, user, pass string, form url.Values) resp {
	cc.t.Helper()
	u := cc.base + path
	var body io.Reader
	if form != nil && (method == "POST" || method == "PATCH") {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		cc.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(user, pass)
	op, err := cc.router.CheckRequest(req)
	if err != nil {
		cc.t.Errorf("request: %v", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cc.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	check := actorSID.ReplaceAll(b, []byte(`"actor_sid":"US$2"`))
	if _, err := cc.router.CheckResponse(req, res.StatusCode, res.Header, check); err != nil {
		cc.t.Errorf("response: %v\n%.600s", err, b)
	}
	if res.StatusCode < 400 {
		cc.seen[op.String()]++
	}
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &r.json); err != nil {
			cc.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return r
}

func (cc *conformClient) ok(r resp, status int, what string) resp {
	cc.t.Helper()
	if r.status != status {
		cc.t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	return r
}

// TestConformance drives every emulated operation, validates requests and
// responses against the specs and fails when an operation was not exercised.
func TestConformance(t *testing.T) {
	router := oaitest.Load(t)
	e, err := New(Options{World: testWorld(120), Seed: 3, Clock: NewFrozenClock(testNow)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	cc := &conformClient{t: t, router: router, base: srv.URL, seen: map[string]int{}}
	tok := mainTok
	api := "/api/2010-04-01/Accounts/" + mainSID
	do := func(method, path string, form url.Values) resp { return cc.do(method, path, mainSID, tok, form) }

	// Accounts.
	cc.ok(do("GET", "/api/2010-04-01/Accounts.json", url.Values{"Status": {"active"}, "PageSize": {"2"}}), 200, "list accounts")
	cc.ok(do("GET", "/api/2010-04-01/Accounts.json", url.Values{"FriendlyName": {"Acme EU"}}), 200, "list accounts by name")
	sub := cc.ok(do("POST", "/api/2010-04-01/Accounts.json", url.Values{"FriendlyName": {"drill"}}), 201, "create subaccount")
	subURL := "/api/2010-04-01/Accounts/" + sub.json["sid"].(string) + ".json"
	cc.ok(do("GET", subURL, nil), 200, "fetch subaccount")
	cc.ok(do("POST", subURL, url.Values{"Status": {"suspended"}}), 200, "suspend")
	cc.ok(do("POST", subURL, url.Values{"Status": {"active"}, "FriendlyName": {"drill 2"}}), 200, "reactivate")

	// Keys (2010).
	cc.ok(do("GET", api+"/Keys.json", nil), 200, "list keys")
	k := cc.ok(do("POST", api+"/Keys.json", url.Values{"FriendlyName": {"ci"}}), 201, "create key")
	kURL := api + "/Keys/" + k.json["sid"].(string) + ".json"
	cc.ok(do("GET", kURL, nil), 200, "fetch key")
	cc.ok(do("POST", kURL, url.Values{"FriendlyName": {"ci 2"}}), 200, "rename key")
	cc.ok(do("DELETE", kURL, nil), 204, "delete key")

	// Keys (iam v1).
	cc.ok(do("GET", "/iam/v1/Keys", url.Values{"AccountSid": {mainSID}}), 200, "iam list keys")
	ik := cc.ok(do("POST", "/iam/v1/Keys", url.Values{"AccountSid": {mainSID}, "FriendlyName": {"ro"}, "KeyType": {"restricted"},
		"Policy": {`{"allow":["/twilio/messaging/messages/read"]}`}}), 201, "iam create key")
	ikURL := "/iam/v1/Keys/" + ik.json["sid"].(string)
	cc.ok(do("GET", ikURL, nil), 200, "iam fetch key")
	cc.ok(do("POST", ikURL, url.Values{"Policy": {`{"allow":["/twilio/messaging/messages/read","/twilio/voice/calls/read"]}`}}), 200, "iam update key")
	cc.ok(do("POST", ikURL, url.Values{"Policy": {`{"allow":["/twilio/messaging/messages/read"]}`}}), 200, "iam update key back")
	// The restricted key reads messages and nothing else.
	if r := cc.do("GET", api+"/Messages.json", ik.json["sid"].(string), ik.json["secret"].(string), url.Values{"PageSize": {"1"}}); r.status != 200 {
		t.Errorf("restricted key reading messages: %d", r.status)
	}
	if r := cc.do("GET", api+"/Calls.json", ik.json["sid"].(string), ik.json["secret"].(string), nil); r.status != 401 {
		t.Errorf("restricted key reading calls: %d", r.status)
	}
	cc.ok(do("DELETE", ikURL, nil), 204, "iam delete key")

	// Auth tokens.
	cc.ok(do("POST", "/accounts/v1/AuthTokens/Secondary", url.Values{}), 201, "secondary")
	cc.ok(do("DELETE", "/accounts/v1/AuthTokens/Secondary", nil), 204, "delete secondary")
	sec := cc.ok(do("POST", "/accounts/v1/AuthTokens/Secondary", url.Values{}), 201, "secondary again")
	cc.ok(do("POST", "/accounts/v1/AuthTokens/Promote", url.Values{}), 200, "promote")
	tok = sec.json["secondary_auth_token"].(string)

	// Traffic.
	day := testNow.Format("2006-01-02")
	cc.ok(do("GET", api+"/Messages.json", url.Values{"To": {"+14155550001"}, "DateSent>": {testNow.Add(-24 * time.Hour).Format(time.RFC3339)}, "PageSize": {"1"}}), 200, "list messages")
	page := cc.ok(do("GET", api+"/Messages.json", url.Values{"PageSize": {"50"}}), 200, "list messages page 0")
	cc.ok(do("GET", follow("api", page.json["next_page_uri"].(string)), nil), 200, "list messages page 1")
	sent := cc.ok(do("POST", api+"/Messages.json", url.Values{"To": {"+14155550123"}, "From": {"+15005550006"}, "Body": {"drill"}}), 201, "send")
	msg := api + "/Messages/" + sent.json["sid"].(string) + ".json"
	if r := cc.ok(do("GET", msg, nil), 200, "fetch message"); r.json["body"] != "drill" || r.json["status"] != "sent" {
		t.Errorf("fetched message: %s", r.body)
	}
	if r := cc.ok(do("POST", msg, url.Values{"Body": {""}}), 200, "redact message"); r.json["body"] != "" {
		t.Errorf("redacted message: %s", r.body)
	}
	cc.ok(do("GET", api+"/Messages/SM00000000000000000000000000000064.json", nil), 200, "fetch a world message")
	cc.ok(do("DELETE", msg, nil), 204, "delete message")
	cc.ok(do("GET", msg, nil), 404, "deleted message")
	cc.ok(do("GET", api+"/Calls.json", url.Values{"Status": {"completed"}, "StartTime>": {"2026-03-01T00:00:00Z"}}), 200, "list calls")
	live := api + "/Calls/CA00000000000000000000000000000003.json"
	cc.ok(do("GET", live, nil), 200, "fetch call")
	if r := cc.ok(do("POST", live, url.Values{"Status": {"completed"}}), 200, "end call"); r.json["status"] != "completed" || r.json["duration"] != "600" {
		t.Errorf("ended call: %s", r.body)
	}
	cc.ok(do("POST", live, url.Values{"Status": {"completed"}}), 400, "end an ended call")

	// Usage.
	for _, sub := range []string{"", "/AllTime", "/Daily", "/Monthly", "/Yearly", "/Today", "/Yesterday", "/ThisMonth", "/LastMonth"} {
		cc.ok(do("GET", api+"/Usage/Records"+sub+".json", url.Values{"Category": {"sms"}}), 200, "usage"+sub)
	}
	cc.ok(do("GET", api+"/Usage/Records/Daily.json", url.Values{"StartDate": {"2026-03-01"}, "EndDate": {day}, "IncludeSubaccounts": {"false"}}), 200, "usage daily range")
	cc.ok(do("GET", api+"/Usage/Triggers.json", url.Values{"Recurring": {"daily"}}), 200, "list triggers")
	ut := cc.ok(do("POST", api+"/Usage/Triggers.json", url.Values{"CallbackUrl": {"https://acme.example/t"}, "TriggerValue": {"+30"},
		"UsageCategory": {"sms"}, "Recurring": {"daily"}, "TriggerBy": {"count"}}), 201, "create trigger")
	utURL := api + "/Usage/Triggers/" + ut.json["sid"].(string) + ".json"
	cc.ok(do("GET", utURL, nil), 200, "fetch trigger")
	cc.ok(do("POST", utURL, url.Values{"FriendlyName": {"sms cap"}}), 200, "update trigger")
	cc.ok(do("DELETE", utURL, nil), 204, "delete trigger")

	// Configuration.
	cc.ok(do("GET", api+"/IncomingPhoneNumbers.json", url.Values{"PhoneNumber": {"555"}}), 200, "list numbers")
	pn := api + "/IncomingPhoneNumbers/PN00000000000000000000000000000001.json"
	cc.ok(do("GET", pn, nil), 200, "fetch number")
	cc.ok(do("POST", pn, url.Values{"SmsUrl": {"https://evil.example/sms"}, "VoiceMethod": {"GET"}}), 200, "update number")
	cc.ok(do("GET", api+"/Applications.json", nil), 200, "list apps")
	app := cc.ok(do("POST", api+"/Applications.json", url.Values{"FriendlyName": {"new"}, "VoiceUrl": {"https://acme.example/v"}}), 201, "create app")
	appURL := api + "/Applications/" + app.json["sid"].(string) + ".json"
	cc.ok(do("GET", appURL, nil), 200, "fetch app")
	cc.ok(do("POST", appURL, url.Values{"SmsUrl": {"https://acme.example/s"}}), 200, "update app")
	cc.ok(do("DELETE", appURL, nil), 204, "delete app")
	cc.ok(do("GET", api+"/OutgoingCallerIds.json", nil), 200, "list caller ids")
	cid := api + "/OutgoingCallerIds/PN00000000000000000000000000000002.json"
	cc.ok(do("GET", cid, nil), 200, "fetch caller id")
	cc.ok(do("DELETE", cid, nil), 204, "delete caller id")
	cc.ok(do("GET", "/messaging/v1/Services", nil), 200, "list services")
	mg := "/messaging/v1/Services/MG00000000000000000000000000000001"
	cc.ok(do("GET", mg, nil), 200, "fetch service")
	cc.ok(do("POST", mg, url.Values{"InboundRequestUrl": {"https://acme.example/in2"}}), 200, "update service")

	// Geo permissions.
	cc.ok(do("GET", "/voice/v1/DialingPermissions/Countries", url.Values{"Continent": {"EUROPE"}, "LowRiskNumbersEnabled": {"false"}}), 200, "voice countries")
	cc.ok(do("GET", "/voice/v1/DialingPermissions/Countries/GB", nil), 200, "voice country")
	cc.ok(do("GET", "/voice/v1/DialingPermissions/Countries/GB/HighRiskSpecialPrefixes", nil), 200, "prefixes")
	cc.ok(do("POST", "/voice/v1/DialingPermissions/BulkCountryUpdates", url.Values{"UpdateRequest": {
		`[{"iso_code":"GB","low_risk_numbers_enabled":"true","high_risk_special_numbers_enabled":"false","high_risk_tollfraud_numbers_enabled":false}]`}}), 201, "bulk")
	cc.ok(do("GET", "/voice/v1/Settings", nil), 200, "voice settings")
	cc.ok(do("POST", "/voice/v1/Settings", url.Values{"DialingPermissionsInheritance": {"true"}}), 202, "voice settings update")
	cc.ok(do("GET", "/accounts/v1/Messaging/GeoPermissions", url.Values{"CountryCode": {"US,PK"}}), 200, "sms geo")
	cc.ok(do("PATCH", "/accounts/v1/Messaging/GeoPermissions", url.Values{"Permissions": {
		`{"country_code":"IN","type":"country","enabled":true}`, `{"country_code":"PK","type":"country","enabled":true}`}}), 200, "sms geo update")

	// Event Streams: the test event really arrives at the webhook.
	var (
		mu     sync.Mutex
		testID string
		got    = make(chan struct{}, 1)
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Data struct {
				TestID string `json:"test_id"`
			} `json:"data"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		mu.Lock()
		testID = ev.Data.TestID
		mu.Unlock()
		select {
		case got <- struct{}{}:
		default:
		}
	}))
	defer hook.Close()
	sk := cc.ok(do("POST", "/events/v1/Sinks", url.Values{"Description": {"atoguard"}, "SinkType": {"webhook"},
		"SinkConfiguration": {`{"destination":"` + hook.URL + `/events","method":"POST","batch_events":false}`}}), 201, "create sink")
	skURL := "/events/v1/Sinks/" + sk.json["sid"].(string)
	cc.ok(do("GET", "/events/v1/Sinks", url.Values{"InUse": {"false"}}), 200, "list sinks")
	cc.ok(do("GET", skURL, nil), 200, "fetch sink")
	cc.ok(do("POST", skURL+"/Test", url.Values{}), 201, "test sink")
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the sink test event never arrived")
	}
	mu.Lock()
	id := testID
	mu.Unlock()
	cc.ok(do("POST", skURL+"/Validate", url.Values{"TestId": {id}}), 201, "validate sink")
	sb := cc.ok(do("POST", "/events/v1/Subscriptions", url.Values{"Description": {"msgs"}, "SinkSid": {sk.json["sid"].(string)},
		"Types": {`{"type":"com.twilio.messaging.message.sent","schema_version":1}`}}), 201, "create subscription")
	sbURL := "/events/v1/Subscriptions/" + sb.json["sid"].(string)
	cc.ok(do("GET", "/events/v1/Subscriptions", url.Values{"SinkSid": {sk.json["sid"].(string)}}), 200, "list subscriptions")
	cc.ok(do("GET", sbURL, nil), 200, "fetch subscription")
	cc.ok(do("DELETE", sbURL, nil), 204, "delete subscription")
	cc.ok(do("DELETE", skURL, nil), 204, "delete sink")

	// Monitor: every change above left its event.
	evs := cc.ok(do("GET", "/monitor/v1/Events", url.Values{"PageSize": {"1000"}}), 200, "events")
	cc.ok(do("GET", "/monitor/v1/Events", url.Values{"EventType": {"phone-number.updated"}, "StartDate": {"2026-03-01T00:00:00Z"}}), 200, "events filtered")
	first := evs.list("events")[0].(map[string]any)
	cc.ok(do("GET", "/monitor/v1/Events/"+first["sid"].(string), nil), 200, "fetch event")
	types := map[string]bool{}
	for _, ev := range evs.list("events") {
		types[ev.(map[string]any)["event_type"].(string)] = true
	}
	for _, want := range []string{"account.created", "account.updated", "account-api-keys.created", "account-api-keys.updated", "account-api-keys.deleted",
		"account-auth-token.secondary-created", "account-auth-token.secondary-deleted", "account-auth-token.promoted",
		"usage-trigger.created", "usage-trigger.updated", "usage-trigger.deleted", "phone-number.updated",
		"application.created", "application.updated", "application.deleted", "caller-id.deleted",
		"messaging-service.updated", "message-body.deleted", "message.deleted", "voice-geographic-permissions.updated", "sms-geographic-permissions.updated",
		"event-streams-sink.created", "event-streams-sink.deleted", "event-streams-subscription.created",
		"event-streams-subscription.deleted"} {
		if !types[want] {
			t.Errorf("no %s event", want)
		}
	}

	// Errors have Twilio's shape too (validated by CheckResponse).
	do("GET", api+"/Messages.json", url.Values{"PageToken": {"bogus"}})
	cc.do("GET", api+".json", mainSID, mainTok, nil) // the old token after promote

	// No operation skipped silently.
	for _, rt := range e.Routes() {
		op := rt.Product + " " + rt.Method + " " + rt.Pattern
		if cc.seen[op] == 0 {
			t.Errorf("operation not exercised (or never succeeded): %s", op)
		}
	}
	if len(e.Routes()) < 60 {
		t.Errorf("only %d routes", len(e.Routes()))
	}
}
