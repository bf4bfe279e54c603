package emulator

import (
	"encoding/json"
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

func admin(t *testing.T, srv *httptest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+"/_emulator"+path, strings.NewReader(body))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	return res.StatusCode, v
}

func TestAdmin(t *testing.T) {
	te := newEnv(t, testWorld(5))
	te.e.opts.Builder = func(name string, seed int64, now time.Time) (*scenario.World, error) {
		return scenario.Build(name, seed, now)
	}
	// State shows fingerprints, never token values.
	te.do("POST", "/accounts/v1/AuthTokens/Secondary", mainSID, mainTok, url.Values{})
	req, _ := http.NewRequest("GET", te.srv.URL+"/_emulator/state", nil)
	res, err := te.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(raw), mainTok) || strings.Contains(string(raw), keySecret) {
		t.Fatal("state reveals a secret")
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Accounts) != 4 || st.Accounts[0].AuthToken.Fingerprint != atoguard.Fingerprint(mainTok) ||
		st.Accounts[0].SecondaryToken == nil || len(st.Accounts[0].Keys) != 3 || st.Accounts[0].Counts["messages"] != 5 ||
		len(st.Accounts[0].PhoneNumbers) != 1 || len(st.Accounts[0].SMSPermissions) != 3 {
		t.Fatalf("state: %s", raw)
	}

	// Credentials: the test account only.
	if code, v := admin(t, te.srv, "GET", "/credentials", ""); code != 200 || v["account_sid"] != mainSID || v["auth_token"] != mainTok {
		t.Fatalf("credentials: %d %v", code, v)
	}

	// Clock.
	if code, v := admin(t, te.srv, "POST", "/clock/advance", `{"duration":"90m"}`); code != 200 || v["now"] != testNow.Add(90*time.Minute).Format(time.RFC3339) {
		t.Fatalf("advance: %d %v", code, v)
	}
	if code, _ := admin(t, te.srv, "POST", "/clock/advance?d=-1h", ""); code != 400 {
		t.Fatalf("negative advance: %d", code)
	}
	if code, v := admin(t, te.srv, "POST", "/clock", `{"now":"2026-04-01T00:00:00Z"}`); code != 200 || v["now"] != "2026-04-01T00:00:00Z" {
		t.Fatalf("set clock: %d %v", code, v)
	}

	// Faults switched on and off mid-run.
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	if code, v := admin(t, te.srv, "POST", "/faults", `{"specs":["503,product=api"]}`); code != 200 || len(v["rules"].([]any)) != 1 {
		t.Fatalf("set faults: %d %v", code, v)
	}
	if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != 503 {
		t.Fatalf("fault not active: %d", r.status)
	}
	if code, v := admin(t, te.srv, "GET", "/faults", ""); code != 200 || len(v["rules"].([]any)) != 1 {
		t.Fatalf("get faults: %d %v", code, v)
	}
	if code, _ := admin(t, te.srv, "POST", "/faults", `[{"kind":"status","status":404}]`); code != 400 {
		t.Fatalf("bad rule accepted: %d", code)
	}
	if code, _ := admin(t, te.srv, "DELETE", "/faults", ""); code != 200 {
		t.Fatalf("clear faults: %d", code)
	}
	if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != 200 {
		t.Fatalf("fault still active: %d", r.status)
	}

	// Scenario by name replaces the world: old credentials stop working.
	if code, v := admin(t, te.srv, "POST", "/scenario", `{"name":"token-rotation","seed":4}`); code != 200 || v["name"] != "token-rotation" {
		t.Fatalf("load scenario: %d %v", code, v)
	}
	if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != 401 {
		t.Fatalf("old world's credentials still work: %d", r.status)
	}
	sid, tok, _ := te.e.TestCredential()
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+sid+".json", sid, tok.Reveal(), nil); r.status != 200 {
		t.Fatalf("new world's credentials: %d", r.status)
	}
	// And by body.
	w := testWorld(1)
	body, _ := json.Marshal(w)
	if code, v := admin(t, te.srv, "POST", "/scenario", string(body)); code != 200 || v["accounts"] != float64(4) {
		t.Fatalf("load world body: %d %v", code, v)
	}
	if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != 200 {
		t.Fatalf("loaded world's credentials: %d", r.status)
	}
	for _, bad := range []string{`{"name":"nope"}`, `{}`, `not json`, `{"accounts":[{"sid":"bad"}]}`} {
		if code, _ := admin(t, te.srv, "POST", "/scenario", bad); code != 400 {
			t.Errorf("%s: %d", bad, code)
		}
	}
	if code, _ := admin(t, te.srv, "GET", "/nope", ""); code != 404 {
		t.Errorf("unknown admin route: %d", code)
	}
}

func TestAdminInjection(t *testing.T) {
	te := newEnv(t, testWorld(2))
	code, v := admin(t, te.srv, "POST", "/events", `{"account_sid":"`+mainSID+`","event_type":"user-password.updated","actor_sid":"US00000000000000000000000000000001","source_ip_address":"203.0.113.5","resource_sid":"US00000000000000000000000000000001","resource_type":"user"}`)
	if code != 200 || v["appended"] != float64(1) {
		t.Fatalf("inject event: %d %v", code, v)
	}
	r := te.do("GET", "/monitor/v1/Events", mainSID, mainTok, url.Values{"EventType": {"user-password.updated"}})
	evs := r.list("events")
	if len(evs) != 1 || evs[0].(map[string]any)["source"] != "web" || evs[0].(map[string]any)["event_date"] != testNow.Format(time.RFC3339) {
		t.Fatalf("injected event: %s", r.body)
	}
	code, v = admin(t, te.srv, "POST", "/messages", `{"account_sid":"`+subSID+`","messages":[{"from":"+15005550006","to":"+998901234567","body":"code 1","direction":"outbound-api","status":"undelivered","num_segments":1,"price":0.27,"price_unit":"USD"},{"from":"+15005550006","to":"+998901234568","body":"code 2","direction":"outbound-api","status":"undelivered","num_segments":1}]}`)
	if code != 200 || v["appended"] != float64(2) {
		t.Fatalf("inject messages: %d %v", code, v)
	}
	r = te.do("GET", "/api/2010-04-01/Accounts/"+subSID+"/Messages.json", mainSID, mainTok, url.Values{"DateSent": {testNow.Format("2006-01-02")}})
	if l := r.list("messages"); len(l) != 3 || l[0].(map[string]any)["to"] != "+998901234568" {
		t.Fatalf("injected messages: %s", r.body)
	}
	for path, body := range map[string]string{
		"/events":   `{"account_sid":"AC0000000000000000000000000000dead","event_type":"x"}`,
		"/messages": `{"account_sid":"nope","messages":[]}`,
	} {
		if code, _ := admin(t, te.srv, "POST", path, body); code != 400 {
			t.Errorf("%s %s: %d", path, body, code)
		}
	}
	if code, _ := admin(t, te.srv, "POST", "/events", `{"account_sid":"`+mainSID+`"}`); code != 400 {
		t.Errorf("event without type: %d", code)
	}
}

func TestClock(t *testing.T) {
	c := NewFrozenClock(testNow)
	c.Advance(time.Hour)
	if !c.Now().Equal(testNow.Add(time.Hour)) {
		t.Fatalf("frozen advance: %v", c.Now())
	}
	wall := testNow
	r := &Clock{base: testNow, wallAt: wall, wall: func() time.Time { return wall }}
	wall = wall.Add(5 * time.Second)
	r.Advance(time.Minute)
	if want := testNow.Add(time.Minute + 5*time.Second); !r.Now().Equal(want) {
		t.Fatalf("running clock: %v, want %v", r.Now(), want)
	}
	r.Set(testNow)
	wall = wall.Add(time.Second)
	if want := testNow.Add(time.Second); !r.Now().Equal(want) {
		t.Fatalf("after set: %v, want %v", r.Now(), want)
	}
}
