package cli

import (
	"github.com/atoguard/atoguard/audit"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/twilio"
)

// The Twilio client satisfies the engines' interfaces as it is: no adapter.
var (
	_ playbook.Twilio = (*twilio.Client)(nil)
	_ audit.Twilio    = (*twilio.Client)(nil)
)
