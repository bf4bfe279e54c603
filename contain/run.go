package contain

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
)

// KeyPrefix starts the store key of every containment record (kept as an
// alert, so it is stored, deduplicated and sent to the channels).
const KeyPrefix = "contain/"

// Entry is one containment action as recorded.
type Entry struct {
	Time    time.Time `json:"time"`
	Account string    `json:"account_sid"`
	Step    string    `json:"step"`
	Summary string    `json:"summary"`
	Status  string    `json:"status"` // done | failed | dry-run | stopped
	Mode    string    `json:"mode"`   // automatic | dry-run | dashboard
	Reverse string    `json:"reverse,omitempty"`
	Error   string    `json:"error,omitempty"`
	Rule    string    `json:"rule,omitempty"`
}

// Contain judges one account and, when a rule matches and the breaker is
// closed, takes (or in dry-run records) the rule's steps.
func (e *Engine) Contain(ctx context.Context, sid string) ([]Entry, error) {
	if e.o.Mode == Off {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.o.Timeout)
	defer cancel()
	if why, err := e.breakerOpen(ctx, sid); err != nil || why != "" {
		return nil, err
	}
	res, err := e.o.Judge.Judge(ctx, sid)
	if err != nil {
		return nil, err
	}
	steps, rules := e.stepsFor(sid, res)
	if len(steps) == 0 {
		return nil, nil
	}
	opts := playbook.Options{Credential: e.o.Credential, Store: e.o.CredStore, Journal: e.o.Journal,
		Only: steps, Accounts: []string{sid}, Now: e.o.Now}
	if sid != e.o.Credential.AccountSID && slices.Contains(steps, playbook.StepSuspendSubaccounts) {
		opts.SuspendAccounts = []string{sid}
	}
	opts.Snapshot = e.knownGood(ctx, sid, res)
	if slices.Contains(steps, playbook.StepDeleteKeys) {
		if opts.KeepKeys, err = e.keepKeys(ctx, sid, res); err != nil {
			e.account(sid, nil, err)
			return nil, e.record(ctx, nil, err)
		}
	}
	var acts []atoguard.Action
	mode := "automatic"
	if e.o.Mode == DryRun {
		mode = "dry-run"
		p, perr := playbook.MakePlan(ctx, e.o.Dial, opts)
		err = perr
		if p != nil {
			for _, ap := range p.Accounts {
				acts = append(acts, ap.Actions...)
			}
		}
	} else {
		r, aerr := playbook.Apply(ctx, e.o.Dial, opts)
		err = aerr
		if r != nil {
			acts = r.Actions
		}
	}
	entries := e.entries(sid, acts, mode, rules)
	e.account(sid, entries, err)
	return entries, e.record(ctx, entries, err)
}

// stepsFor is the union of the steps of the rules that match, less what
// must never be done automatically: suspending the main account, rotating
// without a credential sink.
func (e *Engine) stepsFor(sid string, res detect.Result) ([]string, string) {
	var steps, rules []string
	for _, r := range e.o.Rules {
		if !r.matches(res) {
			continue
		}
		rules = append(rules, r.Trigger)
		for _, st := range r.Steps {
			switch {
			case st == playbook.StepSuspendSubaccounts && sid == e.o.Credential.AccountSID:
			case st == playbook.StepRotateTokens && e.o.CredStore == nil:
			case !slices.Contains(steps, st):
				steps = append(steps, st)
			}
		}
	}
	return steps, strings.Join(rules, ", ")
}

func (e *Engine) entries(sid string, acts []atoguard.Action, mode, rule string) []Entry {
	var out []Entry
	for _, a := range acts {
		st := a.Status
		switch {
		case mode == "dry-run" && st == atoguard.ActionPlanned:
			st = "dry-run"
		case st != atoguard.ActionDone && st != atoguard.ActionFailed:
			continue // nothing to change, or already so
		}
		t := a.Time
		if t.IsZero() {
			t = e.o.Now().UTC()
		}
		out = append(out, Entry{Time: t, Account: sid, Step: a.Step, Summary: a.Summary, Status: st, Mode: mode,
			Reverse: Reverse(a), Error: a.Error, Rule: rule})
	}
	return out
}

// account counts actions and failures for the breaker.
func (e *Engine) account(sid string, entries []Entry, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	failed := err != nil
	for _, en := range entries {
		if en.Status == atoguard.ActionDone || en.Status == atoguard.ActionFailed {
			e.done[sid] = append(e.done[sid], e.o.Now())
		}
		failed = failed || en.Status == atoguard.ActionFailed
	}
	if failed {
		e.errs[sid]++
		if e.errs[sid] >= e.o.MaxErrors {
			e.stopped[sid] = "stopped after repeated errors"
		}
	} else {
		e.errs[sid] = 0
	}
}

const hourlyLimit = "paused: the limit of actions per hour is reached"

// breakerOpen says why containment of sid is stopped ("" when it is not).
// A stop is recorded once, as an entry of its own.
func (e *Engine) breakerOpen(ctx context.Context, sid string) (string, error) {
	e.mu.Lock()
	why := e.stopped[sid]
	hour := e.o.Now().Add(-time.Hour)
	recent := slices.DeleteFunc(e.done[sid], func(t time.Time) bool { return t.Before(hour) })
	e.done[sid] = recent
	if why == "" && len(recent) >= e.o.MaxPerHour {
		why = hourlyLimit
	}
	e.mu.Unlock()
	if why == "" {
		var err error
		if why, err = personStopped(ctx, e.o.Store, sid); err != nil {
			return "", err
		}
	}
	if why == "" {
		return "", nil
	}
	// A stop is recorded once: the breaker may have opened in account()
	// (repeated errors) without a record yet.
	e.mu.Lock()
	first := e.logged[sid] != why
	e.logged[sid] = why
	if why != hourlyLimit { // the hourly limit lifts as the hour passes
		e.stopped[sid] = why
	}
	e.mu.Unlock()
	if first {
		en := Entry{Time: e.o.Now().UTC(), Account: sid, Step: "circuit-breaker", Summary: why, Status: "stopped", Mode: string(e.o.Mode)}
		return why, e.record(ctx, []Entry{en}, nil)
	}
	return why, nil
}

// personStopped says whether a person stopped containment of sid: by
// acknowledging one of its detector alerts, or with the containment log's
// stop button (Stop). Acknowledging a containment record stops nothing.
func personStopped(ctx context.Context, st store.Store, sid string) (string, error) {
	all, err := st.Alerts(ctx, store.AlertQuery{AccountSID: sid})
	if err != nil {
		return "", err
	}
	for _, a := range all {
		switch {
		case strings.HasPrefix(a.Key, personStopKey(sid)):
			return "stopped by a person from the dashboard", nil
		case a.State == atoguard.AlertAcked && !strings.HasPrefix(a.Key, KeyPrefix):
			return "stopped: a person acknowledged an alert of this account", nil
		}
	}
	return "", nil
}

func personStopKey(sid string) string { return KeyPrefix + sid + "/person/" }

// Stop records that a person stopped automatic containment of sid; the
// engine takes no further action on it while the record is stored.
func Stop(ctx context.Context, st store.Store, n Notifier, sid string, now time.Time) error {
	en := Entry{Time: now.UTC(), Account: sid, Step: "circuit-breaker", Summary: "stopped by a person from the dashboard",
		Status: "stopped", Mode: "person"}
	e := &Engine{o: Options{Store: st, Notifier: n}}
	return e.record(ctx, []Entry{en}, nil)
}

// record stores each entry as an alert (new key: notified) and sends it.
func (e *Engine) record(ctx context.Context, entries []Entry, runErr error) error {
	for _, en := range entries {
		detail, _ := json.Marshal(en)
		sev := atoguard.SeverityHigh
		if en.Status == "dry-run" {
			sev = atoguard.SeverityMedium
		}
		a := atoguard.Alert{Key: KeyPrefix + en.Account + "/" + en.Mode + "/" + en.Step + "/" + en.Summary,
			AccountSID: en.Account, Severity: sev, State: atoguard.AlertOpen,
			Title:  atoguard.Clip(atoguard.Printable("containment "+en.Status+" on "+en.Account+": "+en.Summary), 300),
			Detail: detail, FirstSeen: en.Time, LastSeen: en.Time}
		d, err := e.o.Store.RaiseAlert(ctx, a, 24*time.Hour)
		if err != nil {
			return err
		}
		if d.Notify && e.o.Notifier != nil {
			e.o.Notifier.Notify(ctx, d.Alert)
		}
	}
	return runErr
}

// Log lists the recorded containment entries, newest first.
func Log(ctx context.Context, st store.Store) ([]Entry, error) {
	all, err := st.Alerts(ctx, store.AlertQuery{})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, a := range all {
		if !strings.HasPrefix(a.Key, KeyPrefix) {
			continue
		}
		var en Entry
		if json.Unmarshal(a.Detail, &en) == nil {
			out = append(out, en)
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return b.Time.Compare(a.Time) })
	return out, nil
}

// Record stores entries made outside the engine (an apply from the dashboard).
func Record(ctx context.Context, st store.Store, n Notifier, entries []Entry) error {
	e := &Engine{o: Options{Store: st, Notifier: n}}
	return e.record(ctx, entries, nil)
}

// Entries turns an apply's actions into log entries.
func Entries(sid string, acts []atoguard.Action, mode string, now time.Time) []Entry {
	e := &Engine{o: Options{Now: func() time.Time { return now }}}
	return e.entries(sid, acts, mode, "")
}
