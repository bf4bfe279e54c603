package cli

import (
	"errors"
	"strings"
	"syscall"

	"github.com/atoguard/atoguard"
)

// hint is one line of advice for an error a person can fix in a minute:
// which variable to check, which process to start. "" when there is none.
func hint(err error) string {
	var e *atoguard.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Op, "twilio.") {
		return ""
	}
	switch {
	case e.Code == atoguard.EUNAUTHORIZED:
		return "Twilio rejected the credential: check TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN " +
			"(or TWILIO_API_KEY and TWILIO_API_SECRET) in the environment or atoguard.toml; " +
			"after `atoguard respond apply` the new token is in the credential sink"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing answers at the Twilio API URL: is the emulator running? " +
			"check --twilio-api-url (or ATOGUARD_TWILIO_API_URL, config twilio-api-url)"
	}
	return ""
}
