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
