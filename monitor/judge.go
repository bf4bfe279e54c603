package monitor

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// Judge runs the investigate detectors over one account's stored data and
// returns the whole result (verdict, reasons, timeline with the attacker's
// actions first): what the dashboard and automatic containment read.
func (e *Engine) Judge(ctx context.Context, sid string) (detect.Result, error) {
	ds, _, err := e.dataset(ctx, sid)
	if err != nil {
		return detect.Result{}, err
	}
	return detect.Run(ds, e.o.Detect), nil
}

// Accounts lists the accounts the pollers have seen, main account first.
func (e *Engine) Accounts() []atoguard.Account {
	e.mu.Lock()
	out := make([]atoguard.Account, 0, len(e.accounts))
	for _, a := range e.accounts {
		out = append(out, a)
	}
	e.mu.Unlock()
	slices.SortFunc(out, atoguard.CompareAccounts)
	return out
}

// KnownConfiguration is the account's known-good configuration (the first
// one serve stored); found is false before the first configuration poll.
func (e *Engine) KnownConfiguration(ctx context.Context, sid string) (cfg atoguard.Configuration, found bool, err error) {
	body, ok, err := e.o.Store.DetectorState(ctx, sid, stateKnownConfig)
	if err != nil || !ok {
		return cfg, false, err
	}
	err = json.Unmarshal(body, &cfg)
	return cfg, err == nil, err
}
