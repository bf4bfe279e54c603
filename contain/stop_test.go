package contain

import (
	"context"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
)

// TestPersonStops: once a person acknowledges one of an account's detector
// alerts, or presses the log's stop button, containment of that account
// takes no action and sends Twilio nothing; another account is not
// affected; acknowledging a containment record stops nothing.
func TestPersonStops(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"ack", "button", "ack-record"} {
		t.Run(how, func(t *testing.T) {
			r := newRig(t)
			st := openStore(t)
			now := testNow
			e := r.engine(st, func() time.Time { return now })
			sid := r.main().SID
			switch how {
			case "ack":
				if _, err := st.RaiseAlert(ctx, atoguard.Alert{Key: "event.api-key-created/" + sid, AccountSID: sid, Severity: atoguard.SeverityHigh,
					State: atoguard.AlertOpen, Title: "API key created", FirstSeen: now, LastSeen: now}, time.Hour); err != nil {
					t.Fatal(err)
				}
				if _, err := st.SetAlertState(ctx, "event.api-key-created/"+sid, atoguard.AlertAcked); err != nil {
					t.Fatal(err)
				}
			case "button":
				if err := Stop(ctx, st, nil, sid, now); err != nil {
					t.Fatal(err)
				}
			case "ack-record":
				en := Entry{Time: now, Account: sid, Step: "delete-keys", Summary: "delete API key SK1", Status: "done", Mode: "automatic"}
				if err := Record(ctx, st, nil, []Entry{en}); err != nil {
					t.Fatal(err)
				}
				log, _ := st.Alerts(ctx, storeQuery(sid))
				for _, a := range log {
					if _, err := st.SetAlertState(ctx, a.Key, atoguard.AlertAcked); err != nil {
						t.Fatal(err)
					}
				}
			}
			r.mu.Lock()
			before := r.reqs[sid] + r.reqs[""]
			r.mu.Unlock()
			entries, err := e.Contain(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			r.mu.Lock()
			sent := r.reqs[sid] + r.reqs[""] - before
			r.mu.Unlock()
			if how == "ack-record" {
				if len(entries) == 0 || sent == 0 {
					t.Fatalf("acknowledging a containment record stopped containment (%d entries, %d requests)", len(entries), sent)
				}
				return
			}
			if len(entries) > 0 || sent > 0 {
				t.Fatalf("after a person's stop: %d entries, %d Twilio requests", len(entries), sent)
			}
			log, err := Log(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) == 0 || log[0].Status != "stopped" {
				t.Fatalf("no stop in the log: %+v", log)
			}
			// Another account is still contained.
			other := ""
			for _, a := range r.world.Accounts {
				if a.IsSubaccount() {
					other = a.SID
				}
			}
			if entries, err := e.Contain(ctx, other); err != nil || len(entries) == 0 {
				t.Fatalf("%s not contained after a stop of %s: %v", other, sid, err)
			}
		})
	}
}

func storeQuery(sid string) store.AlertQuery { return store.AlertQuery{AccountSID: sid} }
