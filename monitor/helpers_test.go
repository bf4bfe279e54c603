package monitor_test

import (
	"context"
	"iter"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/pgtest"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

var pg *pgtest.Server

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(s *pgtest.Server) { pg = s }))
}

var testNow = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

// emulated serves a named scenario over real HTTP and returns the world and
// a client of its main account.
func emulated(t *testing.T, name string) (*scenario.World, *twilio.Client) {
	t.Helper()
	w, err := scenario.BuildWith(name, scenario.Options{Seed: scenario.Seed(name), Now: testNow, MessagesPerDay: 100})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(testNow)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			c, err := twilio.New(twilio.Options{BaseURL: srv.URL, Credential: atoguard.Credential{AccountSID: a.SID, Secret: atoguard.NewSecret(a.AuthToken)}})
			if err != nil {
				t.Fatal(err)
			}
			return w, c
		}
	}
	t.Fatal("no main account")
	return nil, nil
}

// clientSource reads the client's own account through *twilio.Client: the
// pollers' view of Twilio (the CLI's adapter adds subaccounts).
type clientSource struct {
	c *twilio.Client
	// failAfter, when > 0, breaks the Monitor-events listing after that
	// many events: a poll that dies mid-way.
	failAfter int
	mu        sync.Mutex
	windows   [][2]time.Time // Events calls
}

func (s *clientSource) Accounts(ctx context.Context) ([]atoguard.Account, error) {
	a, err := s.c.FetchAccount(ctx, s.c.AccountSID())
	return []atoguard.Account{a}, err
}

func (s *clientSource) Account(context.Context, atoguard.Account) (investigate.AccountSource, error) {
	return &clientAccount{s}, nil
}

type clientAccount struct{ s *clientSource }

func (a *clientAccount) Messages(context.Context, time.Time, time.Time) iter.Seq2[atoguard.Message, error] {
	return func(func(atoguard.Message, error) bool) {}
}

func (a *clientAccount) Calls(context.Context, time.Time, time.Time) iter.Seq2[atoguard.Call, error] {
	return func(func(atoguard.Call, error) bool) {}
}

func (a *clientAccount) Usage(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.UsageRecord, error] {
	own := false
	return a.s.c.ListUsageRecords(ctx, a.s.c.AccountSID(), twilio.UsageFilter{Period: "Daily", Start: since, End: until, IncludeSubaccounts: &own})
}

func (a *clientAccount) Events(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Event, error] {
	a.s.mu.Lock()
	a.s.windows = append(a.s.windows, [2]time.Time{since, until})
	fail := a.s.failAfter
	a.s.mu.Unlock()
	seq := a.s.c.ListEvents(ctx, twilio.EventFilter{Start: since, End: until})
	if fail == 0 {
		return seq
	}
	return func(yield func(atoguard.Event, error) bool) {
		n := 0
		for e, err := range seq {
			if n == fail {
				yield(atoguard.Event{}, context.DeadlineExceeded)
				return
			}
			n++
			if !yield(e, err) {
				return
			}
		}
	}
}

func (a *clientAccount) Configuration(ctx context.Context) (atoguard.Configuration, error) {
	c := atoguard.Configuration{AccountSID: a.s.c.AccountSID()}
	var err error
	if c.PhoneNumbers, err = gather(a.s.c.ListIncomingPhoneNumbers(ctx, c.AccountSID)); err != nil {
		return c, err
	}
	if c.APIKeys, err = gather(a.s.c.ListKeys(ctx, c.AccountSID)); err != nil {
		return c, err
	}
	c.UsageTriggers, err = gather(a.s.c.ListUsageTriggers(ctx, c.AccountSID))
	return c, err
}

func gather[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// recorder is a Notifier and an Observer that remembers what it got.
type recorder struct {
	mu     sync.Mutex
	alerts []atoguard.Alert
	polls  map[string]int
}

func (r *recorder) Notify(_ context.Context, a atoguard.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
}

func (r *recorder) Polled(poller string, _ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.polls == nil {
		r.polls = map[string]int{}
	}
	if err == nil {
		r.polls[poller]++
	}
}

func (r *recorder) Alerted(atoguard.Alert, string) {}

func (r *recorder) pollCount(p string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.polls[p]
}

func (r *recorder) got() []atoguard.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.alerts)
}
