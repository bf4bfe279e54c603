// Package playbook is atoguard respond: it plans and applies the containment
// steps of Twilio's account-takeover guidance (rotate tokens, delete API keys,
// lock geo permissions, usage triggers, caller IDs, webhooks, subaccounts,
// event sink), journals every action durably so a stopped run can be resumed,
// and turns what the API cannot do into a checklist verified from events.
//
// The package never imports an adapter: it talks to Twilio through the
// Twilio interface and stores credentials through atoguard.CredentialStore.
package playbook

import (
	"time"

	"github.com/atoguard/atoguard"
)

// Step names (the values of --only and --skip).
const (
	StepRotateTokens       = "rotate-tokens"
	StepDeleteKeys         = "delete-keys"
	StepGeoPermissions     = "geo-permissions"
	StepUsageTriggers      = "usage-triggers"
	StepCallerIDs          = "caller-ids"
	StepWebhooks           = "webhooks"
	StepSuspendSubaccounts = "suspend-subaccounts"
	StepEventSink          = "event-sink"
)

// Steps lists every step in the order apply runs them. Tokens go first so the
// attacker loses access before anything else changes.
func Steps() []string {
	return []string{StepRotateTokens, StepDeleteKeys, StepGeoPermissions, StepUsageTriggers,
		StepCallerIDs, StepWebhooks, StepSuspendSubaccounts, StepEventSink}
}

// Twilio is the part of Twilio's API the playbook uses. *twilio.Client
// satisfies it as it is: listings are iterators, filters are the root
// package's. It is the union of the interfaces each step declares beside its
// code, so a new call touches the client and the step that makes it. Errors
// carry atoguard codes: EUNAUTHORIZED for a rejected credential, ENOTFOUND
// for a missing resource.
type Twilio interface {
	accountsAPI
	tokensAPI
	keysAPI
	geoAPI
	triggersAPI
	callerIDsAPI
	webhooksAPI
	suspendAPI
	eventSinkAPI
	baselineAPI
	eventsAPI
}

// Dial returns a Twilio acting with cred: the main account's token, a
// subaccount's token read through the parent, a new token being verified.
type Dial func(cred atoguard.Credential) Twilio

// DialAs makes a Dial from a client whose As method returns a copy acting
// with another credential, such as *twilio.Client.
func DialAs[C interface {
	Twilio
	As(atoguard.Credential) C
}](c C) Dial {
	return func(cred atoguard.Credential) Twilio { return c.As(cred) }
}

// Options tune a plan or an apply. Zero values are the safe defaults.
type Options struct {
	// Credential is the configured credential of the main account.
	Credential atoguard.Credential
	// Store receives new auth tokens; required to rotate.
	Store atoguard.CredentialStore
	// Journal records every action; required to apply.
	Journal *Journal

	Only, Skip []string // step names
	Accounts   []string // limit to these SIDs (the main account is always used to reach them)

	IncidentStart time.Time // default: Now − 7 days
	Now           func() time.Time

	AllowCountries []string // ISO codes; default: baseline traffic countries
	// ForceCountries accepts an AllowCountries that turns off every country
	// an account sent to in its baseline (refused otherwise).
	ForceCountries    bool
	KeepKeys          []string // key SIDs never deleted
	CallerIDAllowlist []string // E.164 numbers or PN SIDs; default: those that predate the incident
	Snapshot          []atoguard.Configuration
	SafeWebhookURL    string
	SuspendAccounts   []string
	EventSinkURL      string
	TriggerCallback   string             // usage trigger callback; default a non-routable placeholder
	DailyLimits       map[string]float64 // category → limit, overriding the baseline
	// Headroom multiplies baseline daily maxima to get trigger limits (default 2).
	Headroom float64
	// AllowCountriesFrom names where AllowCountries came from, the plan's
	// source label ("config" for atoguard.toml); "" is "flag".
	AllowCountriesFrom string

	// AttackerEvents are Monitor event SIDs the investigation attributed to
	// the attacker; they never verify a checklist item.
	AttackerEvents []string

	// RetryBackoff is the base pause before a step is re-inspected after a
	// transient failure (default 100 ms; it grows with the square of the attempt).
	RetryBackoff time.Duration

	// Concurrency is how many subaccounts are worked on at once (default 8).
	Concurrency int
	// Progress receives every action as it finishes (stderr in the CLI), one
	// call at a time; actions never hold secrets.
	Progress func(a atoguard.Action)
	// AfterJournal is called after every journal append with the record count
	// (tests kill the process at each point).
	AfterJournal func(n int)
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o *Options) incidentStart() time.Time {
	if !o.IncidentStart.IsZero() {
		return o.IncidentStart.UTC()
	}
	return o.now().Add(-7 * 24 * time.Hour)
}

// StepEnabled reports whether a run with these options performs step.
func (o *Options) StepEnabled(step string) bool { return o.stepEnabled(step) }

func (o *Options) stepEnabled(step string) bool {
	if len(o.Only) > 0 && !contains(o.Only, step) {
		return false
	}
	if contains(o.Skip, step) {
		return false
	}
	switch step {
	case StepSuspendSubaccounts:
		return len(o.SuspendAccounts) > 0
	case StepEventSink:
		return o.EventSinkURL != ""
	}
	return true
}

// ValidateSteps checks --only/--skip names.
func ValidateSteps(names []string) error {
	for _, n := range names {
		if !contains(Steps(), n) {
			return atoguard.Errorf(atoguard.EINVALID, "respond", "unknown step %q (steps: %v)", n, Steps())
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func isUnauthorized(err error) bool { return atoguard.CodeOf(err) == atoguard.EUNAUTHORIZED }
func isNotFound(err error) bool     { return atoguard.CodeOf(err) == atoguard.ENOTFOUND }
