// Package detect turns collected Twilio data (messages, calls, usage,
// Monitor events, configuration) into signals, a verdict and a timeline.
// It is pure: no I/O, no clock, no globals; the same dataset always gives the
// same result.
package detect

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Dataset is everything an investigation collected.
type Dataset struct {
	Since         time.Time // start of the investigated window
	Until         time.Time // end of the window (now)
	BaselineSince time.Time // start of the baseline window, which ends at Since
	Accounts      []AccountData
	// Respond are the runs of `respond apply` read from its journal, and
	// RespondJournal where it was read: their changes are atoguard's own.
	Respond        []atoguard.RespondRun
	RespondJournal string
	// Credential is the SID this investigation authenticates as (AC… for
	// an auth token, SK… for an API key).
	Credential string
}

// AccountData is one account's collected records. Messages, calls and usage
// cover [BaselineSince, Until); events as far back as Monitor keeps them.
type AccountData struct {
	Account atoguard.Account `json:"account"`
	Error   string           `json:"error,omitempty"` // collection failed (partially)
	// Missing names what could not be read (CollectorMessages, …): a
	// verdict on this account is then incomplete, never clean.
	Missing  []string                `json:"missing,omitempty"`
	Messages []atoguard.Message      `json:"-"`
	Calls    []atoguard.Call         `json:"-"`
	Usage    []atoguard.UsageRecord  `json:"-"`
	Events   []atoguard.Event        `json:"-"`
	Config   *atoguard.Configuration `json:"-"`
	// Known is the known-good configuration (investigate --against), if any.
	Known *atoguard.Configuration `json:"-"`
}

// Collectors: what an investigation reads per account (AccountData.Missing).
const (
	CollectorMessages      = "messages"
	CollectorCalls         = "calls"
	CollectorUsage         = "usage"
	CollectorEvents        = "events"
	CollectorConfiguration = "configuration"
)

// Collectors lists every collector in report order.
func Collectors() []string {
	return []string{CollectorMessages, CollectorCalls, CollectorUsage, CollectorEvents, CollectorConfiguration}
}

// Options tune detection. The zero value is usable: defaults are applied.
type Options struct {
	// Location is the time zone used for hour-of-week seasonality (the
	// business's own day and week); nil means UTC.
	Location *time.Location
	// Phisher analyses message text for phishing URLs; nil uses a minimal
	// URL extractor without brand analysis.
	Phisher Phisher
	// MinHourlyVolume is the smallest hourly message/call count that can be
	// a spike (guards quiet accounts against alerts on tiny numbers).
	MinHourlyVolume float64
	// MinDailyVolume is the same guard for a whole day.
	MinDailyVolume float64
	// MinHourlyCost and MinDailyCost guard cost spikes (in price units, USD).
	MinHourlyCost, MinDailyCost float64
	// SpikeZ is the robust z-score above which an hour or day is anomalous.
	SpikeZ float64
	// Workers is how many accounts are analysed at once (default
	// GOMAXPROCS). The Phisher must be safe for concurrent use.
	Workers int
	// TemplateRecipients is how many distinct recipients of one body
	// template with a link make a blast.
	TemplateRecipients int
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Phisher == nil {
		o.Phisher = newBasicPhisher()
	}
	if o.MinHourlyVolume == 0 {
		o.MinHourlyVolume = 40
	}
	if o.MinDailyVolume == 0 {
		o.MinDailyVolume = 150
	}
	if o.MinHourlyCost == 0 {
		o.MinHourlyCost = 3
	}
	if o.MinDailyCost == 0 {
		o.MinDailyCost = 15
	}
	if o.SpikeZ == 0 {
		o.SpikeZ = 6
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.TemplateRecipients == 0 {
		o.TemplateRecipients = 20
	}
	return o
}

// Result is the outcome of detection.
type Result struct {
	Verdict atoguard.Verdict `json:"verdict"`
	Score   float64          `json:"score"` // 0..100, how strongly the signals point at a takeover
	// Reasons explain the verdict in plain sentences; Carried lists the
	// signal ids that carried it.
	Reasons []string `json:"reasons"`
	Carried []string `json:"carried_by,omitempty"`
	// Incomplete names what could not be read ("AC…: messages, calls");
	// when set, a verdict that would be clean is VerdictIncomplete.
	Incomplete []string `json:"incomplete,omitempty"`
	// Cases are the verdicts per account, or per group of accounts one
	// attacker acted in, worst first: evidence is only combined inside a case.
	Cases    []Case                   `json:"cases,omitempty"`
	Accounts []AccountResult          `json:"accounts"`
	Signals  []atoguard.Signal        `json:"signals"`
	Timeline []atoguard.TimelineEntry `json:"timeline"`
	// Respond says which respond journal was read and how many events it
	// showed to be atoguard's own (never attacker evidence); nil without one.
	Respond *RespondUse `json:"respond_journal,omitempty"`
}

// RespondUse is the note that an investigation read respond's journal.
type RespondUse struct {
	Journal   string `json:"path"`
	Runs      int    `json:"runs"`
	OwnEvents int    `json:"own_events"`
}

// AccountResult summarises one account.
type AccountResult struct {
	SID          string   `json:"sid"`
	FriendlyName string   `json:"friendly_name,omitempty"`
	OwnerSID     string   `json:"owner_account_sid,omitempty"`
	Status       string   `json:"status,omitempty"`
	Error        string   `json:"error,omitempty"`
	Missing      []string `json:"missing,omitempty"`
	// TimeZone is the local time the account's baselines were kept in.
	TimeZone string `json:"time_zone,omitempty"`
	// Note says why an account has no verdict of its own (nothing in the window).
	Note     string           `json:"note,omitempty"`
	Verdict  atoguard.Verdict `json:"verdict"`
	Score    float64          `json:"score"`
	Messages int              `json:"messages"`
	Calls    int              `json:"calls"`
	Events   int              `json:"events"`
	Signals  int              `json:"signals"`
}

// Run detects signals across all accounts, attributes events, decides the
// verdict and builds the timeline.
func Run(ds *Dataset, opts Options) Result {
	opts = opts.withDefaults()
	r := &run{ds: ds, opts: opts, numbers: NewNumbers(), bodyCache: map[string]*bodyInfo{}, stepPrefixes: stepEventPrefixes()}
	r.learnBaselineActors()
	r.knownHosts() // shared, read-only from here on
	outs := r.analyseAccounts()
	var signals []atoguard.Signal
	var attacked []attributedEvent
	for _, o := range outs {
		signals = append(signals, o.signals...)
		attacked = append(attacked, o.attacked...)
	}
	sortSignals(signals)
	res := Result{Signals: signals}
	if res.Signals == nil {
		res.Signals = []atoguard.Signal{}
	}
	res.Cases = r.cases(outs)
	v := overall(res.Cases, signals)
	res.Incomplete = incomplete(ds)
	v.markIncomplete(res.Incomplete)
	quiet := quietAccounts(ds, outs)
	v.markQuiet(quiet, len(ds.Accounts))
	if v.verdict == atoguard.VerdictIncomplete && len(res.Incomplete) == 0 {
		res.Incomplete = quiet
	}
	res.Verdict, res.Score, res.Reasons, res.Carried = v.verdict, v.score, v.reasons, v.carried
	res.Accounts = accountResults(ds, outs, signals)
	res.Timeline = timeline(signals, attacked)
	if ds.RespondJournal != "" {
		res.Respond = &RespondUse{Journal: ds.RespondJournal, Runs: len(ds.Respond), OwnEvents: countOwn(attacked)}
	}
	return res
}

// accountOut is what the analysis of one account produced.
type accountOut struct {
	signals  []atoguard.Signal
	attacked []attributedEvent
	zone     string
	active   bool // any traffic or event in the window
}

// analyseAccounts runs the detectors over every account. Accounts are
// independent: each worker owns its caches and shares the read-only
// baseline knowledge. Results are kept in account order, so the output does
// not depend on scheduling.
func (r *run) analyseAccounts() []accountOut {
	ds := r.ds
	outs := make([]accountOut, len(ds.Accounts))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := range min(r.opts.Workers, len(ds.Accounts)) {
		wr := r
		if w > 0 {
			clone := *r
			clone.numbers, clone.bodyCache, clone.keyBuf = NewNumbers(), map[string]*bodyInfo{}, nil
			wr = &clone
		}
		wg.Go(func() {
			for i := range work {
				outs[i] = wr.analyse(&ds.Accounts[i])
			}
		})
	}
	for i := range ds.Accounts {
		work <- i
	}
	close(work)
	wg.Wait()
	return outs
}

func (r *run) analyse(a *AccountData) accountOut {
	var o accountOut
	p := r.profile(a)
	o.zone = p.loc.String()
	o.active = r.activeInWindow(a)
	o.signals = append(o.signals, r.traffic(a, p)...)
	o.signals = append(o.signals, r.destinations(a, p)...)
	o.signals = append(o.signals, r.phishing(a)...)
	ev, att := r.events(a)
	o.signals = append(o.signals, ev...)
	o.attacked = att
	o.signals = append(o.signals, r.configDiff(a)...)
	return o
}

// activeInWindow reports whether the window holds any record of the account.
func (r *run) activeInWindow(a *AccountData) bool {
	for i := range a.Messages {
		if r.inWindow(messageTime(&a.Messages[i])) {
			return true
		}
	}
	for i := range a.Calls {
		if r.inWindow(a.Calls[i].StartTime) {
			return true
		}
	}
	for i := range a.Events {
		if r.inWindow(a.Events[i].EventDate) {
			return true
		}
	}
	return false
}

// quietAccounts names the accounts (read in full) with nothing in the window.
func quietAccounts(ds *Dataset, outs []accountOut) []string {
	var out []string
	for i, a := range ds.Accounts {
		if !outs[i].active && len(a.Missing) == 0 {
			out = append(out, a.Account.SID+": no traffic and no events in the window")
		}
	}
	return out
}

func accountResults(ds *Dataset, outs []accountOut, signals []atoguard.Signal) []AccountResult {
	res := make([]AccountResult, 0, len(ds.Accounts))
	for i, a := range ds.Accounts {
		var own []atoguard.Signal
		for _, s := range signals {
			if s.AccountSID == a.Account.SID {
				own = append(own, s)
			}
		}
		av := decide(own)
		if len(a.Missing) > 0 {
			av.markIncomplete([]string{a.Account.SID + ": " + strings.Join(a.Missing, ", ")})
		}
		ar := AccountResult{
			SID: a.Account.SID, FriendlyName: a.Account.FriendlyName, OwnerSID: a.Account.OwnerSID,
			Status: a.Account.Status, Error: a.Error, Missing: a.Missing, TimeZone: outs[i].zone, Verdict: av.verdict, Score: av.score,
			Messages: len(a.Messages), Calls: len(a.Calls), Events: len(a.Events), Signals: len(own),
		}
		if !outs[i].active && len(a.Missing) == 0 {
			ar.Note = "no traffic and no events in the window: nothing to judge"
			if ar.Verdict == atoguard.VerdictClean {
				ar.Verdict = atoguard.VerdictIncomplete
			}
		}
		res = append(res, ar)
	}
	return res
}

// run holds per-run state: caches and what the baseline says is normal.
type run struct {
	ds      *Dataset
	opts    Options
	numbers *Numbers
	// Known actors, IPs and networks from baseline events of the whole
	// account family (an admin of the parent also acts on subaccounts).
	bodyCache     map[string]*bodyInfo // URL analysis by quick key
	keyBuf        []byte
	noURL         bodyInfo        // the shared analysis of bodies without links
	hosts         map[string]bool // webhook hosts known before the window
	knownActors   map[string]bool
	knownIPs      map[string]bool
	knownNets     map[string]bool
	knownCountry  map[string]bool
	baselineEvent int
	stepPrefixes  map[string][]string // respond step → event types (own.go)
}

func (r *run) inWindow(t time.Time) bool {
	return !t.Before(r.ds.Since) && t.Before(r.ds.Until)
}

func (r *run) inBaseline(t time.Time) bool {
	return !t.Before(r.ds.BaselineSince) && t.Before(r.ds.Since)
}

func sortSignals(s []atoguard.Signal) {
	slices.SortStableFunc(s, func(a, b atoguard.Signal) int {
		if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.AccountSID, b.AccountSID)
	})
}

// messageTime is when a message happened: sent date, else created date.
func messageTime(m *atoguard.Message) time.Time {
	if !m.DateSent.IsZero() {
		return m.DateSent
	}
	return m.DateCreated
}

func failedStatus(s string) bool { return s == "failed" || s == "undelivered" }

// examples keeps at most n items.
func appendLimited(list []string, n int, v string) []string {
	if len(list) < n {
		return append(list, v)
	}
	return list
}
