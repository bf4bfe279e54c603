// Package playbook is atoguard respond: it plans and applies the containment
// steps of Twilio's account-takeover guidance (rotate tokens, delete API keys,
// lock geo permissions, usage triggers, caller IDs, webhooks, subaccounts,
// event sink), journals every action durably so a stopped run can be resumed,
// and turns what the API cannot do into a checklist verified from events.
//
// The package never imports an adapter: it talks to Twilio through the
// Twilio interface and stores credentials through Sink.
package playbook

import (
	"context"
	"errors"
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

// Twilio is the part of Twilio's API the playbook uses. A value acts with one
// credential; As returns one acting with another (a subaccount's token, a new
// token being verified). Errors carry atoguard codes: EUNAUTHORIZED for a
// rejected credential, ENOTFOUND for a missing resource.
type Twilio interface {
	As(cred atoguard.Credential) Twilio

	FetchAccount(ctx context.Context, sid string) (atoguard.Account, error)
	ListAccounts(ctx context.Context) ([]atoguard.Account, error)
	SubaccountAuthToken(ctx context.Context, sid string) (atoguard.Secret, error)
	UpdateAccountStatus(ctx context.Context, sid, status string) error

	CreateSecondaryAuthToken(ctx context.Context) (atoguard.Secret, error)
	DeleteSecondaryAuthToken(ctx context.Context) error
	PromoteSecondaryAuthToken(ctx context.Context) error

	ListKeys(ctx context.Context, account string) ([]atoguard.APIKey, error)
	ListIAMKeys(ctx context.Context, account string) ([]atoguard.APIKey, error)
	DeleteKey(ctx context.Context, account, sid string) error
	DeleteIAMKey(ctx context.Context, sid string) error

	ListUsageTriggers(ctx context.Context, account string) ([]atoguard.UsageTrigger, error)
	CreateUsageTrigger(ctx context.Context, account string, t atoguard.UsageTrigger) (atoguard.UsageTrigger, error)
	DeleteUsageTrigger(ctx context.Context, account, sid string) error

	ListIncomingPhoneNumbers(ctx context.Context, account string) ([]atoguard.PhoneNumber, error)
	UpdateIncomingPhoneNumber(ctx context.Context, account, sid string, w atoguard.Webhooks) error
	ListApplications(ctx context.Context, account string) ([]atoguard.Application, error)
	UpdateApplication(ctx context.Context, account, sid string, w atoguard.Webhooks) error
	ListMessagingServices(ctx context.Context) ([]atoguard.MessagingService, error)
	UpdateMessagingService(ctx context.Context, sid string, w atoguard.Webhooks) error

	ListCallerIDs(ctx context.Context, account string) ([]atoguard.CallerID, error)
	DeleteCallerID(ctx context.Context, account, sid string) error

	ListVoiceCountries(ctx context.Context) ([]atoguard.VoicePermission, error)
	BulkUpdateVoiceCountries(ctx context.Context, p []atoguard.VoicePermission) error
	ListSMSPermissions(ctx context.Context) ([]atoguard.SMSPermission, error)
	// UpdateSMSPermissions returns one result per item: Twilio answers 200
	// with per-item error codes (30649 = Console only).
	UpdateSMSPermissions(ctx context.Context, p []atoguard.SMSPermission) ([]SMSResult, error)

	ListMessages(ctx context.Context, account string, start, end time.Time) ([]atoguard.Message, error)
	ListCalls(ctx context.Context, account string, start, end time.Time) ([]atoguard.Call, error)
	ListDailyUsage(ctx context.Context, account, category string, start, end time.Time) ([]atoguard.UsageRecord, error)
	ListEvents(ctx context.Context, start, end time.Time) ([]atoguard.Event, error)

	ListSinks(ctx context.Context) ([]EventSink, error)
	CreateEventSink(ctx context.Context, description, destination string) (EventSink, error)
}

// SMSResult is the outcome of one SMS geo permission update.
type SMSResult struct {
	CountryCode string
	ErrorCode   int // 0 = ok; 30649 = only the Console may change it
	Message     string
}

// EventSink is an Event Streams sink (DG…).
type EventSink struct {
	SID         string
	Description string
	Destination string
	Status      string
}

// Sink stores new credentials where applications read them. Store returns
// only once the value is durably stored (fsynced, or acknowledged by the
// command). Load reads a stored value back; it returns ErrNotStored when the
// sink has none for the account and ErrNoReadBack when the sink cannot be
// read (a command without "load" support).
type Sink interface {
	Kind() string     // file | env | cmd
	Location() string // path or command, for reports (never a secret)
	Store(ctx context.Context, account string, token atoguard.Secret) error
	Load(ctx context.Context, account string) (atoguard.Secret, error)
}

var (
	// ErrNotStored: the sink holds no credential for the account.
	ErrNotStored = errors.New("no credential stored for the account")
	// ErrNoReadBack: the sink cannot give a stored credential back.
	ErrNoReadBack = errors.New("sink cannot read credentials back")
)

// Options tune a plan or an apply. Zero values are the safe defaults.
type Options struct {
	// Credential is the configured credential of the main account.
	Credential atoguard.Credential
	// Sink receives new auth tokens; required to rotate.
	Sink Sink
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
