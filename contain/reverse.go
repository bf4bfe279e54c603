package contain

import (
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/playbook"
)

// Reverse is the command (Twilio CLI) that undoes a containment action, or
// what to do when it cannot be undone.
func Reverse(a atoguard.Action) string {
	switch a.Step {
	case playbook.StepSuspendSubaccounts:
		return "twilio api:core:accounts:update --sid " + a.AccountSID + " --status active"
	case playbook.StepGeoPermissions:
		if a.Resource == "voice" {
			return "re-enable in Console → Voice → Dialing Permissions what was " + strings.TrimPrefix(a.Before, "enabled: ")
		}
		return "re-enable in Console → Messaging → Geo permissions what was " + strings.TrimPrefix(a.Before, "enabled: ")
	case playbook.StepDeleteKeys:
		return "not reversible: create a new key if it was yours (twilio api:core:keys:create --account-sid " + a.AccountSID + ")"
	case playbook.StepWebhooks:
		return "twilio api:core:incoming-phone-numbers:update --sid " + a.Resource + " (set back: " + a.Before + ")"
	case playbook.StepUsageTriggers:
		return "twilio api:core:usage:triggers:list --account-sid " + a.AccountSID + ", then :remove --sid UT… (" + a.Resource + ")"
	case playbook.StepCallerIDs:
		return "twilio api:core:outgoing-caller-ids:create --phone-number … (verification call needed; was " + a.Resource + ")"
	case playbook.StepEventSink:
		return "twilio api:events:v1:sinks:remove --sid DG… (the sink created)"
	case playbook.StepRotateTokens:
		return "not reversible: the new token is in the credential sink (atoguard respond report)"
	}
	return ""
}
