package monitor

import (
	"regexp"
	"strings"

	"github.com/atoguard/atoguard"
)

var (
	// A bare 32-hex run is an auth token or API key secret; SIDs (two
	// letters then 32 hex) are left alone because the letters join the run.
	hexSecret = regexp.MustCompile(`(^|[^A-Za-z0-9])[0-9a-fA-F]{32}([^A-Za-z0-9]|$)`)
	// user:password@ in URLs (webhooks may carry basic-auth credentials).
	urlPassword = regexp.MustCompile(`(://[^/\s:@"]*:)[^@\s/"]+@`)
)

// Scrub removes secrets from alert text: the given secrets wherever they
// appear, anything shaped like a Twilio auth token or key secret, and
// passwords in URLs. No alert ever carries a secret.
func Scrub(s string, secrets []atoguard.Secret) string {
	for _, sec := range secrets {
		if v := sec.Reveal(); len(v) >= 8 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	s = hexSecret.ReplaceAllString(s, "${1}[redacted]${2}")
	return urlPassword.ReplaceAllString(s, "${1}[redacted]@")
}
