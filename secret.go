package atoguard

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// Redacted is what every rendering of a Secret shows instead of its value.
const Redacted = "<redacted>"

// Secret holds a credential value (auth token, API key secret, GitHub token).
// Every way of printing, logging or marshalling it yields Redacted, so a
// secret cannot reach output by accident; Reveal is the one explicit way out,
// for the HTTP Authorization header and credential sinks.
type Secret struct{ value string }

// NewSecret wraps a credential value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the clear value. Call it only where the value must leave the
// process to its rightful owner (Twilio's API, a credential sink).
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// Fingerprint identifies a secret without revealing it: the first 12 hex
// digits of its SHA-256. Equal secrets have equal fingerprints.
func (s Secret) Fingerprint() string { return Fingerprint(s.value) }

func (s Secret) String() string                { return Redacted }
func (s Secret) GoString() string              { return Redacted }
func (s Secret) LogValue() slog.Value          { return slog.StringValue(Redacted) }
func (s Secret) MarshalJSON() ([]byte, error)  { return []byte(`"` + Redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error)  { return []byte(Redacted), nil }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(Redacted)) }

// Fingerprint is the short, stable, one-way identifier of any secret value.
func Fingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:6])
}

// Credential is what authenticates to Twilio: an Account SID with its auth
// token, or an API key SID (SK…) with its secret acting for AccountSID.
type Credential struct {
	AccountSID string
	KeySID     string // empty when Secret is the auth token
	Secret     Secret
}

// Username is the HTTP Basic user name for this credential.
func (c Credential) Username() string {
	if c.KeySID != "" {
		return c.KeySID
	}
	return c.AccountSID
}
