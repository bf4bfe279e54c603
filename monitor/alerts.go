package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/store"
)

// runDetection re-judges accounts whose data changed, one at a time;
// repeated marks of one account collapse into one run.
func (e *Engine) runDetection(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case sid := <-e.dirty:
			pending := map[string]bool{sid: true}
			for more := true; more; {
				select {
				case s := <-e.dirty:
					pending[s] = true
				default:
					more = false
				}
			}
			for s := range pending {
				if err := e.DetectAccount(ctx, s); err != nil && ctx.Err() == nil {
					e.o.Logger.Warn("detection failed", "account", s, "err", err)
				}
			}
		}
	}
}

// DetectAccount runs the investigate detectors over the stored data of one
// account, raises an alert per signal id at or above MinSeverity and
// resolves the account's alerts whose condition cleared.
func (e *Engine) DetectAccount(ctx context.Context, sid string) error {
	ds, complete, err := e.dataset(ctx, sid)
	if err != nil {
		return err
	}
	res := detect.Run(ds, e.o.Detect)
	bySignal := map[string][]atoguard.Signal{}
	alert := alerting(res, sid, e.o.MinVerdict)
	for _, s := range res.Signals {
		if alert && s.AccountSID == sid && s.Severity.Rank() >= e.o.MinSeverity.Rank() {
			bySignal[s.ID] = append(bySignal[s.ID], s)
		}
	}
	raised := map[string]bool{}
	for id, sigs := range bySignal {
		a := e.alertFor(sid, id, sigs)
		raised[a.Key] = true
		d, err := e.o.Store.RaiseAlert(ctx, a, e.o.Cooldown)
		if err != nil {
			return err
		}
		if d.Notify {
			e.notify(ctx, d.Alert, d.Reason)
		}
	}
	if !complete {
		return nil // what is not known yet cannot be said to have cleared
	}
	return e.resolveCleared(ctx, sid, raised)
}

// alerting reports whether the account's verdict, by investigate's rules,
// reaches minVerdict: a medium signal alone (a developer's tunnel, a new
// sign-in address) is worth a look in investigate, not a page.
func alerting(res detect.Result, sid string, minVerdict atoguard.Verdict) bool {
	for _, a := range res.Accounts {
		if a.SID == sid {
			return a.Verdict.Rank() >= minVerdict.Rank()
		}
	}
	return false
}

func (e *Engine) resolveCleared(ctx context.Context, sid string, raised map[string]bool) error {
	for _, state := range []atoguard.AlertState{atoguard.AlertOpen, atoguard.AlertAcked} {
		open, err := e.o.Store.Alerts(ctx, store.AlertQuery{AccountSID: sid, State: state})
		if err != nil {
			return err
		}
		for _, a := range open {
			if raised[a.Key] || !strings.HasPrefix(a.Key, alertKeyPrefix(sid)) {
				continue
			}
			changed, err := e.o.Store.SetAlertState(ctx, a.Key, atoguard.AlertResolved)
			if err != nil {
				return err
			}
			if !changed {
				continue // another replica resolved it and told people
			}
			a.State, a.ResolvedAt = atoguard.AlertResolved, e.o.Now().UTC()
			e.notify(ctx, a, "resolved")
		}
	}
	return nil
}

func (e *Engine) notify(ctx context.Context, a atoguard.Alert, reason string) {
	e.o.Logger.Info("alert", "key", a.Key, "severity", a.Severity, "state", a.State, "reason", reason)
	if e.o.Observer != nil {
		e.o.Observer.Alerted(a, reason)
	}
	if e.o.Notifier != nil {
		e.o.Notifier.Notify(ctx, a)
	}
}

func alertKeyPrefix(sid string) string { return "signal/" + sid + "/" }

// AlertDetail is the JSON of an alert's Detail.
type AlertDetail struct {
	Signals []atoguard.Signal `json:"signals"`
	// Respond is the command that contains the takeover of this account.
	Respond string `json:"respond"`
}

// RespondCommand is the command an alert recommends for an account.
func RespondCommand(sid string) string { return "atoguard respond apply --accounts " + sid }

func (e *Engine) alertFor(sid, id string, sigs []atoguard.Signal) atoguard.Alert {
	worst := sigs[0]
	for _, s := range sigs[1:] {
		if s.Severity.Rank() > worst.Severity.Rank() {
			worst = s
		}
	}
	detail, _ := json.Marshal(AlertDetail{Signals: sigs, Respond: RespondCommand(sid)})
	secrets := append(e.o.Secrets(), e.tokenSecrets()...)
	now := e.o.Now().UTC()
	return atoguard.Alert{
		Key: alertKeyPrefix(sid) + id, AccountSID: sid, Severity: worst.Severity, State: atoguard.AlertOpen,
		Title:  Scrub(fmt.Sprintf("%s on %s: %s", id, sid, worst.Summary), secrets),
		Detail: json.RawMessage(Scrub(string(detail), secrets)), FirstSeen: now, LastSeen: now,
	}
}

// dataset builds detect's input for one account from the store. complete
// is false while a poller has not yet stored its first read.
func (e *Engine) dataset(ctx context.Context, sid string) (*detect.Dataset, bool, error) {
	now := e.o.Now().UTC()
	ds := &detect.Dataset{Since: now.Add(-e.o.Window), Until: now, BaselineSince: now.Add(-e.o.Baseline)}
	e.mu.Lock()
	acct, ok := e.accounts[sid]
	e.mu.Unlock()
	if !ok {
		acct = atoguard.Account{SID: sid}
	}
	// Messages and calls arrive through Event Streams only; an account none
	// arrived for has them missing, not absent.
	ad := detect.AccountData{Account: acct}
	msgs, calls, seen, err := e.streamActivity(ctx, sid, ds.BaselineSince)
	if err != nil {
		return nil, false, err
	}
	if seen {
		ad.Messages, ad.Calls = msgs, calls
	} else {
		ad.Missing = append(ad.Missing, detect.CollectorMessages, detect.CollectorCalls)
	}
	evs, err := e.o.Store.MonitorEvents(ctx, store.EventQuery{AccountSID: sid, Since: ds.BaselineSince})
	if err != nil {
		return nil, false, err
	}
	ad.Events = evs
	_, haveCursor, err := e.o.Store.Cursor(ctx, sid, PollerEvents)
	if err != nil {
		return nil, false, err
	}
	haveConfig, err := e.loadSnapshots(ctx, sid, &ad)
	if err != nil {
		return nil, false, err
	}
	ds.Accounts = []detect.AccountData{ad}
	return ds, haveCursor && haveConfig, nil
}

func (e *Engine) loadSnapshots(ctx context.Context, sid string, ad *detect.AccountData) (haveConfig bool, err error) {
	if s, ok, err := e.o.Store.LatestSnapshot(ctx, sid, KindUsage); err != nil {
		return false, err
	} else if ok {
		if err := json.Unmarshal(s.Body, &ad.Usage); err != nil {
			return false, fmt.Errorf("stored usage: %w", err)
		}
	} else {
		ad.Missing = append(ad.Missing, detect.CollectorUsage)
	}
	s, ok, err := e.o.Store.LatestSnapshot(ctx, sid, KindConfig)
	if err != nil {
		return false, err
	}
	if !ok {
		ad.Missing = append(ad.Missing, detect.CollectorConfiguration)
		return false, nil
	}
	var cfg atoguard.Configuration
	if err := json.Unmarshal(s.Body, &cfg); err != nil {
		return false, fmt.Errorf("stored configuration: %w", err)
	}
	cfg.TakenAt = s.TakenAt
	ad.Config = &cfg
	if body, ok, err := e.o.Store.DetectorState(ctx, sid, stateKnownConfig); err != nil {
		return false, err
	} else if ok {
		var known atoguard.Configuration
		if err := json.Unmarshal(body, &known); err != nil {
			return false, fmt.Errorf("stored known configuration: %w", err)
		}
		ad.Known = &known
	}
	return true, nil
}
