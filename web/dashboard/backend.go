package dashboard

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/audit"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
)

// Monitor is the part of monitor.Engine the dashboard reads.
type Monitor interface {
	Accounts() []atoguard.Account
	Judge(ctx context.Context, sid string) (detect.Result, error)
}

// Backend implements Data over serve's parts.
type Backend struct {
	Store      store.Store
	Monitor    Monitor
	Source     investigate.Source // live reads (traffic)
	Dial       playbook.Dial
	Credential atoguard.Credential
	CredStore  atoguard.CredentialStore // nil: apply skips rotate-tokens
	Journal    *playbook.Journal
	Notifier   contain.Notifier
	Now        func() time.Time
	// TrafficDays is how far back the traffic chart reaches (default 7).
	TrafficDays int

	applyMu sync.Mutex // one apply at a time: they share the journal
}

func (b *Backend) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

// Accounts lists every account the pollers know with its verdict.
func (b *Backend) Accounts(ctx context.Context) ([]AccountRow, error) {
	open, err := b.Store.Alerts(ctx, store.AlertQuery{State: atoguard.AlertOpen})
	if err != nil {
		return nil, err
	}
	var rows []AccountRow
	for _, a := range b.Monitor.Accounts() {
		row, err := b.row(ctx, a, open)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Verdict.Rank() > rows[j].Verdict.Rank() })
	return rows, nil
}

func (b *Backend) row(ctx context.Context, a atoguard.Account, open []atoguard.Alert) (AccountRow, error) {
	res, err := b.Monitor.Judge(ctx, a.SID)
	if err != nil {
		return AccountRow{}, err
	}
	r := AccountRow{SID: a.SID, Name: a.FriendlyName, Subaccount: a.IsSubaccount(), Verdict: res.Verdict}
	for _, al := range open {
		if al.AccountSID == a.SID && !strings.HasPrefix(al.Key, contain.KeyPrefix) {
			r.OpenAlerts++
			if r.Since.IsZero() || al.FirstSeen.Before(r.Since) {
				r.Since = al.FirstSeen
			}
		}
	}
	return r, nil
}

func (b *Backend) Alerts(ctx context.Context, q store.AlertQuery) ([]atoguard.Alert, error) {
	return b.Store.Alerts(ctx, q)
}

// SetAlertState changes an alert's state; a person acking an already acked
// alert is not an error, so whether it changed is not reported.
func (b *Backend) SetAlertState(ctx context.Context, key string, st atoguard.AlertState) error {
	_, err := b.Store.SetAlertState(ctx, key, st)
	return err
}

func (b *Backend) lookup(sid string) atoguard.Account {
	for _, a := range b.Monitor.Accounts() {
		if a.SID == sid {
			return a
		}
	}
	return atoguard.Account{SID: sid}
}

// Account is the account page: verdict and timeline from the stored data,
// traffic read live, audit over the latest stored configuration.
func (b *Backend) Account(ctx context.Context, sid string) (AccountView, error) {
	acct := b.lookup(sid)
	open, err := b.Store.Alerts(ctx, store.AlertQuery{AccountSID: sid, State: atoguard.AlertOpen})
	if err != nil {
		return AccountView{}, err
	}
	row, err := b.row(ctx, acct, open)
	if err != nil {
		return AccountView{}, err
	}
	res, err := b.Monitor.Judge(ctx, sid)
	if err != nil {
		return AccountView{}, err
	}
	v := AccountView{Row: row, Reasons: res.Reasons, Timeline: res.Timeline}
	v.Traffic, err = b.traffic(ctx, acct)
	if err != nil {
		v.TrafficError = err.Error()
	}
	v.Audit, v.AuditError = b.audit(ctx, acct)
	return v, nil
}

func (b *Backend) traffic(ctx context.Context, acct atoguard.Account) ([]TrafficPoint, error) {
	if b.Source == nil {
		return nil, nil
	}
	as, err := b.Source.Account(ctx, acct)
	if err != nil {
		return nil, err
	}
	days := b.TrafficDays
	if days <= 0 {
		days = 7
	}
	until := b.now()
	nums := detect.NewNumbers()
	type k struct {
		day     time.Time
		country string
	}
	agg := map[k]*TrafficPoint{}
	for m, err := range as.Messages(ctx, until.AddDate(0, 0, -days), until) {
		if err != nil {
			return nil, err
		}
		if !m.Outbound() {
			continue
		}
		c := nums.Classify(m.To).Region
		if c == "" {
			c = "??"
		}
		key := k{m.DateCreated.UTC().Truncate(24 * time.Hour), c}
		if agg[key] == nil {
			agg[key] = &TrafficPoint{Day: key.day, Country: c}
		}
		agg[key].Messages++
		agg[key].Cost += m.Price
	}
	out := make([]TrafficPoint, 0, len(agg))
	for _, p := range agg {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out, nil
}

func (b *Backend) audit(ctx context.Context, acct atoguard.Account) (*audit.Result, string) {
	s, ok, err := b.Store.LatestSnapshot(ctx, acct.SID, "configuration")
	if err != nil {
		return nil, err.Error()
	}
	if !ok {
		return nil, "no configuration stored yet: the audit needs the first configuration poll"
	}
	var cfg atoguard.Configuration
	if err := json.Unmarshal(s.Body, &cfg); err != nil {
		return nil, "stored configuration: " + err.Error()
	}
	res := audit.Run([]audit.Account{{Account: acct, Config: &cfg}}, audit.Options{Now: b.now()})
	return &res, ""
}

func (b *Backend) planOptions(sid string) playbook.Options {
	o := playbook.Options{Credential: b.Credential, Store: b.CredStore, Journal: b.Journal, Accounts: []string{sid}, Now: b.Now}
	if b.CredStore == nil {
		o.Skip = []string{playbook.StepRotateTokens}
	}
	if sid != b.Credential.AccountSID {
		o.SuspendAccounts = []string{sid}
	}
	return o
}

// Plan is respond's plan for one account (read-only).
func (b *Backend) Plan(ctx context.Context, sid string) (*playbook.Plan, error) {
	return playbook.MakePlan(ctx, b.Dial, b.planOptions(sid))
}

// Apply runs respond's apply on one account, journaled, and records its
// changes in the containment log.
func (b *Backend) Apply(ctx context.Context, sid string) (*playbook.Result, error) {
	b.applyMu.Lock()
	defer b.applyMu.Unlock()
	res, err := playbook.Apply(ctx, b.Dial, b.planOptions(sid))
	if res != nil {
		if rerr := contain.Record(ctx, b.Store, b.Notifier, contain.Entries(sid, res.Actions, "dashboard", b.now())); rerr != nil && err == nil {
			err = rerr
		}
	}
	return res, err
}

func (b *Backend) Containment(ctx context.Context) ([]contain.Entry, error) {
	return contain.Log(ctx, b.Store)
}

func (b *Backend) StopContainment(ctx context.Context, sid string) error {
	return contain.Stop(ctx, b.Store, b.Notifier, sid, b.now())
}
