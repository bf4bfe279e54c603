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
	// Count is how many times this credential occurs in the item (0 and 1
	// both mean once): a file repeating one credential is one finding, so
	// memory does not grow with the repetitions.
	Count int
	// More are the positions of further occurrences after Line:Column, in
	// order, at most MaxMoreLocations of them; Count says how many there are.
	More []Location
}

// MaxMoreLocations caps Finding.More.
const MaxMoreLocations = 10

// Location is a 1-based line and byte column.
type Location struct {
	Line   int
	Column int
}

// Occurrences is Count, at least 1.
func (f Finding) Occurrences() int { return max(f.Count, 1) }

// Key identifies a finding across runs and commits: rule, path, SIDs and the
// secret's fingerprint, but not the line, which moves as a file is edited.
func (f Finding) Key() string {
	return f.Rule + "\x00" + f.Path + "\x00" + f.AccountSID + "\x00" + f.KeySID + "\x00" + f.Fingerprint
}
