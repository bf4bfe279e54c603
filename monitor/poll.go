package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/store"
)

// PollOnce runs one round of a poller over every account, whoever holds its
// lease (Run checks the lease; tests call this directly). It returns the
// accounts whose data changed; their detection is queued.
func (e *Engine) PollOnce(ctx context.Context, poller string) ([]string, error) {
	start := time.Now()
	changed, err := e.pollAll(ctx, poller)
	if e.o.Observer != nil {
		e.o.Observer.Polled(poller, time.Since(start), err)
	}
	if err != nil && ctx.Err() == nil {
		e.o.Logger.Warn("poll failed", "poller", poller, "err", err)
	}
	for _, sid := range changed {
		select {
		case e.dirty <- sid:
		default: // the queue is full: detection is far behind and will see this account's data anyway
		}
	}
	return changed, err
}

func (e *Engine) pollAll(ctx context.Context, poller string) ([]string, error) {
	accounts, err := e.o.Source.Accounts(ctx)
	if err != nil && !(errors.Is(err, investigate.ErrSubaccountsUnlisted) && len(accounts) > 0) {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}
	var changed []string
	var errs []error
	for _, a := range accounts {
		if a.Status == "closed" {
			continue
		}
		e.mu.Lock()
		e.accounts[a.SID] = a
		e.mu.Unlock()
		ok, err := e.pollAccount(ctx, poller, a)
		if err != nil {
			e.forget(a.SID) // credentials may have rotated: build the source afresh next time
			errs = append(errs, fmt.Errorf("%s: %w", a.SID, err))
		}
		if ok {
			changed = append(changed, a.SID)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return changed, errors.Join(errs...)
}

func (e *Engine) pollAccount(ctx context.Context, poller string, a atoguard.Account) (bool, error) {
	as, err := e.source(ctx, a)
	if err != nil {
		return false, err
	}
	switch poller {
	case PollerEvents:
		return e.pollEvents(ctx, a.SID, as)
	case PollerUsage:
		return e.pollUsage(ctx, a.SID, as)
	case PollerConfig:
		return e.pollConfig(ctx, a.SID, as)
	}
	return false, fmt.Errorf("unknown poller %q", poller)
}

func (e *Engine) source(ctx context.Context, a atoguard.Account) (investigate.AccountSource, error) {
	e.mu.Lock()
	as := e.sources[a.SID]
	e.mu.Unlock()
	if as != nil {
		return as, nil
	}
	as, err := e.o.Source.Account(ctx, a)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.sources[a.SID] = as
	e.mu.Unlock()
	return as, nil
}

func (e *Engine) forget(sid string) {
	e.mu.Lock()
	delete(e.sources, sid)
	e.mu.Unlock()
}

// pollEvents reads Monitor events from the stored cursor (less the overlap)
// to now, and stores them with the new cursor in one transaction: a crash
// before the commit re-reads the same window, one after it starts from the
// new cursor, so there is no gap, and SIDs make re-reads no duplicates.
func (e *Engine) pollEvents(ctx context.Context, sid string, as investigate.AccountSource) (bool, error) {
	end := e.o.Now().UTC().Truncate(time.Second)
	from := end.Add(-e.o.Lookback)
	c, found, err := e.o.Store.Cursor(ctx, sid, PollerEvents)
	if err != nil {
		return false, err
	}
	if found {
		pos, err := time.Parse(time.RFC3339, c.Position)
		if err != nil {
			return false, fmt.Errorf("stored cursor %q: %w", c.Position, err)
		}
		from = pos.Add(-e.o.Overlap)
	}
	if !from.Before(end) {
		return false, nil
	}
	evs, err := drain(as.Events(ctx, from, end))
	if err != nil {
		return false, err
	}
	added, err := e.o.Store.PutMonitorEvents(ctx, store.Cursor{AccountSID: sid, Poller: PollerEvents, Position: end.Format(time.RFC3339)}, evs)
	return added > 0 || !found, err
}

// pollUsage keeps the daily usage of the baseline window as one snapshot.
func (e *Engine) pollUsage(ctx context.Context, sid string, as investigate.AccountSource) (bool, error) {
	now := e.o.Now().UTC()
	recs, err := drain(as.Usage(ctx, now.Add(-e.o.Baseline), now))
	if err != nil {
		return false, err
	}
	return e.putSnapshot(ctx, sid, KindUsage, recs)
}

// pollConfig keeps the configuration when it changed. A partial read is not
// stored: what could not be read would look deleted.
func (e *Engine) pollConfig(ctx context.Context, sid string, as investigate.AccountSource) (bool, error) {
	cfg, err := as.Configuration(ctx)
	if err != nil {
		return false, err
	}
	cfg.AccountSID = sid
	cfg.TakenAt = time.Time{} // equal configurations must compare equal
	if _, found, err := e.o.Store.DetectorState(ctx, sid, stateKnownConfig); err != nil {
		return false, err
	} else if !found {
		// The first configuration serve sees is the account's known-good
		// baseline: later changes are judged against it.
		body, _ := json.Marshal(cfg)
		if err := e.o.Store.PutDetectorState(ctx, sid, stateKnownConfig, body); err != nil {
			return false, err
		}
	}
	return e.putSnapshot(ctx, sid, KindConfig, cfg)
}

const stateKnownConfig = "known-configuration"

func (e *Engine) putSnapshot(ctx context.Context, sid, kind string, v any) (bool, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	return e.o.Store.PutSnapshot(ctx, store.Snapshot{AccountSID: sid, Kind: kind, TakenAt: e.o.Now().UTC(), Body: body})
}

func drain[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
