package playbook

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/internal/contained"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// world is an attacked ISV (main account and two subaccounts: an attacker's
// API key, widened geo permissions, deleted usage triggers, hijacked
// webhooks) served by the emulator over real HTTP and reached with the real
// *twilio.Client — what respond runs against, minus the network.
type world struct {
	e       *emulator.Emulator
	url     string
	w       *scenario.World
	cred    atoguard.Credential // the main account's configured token
	client  *twilio.Client
	store   *credstore.File
	journal *Journal
}

func newWorld(t testing.TB, faults ...emulator.FaultRule) *world {
	t.Helper()
	return serve(t, attacked(t), faults...)
}

// attacked builds the attacked world; the emulator copies it, so one world
// can be served many times.
func attacked(t testing.TB) *scenario.World {
	t.Helper()
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 4, Subaccounts: 2, MessagesPerDay: 20, Days: 37})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// serve starts an emulator with w, a client and an empty store and journal.
func serve(t testing.TB, w *scenario.World, faults ...emulator.FaultRule) *world {
	t.Helper()
	e, err := emulator.New(emulator.Options{World: w, Seed: 4, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	fx := &world{e: e, url: srv.URL, w: w}
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			fx.cred = atoguard.Credential{AccountSID: a.SID, Secret: atoguard.NewSecret(a.AuthToken)}
		}
	}
	fx.client, err = twilio.New(twilio.Options{BaseURL: srv.URL, Credential: fx.cred, Now: e.Clock().Now, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fx.store = &credstore.File{Path: filepath.Join(dir, "creds.json")}
	fx.journal = openJournal(t, filepath.Join(dir, "journal.jsonl"))
	t.Cleanup(func() { fx.journal.Close() })
	return fx
}

// noClientRetries turns the client's own retries off, so that a transient
// failure reaches the engine.
func (fx *world) noClientRetries(t testing.TB) {
	t.Helper()
	c, err := twilio.New(twilio.Options{BaseURL: fx.url, Credential: fx.cred, Now: fx.e.Clock().Now, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	fx.client = c
}

func (fx *world) dial() Dial { return DialAs(fx.client) }

func (fx *world) opts() Options {
	return Options{
		Credential: fx.cred, Store: fx.store, Journal: fx.journal,
		IncidentStart: fx.w.AttackStart.Add(-time.Hour), Now: fx.e.Clock().Now, Snapshot: fx.w.Snapshot,
		Concurrency: 2, RetryBackoff: time.Millisecond,
	}
}

// apply runs Apply, failing the test on an error.
func (fx *world) apply(t *testing.T, o Options) *Result {
	t.Helper()
	res, err := Apply(context.Background(), fx.dial(), o)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// works tells whether token opens account sid.
func (fx *world) works(sid, token string) bool {
	_, err := fx.client.As(atoguard.Credential{AccountSID: sid, Secret: atoguard.NewSecret(token)}).FetchAccount(context.Background(), sid)
	return err == nil
}

func (fx *world) main() scenario.Account {
	for _, a := range fx.w.Accounts {
		if !a.IsSubaccount() {
			return a
		}
	}
	panic("no main account")
}

// keys returns the API keys left on account sid.
func (fx *world) keys(sid string) []emulator.KeyState {
	for _, as := range fx.e.State().Accounts {
		if as.SID == sid {
			return as.Keys
		}
	}
	return nil
}

// assertContained checks every account with the check the demo and the CLI
// tests use; allow is the plan's country allowlist.
func (fx *world) assertContained(t *testing.T, allow []string, keep ...string) {
	t.Helper()
	exp := contained.Expect{
		World: fx.w, Store: fx.store, Allow: allow, Keep: keep,
		Works:         func(_ context.Context, c atoguard.Credential) bool { return fx.works(c.AccountSID, c.Secret.Reveal()) },
		TriggerPrefix: TriggerPrefix, TriggerCategories: TriggerCategoryOrder(),
	}
	for _, c := range contained.Failed(contained.Verify(context.Background(), fx.e.State(), exp)) {
		for _, p := range c.Problems {
			t.Errorf("%s: %s", c.Name, p)
		}
	}
}
