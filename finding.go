package atoguard

import "time"

// Verification states of a leaked credential (scan --verify).
const (
	Unverified = "unverified"
	Live       = "live"
	Revoked    = "revoked"
	Unknown    = "unknown"
)

// Finding is one leaked credential (or bare Account SID) found by scan.
type Finding struct {
	Rule               string // twilio-auth-token | twilio-api-key | twilio-account-sid | sendgrid-api-key
	Severity           Severity
	Path               string // file path, archive member path (a.zip!inner/b.env) or "-" for stdin
	Line               int    // 1-based
	Column             int    // 1-based, in bytes
	Commit             string // history scans: the commit that introduced it
	Author             string
	Email              string
	Date               time.Time
	AccountSID         string // a SID is an identifier, not a secret: shown in full
	KeySID             string
	Secret             Secret // never rendered; Fingerprint identifies it
	Fingerprint        string // Secret.Fingerprint(), or of the SID for twilio-account-sid
	Placeholder        bool   // documented example / test value / obvious placeholder
	Verification       string // Unverified | Live | Revoked | Unknown
	VerificationDetail string // e.g. "Full main account 'Acme', active"
}

// Key identifies a finding across runs and commits: rule, path, SIDs and the
// secret's fingerprint, but not the line, which moves as a file is edited.
func (f Finding) Key() string {
	return f.Rule + "\x00" + f.Path + "\x00" + f.AccountSID + "\x00" + f.KeySID + "\x00" + f.Fingerprint
}
