package emulator

import (
	"net/url"
	"testing"

	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestNamedScenariosLoad serves every named scenario and reads it back
// through the API: accounts, messages (the count the world holds) and events.
func TestNamedScenariosLoad(t *testing.T) {
	names := scenario.Names()
	if testing.Short() {
		names = names[:2]
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			w, err := scenario.Build(name, 1, scenario.DefaultNow())
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
				// The parent's token reaches each subaccount's messages. Paging
				// through every message of every world is slow; three suffice.
				path := "/api/2010-04-01/Accounts/" + a.SID + "/Messages.json"
				if i >= 3 {
					path = ""
				}
				n := 0
				for path != "" {
					r := te.do("GET", path, sid, tok.Reveal(), url.Values{"PageSize": {"1000"}})
					if r.status != 200 {
						t.Fatalf("%s: %d %s", path, r.status, r.body)
					}
					n += len(r.list("messages"))
					path = ""
					if next, ok := r.json["next_page_uri"].(string); ok {
						path = follow("api", next)
					}
				}
				if i < 3 && n != len(a.Messages) {
					t.Errorf("%s: listed %d messages, world has %d", a.SID, n, len(a.Messages))
				}
				if a.SID == sid {
					r := te.do("GET", "/monitor/v1/Events", sid, tok.Reveal(), url.Values{"PageSize": {"1000"}})
					if len(r.list("events")) != min(1000, len(a.Events)) {
						t.Errorf("events: %d listed, world has %d", len(r.list("events")), len(a.Events))
					}
				}
			}
		})
	}
}
