package scenario

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Values of Overlay.Via and Overlay.Numbers.
const (
	ViaAccount        = "account"
	ViaKey            = "key"
	NumbersSequential = "sequential"
	NumbersRandom     = "random"
)

// What the detectors need before traffic shows (their default guards), so
// that an overlay promises only what its data can show.
const (
	guardHourly = 40 // messages in one hour for a volume spike
	seqRunMin   = 5  // numbers in one sequential run
	seqTotalMin = 10 // numbers in runs before sequential-numbers
)

// dense reports traffic of n records over d that clears the hourly volume
// guard on average: spread thinner, spikes are not promised.
func dense(n int, d time.Duration) bool {
	return float64(n)/max(d.Hours(), 1) >= guardHourly
}

// sequentialShown reports whether n numbers split over countries make
// enough numbers in runs (each country's share is one run or more).
func sequentialShown(n, countries int) bool {
	inRuns := 0
	for k := range countries {
		share := n / countries
		if k == 0 {
			share += n % countries
		}
		if share >= seqRunMin {
			inRuns += share
		}
	}
	return inRuns >= seqTotalMin
}

// dur is the overlay's duration, zero when unset or bad (checked earlier).
func dur(o Overlay) time.Duration {
	d, err := parseDuration(o.Duration)
	if err != nil || o.Duration == "" {
		return 0
	}
	return d
}

// checkOptions validates the fields that take one of a few values.
func checkOptions(o Overlay) error {
	if o.Via != "" && o.Via != ViaAccount && o.Via != ViaKey {
		return fmt.Errorf("field via: %q is not %q or %q", o.Via, ViaAccount, ViaKey)
	}
	if o.Numbers != "" && o.Numbers != NumbersSequential && o.Numbers != NumbersRandom {
		return fmt.Errorf("field numbers: %q is not %q or %q", o.Numbers, NumbersSequential, NumbersRandom)
	}
	if o.Body != "" && o.Kind == KindPhishingWave && !strings.Contains(o.Body, "{url}") {
		return fmt.Errorf("field body: a phishing body needs {url} where the link goes")
	}
	return nil
}

// apiActor is who the attacker's API calls run as: the account (its leaked
// auth token) or, with via "key", an API key (their own newest one in the
// account, else one that leaked).
func (ov *overlayer) apiActor(r *rand.Rand, acc *Account) (string, string) {
	if ov.via != ViaKey {
		return acc.SID, "account"
	}
	if k := ov.keys[acc.SID]; k != "" {
		return k, "api-key"
	}
	k := sid(r, prefixKey)
	ov.keys[acc.SID] = k
	return k, "api-key"
}

// secondaryToken: the attacker creates a secondary auth token, a credential
// that survives a rotation of the primary one.
func (ov *overlayer) secondaryToken(r *rand.Rand, acc *Account, at time.Time) error {
	ov.attackerEvent(r, acc, "account-secondary-auth-token.created", at, acc.SID, "account", "Secondary auth token created", nil)
	acc.SecondaryToken = token(r)
	return nil
}

// userInvite: the attacker invites their own address as a Console user.
func (ov *overlayer) userInvite(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	email := cmp0(o.Email, ov.attacker.Email)
	ov.attackerEvent(r, acc, "user-invitation.created", at, sid(r, prefixUser), "user-invitation", "User invitation created",
		map[string]any{"email": email, "role": "administrator"})
	return nil
}

// travelSignIn: a known user (default the developer) signs in from a hotel
// or mobile network never seen before, and changes nothing.
func (ov *overlayer) travelSignIn(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	main := ov.w.mainAccount()
	if acc != main {
		return fmt.Errorf("users belong to the main account, not %s", acc.SID)
	}
	who := o.User
	if who == "" && len(main.Users) > 1 {
		who = "2"
	}
	u, err := user(main, who)
	if err != nil {
		return err
	}
	ip := fmt.Sprintf("100.%d.%d.%d", 64+r.IntN(60), r.IntN(256), 1+r.IntN(250)) // carrier-grade NAT: a phone or hotel
	ua := map[string]any{"user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"}
	main.Events = append(main.Events, newEvent(r, main.SID, u.SID, "user", "web", ip, "user-session.created", at, u.SID, "user", "User session created", ua))
	sortEvents(main.Events)
	return nil
}

func cmp0(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ownBodies are the account's own outbound bodies before t: new traffic in
// the customer's own style.
func ownBodies(acc *Account, t time.Time) []string {
	var out []string
	for _, m := range acc.Messages {
		if m.Outbound() && m.DateCreated.Before(t) && m.Body != "" && len(out) < 200 && !slices.Contains(out, m.Body) {
			out = append(out, m.Body)
		}
	}
	return out
}

// pruneAfterDeletion drops promises whose evidence the deletion removed:
// what is left of the attacker's traffic must still show each signal.
func (ov *overlayer) pruneAfterDeletion(acc *Account) {
	phishing, pumped := 0, 0
	for _, m := range acc.Messages {
		if !m.DateCreated.Before(ov.w.AttackStart) && ov.attackRecord(m.To, m.Body) {
			if ov.attackRecord("", m.Body) {
				phishing++
			} else {
				pumped++
			}
		}
	}
	for _, c := range acc.Calls {
		if !c.StartTime.Before(ov.w.AttackStart) && ov.attackRecord(c.To, "") {
			pumped++
		}
	}
	drop := func(ids ...string) {
		ov.signals = slices.DeleteFunc(ov.signals, func(s string) bool { return slices.Contains(ids, s) })
	}
	if phishing == 0 {
		drop(atoguard.IDBrandImpersonation)
	}
	if phishing < 50 {
		drop(atoguard.IDTemplateBlast)
	}
	if pumped < seqTotalMin {
		drop(atoguard.IDSequentialNumbers, atoguard.IDNewCountry)
	}
	if pumped < 200 {
		drop(atoguard.IDVolumeSpike, atoguard.IDFailureSpike, atoguard.IDShortCalls)
	}
}
