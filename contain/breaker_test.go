package contain

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// compromisedJudge says every account is compromised since the attack's
// first event: the judge is not under test here, Twilio's answers are.
type compromisedJudge struct{ since time.Time }

func (j compromisedJudge) Judge(_ context.Context, sid string) (detect.Result, error) {
	return detect.Result{Verdict: atoguard.VerdictCompromised, Timeline: []atoguard.TimelineEntry{
		{Time: j.since, AccountSID: sid, Kind: "event", Attacker: true}}}, nil
}

func (compromisedJudge) KnownConfiguration(context.Context, string) (atoguard.Configuration, bool, error) {
	return atoguard.Configuration{}, false, nil
}

var acctPath = regexp.MustCompile(`/Accounts/(AC[0-9a-f]{32})`)

// rig is the emulator behind a counting front: every Twilio request is
// counted per account (the path's, else the caller's), and after every
// request that changes a credential every account must still have a
// working stored credential (checked through a second, uncounted server).
type rig struct {
	t         *testing.T
	world     *scenario.World
	emu       *emulator.Emulator
	url       string // counted
	check     string // uncounted
	sink      *credstore.File
	mu        sync.Mutex
	reqs      map[string]int
	writes    map[string]int
	lockedOut []string
}

func newRig(t *testing.T) *rig {
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 3, Subaccounts: 2, MessagesPerDay: 10, Days: 30, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.New(emulator.Options{World: w, Seed: 9, Clock: emulator.NewFrozenClock(testNow)})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, world: w, emu: e, reqs: map[string]int{}, writes: map[string]int{},
		sink: &credstore.File{Path: filepath.Join(t.TempDir(), "creds.json")}}
	chk := httptest.NewServer(e.Handler())
	t.Cleanup(chk.Close)
	r.check = chk.URL
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *rig) serve(w http.ResponseWriter, req *http.Request) {
	who, _, _ := req.BasicAuth()
	if m := acctPath.FindStringSubmatch(req.URL.Path); m != nil {
		who = m[1]
	}
	r.mu.Lock()
	r.reqs[who]++
	if req.Method != http.MethodGet {
		r.writes[who]++
	}
	r.mu.Unlock()
	r.emu.Handler().ServeHTTP(w, req)
	if req.Method != http.MethodGet && strings.Contains(req.URL.Path, "AuthTokens") {
		r.noLockout("after " + req.Method + " " + req.URL.Path)
	}
}

func (r *rig) works(sid, tok string) bool {
	c, err := twilio.New(twilio.Options{BaseURL: r.check, Credential: atoguard.Credential{AccountSID: sid, Secret: atoguard.NewSecret(tok)},
		MaxRetries: 8, BaseDelay: time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.FetchAccount(ctx, sid)
	return err == nil
}

// noLockout records an account without a working stored credential: the
// sink's token works, or nothing is stored and the original still does.
func (r *rig) noLockout(when string) {
	for _, a := range r.world.Accounts {
		tok, err := r.sink.Load(context.Background(), a.SID)
		ok := false
		switch {
		case err == nil:
			ok = r.works(a.SID, tok.Reveal())
		case errors.Is(err, atoguard.ErrNotStored):
			ok = r.works(a.SID, a.AuthToken)
		}
		if !ok {
			r.mu.Lock()
			r.lockedOut = append(r.lockedOut, fmt.Sprintf("%s: %s has no working stored credential (%v)", when, a.SID, err))
			r.mu.Unlock()
		}
	}
}

func (r *rig) main() scenario.Account {
	for _, a := range r.world.Accounts {
		if !a.IsSubaccount() {
			return a
		}
	}
	panic("no main account")
}

func (r *rig) engine(st store.Store, now func() time.Time) *Engine {
	r.t.Helper()
	m := r.main()
	cred := atoguard.Credential{AccountSID: m.SID, Secret: atoguard.NewSecret(m.AuthToken)}
	client, err := twilio.New(twilio.Options{BaseURL: r.url, Credential: cred, MaxRetries: 2, BaseDelay: time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	j, err := playbook.OpenJournal(filepath.Join(r.t.TempDir(), "journal.jsonl"))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { j.Close() })
	e, err := New(Options{Mode: On, Rules: []Rule{{Trigger: "compromised", Steps: AllowedSteps()}}, Store: st,
		Judge: compromisedJudge{since: testNow.Add(-60 * time.Hour)}, Dial: playbook.DialAs(client), Credential: cred,
		CredStore: r.sink, Journal: j, MaxPerHour: 10, MaxErrors: 3, Now: now, Timeout: time.Minute})
	if err != nil {
		r.t.Fatal(err)
	}
	return e
}

func openStore(t *testing.T) store.Store {
	st, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// geoAndKeyFaults answer 500 or 503 on the geo-permission and API-key
// endpoints (and, with tokens, on the auth-token endpoints) with chance p.
func geoAndKeyFaults(p float64, tokens bool) []emulator.FaultRule {
	rules := []emulator.FaultRule{
		{Product: "voice", Path: "/v1/DialingPermissions/**", Kind: emulator.FaultStatus, Status: 500, Probability: p},
		{Product: "accounts", Path: "/v1/Messaging/GeoPermissions", Kind: emulator.FaultStatus, Status: 503, Probability: p},
		{Product: "api", Path: "/2010-04-01/Accounts/*/Keys.json", Kind: emulator.FaultStatus, Status: 500, Probability: p},
		{Product: "api", Path: "/2010-04-01/Accounts/*/Keys/*", Kind: emulator.FaultStatus, Status: 503, Probability: p},
		{Product: "iam", Path: "/v1/Keys/**", Kind: emulator.FaultStatus, Status: 500, Probability: p},
	}
	if tokens {
		rules = append(rules, emulator.FaultRule{Product: "accounts", Path: "/v1/AuthTokens/*", Kind: emulator.FaultStatus, Status: 500, Probability: p})
	}
	return rules
}

// hourly is the most entries of one account, other than the breaker's,
// within any hour.
func hourly(log []Entry, sid string) int {
	most := 0
	for _, a := range log {
		n := 0
		for _, b := range log {
			if a.Account == sid && b.Account == sid && b.Step != "circuit-breaker" && !b.Time.Before(a.Time) && b.Time.Before(a.Time.Add(time.Hour)) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// TestBreakerUnderFaults: with every geo and key request failing (p=1),
// containment stops after three failed runs, says so once, and then sends
// Twilio nothing more for the account; with half of them failing (p=0.5,
// the auth-token endpoints too, so rotation is interrupted) no account is
// locked out at any moment and no account gets more than the hourly limit.
func TestBreakerUnderFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("p=1", func(t *testing.T) {
		r := newRig(t)
		if err := r.emu.SetFaults(geoAndKeyFaults(1, false)); err != nil {
			t.Fatal(err)
		}
		now := testNow
		st := openStore(t)
		e := r.engine(st, func() time.Time { return now })
		sid := r.main().SID
		var after int
		for i := range 12 {
			now = now.Add(5 * time.Minute)
			_, err := e.Contain(ctx, sid)
			r.mu.Lock()
			n := r.reqs[sid] + r.reqs[""]
			r.mu.Unlock()
			switch {
			case i < 3 && err == nil:
				t.Fatalf("run %d: no error under p=1 faults", i+1)
			case i == 3:
				after = n
			case i > 3 && n != after:
				t.Fatalf("run %d: %d Twilio requests after the breaker opened", i+1, n-after)
			}
		}
		log, err := Log(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		stops := 0
		for _, en := range log {
			if en.Step == "circuit-breaker" {
				stops++
				if !strings.Contains(en.Summary, "repeated errors") {
					t.Errorf("stop entry %q", en.Summary)
				}
			}
		}
		if stops != 1 {
			t.Errorf("%d stop entries, want exactly 1: %+v", stops, log)
		}
		if n := hourly(log, sid); n > 10 {
			t.Errorf("%d actions within an hour, limit 10", n)
		}
		r.noLockout("end")
		if len(r.lockedOut) > 0 {
			t.Fatal(strings.Join(r.lockedOut, "\n"))
		}
	})
	t.Run("p=0.5", func(t *testing.T) {
		r := newRig(t)
		if err := r.emu.SetFaults(geoAndKeyFaults(0.5, true)); err != nil {
			t.Fatal(err)
		}
		now := testNow
		st := openStore(t)
		e := r.engine(st, func() time.Time { return now })
		var sids []string
		for _, a := range r.world.Accounts {
			sids = append(sids, a.SID)
		}
		for range 12 {
			now = now.Add(10 * time.Minute)
			for _, sid := range sids {
				_, _ = e.Contain(ctx, sid)
				r.noLockout("between runs")
			}
		}
		log, err := Log(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, sid := range sids {
			if n := hourly(log, sid); n > 10 {
				t.Errorf("%s: %d actions within an hour, limit 10", sid, n)
			}
			r.mu.Lock()
			t.Logf("%s: %d requests, %d writes; %d actions at most in an hour", sid, r.reqs[sid], r.writes[sid], hourly(log, sid))
			r.mu.Unlock()
		}
		for _, en := range log {
			if en.Status == atoguard.ActionDone {
				done++
			}
			t.Logf("%s %s %s: %s %s", en.Time.Format("15:04"), en.Account, en.Status, en.Step, en.Summary)
		}
		t.Logf("%d entries, %d done", len(log), done)
		if len(r.lockedOut) > 0 {
			t.Fatal(strings.Join(r.lockedOut, "\n"))
		}
	})
}
