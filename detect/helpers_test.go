package detect

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

const (
	mainSID = "AC00000000000000000000000000000001"
	subSID  = "AC00000000000000000000000000000002"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// world builds hand-made datasets for detector tests.
type world struct {
	ds  *Dataset
	rng *rand.Rand
	seq int
}

func newWorld(accounts ...string) *world {
	if len(accounts) == 0 {
		accounts = []string{mainSID}
	}
	w := &world{rng: rand.New(rand.NewPCG(1, 2))}
	w.ds = &Dataset{Since: testNow.Add(-7 * 24 * time.Hour), Until: testNow, BaselineSince: testNow.Add(-37 * 24 * time.Hour)}
	for i, sid := range accounts {
		owner := mainSID
		if i == 0 {
			owner = sid
		}
		w.ds.Accounts = append(w.ds.Accounts, AccountData{Account: atoguard.Account{SID: sid, OwnerSID: owner, FriendlyName: "acct" + sid[len(sid)-1:],
			Status: "active", DateCreated: testNow.AddDate(-2, 0, 0)},
			Config: &atoguard.Configuration{AccountSID: sid, TakenAt: testNow, PhoneNumbers: []atoguard.PhoneNumber{
				{SID: "PN" + sid[2:], AccountSID: sid, PhoneNumber: "+14155550100", Webhooks: atoguard.Webhooks{"sms_url": "https://hooks.example.com/sms", "voice_url": "https://hooks.example.com/voice"}}}}})
	}
	return w
}

func (w *world) acct(i int) *AccountData { return &w.ds.Accounts[i] }

func (w *world) sid(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%032x", prefix, w.seq)
}

// usNumber is a random US mobile-looking number in a real area code.
func (w *world) number(cc string) string {
	switch cc {
	case "US":
		return fmt.Sprintf("+1415%03d%04d", 200+w.rng.IntN(700), w.rng.IntN(10000))
	case "GB":
		return fmt.Sprintf("+447700%06d", w.rng.IntN(1000000))
	case "DE":
		return fmt.Sprintf("+49151%08d", w.rng.IntN(100000000))
	case "CA":
		return fmt.Sprintf("+1416%03d%04d", 200+w.rng.IntN(700), w.rng.IntN(10000))
	case "NG":
		return fmt.Sprintf("+234803%07d", w.rng.IntN(10000000))
	}
	panic(cc)
}

// steady adds perHour outbound messages to cc for every hour in [from, to)
// with a business-hours shape (more in the day, less at night).
func (w *world) steady(i int, cc string, perHour float64, from, to time.Time, body string) {
	for t := from.Truncate(time.Hour); t.Before(to); t = t.Add(time.Hour) {
		n := perHour
		if h := t.Hour(); h < 7 || h > 20 {
			n = perHour / 4
		}
		k := int(n)
		if w.rng.Float64() < n-float64(k) {
			k++
		}
		for range k {
			w.msg(i, w.number(cc), t.Add(time.Duration(w.rng.IntN(3600))*time.Second), body, "delivered", 0.0079)
		}
	}
}

func (w *world) msg(i int, to string, at time.Time, body, status string, price float64) {
	a := w.acct(i)
	a.Messages = append(a.Messages, atoguard.Message{SID: w.sid("SM"), AccountSID: a.Account.SID, From: "+14155550100", To: to,
		Body: body, Direction: "outbound-api", Status: status, NumSegments: 1, Price: price, PriceUnit: "USD", DateCreated: at, DateSent: at})
}

func (w *world) event(i int, typ, actor, ip string, at time.Time, data map[string]any) {
	a := w.acct(i)
	a.Events = append(a.Events, atoguard.Event{SID: w.sid("AE"), AccountSID: a.Account.SID, ActorSID: actor, ActorType: "user",
		Source: "web", SourceIP: ip, EventType: typ, EventDate: at, ResourceSID: w.sid("RS"), Data: data})
}

// officeHistory adds baseline logins of a known user from the office.
func (w *world) officeHistory(i int) {
	for d := 10; d < 35; d += 3 {
		w.event(i, "user-session.created", "US00000000000000000000000000000001", "203.0.113.10", testNow.AddDate(0, 0, -d), nil)
	}
}

func ids(sigs []atoguard.Signal) []string {
	var out []string
	for _, s := range sigs {
		if !slices.Contains(out, s.ID) {
			out = append(out, s.ID)
		}
	}
	slices.Sort(out)
	return out
}

func find(sigs []atoguard.Signal, id string) *atoguard.Signal {
	for i := range sigs {
		if sigs[i].ID == id {
			return &sigs[i]
		}
	}
	return nil
}

func mustHave(t *testing.T, r Result, want ...string) {
	t.Helper()
	for _, id := range want {
		if find(r.Signals, id) == nil {
			t.Errorf("missing signal %s; got %v", id, ids(r.Signals))
		}
	}
}

func mustNotHave(t *testing.T, r Result, unwanted ...string) {
	t.Helper()
	for _, id := range unwanted {
		if s := find(r.Signals, id); s != nil {
			t.Errorf("unexpected signal %s: %s", id, s.Summary)
		}
	}
}
