package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// TestOwnEvent: which Monitor events a respond run explains, and which
// acts of the investigation's own credential are atoguard's.
func TestOwnEvent(t *testing.T) {
	acct := "AC" + strings.Repeat("a", 32)
	sub := "AC" + strings.Repeat("b", 32)
	key := "SK" + strings.Repeat("c", 32)
	other := "SK" + strings.Repeat("d", 32)
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rr := atoguard.RespondRun{ID: "run-1", Start: start, End: start.Add(5 * time.Second),
		Changes: []atoguard.RespondChange{
			{Time: start.Add(time.Second), Step: "rotate-tokens", AccountSID: acct, Resource: acct},
			{Time: start.Add(2 * time.Second), Step: "delete-keys", AccountSID: acct, Resource: key},
		},
		Rotated: map[string]time.Time{acct: start.Add(time.Second)}}
	ev := func(typ, account, resource, actor string, at time.Duration) *atoguard.Event {
		return &atoguard.Event{EventType: typ, AccountSID: account, ResourceSID: resource, ActorSID: actor, EventDate: start.Add(at)}
	}
	cases := []struct {
		name string
		cred string
		e    *atoguard.Event
		want string
	}{
		{"rotation", "", ev("account-auth-token.promoted", acct, acct, acct, time.Second), ownRespond},
		{"deleted key", "", ev("account-api-keys.deleted", acct, key, acct, 2*time.Second), ownRespond},
		{"another key deleted", "", ev("account-api-keys.deleted", acct, other, acct, 2*time.Second), ownNone},
		{"other account", "", ev("account-auth-token.promoted", sub, sub, sub, time.Second), ownNone},
		{"other event type", "", ev("phone-number.updated", acct, "", acct, time.Second), ownNone},
		{"before the run", "", ev("account-auth-token.promoted", acct, acct, acct, -time.Hour), ownNone},
		{"an hour later", "", ev("account-auth-token.promoted", acct, acct, acct, time.Hour), ownNone},
		{"rotated token later", acct, ev("phone-number.updated", acct, "", acct, time.Hour), ownCredential},
		{"token not rotated", sub, ev("phone-number.updated", sub, "", sub, time.Hour), ownNone},
		{"our API key", key, ev("phone-number.updated", acct, "", key, time.Hour), ownCredential},
		{"another actor", acct, ev("phone-number.updated", acct, "", other, time.Hour), ownNone},
	}
	for _, c := range cases {
		r := &run{ds: &Dataset{Respond: []atoguard.RespondRun{rr}, Credential: c.cred}, stepPrefixes: stepEventPrefixes()}
		if got := r.ownEvent(c.e); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
