package playbook

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Plan is what respond would do: per account, every action with the current
// state and the target, plus the manual checklist.
type Plan struct {
	CreatedAt     time.Time                `json:"created_at"`
	IncidentStart time.Time                `json:"incident_start"`
	MainAccount   string                   `json:"main_account"`
	Targets       Targets                  `json:"targets"`
	Accounts      []AccountPlan            `json:"accounts"`
	Checklist     []atoguard.ChecklistItem `json:"checklist"`
	Errors        []string                 `json:"errors,omitempty"`
}

// Targets are the settings actions aim for.
type Targets struct {
	AllowCountries       []string `json:"allow_countries"`
	AllowCountriesSource string   `json:"allow_countries_source"` // flag | config | baseline … | snapshot | none …
	KeepKeys             []string `json:"keep_keys,omitempty"`
	Steps                []string `json:"steps"`
	CredentialStore      string   `json:"credential_sink,omitempty"`
}

// AccountPlan is the actions for one account.
type AccountPlan struct {
	Account atoguard.Account  `json:"account"`
	Actions []atoguard.Action `json:"actions"`
	Error   string            `json:"error,omitempty"`
}

// Changes counts the actions that would change something.
func (p *Plan) Changes() int {
	n := 0
	for _, a := range p.Accounts {
		for _, x := range a.Actions {
			if x.Status == atoguard.ActionPlanned {
				n++
			}
		}
	}
	return n
}

// Result is what an apply did.
type Result struct {
	Run         string                      `json:"run"`
	Started     time.Time                   `json:"started"`
	Finished    time.Time                   `json:"finished"`
	MainAccount string                      `json:"main_account"`
	Accounts    []atoguard.Account          `json:"accounts"`
	Actions     []atoguard.Action           `json:"actions"`
	Credentials []atoguard.CredentialRecord `json:"credentials"`
	Failures    []atoguard.Action           `json:"failures"`
	Checklist   []atoguard.ChecklistItem    `json:"checklist"`
	Targets     Targets                     `json:"targets"`
}

// Changed counts actions of this run that changed something.
func (r *Result) Changed() int {
	n := 0
	for _, a := range r.Actions {
		if a.Status == atoguard.ActionDone {
			n++
		}
	}
	return n
}

// op is one planned change: the action as planned and how to perform it.
// do re-checks state where it matters and returns the state after.
type op struct {
	action atoguard.Action
	do     func(ctx context.Context) (after string, err error)
}

// engine holds one plan or apply.
type engine struct {
	opts    Options
	dial    Dial
	tw      Twilio // acting with the main account's working credential
	main    atoguard.Credential
	oldMain atoguard.Credential // configured credential when it is now dead (rotated)
	accts   []atoguard.Account
	targets Targets
	apply   bool
	run     string

	mu         sync.Mutex
	progressMu sync.Mutex
	actions    []atoguard.Action
	manual     []atoguard.ChecklistItem
	baseline   map[string]*accountBaseline
}

func newEngine(ctx context.Context, dial Dial, opts Options, apply bool) (*engine, error) {
	return newEngineMode(ctx, dial, opts, apply, true)
}

func newEngineMode(ctx context.Context, dial Dial, opts Options, apply, baseline bool) (*engine, error) {
	if err := ValidateSteps(opts.Only); err != nil {
		return nil, err
	}
	if err := ValidateSteps(opts.Skip); err != nil {
		return nil, err
	}
	if opts.Credential.AccountSID == "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "respond", "no main account credential")
	}
	e := &engine{opts: opts, dial: dial, apply: apply, baseline: map[string]*accountBaseline{}}
	if err := e.resolveMain(ctx); err != nil {
		return nil, err
	}
	all, err := atoguard.Collect(e.tw.ListAccounts(ctx, atoguard.AccountFilter{}))
	if err != nil {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}
	mainSID := opts.Credential.AccountSID
	var main atoguard.Account
	var subs []atoguard.Account
	for _, a := range all {
		switch {
		case a.SID == mainSID:
			main = a
		case a.OwnerSID == mainSID || a.IsSubaccount():
			subs = append(subs, a)
		}
	}
	if main.SID == "" {
		if main, err = e.tw.FetchAccount(ctx, mainSID); err != nil {
			return nil, fmt.Errorf("fetching main account: %w", err)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].SID < subs[j].SID })
	in := func(sid string) bool { return len(opts.Accounts) == 0 || contains(opts.Accounts, sid) }
	if in(main.SID) {
		e.accts = append(e.accts, main)
	}
	for _, s := range subs {
		if in(s.SID) && s.Status != "closed" {
			e.accts = append(e.accts, s)
		}
	}
	for _, sid := range opts.Accounts {
		if !slices.ContainsFunc(e.accts, func(a atoguard.Account) bool { return a.SID == sid }) {
			return nil, atoguard.Errorf(atoguard.EINVALID, "respond", "account %s is neither the main account nor one of its open subaccounts", sid)
		}
	}
	e.targets = Targets{KeepKeys: opts.KeepKeys, Steps: e.steps()}
	if opts.Store != nil {
		e.targets.CredentialStore = opts.Store.Kind() + ":" + opts.Store.Location()
	}
	if !baseline {
		return e, nil
	}
	if err := e.resolveCountries(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *engine) steps() []string {
	var out []string
	for _, s := range Steps() {
		if e.opts.stepEnabled(s) {
			out = append(out, s)
		}
	}
	return out
}

// resolveMain finds a working credential for the main account: the
// configured one, or — after a rotation that a crash interrupted — the token
// in the credential sink.
func (e *engine) resolveMain(ctx context.Context) error {
	cred := e.opts.Credential
	tw := e.dial(cred)
	_, err := tw.FetchAccount(ctx, cred.AccountSID)
	if err == nil {
		e.tw, e.main = tw, cred
		return nil
	}
	if !isUnauthorized(err) {
		return fmt.Errorf("checking the main account credential: %w", err)
	}
	if cred.KeySID != "" {
		return atoguard.Errorf(atoguard.EUNAUTHORIZED, "respond",
			"the API key %s may not read account %s (a Standard or Restricted key cannot): respond needs the account's auth token", cred.KeySID, cred.AccountSID)
	}
	if e.opts.Store != nil {
		stored, lerr := e.opts.Store.Load(ctx, cred.AccountSID)
		if lerr == nil && !stored.IsZero() {
			c := atoguard.Credential{AccountSID: cred.AccountSID, Secret: stored}
			alt := e.dial(c)
			if _, err2 := alt.FetchAccount(ctx, cred.AccountSID); err2 == nil {
				e.tw, e.main, e.oldMain = alt, c, cred
				return nil
			}
		}
	}
	return atoguard.Errorf(atoguard.EUNAUTHORIZED, "respond",
		"the configured credential for %s is rejected and the credential sink holds no working token for it "+
			"(if an interrupted rotation stored the new token in a sink that cannot read back, set TWILIO_AUTH_TOKEN to that token)", cred.AccountSID)
}

// clientFor returns a client acting as account and the credential it uses:
// the main credential for the main account, the subaccount's own token
// (read through the parent) for a subaccount.
func (e *engine) clientFor(ctx context.Context, a atoguard.Account) (Twilio, atoguard.Credential, error) {
	if a.SID == e.main.AccountSID {
		return e.tw, e.main, nil
	}
	tok, err := e.tw.SubaccountAuthToken(ctx, a.SID)
	if err != nil {
		return nil, atoguard.Credential{}, fmt.Errorf("reading the token of %s through the parent: %w", a.SID, err)
	}
	c := atoguard.Credential{AccountSID: a.SID, Secret: tok}
	return e.dial(c), c, nil
}

type accountsAPI interface {
	FetchAccount(ctx context.Context, sid string) (atoguard.Account, error)
	ListAccounts(ctx context.Context, f atoguard.AccountFilter) iter.Seq2[atoguard.Account, error]
	SubaccountAuthToken(ctx context.Context, sid string) (atoguard.Secret, error)
}

// acct is one account being worked on.
type acct struct {
	info atoguard.Account
	tw   Twilio
	cred atoguard.Credential
}

func (e *engine) record(a atoguard.Action) {
	e.mu.Lock()
	e.actions = append(e.actions, a)
	e.mu.Unlock()
	if e.opts.Progress != nil {
		e.progressMu.Lock() // accounts run concurrently; Progress need not be safe for that
		e.opts.Progress(a)
		e.progressMu.Unlock()
	}
}

func (e *engine) journal(r Record) error {
	if !e.apply || e.opts.Journal == nil {
		return nil
	}
	r.Run = e.run
	return e.opts.Journal.Append(r)
}

// inspect returns the ops of one step for one account.
func (e *engine) inspect(ctx context.Context, a *acct, step string) ([]op, error) {
	switch step {
	case StepRotateTokens:
		return e.inspectRotate(ctx, a)
	case StepDeleteKeys:
		return e.inspectKeys(ctx, a)
	case StepGeoPermissions:
		return e.inspectGeo(ctx, a)
	case StepUsageTriggers:
		return e.inspectTriggers(ctx, a)
	case StepCallerIDs:
		return e.inspectCallerIDs(ctx, a)
	case StepWebhooks:
		return e.inspectWebhooks(ctx, a)
	case StepSuspendSubaccounts:
		return e.inspectSuspend(ctx, a)
	case StepEventSink:
		return e.inspectEventSink(ctx, a)
	}
	return nil, fmt.Errorf("unknown step %q", step)
}

// runAccount plans or applies every enabled step for one account.
func (e *engine) runAccount(ctx context.Context, info atoguard.Account) ([]atoguard.Action, error) {
	if info.Status == "suspended" && info.SID != e.main.AccountSID {
		// Twilio rejects every request of a suspended account, the attacker's
		// included; nothing can be changed until it is reactivated.
		s := atoguard.Action{ID: "account/" + info.SID, Step: StepSuspendSubaccounts, AccountSID: info.SID,
			Summary: "subaccount is suspended: no request can act as it (reactivate it, then run respond again)", Status: atoguard.ActionSkipped}
		if e.apply {
			e.record(s)
		}
		return []atoguard.Action{s}, nil
	}
	tw, cred, err := e.clientFor(ctx, info)
	if err != nil {
		return nil, err
	}
	a := &acct{info: info, tw: tw, cred: cred}
	var out []atoguard.Action
	var firstErr error
	for _, step := range e.steps() {
		acts, err := e.runStep(ctx, a, step)
		out = append(out, acts...)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			if ctx.Err() != nil {
				return out, err
			}
		}
	}
	return out, firstErr
}

// runStep inspects and performs one step, re-inspecting and retrying after
// transient failures: every op re-checks live state, so a retry only does
// what is still missing.
func (e *engine) runStep(ctx context.Context, a *acct, step string) ([]atoguard.Action, error) {
	attempts := 1
	if e.apply {
		attempts = 5
	}
	backoff := e.opts.RetryBackoff
	if backoff <= 0 {
		backoff = 100 * time.Millisecond
	}
	var err error
	var out []atoguard.Action
	for try := 1; try <= attempts; try++ {
		if try > 1 {
			select {
			case <-ctx.Done():
				return out, ctx.Err()
			case <-time.After(time.Duration(try*try) * backoff):
			}
		}
		out, err = e.stepOnce(ctx, a, step)
		if err == nil || !transient(err) || ctx.Err() != nil {
			break
		}
	}
	return out, err
}

// transient reports whether a failure may go away on retry.
func transient(err error) bool {
	switch atoguard.CodeOf(err) {
	case atoguard.EINVALID, atoguard.EUNAUTHORIZED, atoguard.ECANCELED:
		return false
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

func (e *engine) stepOnce(ctx context.Context, a *acct, step string) ([]atoguard.Action, error) {
	info := a.info
	ops, err := e.inspect(ctx, a, step)
	if err != nil {
		f := atoguard.Action{ID: step + "/" + info.SID, Step: step, AccountSID: info.SID,
			Summary: "inspect " + step, Status: atoguard.ActionFailed, Error: err.Error()}
		e.record(f)
		if jerr := e.journal(Record{Event: EventFailed, Action: f}); jerr != nil {
			return []atoguard.Action{f}, jerr
		}
		return []atoguard.Action{f}, err
	}
	if len(ops) == 0 {
		s := atoguard.Action{ID: step + "/" + info.SID, Step: step, AccountSID: info.SID,
			Summary: stepOK(step), Status: atoguard.ActionSkipped}
		if e.apply {
			e.record(s)
		}
		return []atoguard.Action{s}, nil
	}
	var out []atoguard.Action
	var firstErr error
	for _, o := range ops {
		act := o.action
		if !e.apply || o.do == nil {
			if act.Status == "" {
				act.Status = atoguard.ActionPlanned
			}
			out = append(out, act)
			continue
		}
		done, err := e.perform(ctx, a, o)
		out = append(out, done)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, firstErr
}

// perform journals the intent, acts and journals the outcome.
func (e *engine) perform(ctx context.Context, a *acct, o op) (atoguard.Action, error) {
	act := o.action
	act.Status = atoguard.ActionPlanned
	if err := e.journal(Record{Event: EventIntent, Action: act}); err != nil {
		act.Status, act.Error = atoguard.ActionFailed, err.Error()
		e.record(act)
		return act, err
	}
	after, err := o.do(ctx)
	act.Time = e.opts.now()
	switch {
	case errors.Is(err, errConsoleOnly):
		act.Status, act.After = atoguard.ActionManual, after
	case err == nil:
		act.Status = atoguard.ActionDone
		if after != "" {
			act.After = after
		}
	case errors.Is(err, errAlreadyDone):
		act.Status = atoguard.ActionSkipped
		act.After = after
	default:
		act.Status, act.Error = atoguard.ActionFailed, err.Error()
	}
	ev := map[string]string{atoguard.ActionDone: EventDone, atoguard.ActionFailed: EventFailed,
		atoguard.ActionManual: EventManual, atoguard.ActionSkipped: EventSkipped}[act.Status]
	if jerr := e.journal(Record{Event: ev, Action: act}); jerr != nil && act.Status != atoguard.ActionFailed {
		act.Status, act.Error, err = atoguard.ActionFailed, jerr.Error(), jerr
	}
	e.record(act)
	if act.Status != atoguard.ActionFailed {
		err = nil
	}
	return act, err
}

type sentinel string

func (s sentinel) Error() string { return string(s) }

// errAlreadyDone: an action found its target state already in place when it
// re-checked just before acting.
const errAlreadyDone = sentinel("already done")

func stepOK(step string) string {
	switch step {
	case StepRotateTokens:
		return "auth token already rotated"
	case StepDeleteKeys:
		return "no API keys to delete"
	case StepGeoPermissions:
		return "geo permissions already match the allowlist"
	case StepUsageTriggers:
		return "usage triggers already set"
	case StepCallerIDs:
		return "caller IDs already match the allowlist"
	case StepWebhooks:
		return "no hijacked webhooks"
	case StepSuspendSubaccounts:
		return "nothing to suspend"
	case StepEventSink:
		return "event sink already present"
	}
	return "nothing to do"
}

// forEach runs f for the main account first (its token may change), then the
// subaccounts concurrently.
func (e *engine) forEach(ctx context.Context, f func(ctx context.Context, a atoguard.Account)) {
	var subs []atoguard.Account
	for _, a := range e.accts {
		if a.SID == e.main.AccountSID {
			f(ctx, a)
			continue
		}
		subs = append(subs, a)
	}
	n := e.opts.Concurrency
	if n <= 0 {
		n = 8
	}
	work := make(chan atoguard.Account)
	var wg sync.WaitGroup
	for range min(n, max(len(subs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				f(ctx, a)
			}
		}()
	}
	for _, a := range subs {
		if ctx.Err() != nil {
			break
		}
		work <- a
	}
	close(work)
	wg.Wait()
}

// MakePlan inspects every account read-only and returns the plan.
func MakePlan(ctx context.Context, dial Dial, opts Options) (*Plan, error) {
	e, err := newEngine(ctx, dial, opts, false)
	if err != nil {
		return nil, err
	}
	p := &Plan{CreatedAt: opts.now(), IncidentStart: opts.incidentStart(), MainAccount: e.main.AccountSID, Targets: e.targets}
	plans := make(map[string]*AccountPlan)
	var mu sync.Mutex
	e.forEach(ctx, func(ctx context.Context, a atoguard.Account) {
		acts, err := e.runAccount(ctx, a)
		ap := &AccountPlan{Account: a, Actions: acts}
		if err != nil {
			ap.Error = err.Error()
		}
		mu.Lock()
		plans[a.SID] = ap
		mu.Unlock()
	})
	for _, a := range e.accts {
		if ap := plans[a.SID]; ap != nil {
			p.Accounts = append(p.Accounts, *ap)
			if ap.Error != "" {
				p.Errors = append(p.Errors, a.SID+": "+ap.Error)
			}
		}
	}
	p.Checklist = e.checklist(ctx)
	if err := ctx.Err(); err != nil {
		return p, err
	}
	return p, nil
}

// Apply performs the plan: it re-inspects each account just before acting,
// journals every intent and outcome, and rotates tokens so that a stored
// working credential exists at every moment.
func Apply(ctx context.Context, dial Dial, opts Options) (*Result, error) {
	if opts.Journal == nil {
		return nil, ErrJournalRequired
	}
	if opts.stepEnabled(StepRotateTokens) && opts.Store == nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "respond.apply",
			"rotating tokens needs a credential sink for the new tokens (--credential-sink file:PATH|env:PATH[:VAR]|cmd:COMMAND), or --skip %s", StepRotateTokens)
	}
	if opts.AfterJournal != nil {
		opts.Journal.SetHook(opts.AfterJournal)
	}
	started := opts.now()
	e, err := newEngine(ctx, dial, opts, true)
	if err != nil {
		return nil, err
	}
	e.run = newRunID(started)
	if err := e.journal(Record{Event: EventRunStart}); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var errs []string
	e.forEach(ctx, func(ctx context.Context, a atoguard.Account) {
		if _, err := e.runAccount(ctx, a); err != nil {
			mu.Lock()
			errs = append(errs, a.SID+": "+err.Error())
			mu.Unlock()
		}
	})
	res := &Result{Run: e.run, Started: started, MainAccount: e.main.AccountSID, Accounts: e.accts, Targets: e.targets}
	e.mu.Lock()
	res.Actions = latest(e.actions)
	e.mu.Unlock()
	for _, a := range res.Actions {
		if a.Status == atoguard.ActionFailed {
			res.Failures = append(res.Failures, a)
		}
	}
	res.Credentials = opts.Journal.Credentials()
	res.Checklist = e.checklist(ctx)
	res.Finished = opts.now()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := e.journal(Record{Event: EventRunEnd}); err != nil {
		return res, err
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return res, atoguard.Errorf(atoguard.EUNAVAILABLE, "respond.apply", "%d account(s) not fully contained: %s", len(errs), strings.Join(errs, "; "))
	}
	return res, nil
}

// latest keeps the last state of every action (a retried action appears
// once), in first-seen order.
func latest(acts []atoguard.Action) []atoguard.Action {
	idx := map[string]int{}
	var out []atoguard.Action
	for _, a := range acts {
		if i, ok := idx[a.ID]; ok {
			out[i] = a
			continue
		}
		idx[a.ID] = len(out)
		out = append(out, a)
	}
	return out
}

// Review reads the journal and live state without changing anything: the
// changes made so far, where credentials went, and the checklist verified
// against current Monitor events. It backs `respond report`.
func Review(ctx context.Context, dial Dial, opts Options) (*Result, error) {
	e, err := newEngineMode(ctx, dial, opts, false, false)
	if err != nil {
		return nil, err
	}
	res := &Result{MainAccount: e.main.AccountSID, Accounts: e.accts, Targets: e.targets, Finished: opts.now()}
	if opts.Journal != nil {
		res.Actions = opts.Journal.Actions()
		res.Credentials = opts.Journal.Credentials()
		for _, r := range opts.Journal.Records() {
			if r.Event == EventRunStart {
				res.Run, res.Started = r.Run, r.Time
			}
		}
	}
	for _, a := range res.Actions {
		if a.Status == atoguard.ActionFailed {
			res.Failures = append(res.Failures, a)
		}
		if a.Step == StepGeoPermissions {
			e.addManualFromAction(a)
		}
	}
	res.Checklist = e.checklist(ctx)
	return res, nil
}

// FromJournal builds a result from the journal alone (no Twilio): changes,
// credentials and failures, and the checklist without verification.
func FromJournal(opts Options) *Result {
	res := &Result{MainAccount: opts.Credential.AccountSID, Finished: opts.now()}
	if opts.Journal != nil {
		res.Actions = opts.Journal.Actions()
		res.Credentials = opts.Journal.Credentials()
	}
	seen := map[string]bool{}
	for _, a := range res.Actions {
		if a.Status == atoguard.ActionFailed {
			res.Failures = append(res.Failures, a)
		}
		if !seen[a.AccountSID] && a.AccountSID != "" {
			seen[a.AccountSID] = true
			res.Accounts = append(res.Accounts, atoguard.Account{SID: a.AccountSID})
		}
	}
	e := &engine{opts: opts}
	for _, a := range res.Actions {
		if a.Step == StepGeoPermissions {
			e.addManualFromAction(a)
		}
	}
	res.Checklist = append(e.manual, Checklist(opts.Credential.AccountSID, opts.incidentStart(), nil, nil)...)
	return res
}
