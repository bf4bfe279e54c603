package atoguard

import "time"

// Severity orders signals and findings.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank gives severities an order for sorting (higher is worse).
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return 0
}

// Sign is the Twilio guidance sign a signal maps to.
type Sign string

const (
	SignUnauthorizedTraffic Sign = "unauthorized-traffic"  // calls or messages sent from your account
	SignPhishing            Sign = "phishing-links"        // messages with phishing links
	SignCredentialChange    Sign = "email-password-change" // unauthorized email or password change
	SignUnusualCountries    Sign = "unusual-countries"     // traffic to countries you don't send to
	SignWebhookChange       Sign = "webhook-change"        // webhook URLs of phone numbers changed
	SignAccountChange       Sign = "account-change"        // keys, tokens, permissions, triggers, caller IDs, subaccounts
)

// Signal is one piece of evidence that an account may be taken over.
type Signal struct {
	ID         string    `json:"id"` // detector id, e.g. "traffic.volume-spike"
	Sign       Sign      `json:"sign"`
	Severity   Severity  `json:"severity"`
	Confidence float64   `json:"confidence"` // 0..1
	AccountSID string    `json:"account_sid"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Summary    string    `json:"summary"`
	Evidence   Evidence  `json:"evidence"`
}

// Evidence is what a person needs to check a signal without re-querying.
type Evidence struct {
	Counts   map[string]float64 `json:"counts,omitempty"`
	Examples []string           `json:"examples,omitempty"`
	Records  []string           `json:"records,omitempty"` // SIDs of messages, calls, events
	Details  map[string]string  `json:"details,omitempty"`
}

// Verdict is the overall answer of an investigation.
type Verdict string

const (
	VerdictClean       Verdict = "clean"
	VerdictSuspicious  Verdict = "suspicious"
	VerdictLikely      Verdict = "likely"
	VerdictCompromised Verdict = "compromised"
	// VerdictIncomplete replaces clean when part of the data could not be
	// read: nothing was seen, but not everything was looked at.
	VerdictIncomplete Verdict = "incomplete"
)

// Rank orders verdicts (higher is worse); incomplete ranks with clean, as
// it carries no evidence of a takeover, yet it is never clean.
func (v Verdict) Rank() int {
	switch v {
	case VerdictSuspicious:
		return 1
	case VerdictLikely:
		return 2
	case VerdictCompromised:
		return 3
	}
	return 0
}

// TimelineEntry is one dated item of an investigation's timeline.
type TimelineEntry struct {
	Time       time.Time `json:"time"`
	AccountSID string    `json:"account_sid"`
	Kind       string    `json:"kind"` // event | signal | message | call | config
	Summary    string    `json:"summary"`
	Attacker   bool      `json:"attacker"` // attributed to the attacker
	Ref        string    `json:"ref,omitempty"`
}
