package investigate

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

type fakeSource struct {
	accounts []atoguard.Account
	failList error
	failAcct map[string]error
	failMsgs map[string]error
	mu       sync.Mutex
	ranges   map[string][2]time.Time
}

func (f *fakeSource) Accounts(context.Context) ([]atoguard.Account, error) {
	return f.accounts, f.failList
}

func (f *fakeSource) Account(_ context.Context, a atoguard.Account) (AccountSource, error) {
	if err := f.failAcct[a.SID]; err != nil {
		return nil, err
	}
	return &fakeAccount{f: f, sid: a.SID}, nil
}

type fakeAccount struct {
	f   *fakeSource
	sid string
}

func seq[T any](items []T, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

func (a *fakeAccount) Messages(_ context.Context, since, until time.Time) iter.Seq2[atoguard.Message, error] {
	a.f.mu.Lock()
	a.f.ranges[a.sid] = [2]time.Time{since, until}
	a.f.mu.Unlock()
	return seq([]atoguard.Message{{SID: "SM1", AccountSID: a.sid}, {SID: "SM2", AccountSID: a.sid}}, a.f.failMsgs[a.sid])
}
func (a *fakeAccount) Calls(context.Context, time.Time, time.Time) iter.Seq2[atoguard.Call, error] {
	return seq([]atoguard.Call{{SID: "CA1"}}, nil)
}
func (a *fakeAccount) Usage(context.Context, time.Time, time.Time) iter.Seq2[atoguard.UsageRecord, error] {
	return seq[atoguard.UsageRecord](nil, nil)
}
func (a *fakeAccount) Events(context.Context, time.Time, time.Time) iter.Seq2[atoguard.Event, error] {
	return seq([]atoguard.Event{{SID: "AE1"}}, nil)
}
func (a *fakeAccount) Configuration(context.Context) (atoguard.Configuration, error) {
	return atoguard.Configuration{APIKeys: []atoguard.APIKey{{SID: "SK" + a.sid[2:]}}}, nil
}

const (
	main = "AC00000000000000000000000000000001"
	sub1 = "AC00000000000000000000000000000002"
	sub2 = "AC00000000000000000000000000000003"
)

func newFake() *fakeSource {
	return &fakeSource{accounts: []atoguard.Account{
		{SID: sub2, OwnerSID: main}, {SID: main, OwnerSID: main}, {SID: sub1, OwnerSID: main},
	}, failAcct: map[string]error{}, failMsgs: map[string]error{}, ranges: map[string][2]time.Time{}}
}

var (
	until = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	opts  = Options{Since: until.AddDate(0, 0, -7), Until: until, BaselineSince: until.AddDate(0, 0, -37)}
)

func TestCollect(t *testing.T) {
	f := newFake()
	f.failAcct[sub1] = errors.New("401 Authenticate")
	f.failMsgs[sub2] = errors.New("500 after retries")
	var last Progress
	var mu sync.Mutex
	o := opts
	o.Progress = func(p Progress) { mu.Lock(); last = p; mu.Unlock() }
	ds, err := Collect(context.Background(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{ds.Accounts[0].Account.SID, ds.Accounts[1].Account.SID, ds.Accounts[2].Account.SID}; got[0] != main || got[1] != sub1 || got[2] != sub2 {
		t.Fatalf("order %v", got)
	}
	if !strings.Contains(ds.Accounts[1].Error, "401") || ds.Accounts[1].Config != nil {
		t.Errorf("failing subaccount: %+v", ds.Accounts[1])
	}
	if a := ds.Accounts[2]; !strings.Contains(a.Error, "messages: 500") || len(a.Messages) != 2 || len(a.Calls) != 1 || a.Config == nil {
		t.Errorf("partial subaccount: %+v", a)
	}
	if a := ds.Accounts[0]; a.Error != "" || len(a.Messages) != 2 || len(a.Events) != 1 || a.Config.AccountSID != main || a.Config.TakenAt != until {
		t.Errorf("main: %+v", a)
	}
	if r := f.ranges[main]; r[0] != opts.BaselineSince || r[1] != until {
		t.Errorf("message range %v", r)
	}
	if last.AccountsDone != 3 || last.AccountsTotal != 3 {
		t.Errorf("progress %+v", last)
	}
}

func TestCollectSelectedAccounts(t *testing.T) {
	f := newFake()
	o := opts
	o.Accounts = []string{sub2, "AC0000000000000000000000000000dead", sub2}
	ds, err := Collect(context.Background(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Accounts) != 2 || ds.Accounts[0].Account.SID != sub2 || !strings.Contains(ds.Accounts[1].Error, "not found") {
		t.Fatalf("%+v", ds.Accounts)
	}
}

func TestCollectErrors(t *testing.T) {
	f := newFake()
	f.failList = &atoguard.Error{Code: atoguard.EUNAUTHORIZED, Op: "twilio", Err: errors.New("bad token")}
	if _, err := Collect(context.Background(), f, opts); atoguard.CodeOf(err) != atoguard.EUNAUTHORIZED {
		t.Fatalf("list failure: %v", err)
	}
	f = newFake()
	for _, a := range f.accounts {
		f.failAcct[a.SID] = errors.New("down")
	}
	if _, err := Collect(context.Background(), f, opts); atoguard.CodeOf(err) != atoguard.EUNAVAILABLE {
		t.Fatalf("all failed: %v", err)
	}
	if _, err := Collect(context.Background(), newFake(), Options{}); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Fatalf("bad window: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Collect(ctx, newFake(), opts); atoguard.CodeOf(err) != atoguard.ECANCELED {
		t.Fatalf("canceled: %v", err)
	}
}

func TestSnapshot(t *testing.T) {
	ds, err := Collect(context.Background(), newFake(), opts)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSnapshot(ds)
	if len(s.Accounts) != 3 {
		t.Fatalf("%+v", s)
	}
	if err := s.Apply(ds); err != nil || ds.Accounts[0].Known == nil {
		t.Fatalf("apply: %v", err)
	}
	other := Snapshot{Version: 1, Accounts: []atoguard.Configuration{{AccountSID: "ACffffffffffffffffffffffffffffffff"}}}
	if err := other.Apply(ds); err == nil {
		t.Fatal("foreign snapshot accepted")
	}
	if err := (Snapshot{Version: 9}).Apply(ds); err == nil {
		t.Fatal("future version accepted")
	}
	_ = detect.Dataset{}
}
