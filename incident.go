package atoguard

import "time"

// Action statuses: what happened to one respond action.
const (
	ActionPlanned = "planned" // would be done (plan) or not reached yet
	ActionDone    = "done"    // performed and verified
	ActionFailed  = "failed"  // attempted, failed; see Error
	ActionManual  = "manual"  // the API refused; a person must do it (checklist)
	ActionSkipped = "skipped" // already in the target state
)

// Action is one change respond plans or makes to an account. Before and After
// describe state for people; they never hold a secret (fingerprints only).
type Action struct {
	ID         string    `json:"id"` // stable: step/account/resource
	Step       string    `json:"step"`
	AccountSID string    `json:"account_sid"`
	Resource   string    `json:"resource,omitempty"`
	Summary    string    `json:"summary"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	Status     string    `json:"status"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time,omitzero"`
}

// Checklist item statuses.
const (
	CheckPending  = "pending"  // to do; no evidence yet
	CheckVerified = "verified" // events show it was done
	CheckManual   = "manual"   // cannot be verified through the API
)

// ChecklistItem is a guidance step the API cannot perform, with how to do it
// and, where events allow, whether it was done.
type ChecklistItem struct {
	ID           string   `json:"id"`
	Guidance     int      `json:"guidance,omitempty"` // Twilio's next-step number; 0 = contact support
	Title        string   `json:"title"`
	Why          string   `json:"why"`
	How          string   `json:"how"`
	AccountSID   string   `json:"account_sid,omitempty"`
	Status       string   `json:"status"`
	Verification string   `json:"verification,omitempty"` // what was checked and the outcome
	Evidence     []string `json:"evidence,omitempty"`     // event SIDs and short facts
}

// CredentialRecord says where a new credential went: the credential store and a
// fingerprint, never the value.
type CredentialRecord struct {
	AccountSID          string    `json:"account_sid"`
	StoreKind           string    `json:"sink"`     // credential store: file | env | cmd
	Location            string    `json:"location"` // path or command name
	Fingerprint         string    `json:"fingerprint"`
	PreviousFingerprint string    `json:"previous_fingerprint,omitempty"`
	StoredAt            time.Time `json:"stored_at,omitzero"`
	Verified            bool      `json:"verified"` // new token works, old rejected
}

// Incident is everything an incident report holds: the investigation's
// verdict and evidence, what respond changed, where credentials went, what
// failed and what people still have to do.
type Incident struct {
	GeneratedAt   time.Time          `json:"generated_at"`
	IncidentStart time.Time          `json:"incident_start,omitzero"`
	AccountSID    string             `json:"account_sid"`
	Accounts      []Account          `json:"accounts,omitempty"`
	Verdict       Verdict            `json:"verdict,omitempty"`
	Signals       []Signal           `json:"signals,omitempty"`
	Timeline      []TimelineEntry    `json:"timeline,omitempty"`
	Actions       []Action           `json:"actions"`
	Credentials   []CredentialRecord `json:"credentials"`
	Failures      []Action           `json:"failures"`
	Checklist     []ChecklistItem    `json:"checklist"`
	Summary       string             `json:"summary"` // ready to send to Twilio support or a security firm
	// Web summarises an `exposure web` run given with --web-report.
	Web *WebCheckSummary `json:"web_check,omitempty"`
}
