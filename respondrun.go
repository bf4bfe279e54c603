package atoguard

import "time"

// RespondRun is one `respond apply` run as its journal recorded it: when it
// ran, what it touched and which tokens it rotated. A later investigation
// reads it to tell atoguard's own changes from an attacker's.
type RespondRun struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
	// End is the run's end, or its last record when it did not end.
	End     time.Time       `json:"end"`
	Changes []RespondChange `json:"changes,omitempty"`
	// Rotated maps an account SID to when its new auth token was verified:
	// from then on only the credential store holds that token.
	Rotated map[string]time.Time `json:"rotated,omitempty"`
}

// RespondChange is one journaled attempt at a change (intent, done or
// failed: a change may have happened even when the run died before saying so).
type RespondChange struct {
	Time       time.Time `json:"time"`
	Step       string    `json:"step"`
	AccountSID string    `json:"account_sid"`
	Resource   string    `json:"resource,omitempty"`
}
