package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthentication(t *testing.T) {
	te := newEnv(t, testWorld(10))
	fetch := "/api/2010-04-01/Accounts/" + mainSID + ".json"
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	tests := []struct {
		name, path, user, pass string
		want, code             int
	}{
		{"auth token", fetch, mainSID, mainTok, 200, 0},
		{"wrong token", fetch, mainSID, otherTok, 401, 20003},
		{"no credentials", fetch, "", "", 401, 20003},
		{"unknown account", fetch, "AC0000000000000000000000000000ffff", mainTok, 401, 20003},
		{"main key on accounts", fetch, mainKey, keySecret, 200, 0},
		{"standard key on accounts", fetch, stdKey, keySecret, 401, 20003},
		{"standard key on messages", msgs, stdKey, keySecret, 200, 0},
		{"restricted key without policy", msgs, rstKey, keySecret, 401, 20003},
		{"key with wrong secret", msgs, mainKey, "nope", 401, 20003},
		{"parent on subaccount", "/api/2010-04-01/Accounts/" + subSID + "/Messages.json", mainSID, mainTok, 200, 0},
		{"parent key on subaccount", "/api/2010-04-01/Accounts/" + subSID + "/Messages.json", mainKey, keySecret, 401, 20003},
		{"subaccount on parent", msgs, subSID, subTok, 401, 20003},
		{"subaccount on sibling", "/api/2010-04-01/Accounts/" + sibSID + "/Messages.json", subSID, subTok, 401, 20003},
		{"stranger", msgs, otherSID, otherTok, 401, 20003},
		{"missing account", "/api/2010-04-01/Accounts/AC0000000000000000000000000000ffff/Messages.json", mainSID, mainTok, 404, 20404},
		{"unknown route", "/api/2010-04-01/Accounts/" + mainSID + "/Nope.json", mainSID, mainTok, 404, 20404},
		{"unknown product", "/lookups/v2/PhoneNumbers/+1", mainSID, mainTok, 404, 20404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := te.do("GET", tt.path, tt.user, tt.pass, nil)
			if r.status != tt.want || r.code() != tt.code {
				t.Fatalf("status %d code %d, want %d %d: %s", r.status, r.code(), tt.want, tt.code, r.body)
			}
			if tt.code != 0 {
				for _, f := range []string{"code", "message", "more_info", "status"} {
					if _, ok := r.json[f]; !ok {
						t.Errorf("error body lacks %q: %s", f, r.body)
					}
				}
			}
		})
	}
}

func TestHostDispatch(t *testing.T) {
	te := newEnv(t, testWorld(3))
	r := te.do("GET", "/2010-04-01/Accounts/"+mainSID+".json", mainSID, mainTok, nil, "Host", "api.twilio.com")
	if r.status != 200 || r.json["sid"] != mainSID {
		t.Fatalf("by Host: %d %s", r.status, r.body)
	}
	r = te.do("GET", "/v1/Events", mainSID, mainTok, nil, "Host", "monitor.twilio.com:443")
	if r.status != 200 || len(r.list("events")) != 2 {
		t.Fatalf("monitor by Host: %d %s", r.status, r.body)
	}
	r = te.do("DELETE", "/api/2010-04-01/Accounts/"+mainSID+".json", mainSID, mainTok, nil)
	if r.status != 405 {
		t.Fatalf("wrong method: %d %s", r.status, r.body)
	}
}

func TestRotateTokenWithPromote(t *testing.T) {
	te := newEnv(t, testWorld(3))
	fetch := "/api/2010-04-01/Accounts/" + mainSID + ".json"
	r := te.do("POST", "/accounts/v1/AuthTokens/Promote", mainSID, mainTok, url.Values{})
	if r.status != 404 || r.code() != 20404 {
		t.Fatalf("promote without secondary: %d %s", r.status, r.body)
	}
	r = te.do("POST", "/accounts/v1/AuthTokens/Secondary", mainSID, mainTok, url.Values{}, "X-Forwarded-For", "192.0.2.44")
	if r.status != 201 {
		t.Fatalf("create secondary: %d %s", r.status, r.body)
	}
	second, _ := r.json["secondary_auth_token"].(string)
	if len(second) != 32 {
		t.Fatalf("secondary token %q", second)
	}
	for _, tok := range []string{mainTok, second} {
		if r := te.do("GET", fetch, mainSID, tok, nil); r.status != 200 {
			t.Fatalf("before promote, token works: %d", r.status)
		}
	}
	r = te.do("POST", "/accounts/v1/AuthTokens/Promote", mainSID, second, url.Values{})
	if r.status != 200 || r.json["auth_token"] != second {
		t.Fatalf("promote: %d %s", r.status, r.body)
	}
	if r := te.do("GET", fetch, mainSID, mainTok, nil); r.status != 401 || r.code() != 20003 {
		t.Fatalf("old primary after promote: %d %s", r.status, r.body)
	}
	if r := te.do("GET", fetch, mainSID, second, nil); r.status != 200 || r.json["auth_token"] != second {
		t.Fatalf("new primary: %d %s", r.status, r.body)
	}
	// Standard keys may not rotate tokens.
	if r := te.do("POST", "/accounts/v1/AuthTokens/Secondary", stdKey, keySecret, url.Values{}); r.status != 401 {
		t.Fatalf("standard key rotating: %d", r.status)
	}
	r = te.do("GET", "/monitor/v1/Events", mainSID, second, url.Values{"EventType": {"account-auth-token.promoted"}})
	evs := r.list("events")
	if len(evs) != 1 {
		t.Fatalf("promoted events: %s", r.body)
	}
	ev := evs[0].(map[string]any)
	if ev["actor_sid"] != mainSID || ev["source"] != "api" || ev["resource_sid"] != mainSID || ev["source_ip_address"] != "127.0.0.1" {
		t.Errorf("promoted event: %v", ev)
	}
	r = te.do("GET", "/monitor/v1/Events", mainSID, second, url.Values{"SourceIpAddress": {"192.0.2.44"}})
	if evs := r.list("events"); len(evs) != 1 || evs[0].(map[string]any)["event_type"] != "account-auth-token.secondary-created" {
		t.Fatalf("secondary-created from forwarded IP: %s", r.body)
	}
}

func TestDeletedKeyFailsAtOnce(t *testing.T) {
	te := newEnv(t, testWorld(3))
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	if r := te.do("GET", msgs, stdKey, keySecret, nil); r.status != 200 {
		t.Fatalf("before delete: %d", r.status)
	}
	r := te.do("DELETE", "/api/2010-04-01/Accounts/"+mainSID+"/Keys/"+stdKey+".json", mainSID, mainTok, nil)
	if r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := te.do("GET", msgs, stdKey, keySecret, nil); r.status != 401 {
		t.Fatalf("after delete: %d", r.status)
	}
	r = te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"ResourceSid": {stdKey}})
	types := []string{}
	for _, ev := range r.list("events") {
		types = append(types, ev.(map[string]any)["event_type"].(string))
	}
	if strings.Join(types, ",") != "account-api-keys.deleted,account-api-keys.created" {
		t.Fatalf("key events newest first: %v", types)
	}
}

func TestMessagesPaging(t *testing.T) {
	const n = 1234
	te := newEnv(t, testWorld(n))
	path := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json?PageSize=100"
	seen := map[string]bool{}
	var last string
	pages := 0
	for path != "" {
		r := te.do("GET", path, mainSID, mainTok, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		pages++
		for _, m := range r.list("messages") {
			m := m.(map[string]any)
			sid := m["sid"].(string)
			if seen[sid] {
				t.Fatalf("duplicate %s", sid)
			}
			seen[sid] = true
			if last != "" && sid > last {
				t.Fatalf("not newest first: %s after %s", sid, last)
			}
			last = sid
		}
		path = ""
		if next, ok := r.json["next_page_uri"].(string); ok {
			if !strings.HasPrefix(next, "/2010-04-01/Accounts/") || !strings.Contains(next, "PageToken=PA") {
				t.Fatalf("next_page_uri %q", next)
			}
			path = follow("api", next)
		}
	}
	if len(seen) != n || pages != 13 {
		t.Fatalf("saw %d messages in %d pages, want %d in 13", len(seen), pages, n)
	}
}

func TestMessageFilters(t *testing.T) {
	te := newEnv(t, testWorld(200)) // one message a minute ending at testNow-1m
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	count := func(q url.Values) int {
		t.Helper()
		q.Set("PageSize", "1000")
		r := te.do("GET", msgs, mainSID, mainTok, q)
		if r.status != 200 {
			t.Fatalf("%v: %d %s", q, r.status, r.body)
		}
		return len(r.list("messages"))
	}
	since := testNow.Add(-50 * time.Minute).Format(time.RFC3339)
	tests := []struct {
		name string
		q    url.Values
		want int
	}{
		{"all", url.Values{}, 200},
		{"to", url.Values{"To": {"+14155550007"}}, 2},
		{"to unknown", url.Values{"To": {"+19999999999"}}, 0},
		{"from", url.Values{"From": {"+15005550006"}}, 200},
		{"to and from", url.Values{"To": {"+14155550007"}, "From": {"+15005550006"}}, 2},
		{"on or after", url.Values{"DateSent>": {since}}, 50},
		{"on or before", url.Values{"DateSent<": {since}}, 151},
		{"day", url.Values{"DateSent": {testNow.Format("2006-01-02")}}, 200},
		{"other day", url.Values{"DateSent": {"2026-03-09"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.q); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
	bad := []struct {
		q    url.Values
		code int
	}{
		{url.Values{"PageToken": {"garbage"}}, 21481},
		{url.Values{"PageToken": {"PAffffff00"}}, 21481},
		{url.Values{"PageSize": {"0"}}, 20001},
		{url.Values{"Page": {"-1"}}, 20001},
		{url.Values{"DateSent>": {"yesterday"}}, 20001},
	}
	for _, b := range bad {
		r := te.do("GET", msgs, mainSID, mainTok, b.q)
		if r.status != 400 || r.code() != b.code {
			t.Errorf("%v: %d %s", b.q, r.status, r.body)
		}
	}
}

func TestSendMessage(t *testing.T) {
	te := newEnv(t, testWorld(3))
	send := func(acct, user, pass, to string) resp {
		return te.do("POST", "/api/2010-04-01/Accounts/"+acct+"/Messages.json", user, pass,
			url.Values{"To": {to}, "From": {"+15005550006"}, "Body": {"hi"}})
	}
	if r := send(mainSID, mainSID, mainTok, "+14155550199"); r.status != 201 || r.json["status"] != "queued" {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if r := send(mainSID, mainSID, mainTok, "+2348012345678"); r.status != 400 || r.code() != 21408 {
		t.Fatalf("send to a disabled country: %d %s", r.status, r.body)
	}
	r := te.do("POST", "/api/2010-04-01/Accounts/"+subSID+".json", mainSID, mainTok, url.Values{"Status": {"suspended"}})
	if r.status != 200 || r.json["status"] != "suspended" {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	if r := send(subSID, subSID, subTok, "+14155550199"); r.status != 403 || r.code() != 10001 {
		t.Fatalf("suspended account sends: %d %s", r.status, r.body)
	}
	r = te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", mainSID, mainTok, url.Values{"To": {"+14155550199"}})
	if len(r.list("messages")) != 1 {
		t.Fatalf("sent message not listed: %s", r.body)
	}
	r = te.do("GET", "/monitor/v1/Events", subSID, subTok, url.Values{"EventType": {"account.updated"}})
	evs := r.list("events")
	if len(evs) != 1 {
		t.Fatalf("account.updated on the subaccount: %s", r.body)
	}
	data := evs[0].(map[string]any)["event_data"].(map[string]any)["status"].(map[string]any)
	if data["previous"] != "active" || data["updated"] != "suspended" {
		t.Errorf("event_data: %v", data)
	}
}

func TestMonitorEventsOneFilter(t *testing.T) {
	te := newEnv(t, testWorld(3))
	r := te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"EventType": {"x"}, "ActorSid": {"US00000000000000000000000000000001"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("two filters: %d %s", r.status, r.body)
	}
	r = te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{
		"ActorSid": {"US00000000000000000000000000000001"}, "StartDate": {testNow.Add(-48 * time.Hour).Format(time.RFC3339)},
		"EndDate": {testNow.Format(time.RFC3339)}})
	if evs := r.list("events"); r.status != 200 || len(evs) != 1 {
		t.Fatalf("one filter with a date range: %d %s", r.status, r.body)
	}
	sid := "AE00000000000000000000000000000002"
	if r := te.do("GET", "/monitor/v1/Events/"+sid, mainSID, mainTok, nil); r.status != 200 || r.json["sid"] != sid {
		t.Fatalf("fetch event: %d %s", r.status, r.body)
	}
	if r := te.do("GET", "/monitor/v1/Events/"+sid, subSID, subTok, nil); r.status != 404 {
		t.Fatalf("subaccount fetches the parent's event: %d", r.status)
	}
}
