package contain

import (
	"context"
	"iter"
	"slices"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// defaultIncident is how far back keys count as the incident's when no
// attacker action is attributed (playbook's default incident start).
const defaultIncident = 7 * 24 * time.Hour

// attackerSince is the time of the first Monitor event on sid attributed
// to a likely attacker.
func attackerSince(res detect.Result, sid string) (time.Time, bool) {
	var first time.Time
	for _, te := range res.Timeline {
		if te.Attacker && te.Kind == "event" && te.AccountSID == sid && (first.IsZero() || te.Time.Before(first)) {
			first = te.Time
		}
	}
	return first, !first.IsZero()
}

// knownGood is the configuration webhooks are restored to: the operator's
// `investigate --snapshot` file (serve.webhook-snapshot) when it has the
// account; else the first configuration serve stored, but only when it was
// taken before the attacker's first change — serve started after a hijack
// first sees the bad values; else nil, and playbook takes the values from
// before the incident in the Monitor events, as respond does.
func (e *Engine) knownGood(ctx context.Context, sid string, res detect.Result) []atoguard.Configuration {
	for _, c := range e.o.Snapshot {
		if c.AccountSID == sid {
			return []atoguard.Configuration{c}
		}
	}
	cfg, ok, err := e.o.Judge.KnownConfiguration(ctx, sid)
	if err != nil || !ok || cfg.TakenAt.IsZero() {
		return nil
	}
	if since, attacked := attackerSince(res, sid); attacked && !cfg.TakenAt.Before(since) {
		return nil
	}
	return []atoguard.Configuration{cfg}
}

// keepKeys lists the keys containment must not delete: those in the
// snapshot and those created before the attack (the first attributed
// action, else the last 7 days), so only the attacker's keys go.
func (e *Engine) keepKeys(ctx context.Context, sid string, res detect.Result) ([]string, error) {
	since, ok := attackerSince(res, sid)
	if !ok {
		since = e.o.Now().Add(-defaultIncident)
	}
	var keep []string
	for _, c := range e.o.Snapshot {
		if c.AccountSID == sid {
			for _, k := range c.APIKeys {
				keep = append(keep, k.SID)
			}
		}
	}
	keys, err := e.listKeys(ctx, e.o.Credential, sid)
	if err != nil && e.o.CredStore != nil {
		// After a rotation the configured token is dead; the sink has the new one.
		if tok, lerr := e.o.CredStore.Load(ctx, e.o.Credential.AccountSID); lerr == nil && !tok.IsZero() {
			keys, err = e.listKeys(ctx, atoguard.Credential{AccountSID: e.o.Credential.AccountSID, Secret: tok}, sid)
		}
	}
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.DateCreated.Before(since) && !slices.Contains(keep, k.SID) {
			keep = append(keep, k.SID)
		}
	}
	return keep, nil
}

// listKeys lists sid's keys (standard and IAM) as playbook does: IAM keys
// of a subaccount are read with its own token, fetched through the parent.
func (e *Engine) listKeys(ctx context.Context, cred atoguard.Credential, sid string) ([]atoguard.APIKey, error) {
	tw := e.o.Dial(cred)
	if sid != cred.AccountSID {
		tok, err := tw.SubaccountAuthToken(ctx, sid)
		if err != nil {
			return nil, err
		}
		tw = e.o.Dial(atoguard.Credential{AccountSID: sid, Secret: tok})
	}
	var out []atoguard.APIKey
	for _, list := range []func(context.Context, string) iter.Seq2[atoguard.APIKey, error]{tw.ListKeys, tw.ListIAMKeys} {
		for k, err := range list(ctx, sid) {
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
	}
	return out, nil
}
