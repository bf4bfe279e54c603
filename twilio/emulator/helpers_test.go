package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const (
	mainSID   = "AC00000000000000000000000000000001"
	subSID    = "AC00000000000000000000000000000002"
	sibSID    = "AC00000000000000000000000000000003"
	otherSID  = "AC00000000000000000000000000000009"
	mainTok   = "0123456789abcdef0123456789abcdef"
	subTok    = "1123456789abcdef0123456789abcdef"
	sibTok    = "2123456789abcdef0123456789abcdef"
	otherTok  = "9123456789abcdef0123456789abcdef"
	mainKey   = "SK00000000000000000000000000000001"
	stdKey    = "SK00000000000000000000000000000002"
	rstKey    = "SK00000000000000000000000000000003"
	keySecret = "secretsecretsecretsecretsecret01"
)

// testWorld is a small hand-built world: a main account with two
// subaccounts, an unrelated account, keys of each type, traffic and events.
func testWorld(messages int) *scenario.World {
	acc := func(sid, owner, name, tok string) scenario.Account {
		return scenario.Account{Account: atoguard.Account{SID: sid, OwnerSID: owner, FriendlyName: name,
			Status: "active", Type: "Full", DateCreated: testNow.AddDate(-1, 0, 0)}, AuthToken: tok}
	}
	main := acc(mainSID, mainSID, "Acme", mainTok)
	main.Keys = []scenario.Key{
		{SID: mainKey, FriendlyName: "main", Secret: keySecret, Type: "main", DateCreated: testNow.AddDate(0, -6, 0)},
		{SID: stdKey, FriendlyName: "std", Secret: keySecret, Type: "standard", DateCreated: testNow.AddDate(0, -5, 0)},
		{SID: rstKey, FriendlyName: "rst", Secret: keySecret, Type: "restricted", DateCreated: testNow.AddDate(0, -4, 0)},
	}
	main.Users = []scenario.User{{SID: "US00000000000000000000000000000001", Email: "ops@example.com", Name: "Ops"}}
	main.PhoneNumbers = []atoguard.PhoneNumber{{SID: "PN00000000000000000000000000000001", PhoneNumber: "+15005550006",
		FriendlyName: "main line", Webhooks: atoguard.Webhooks{"sms_url": "https://acme.example/sms", "voice_url": "https://acme.example/voice"}}}
	main.Applications = []atoguard.Application{{SID: "AP00000000000000000000000000000001", FriendlyName: "ivr",
		Webhooks: atoguard.Webhooks{"voice_url": "https://acme.example/ivr"}}}
	main.MessagingServices = []atoguard.MessagingService{{SID: "MG00000000000000000000000000000001", FriendlyName: "notify",
		Webhooks: atoguard.Webhooks{"inbound_request_url": "https://acme.example/in"}}}
	main.CallerIDs = []atoguard.CallerID{{SID: "PN00000000000000000000000000000002", PhoneNumber: "+14155550100", FriendlyName: "office"}}
	main.UsageTriggers = []atoguard.UsageTrigger{{SID: "UT00000000000000000000000000000001", FriendlyName: "daily cap",
		UsageCategory: "totalprice", TriggerBy: "price", TriggerValue: 50, Recurring: "daily", CallbackURL: "https://acme.example/cap"}}
	main.SMSPermissions = []atoguard.SMSPermission{{CountryCode: "GB", Enabled: true}}
	start := testNow.Add(-time.Duration(messages) * time.Minute)
	for i := range messages {
		to := fmt.Sprintf("+1415555%04d", i%100)
		main.Messages = append(main.Messages, atoguard.Message{
			SID: fmt.Sprintf("SM%032x", i+1), From: "+15005550006", To: to, Body: fmt.Sprintf("Your code is %d", i%10),
			Direction: "outbound-api", Status: "delivered", NumSegments: 1, Price: 0.0079, PriceUnit: "USD",
			DateCreated: start.Add(time.Duration(i) * time.Minute), DateSent: start.Add(time.Duration(i) * time.Minute),
		})
	}
	main.Calls = []atoguard.Call{
		{SID: "CA00000000000000000000000000000001", From: "+15005550006", To: "+14155550101", Direction: "outbound-api",
			Status: "completed", StartTime: testNow.Add(-48 * time.Hour), EndTime: testNow.Add(-48*time.Hour + 90*time.Second), Duration: 90, Price: 0.028, PriceUnit: "USD"},
		{SID: "CA00000000000000000000000000000002", From: "+14155550102", To: "+15005550006", Direction: "inbound",
			Status: "completed", StartTime: testNow.Add(-2 * time.Hour), EndTime: testNow.Add(-2*time.Hour + 30*time.Second), Duration: 30, Price: 0.0085, PriceUnit: "USD"},
	}
	main.Calls = append(main.Calls, atoguard.Call{SID: "CA00000000000000000000000000000003", From: "+15005550006", To: "+998901234567",
		Direction: "outbound-api", Status: "in-progress", StartTime: testNow.Add(-10 * time.Minute), PriceUnit: "USD"})
	main.Events = []atoguard.Event{
		{SID: "AE00000000000000000000000000000001", ActorSID: "US00000000000000000000000000000001", ActorType: "user", Source: "web",
			SourceIP: "198.51.100.7", EventType: "user-session.created", EventDate: testNow.Add(-72 * time.Hour),
			ResourceSID: "US00000000000000000000000000000001", ResourceType: "user"},
		{SID: "AE00000000000000000000000000000002", ActorSID: "US00000000000000000000000000000001", ActorType: "user", Source: "web",
			SourceIP: "203.0.113.9", EventType: "account-api-keys.created", EventDate: testNow.Add(-24 * time.Hour),
			ResourceSID: stdKey, ResourceType: "api-key"},
	}
	sub := acc(subSID, mainSID, "Acme EU", subTok)
	sub.Messages = []atoguard.Message{{SID: "SM10000000000000000000000000000001", From: "+447700900001", To: "+447700900123",
		Body: "hello", Direction: "outbound-api", Status: "sent", NumSegments: 1, Price: 0.04, PriceUnit: "USD",
		DateCreated: testNow.Add(-time.Hour), DateSent: testNow.Add(-time.Hour)}}
	sib := acc(sibSID, mainSID, "Acme US", sibTok)
	other := acc(otherSID, otherSID, "Other", otherTok)
	return &scenario.World{Name: "test", Seed: 1, Now: testNow, Accounts: []scenario.Account{main, sub, sib, other}}
}

type testEnv struct {
	t   *testing.T
	e   *Emulator
	srv *httptest.Server
}

func newEnv(t *testing.T, w *scenario.World, faults ...FaultRule) *testEnv {
	t.Helper()
	e, err := New(Options{World: w, Seed: 7, Clock: NewFrozenClock(testNow), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return &testEnv{t: t, e: e, srv: srv}
}

type resp struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r resp) code() int {
	if c, ok := r.json["code"].(float64); ok {
		return int(c)
	}
	return 0
}

func (r resp) list(key string) []any {
	l, _ := r.json[key].([]any)
	return l
}

// do sends a request to path (with the product prefix, e.g. /api/2010-04-01/…)
// as user:pass; form is sent as the body for POST/PATCH and as the query otherwise.
func (te *testEnv) do(method, path, user, pass string, form url.Values, hdr ...string) resp {
	te.t.Helper()
	var body io.Reader
	u := te.srv.URL + path
	if form != nil {
		if method == http.MethodPost || method == http.MethodPatch {
			body = strings.NewReader(form.Encode())
		} else {
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + form.Encode()
		}
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		te.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := te.srv.Client() // nil for a server started by Emulator.Start
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		te.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		te.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.json); err != nil {
			te.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, b)
		}
	}
	return r
}

// follow maps a Twilio next-page link back onto the emulator's URL.
func follow(product, link string) string {
	if rest, ok := strings.CutPrefix(link, "https://"); ok {
		_, p, _ := strings.Cut(rest, "/")
		return "/" + product + "/" + p
	}
	return "/" + product + link
}
