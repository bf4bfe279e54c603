// Package investigate collects what an account-takeover investigation needs
// from Twilio (through a Source the caller provides) and hands it to detect.
// It owns the orchestration: which accounts, which windows, concurrency,
// partial failures, progress, and known-good configuration snapshots.
package investigate

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// Source is where the records come from (the Twilio API in production, the
// emulator in tests, anything in unit tests).
type Source interface {
	// Accounts lists the authenticated account and its subaccounts. When
	// only the authenticated account is known (the credential may not list
	// accounts), it returns that account and an error wrapping
	// ErrSubaccountsUnlisted: the investigation goes on, incomplete.
	Accounts(ctx context.Context) ([]atoguard.Account, error)
	// Account returns the records of one account. Implementations resolve
	// per-account credentials here (a subaccount's token read via its parent).
	Account(ctx context.Context, a atoguard.Account) (AccountSource, error)
}

// AccountSource reads one account. Ranges are [since, until).
type AccountSource interface {
	Messages(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Message, error]
	Calls(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Call, error]
	// Usage returns daily usage records by category.
	Usage(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.UsageRecord, error]
	// Events returns Monitor events (as far back as retention allows).
	Events(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Event, error]
	// Configuration returns numbers with webhooks, applications, messaging
	// services, API keys, caller IDs, usage triggers and geo permissions.
	// A partial configuration comes back with an error describing what failed.
	Configuration(ctx context.Context) (atoguard.Configuration, error)
}

// ErrSubaccountsUnlisted marks a Source.Accounts answer without the
// subaccounts.
var ErrSubaccountsUnlisted = errors.New("not listed")

// CollectorSubaccounts names, in AccountData.Missing of the main account,
// the subaccount list that could not be read.
const CollectorSubaccounts = "subaccounts"

// Options of a collection.
type Options struct {
	// Accounts limits collection to these SIDs (default: the main account and
	// every subaccount).
	Accounts []string
	// Since and Until bound the investigated window; BaselineSince starts the
	// baseline window that ends at Since.
	Since, Until, BaselineSince time.Time
	// Concurrency is how many accounts are collected at once (default 4).
	Concurrency int
	// Progress, when set, is called after each account and every few
	// thousand records (from several goroutines; it must be safe for that).
	Progress func(Progress)
}

// Progress reports collection progress.
type Progress struct {
	AccountsDone, AccountsTotal int
	Records                     int64
}

// Collect gathers the dataset. A failing account is reported in its
// AccountData.Error and does not stop the others; Collect fails only when the
// account list itself cannot be read, or every account failed entirely.
func Collect(ctx context.Context, src Source, opts Options) (*detect.Dataset, error) {
	if opts.Until.IsZero() || opts.Since.IsZero() || !opts.Since.Before(opts.Until) {
		return nil, atoguard.Errorf(atoguard.EINVALID, "investigate.collect", "invalid window %s – %s", opts.Since, opts.Until)
	}
	if opts.BaselineSince.IsZero() || opts.BaselineSince.After(opts.Since) {
		opts.BaselineSince = opts.Since
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	accounts, err := src.Accounts(ctx)
	unlisted := errors.Is(err, ErrSubaccountsUnlisted) && len(accounts) > 0
	if err != nil && !unlisted {
		return nil, err
	}
	accounts = selectAccounts(accounts, opts.Accounts)
	ds := &detect.Dataset{Since: opts.Since, Until: opts.Until, BaselineSince: opts.BaselineSince,
		Accounts: make([]detect.AccountData, len(accounts))}
	for i, a := range accounts {
		ds.Accounts[i].Account = a
	}
	collectAll(ctx, src, ds, opts)
	if err := ctx.Err(); err != nil {
		return nil, &atoguard.Error{Code: atoguard.ECANCELED, Op: "investigate.collect", Err: err}
	}
	if unlisted && len(opts.Accounts) == 0 && len(ds.Accounts) > 0 {
		a := &ds.Accounts[0]
		a.Missing = append(a.Missing, CollectorSubaccounts)
		a.Error = strings.TrimPrefix(a.Error+"; "+CollectorSubaccounts+": "+err.Error(), "; ")
	}
	if len(accounts) > 0 && allFailed(ds) {
		return ds, atoguard.Errorf(atoguard.EUNAVAILABLE, "investigate.collect", "every account failed: %s", ds.Accounts[0].Error)
	}
	return ds, nil
}

// collectAll reads every account of ds, opts.Concurrency at a time; a
// failure stays in its account.
func collectAll(ctx context.Context, src Source, ds *detect.Dataset, opts Options) {
	var done atomic.Int64
	var records atomic.Int64
	report := func() {
		if opts.Progress != nil {
			opts.Progress(Progress{AccountsDone: int(done.Load()), AccountsTotal: len(ds.Accounts), Records: records.Load()})
		}
	}
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i := range ds.Accounts {
		a := ds.Accounts[i].Account
		if a.Status == "missing" {
			ds.Accounts[i].Error = "account not found or not accessible with these credentials"
			ds.Accounts[i].Missing = detect.Collectors()
			done.Add(1)
			continue
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				ds.Accounts[i].Error = ctx.Err().Error()
				ds.Accounts[i].Missing = detect.Collectors()
				return
			}
			defer func() { <-sem }()
			collectAccount(ctx, src, &ds.Accounts[i], opts, &records, report)
			done.Add(1)
			report()
		})
	}
	wg.Wait()
}

// allFailed: no account gave anything at all.
func allFailed(ds *detect.Dataset) bool {
	for _, a := range ds.Accounts {
		if a.Error == "" || a.Config != nil || len(a.Messages) > 0 || len(a.Events) > 0 {
			return false
		}
	}
	return true
}

// selectAccounts keeps the requested SIDs (in the order given); unknown
// ones become placeholder accounts with status "missing".
func selectAccounts(all []atoguard.Account, want []string) []atoguard.Account {
	if len(want) == 0 {
		// Main account first, then subaccounts by SID: stable output.
		out := slices.Clone(all)
		slices.SortStableFunc(out, atoguard.CompareAccounts)
		return out
	}
	var out []atoguard.Account
	for _, sid := range want {
		i := slices.IndexFunc(all, func(a atoguard.Account) bool { return a.SID == sid })
		if i < 0 {
			out = append(out, atoguard.Account{SID: sid, Status: "missing"})
			continue
		}
		if !slices.ContainsFunc(out, func(a atoguard.Account) bool { return a.SID == sid }) {
			out = append(out, all[i])
		}
	}
	return out
}

// collectAccount pulls one account's records concurrently (the client's
// per-account limiter bounds the requests).
func collectAccount(ctx context.Context, src Source, ad *detect.AccountData, opts Options, records *atomic.Int64, report func()) {
	as, err := src.Account(ctx, ad.Account)
	if err != nil {
		ad.Error = err.Error()
		ad.Missing = detect.Collectors()
		return
	}
	var mu sync.Mutex
	var errs []string
	fail := func(what string, err error) {
		mu.Lock()
		errs = append(errs, what+": "+err.Error())
		ad.Missing = append(ad.Missing, what)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	count := func() {
		if n := records.Add(1); n%5000 == 0 {
			report()
		}
	}
	wg.Go(func() {
		msgs, err := drain(as.Messages(ctx, opts.BaselineSince, opts.Until), count)
		ad.Messages = msgs
		if err != nil {
			fail(detect.CollectorMessages, err)
		}
	})
	wg.Go(func() {
		calls, err := drain(as.Calls(ctx, opts.BaselineSince, opts.Until), count)
		ad.Calls = calls
		if err != nil {
			fail(detect.CollectorCalls, err)
		}
	})
	// The small resources share one goroutine: the bulk (messages, calls)
	// gets the account's request slots.
	wg.Go(func() {
		usage, err := drain(as.Usage(ctx, opts.BaselineSince, opts.Until), count)
		ad.Usage = usage
		if err != nil {
			fail(detect.CollectorUsage, err)
		}
		evs, err := drain(as.Events(ctx, opts.BaselineSince, opts.Until), count)
		ad.Events = evs
		if err != nil {
			fail(detect.CollectorEvents, err)
		}
		cfg, err := as.Configuration(ctx)
		if cfg.AccountSID == "" {
			cfg.AccountSID = ad.Account.SID
		}
		if cfg.TakenAt.IsZero() {
			cfg.TakenAt = opts.Until
		}
		ad.Config = &cfg
		if err != nil {
			fail(detect.CollectorConfiguration, err)
		}
	})
	wg.Wait()
	slices.Sort(errs)
	ad.Error = strings.Join(errs, "; ")
	// Report order, whatever order the collectors failed in.
	ad.Missing = slices.DeleteFunc(detect.Collectors(), func(c string) bool { return !slices.Contains(ad.Missing, c) })
}

// drain collects a sequence, keeping what arrived before an error.
func drain[T any](seq iter.Seq2[T, error], each func()) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
		each()
	}
	return out, nil
}

// Snapshot is a known-good configuration of an account family
// (investigate --snapshot writes it, --against compares with it).
type Snapshot struct {
	Version  int                      `json:"version"`
	TakenAt  time.Time                `json:"taken_at"`
	Accounts []atoguard.Configuration `json:"accounts"`
}

// NewSnapshot takes the configurations of a dataset.
func NewSnapshot(ds *detect.Dataset) Snapshot {
	s := Snapshot{Version: 1, TakenAt: ds.Until}
	for _, a := range ds.Accounts {
		if a.Config != nil && a.Error == "" {
			s.Accounts = append(s.Accounts, *a.Config)
		}
	}
	return s
}

// Apply attaches the snapshot's configurations to the dataset's accounts
// as their known-good state.
func (s Snapshot) Apply(ds *detect.Dataset) error {
	if s.Version != 1 {
		return atoguard.Errorf(atoguard.EINVALID, "investigate.snapshot", "unsupported snapshot version %d", s.Version)
	}
	by := map[string]*atoguard.Configuration{}
	for i := range s.Accounts {
		by[s.Accounts[i].AccountSID] = &s.Accounts[i]
	}
	for i := range ds.Accounts {
		if c, ok := by[ds.Accounts[i].Account.SID]; ok {
			ds.Accounts[i].Known = c
		}
	}
	if len(by) > 0 && !slices.ContainsFunc(ds.Accounts, func(a detect.AccountData) bool { return by[a.Account.SID] != nil }) {
		return atoguard.Errorf(atoguard.EINVALID, "investigate.snapshot", "the snapshot covers none of the investigated accounts")
	}
	return nil
}

// Describe is a one-line summary of a dataset (for logs and progress).
func Describe(ds *detect.Dataset) string {
	var m, c, e int
	for _, a := range ds.Accounts {
		m += len(a.Messages)
		c += len(a.Calls)
		e += len(a.Events)
	}
	return fmt.Sprintf("%d account(s), %d messages, %d calls, %d events", len(ds.Accounts), m, c, e)
}
