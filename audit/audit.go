// Package audit is a read-only posture check of Twilio accounts: pure checks
// over collected configuration (and, for the expected countries, recent
// traffic) that return findings, each with the `atoguard respond` step that
// fixes it and the step of Twilio's account-takeover guidance it serves, and
// a score from 0 to 100.
//
// It does no I/O: internal/cli collects, audit judges.
package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// Check IDs. They are a contract (JSON "id", documented in docs/audit.md).
const (
	CheckWebhookPlainHTTP     = "webhook-plain-http"
	CheckWebhookIPLiteral     = "webhook-ip-literal"
	CheckWebhookTunnel        = "webhook-tunnel"
	CheckWebhookForeignHost   = "webhook-foreign-host"
	CheckWebhookMixedDomains  = "webhook-mixed-domains"
	CheckVoiceCountries       = "voice-countries"
	CheckVoiceHighRisk        = "voice-high-risk"
	CheckVoiceInheritanceOff  = "voice-inheritance-off"
	CheckSMSCountries         = "sms-countries"
	CheckSMSHighRisk          = "sms-high-risk"
	CheckCountriesUnknown     = "countries-unknown"
	CheckTriggerMissing       = "usage-trigger-missing"
	CheckKeyAge               = "api-key-age"
	CheckKeyCount             = "api-key-count"
	CheckCallerIDUnknown      = "caller-id-unknown"
	CheckEventSinkAbsent      = "event-sink-absent"
	CheckEventSinkInactive    = "event-sink-inactive"
	CheckConfigurationPartial = "configuration-partial"
)

// Respond step names (playbook.Step*; repeated here because audit is an
// engine and must not depend on another engine's internals for strings
// that are a public CLI contract anyway).
const (
	stepDeleteKeys     = "delete-keys"
	stepGeoPermissions = "geo-permissions"
	stepUsageTriggers  = "usage-triggers"
	stepCallerIDs      = "caller-ids"
	stepWebhooks       = "webhooks"
	stepEventSink      = "event-sink"
)

// Finding is one posture problem.
type Finding struct {
	ID         string            `json:"id"`
	Severity   atoguard.Severity `json:"severity"`
	AccountSID string            `json:"account_sid"`
	// Resource is what the finding is about: a SID (PN…, AP…, MG…, SK…,
	// UT…), "voice", "sms", "usage-triggers" or "event-streams".
	Resource string `json:"resource"`
	Summary  string `json:"summary"`
	// Step is the respond step that fixes it ("" when only a person can).
	Step string `json:"step"`
	// Fix is the command (or, without a step, the instruction) that fixes it.
	Fix string `json:"fix"`
	// FixNote is what to know before or after running Fix.
	FixNote string `json:"fix_note,omitempty"`
	// GuidanceStep is the number of Twilio's "Account Compromised: Next
	// Steps" item the finding belongs to (5, 7, 9 or 10).
	GuidanceStep int `json:"guidance_step"`
}

// Account is what the audit knows about one account.
type Account struct {
	Account atoguard.Account
	// Config is nil when it could not be read at all.
	Config *atoguard.Configuration
	// Error describes what could not be read ("" when everything was).
	Error string
	// VoiceInheritance is the subaccount's dialing_permissions_inheritance
	// setting; nil when unknown (or for a main account).
	VoiceInheritance *bool
	// Sinks are the account's Event Streams sinks; SinksKnown is false when
	// they were not read (then no sink finding is made).
	Sinks      []atoguard.EventSink
	SinksKnown bool
	// Destinations maps an ISO country to the number of distinct days on
	// which the account sent messages or placed calls there (see
	// Destinations); nil when traffic was not read.
	Destinations map[string]int
}

// Options tune the checks. Zero values take the documented defaults.
type Options struct {
	// Now is the audit's clock (key ages).
	Now time.Time
	// AllowWebhookHosts are the customer's webhook hosts or registrable
	// domains ("example.com" allows "api.example.com"). Empty: each account's
	// majority registrable domain.
	AllowWebhookHosts []string
	// AllowCountries are the ISO codes Voice and SMS may reach. Empty: the
	// countries of each account's recent traffic (MinDays) and of its own
	// phone numbers; a main account also allows its subaccounts' countries.
	AllowCountries []string
	// MinDays is how many distinct days of traffic make a country expected
	// (default 3): a takeover's burst lasts hours, a business's habit weeks.
	MinDays int
	// MaxKeyAge is the oldest acceptable API key (default 90 days).
	MaxKeyAge time.Duration
	// MaxKeys is the most API keys an account should have (default 2).
	MaxKeys int
	// CallerIDAllowlist lists the caller IDs to keep (E.164 or PN SID);
	// empty: no caller ID check.
	CallerIDAllowlist []string
}

// Defaults.
const (
	DefaultMinDays   = 3
	DefaultMaxKeyAge = 90 * 24 * time.Hour
	DefaultMaxKeys   = 2
)

func (o Options) withDefaults() Options {
	if o.MinDays <= 0 {
		o.MinDays = DefaultMinDays
	}
	if o.MaxKeyAge <= 0 {
		o.MaxKeyAge = DefaultMaxKeyAge
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.AllowCountries = upperAll(o.AllowCountries)
	return o
}

// AccountSummary is one audited account in the result.
type AccountSummary struct {
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name,omitempty"`
	Subaccount   bool   `json:"subaccount"`
	Status       string `json:"status,omitempty"`
	Error        string `json:"error,omitempty"`
	// AllowCountries are the countries the geo checks allowed.
	AllowCountries []string `json:"allow_countries"`
	// WebhookDomains are the registrable domains the webhook checks accepted.
	WebhookDomains []string `json:"webhook_domains"`
	Findings       int      `json:"findings"`
}

// Result of an audit.
type Result struct {
	Score    int              `json:"score"`
	Accounts []AccountSummary `json:"accounts"`
	Findings []Finding        `json:"findings"`
	// Web summarises a previous `exposure web` run (--web-report); nil when
	// none was given.
	Web *atoguard.WebCheckSummary `json:"web_check,omitempty"`
}

// Worst is the highest severity among the findings (info when none).
func (r Result) Worst() atoguard.Severity {
	w := atoguard.SeverityInfo
	for _, f := range r.Findings {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}

// Run audits the accounts. Accounts that are not active (suspended,
// closed) are listed but not checked: they cannot be used.
func Run(accounts []Account, opts Options) Result {
	opts = opts.withDefaults()
	family := familyCountries(accounts, opts)
	urls := urlCache{}
	known := map[string]bool{}
	for _, a := range accounts {
		known[a.Account.SID], known[ownerOf(a.Account)] = true, true
	}
	domains := familyDomains(accounts, urls)
	// A main account's allowlist bounds what its subaccounts may open.
	parentAllow := map[string][]string{}
	for i := range accounts {
		if a := &accounts[i]; !a.Account.IsSubaccount() && a.Config != nil {
			parentAllow[a.Account.SID], _ = allowedCountries(a, opts, family)
		}
	}
	var res Result
	for i := range accounts {
		a := &accounts[i]
		sum := AccountSummary{SID: a.Account.SID, FriendlyName: a.Account.FriendlyName, Subaccount: a.Account.IsSubaccount(),
			Status: a.Account.Status, Error: a.Error, AllowCountries: []string{}, WebhookDomains: []string{}}
		if a.Config == nil || (a.Account.Status != "" && a.Account.Status != "active") {
			res.Accounts = append(res.Accounts, sum)
			continue
		}
		c := &checker{a: a, opts: opts, familyDomain: domains[ownerOf(a.Account)], urls: urls, family: known}
		allow, known := allowedCountries(a, opts, family)
		sum.AllowCountries = allow
		c.webhooks(&sum)
		c.geo(allow, known, parentAllow[a.Account.OwnerSID])
		c.triggers()
		c.keys()
		c.callerIDs()
		c.eventSink()
		if a.Error != "" {
			c.add(CheckConfigurationPartial, atoguard.SeverityInfo, a.Account.SID, "part of the account could not be read, so its audit is incomplete: "+a.Error, "", "check the credentials' permissions and run the audit again", 0)
		}
		sum.Findings = len(c.out)
		res.Findings = append(res.Findings, c.out...)
		res.Accounts = append(res.Accounts, sum)
	}
	slices.SortStableFunc(res.Findings, func(x, y Finding) int {
		return cmp.Or(-cmp.Compare(x.Severity.Rank(), y.Severity.Rank()), strings.Compare(x.ID, y.ID),
			strings.Compare(x.AccountSID, y.AccountSID), strings.Compare(x.Resource, y.Resource))
	})
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	res.Score = Score(res.Findings)
	return res
}

type checker struct {
	a            *Account
	opts         Options
	familyDomain string // majority webhook domain of the account family
	urls         urlCache
	family       map[string]bool // every audited account SID and its owner
	out          []Finding
}

func (c *checker) sid() string { return c.a.Account.SID }

func (c *checker) add(id string, sev atoguard.Severity, resource, summary, step, fix string, guidance int) {
	c.out = append(c.out, Finding{ID: id, Severity: sev, AccountSID: c.sid(), Resource: resource, Summary: summary,
		Step: step, Fix: fix, GuidanceStep: guidance})
}

// note adds a fix note to the finding just added.
func (c *checker) note(s string) { c.out[len(c.out)-1].FixNote = s }

// respondFix is the command line of one respond step for this account.
func (c *checker) respondFix(step string, flags ...string) string {
	parts := append([]string{"atoguard respond apply --only", step, "--accounts", c.sid()}, flags...)
	return strings.Join(parts, " ")
}

// ---- usage triggers (guidance step 7) ----

// triggerCategories are the categories that need a daily trigger, with the
// category names Twilio also accepts for the same spend.
func triggerCategories() []struct {
	name    string
	aliases []string
	sev     atoguard.Severity
} {
	return []struct {
		name    string
		aliases []string
		sev     atoguard.Severity
	}{
		{"totalprice", []string{"totalprice"}, atoguard.SeverityMedium},
		{"sms", []string{"sms", "sms-outbound"}, atoguard.SeverityLow},
		{"calls", []string{"calls", "calls-outbound"}, atoguard.SeverityLow},
	}
}

func (c *checker) triggers() {
	for _, cat := range triggerCategories() {
		ok := slices.ContainsFunc(c.a.Config.UsageTriggers, func(t atoguard.UsageTrigger) bool {
			return strings.EqualFold(t.Recurring, "daily") && slices.Contains(cat.aliases, strings.ToLower(t.UsageCategory)) && t.TriggerValue > 0
		})
		if ok {
			continue
		}
		what := "no daily usage trigger on " + cat.name
		if cat.name == "totalprice" {
			what += ": nothing alerts when a day's spend runs away (fraud is billed to you)"
		}
		c.add(CheckTriggerMissing, cat.sev, "usage-triggers/"+cat.name, what, stepUsageTriggers,
			c.respondFix(stepUsageTriggers, "--trigger-callback-url https://YOUR-ALERT-ENDPOINT"), 7)
	}
}

// ---- API keys (guidance steps 3 and 5) ----

func (c *checker) keys() {
	keys := c.a.Config.APIKeys
	for _, k := range keys {
		if k.DateCreated.IsZero() {
			continue
		}
		age := c.opts.Now.Sub(k.DateCreated)
		if age <= c.opts.MaxKeyAge {
			continue
		}
		c.add(CheckKeyAge, atoguard.SeverityMedium, k.SID,
			fmt.Sprintf("API key %s %q is %d days old (policy: at most %d)", k.SID, k.FriendlyName, int(age.Hours()/24), int(c.opts.MaxKeyAge.Hours()/24)),
			stepDeleteKeys, c.respondFix(stepDeleteKeys, "--keep-keys SK<the new key>"), 5)
		c.note("first create a new key and deploy it wherever this one is used")
	}
	if len(keys) > c.opts.MaxKeys {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.SID
		}
		c.add(CheckKeyCount, atoguard.SeverityLow, "api-keys",
			fmt.Sprintf("%d API keys (policy: at most %d): %s — every key is a credential that can be leaked", len(keys), c.opts.MaxKeys, strings.Join(names, ", ")),
			stepDeleteKeys, c.respondFix(stepDeleteKeys, "--keep-keys SK<each key still in use>"), 5)
	}
}

// ---- caller IDs (guidance step 9) ----

func (c *checker) callerIDs() {
	if len(c.opts.CallerIDAllowlist) == 0 {
		return
	}
	for _, id := range c.a.Config.CallerIDs {
		if slices.Contains(c.opts.CallerIDAllowlist, id.PhoneNumber) || slices.Contains(c.opts.CallerIDAllowlist, id.SID) {
			continue
		}
		c.add(CheckCallerIDUnknown, atoguard.SeverityMedium, id.SID,
			fmt.Sprintf("verified caller ID %s %q is not on the allowlist: calls can show it as their sender", id.PhoneNumber, id.FriendlyName),
			stepCallerIDs, c.respondFix(stepCallerIDs, "--caller-id-allowlist "+strings.Join(c.opts.CallerIDAllowlist, ",")), 9)
	}
}

// ---- Event Streams (monitoring) ----

func (c *checker) eventSink() {
	// Sinks belong to the authenticated (main) account; subaccounts are
	// not read, so they get no finding.
	if !c.a.SinksKnown {
		return
	}
	fix := c.respondFix(stepEventSink, "--event-sink-url https://YOUR-MONITOR/events")
	if len(c.a.Sinks) == 0 {
		c.add(CheckEventSinkAbsent, atoguard.SeverityInfo, "event-streams",
			"no Event Streams sink: configuration changes and logins reach nobody in real time (point one at your monitoring or SIEM)",
			stepEventSink, fix, 0)
		return
	}
	if !slices.ContainsFunc(c.a.Sinks, atoguard.EventSink.Active) {
		c.add(CheckEventSinkInactive, atoguard.SeverityLow, "event-streams",
			fmt.Sprintf("%d Event Streams sink(s), none active (validation never completed or delivery failed)", len(c.a.Sinks)),
			stepEventSink, fix, 0)
	}
}

func ownerOf(a atoguard.Account) string {
	if a.IsSubaccount() {
		return a.OwnerSID
	}
	return a.SID
}

// familyDomains is the majority webhook domain of each account family: the
// fallback for an account whose own webhooks have no majority.
func familyDomains(accounts []Account, urls urlCache) map[string]string {
	counts := map[string]map[string]int{}
	for i := range accounts {
		if accounts[i].Config == nil {
			continue
		}
		o := ownerOf(accounts[i].Account)
		if counts[o] == nil {
			counts[o] = map[string]int{}
		}
		for d, n := range webhookDomainsOf(accountHooks(accounts[i].Config, urls)) {
			counts[o][d] += n
		}
	}
	out := map[string]string{}
	for o, n := range counts {
		out[o] = majority(n)
	}
	return out
}

func upperAll(s []string) []string {
	out := make([]string, 0, len(s))
	for _, x := range s {
		if x = strings.ToUpper(strings.TrimSpace(x)); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// Destinations counts, per destination country, the distinct UTC days of
// outbound messages and calls since since.
func Destinations(msgs []atoguard.Message, calls []atoguard.Call, since time.Time) map[string]int {
	nums := detect.NewNumbers()
	days := map[string]map[int64]bool{}
	add := func(to string, t time.Time) {
		if t.Before(since) {
			return
		}
		r := nums.Classify(to).Region
		if r == "" {
			return
		}
		if days[r] == nil {
			days[r] = map[int64]bool{}
		}
		days[r][t.Unix()/86400] = true
	}
	for i := range msgs {
		if msgs[i].Outbound() {
			t := msgs[i].DateSent
			if t.IsZero() {
				t = msgs[i].DateCreated
			}
			add(msgs[i].To, t)
		}
	}
	for i := range calls {
		if calls[i].Outbound() {
			add(calls[i].To, calls[i].StartTime)
		}
	}
	out := make(map[string]int, len(days))
	for r, d := range days {
		out[r] = len(d)
	}
	return out
}
