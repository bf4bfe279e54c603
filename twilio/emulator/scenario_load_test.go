package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestNamedScenariosLoad serves every named scenario (at reduced traffic,
// overlays at full size) and reads it back through the API: accounts, every
// account's messages through the parent's token (the count the world holds)
// and the main account's events.
func TestNamedScenariosLoad(t *testing.T) {
	for _, name := range scenario.Names() {
		t.Run(name, func(t *testing.T) {
			w, err := scenario.BuildWith(name, scenario.Options{Seed: 1, Now: scenario.DefaultNow(), MessagesPerDay: 40, Days: 10})
			if err != nil {
				t.Fatal(err)
			}
			te := newEnv(t, w)
			sid, tok, ok := te.e.TestCredential()
			if !ok {
				t.Fatal("no test credential")
			}
			r := te.do("GET", "/api/2010-04-01/Accounts.json", sid, tok.Reveal(), nil)
			if r.status != 200 || len(r.list("accounts")) != len(w.Accounts) {
				t.Fatalf("accounts: %d, %d listed, world has %d", r.status, len(r.list("accounts")), len(w.Accounts))
			}
			for _, a := range w.Accounts {
				if n := countPages(t, te, "/api/2010-04-01/Accounts/"+a.SID+"/Messages.json?PageSize=1000", sid, tok.Reveal(), "messages"); n != len(a.Messages) {
					t.Errorf("%s: listed %d messages, world has %d", a.SID, n, len(a.Messages))
				}
				if a.SID == sid {
					if n := countPages(t, te, "/monitor/v1/Events?PageSize=1000", sid, tok.Reveal(), "events"); n != len(a.Events) {
						t.Errorf("events: %d listed, world has %d", n, len(a.Events))
					}
				}
			}
		})
	}
}

// countPages follows next-page links and counts items, decoding only SIDs.
func countPages(t *testing.T, te *testEnv, path, user, pass, key string) int {
	t.Helper()
	n := 0
	for path != "" {
		req, _ := http.NewRequest("GET", te.srv.URL+path, nil)
		req.SetBasicAuth(user, pass)
		res, err := te.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		var page struct {
			Next *string `json:"next_page_uri"`
			Meta struct {
				NextPageURL *string `json:"next_page_url"`
			} `json:"meta"`
			Items []struct {
				SID string `json:"sid"`
			}
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(body, &page)
		_ = json.Unmarshal(raw[key], &page.Items)
		n += len(page.Items)
		path = ""
		switch {
		case page.Next != nil:
			path = follow("api", *page.Next)
		case page.Meta.NextPageURL != nil:
			path = follow("monitor", *page.Meta.NextPageURL)
		}
	}
	return n
}
