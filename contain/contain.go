// Package contain is serve's automatic containment, off by default. When an
// account reaches a rule's trigger (a verdict such as "compromised", or a
// named signal), it runs the rule's respond steps on that account alone —
// suspend a subaccount (never the main account), tighten geo permissions to
// the baseline countries, delete the attacker's API keys, restore webhooks
// from the known-good snapshot, and, only with a credential sink, rotate the
// auth token — through playbook.Apply and its journal: there is one
// implementation of each action. Dry-run records what it would have done
// (playbook.MakePlan). A circuit breaker bounds it: at most MaxPerHour
// actions per account, a stop after MaxErrors failed runs in a row, and a
// stop once a person acknowledges one of the account's alerts.
package contain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
)

// Mode is off (default), dry-run or on.
type Mode string

const (
	Off    Mode = "off"
	DryRun Mode = "dry-run"
	On     Mode = "on"
)

// Steps automatic containment may take (playbook step names).
var allowedSteps = []string{playbook.StepSuspendSubaccounts, playbook.StepGeoPermissions,
	playbook.StepDeleteKeys, playbook.StepWebhooks, playbook.StepRotateTokens}

// AllowedSteps lists the steps a rule may name.
func AllowedSteps() []string { return slices.Clone(allowedSteps) }

// Rule is one opt-in: when Trigger holds, take Steps. Trigger is a verdict
// (compromised, likely, suspicious: that verdict or worse) or a signal id.
type Rule struct {
	Trigger string
	Steps   []string
}

// ParseRule reads "TRIGGER: step step …".
func ParseRule(s string) (Rule, error) {
	trig, steps, ok := strings.Cut(s, ":")
	r := Rule{Trigger: strings.TrimSpace(trig), Steps: strings.Fields(steps)}
	if !ok || r.Trigger == "" || len(r.Steps) == 0 {
		return r, fmt.Errorf("rule %q: want \"TRIGGER: step …\", e.g. \"compromised: suspend-subaccounts geo-permissions\"", s)
	}
	for _, st := range r.Steps {
		if !slices.Contains(allowedSteps, st) {
			return r, fmt.Errorf("rule %q: step %q: want one of %s", s, st, strings.Join(allowedSteps, ", "))
		}
	}
	return r, nil
}

func (r Rule) matches(res detect.Result) bool {
	switch v := atoguard.Verdict(r.Trigger); v {
	case atoguard.VerdictCompromised, atoguard.VerdictLikely, atoguard.VerdictSuspicious:
		return res.Verdict.Rank() >= v.Rank()
	}
	for _, s := range res.Signals {
		if s.ID == r.Trigger {
			return true
		}
	}
	return false
}

// Judge gives an account's current verdict and signals (monitor.Engine).
type Judge interface {
	Judge(ctx context.Context, sid string) (detect.Result, error)
	KnownConfiguration(ctx context.Context, sid string) (atoguard.Configuration, bool, error)
}

// Notifier tells people (the alert dispatcher).
type Notifier interface {
	Notify(ctx context.Context, a atoguard.Alert)
}

// Options configure an Engine.
type Options struct {
	Mode       Mode
	Rules      []Rule
	Store      store.Store
	Judge      Judge
	Dial       playbook.Dial
	Credential atoguard.Credential // the main account's
	// CredStore receives rotated tokens; without it rotate-tokens is never taken.
	CredStore atoguard.CredentialStore
	Journal   *playbook.Journal // required in mode on
	// Snapshot is the known-good configuration (`investigate --snapshot`,
	// serve.webhook-snapshot) webhooks are restored to.
	Snapshot []atoguard.Configuration
	Notifier Notifier
	// MaxPerHour bounds actions per account and hour (default 10);
	// MaxErrors failed runs in a row stop an account (default 3).
	MaxPerHour, MaxErrors int
	Now                   func() time.Time
	Logger                *slog.Logger
	// Timeout bounds one containment run (default 2m).
	Timeout time.Duration
}

// Engine reacts to alerts. Create it with New, run it with Run.
type Engine struct {
	o Options

	mu      sync.Mutex
	done    map[string][]time.Time // actions taken, per account
	errs    map[string]int         // failed runs in a row
	stopped map[string]string      // account → why the breaker opened
	logged  map[string]string      // account → the stop last recorded
}

// New checks the options.
func New(o Options) (*Engine, error) {
	if o.Mode == "" {
		o.Mode = Off
	}
	switch o.Mode {
	case Off, DryRun, On:
	default:
		return nil, fmt.Errorf("contain: mode %q: want off, dry-run or on", o.Mode)
	}
	if o.Mode != Off && (o.Store == nil || o.Judge == nil || o.Dial == nil) {
		return nil, errors.New("contain: Store, Judge and Dial are required")
	}
	if o.Mode == On && o.Journal == nil {
		return nil, errors.New("contain: mode on needs a journal")
	}
	if o.MaxPerHour <= 0 {
		o.MaxPerHour = 10
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	return &Engine{o: o, done: map[string][]time.Time{},
		errs: map[string]int{}, stopped: map[string]string{}, logged: map[string]string{}}, nil
}

// Run watches the store's open alerts every interval until ctx ends and
// checks each account whose alerts changed since the last look. Alerts are
// read from the store, not from the detector, so that one replica (the
// holder of the "contain" lease) acts for all.
func (e *Engine) Run(ctx context.Context, holder string, interval time.Duration) {
	if e.o.Mode == Off {
		return
	}
	seen := map[string]time.Time{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, held, err := e.o.Store.AcquireLease(ctx, LeaseName, holder, 3*interval); err == nil && held {
			e.sweep(ctx, seen)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// LeaseName is the store lease of the replica that contains.
const LeaseName = "contain"

func (e *Engine) sweep(ctx context.Context, seen map[string]time.Time) {
	open, err := e.o.Store.Alerts(ctx, store.AlertQuery{State: atoguard.AlertOpen})
	if err != nil {
		e.o.Logger.Warn("containment: reading alerts failed", "err", err)
		return
	}
	due := map[string]bool{}
	for _, a := range open {
		if strings.HasPrefix(a.Key, KeyPrefix) || !a.LastSeen.After(seen[a.Key]) {
			continue
		}
		seen[a.Key] = a.LastSeen
		due[a.AccountSID] = true
	}
	for _, sid := range slices.Sorted(maps.Keys(due)) {
		if _, err := e.Contain(ctx, sid); err != nil && ctx.Err() == nil {
			e.o.Logger.Warn("containment failed", "account", sid, "err", err)
		}
	}
}
