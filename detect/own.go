package detect

import (
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// ownSlack is how far an event's time may lie outside a respond run and
// still be one of its changes: Monitor keeps whole seconds and Twilio's clock
// is not the responder's.
const ownSlack = time.Minute

// Kinds of own activity (attributedEvent.own).
const (
	ownNone       = ""
	ownRespond    = "atoguard respond"
	ownCredential = "this investigation's credential, after respond rotated it"
)

// stepEventPrefixes are the Monitor event types each respond step causes.
func stepEventPrefixes() map[string][]string {
	return map[string][]string{
		"rotate-tokens":       {"account-auth-token."},
		"delete-keys":         {"account-api-keys."},
		"geo-permissions":     {"voice-geographic-permissions.", "sms-geographic-permissions."},
		"usage-triggers":      {"usage-trigger."},
		"caller-ids":          {"caller-id."},
		"webhooks":            {"phone-number.", "messaging-service.", "application."},
		"suspend-subaccounts": {"account.updated"},
		"event-sink":          {"event-streams-"},
	}
}

// ownEvent says whether e is atoguard's own doing: a change a journaled
// respond run made (same account, a matching event type and resource, inside
// the run), or an act of the credential this investigation uses once respond
// has rotated that account's token (only the credential store holds it).
func (r *run) ownEvent(e *atoguard.Event) string {
	for i := range r.ds.Respond {
		run := &r.ds.Respond[i]
		if e.EventDate.Before(run.Start.Add(-ownSlack)) {
			continue
		}
		if !e.EventDate.After(run.End.Add(ownSlack)) && r.journaled(run, e) {
			return ownRespond
		}
		if r.byOwnCredential(run, e) {
			return ownCredential
		}
	}
	return ownNone
}

// journaled reports whether one of run's changes explains e.
func (r *run) journaled(run *atoguard.RespondRun, e *atoguard.Event) bool {
	prefixes := r.stepPrefixes
	for _, c := range run.Changes {
		if c.AccountSID != e.AccountSID || !hasPrefixAny(e.EventType, prefixes[c.Step]) {
			continue
		}
		if isSID(c.Resource) && isSID(e.ResourceSID) && c.Resource != e.ResourceSID {
			continue
		}
		return true
	}
	return false
}

// byOwnCredential: the actor is the credential this investigation runs with.
// An auth token counts only after respond verified its rotation (before
// that, whoever leaked it holds it too); an API key after the run started.
func (r *run) byOwnCredential(run *atoguard.RespondRun, e *atoguard.Event) bool {
	cred := r.ds.Credential
	if cred == "" || e.ActorSID != cred {
		return false
	}
	if strings.HasPrefix(cred, "SK") {
		return !e.EventDate.Before(run.Start.Add(-ownSlack))
	}
	at, ok := run.Rotated[cred]
	return ok && !e.EventDate.Before(at.Add(-ownSlack))
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isSID: two letters and 32 hex digits (AC…, SK…, PN…).
func isSID(s string) bool {
	if len(s) != 34 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func countOwn(evs []attributedEvent) int {
	n := 0
	for _, ae := range evs {
		if ae.own != ownNone {
			n++
		}
	}
	return n
}
