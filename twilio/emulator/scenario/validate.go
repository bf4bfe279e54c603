package scenario

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// maxProblems bounds the errors Validate reports; a broken generator would
// otherwise produce one per message.
const maxProblems = 25

type validator struct {
	problems []error
	more     int
	seen     map[string]string // SID → where it was first seen
	numbers  map[string]bool   // E.164 validity cache (pools repeat numbers)
}

func (v *validator) fail(format string, args ...any) {
	if len(v.problems) >= maxProblems {
		v.more++
		return
	}
	v.problems = append(v.problems, fmt.Errorf(format, args...))
}

func (v *validator) sid(s, prefix, where string) {
	if !isSID(s, prefix) {
		v.fail("%s: SID %q is not %s followed by 32 lowercase hex digits", where, s, prefix)
		return
	}
	if first, dup := v.seen[s]; dup {
		v.fail("%s: SID %s already used by %s", where, s, first)
		return
	}
	v.seen[s] = where
}

func (v *validator) number(s, where string) {
	ok, cached := v.numbers[s]
	if !cached {
		ok = isE164(s)
		v.numbers[s] = ok
	}
	if !ok {
		v.fail("%s: %q is not a valid E.164 number", where, s)
	}
}

func (v *validator) hooks(h atoguard.Webhooks, where string) {
	for k, val := range h {
		if val == "" || !(strings.HasSuffix(k, "_url") || k == "status_callback" || k == "sms_status_callback" || k == "message_status_callback") {
			continue
		}
		u, err := url.Parse(val)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.fail("%s: webhook %s %q is not an http(s) URL", where, k, val)
		}
	}
}

// Validate checks that the world is well formed: SIDs with the right
// prefixes and unique, fabricated credentials in Twilio's formats, valid
// E.164 numbers, every record belonging to its account, messages, calls
// and events in time order and not after Now, and an attack that starts
// inside the investigation window.
func (w *World) Validate() error {
	v := &validator{seen: map[string]string{}, numbers: map[string]bool{}}
	if w.Now.IsZero() {
		v.fail("world: now is not set")
	}
	if len(w.Accounts) == 0 {
		v.fail("world: no accounts")
	}
	owners := map[string]bool{}
	mains := 0
	for _, a := range w.Accounts {
		owners[a.SID] = true
		if !a.IsSubaccount() {
			mains++
		}
	}
	if len(w.Accounts) > 0 && mains == 0 {
		v.fail("world: no main account (one whose owner_account_sid is its own SID or empty)")
	}
	for i := range w.Accounts {
		v.account(w, &w.Accounts[i], owners)
	}
	if w.Expect.Attack {
		if w.AttackStart.IsZero() {
			v.fail("expect: an attack world needs attack_start")
		}
	}
	if !w.AttackStart.IsZero() && (w.AttackStart.Before(w.Now.Add(-Window)) || w.AttackStart.After(w.Now)) {
		v.fail("attack_start %s is outside the investigation window (%s … %s)", w.AttackStart.Format(time.RFC3339),
			w.Now.Add(-Window).Format(time.RFC3339), w.Now.Format(time.RFC3339))
	}
	if len(w.Expect.Verdicts) == 0 {
		v.fail("expect: no verdicts")
	}
	for _, vd := range w.Expect.Verdicts {
		switch vd {
		case atoguard.VerdictClean, atoguard.VerdictSuspicious, atoguard.VerdictLikely, atoguard.VerdictCompromised:
		default:
			v.fail("expect: unknown verdict %q", vd)
		}
	}
	if v.more > 0 {
		v.problems = append(v.problems, fmt.Errorf("… and %d more problems", v.more))
	}
	if len(v.problems) > 0 {
		return fmt.Errorf("scenario %q is invalid: %w", w.Name, errors.Join(v.problems...))
	}
	return nil
}

// account checks one account and everything it holds.
func (v *validator) account(w *World, a *Account, owners map[string]bool) {
	where := "account " + a.SID
	v.identity(a, owners, where)
	v.people(a, where)
	v.configuration(a, where)
	v.messages(a, w.Now, where)
	v.calls(a, w.Now, where)
	v.events(a, w.Now, where)
}

// identity checks the account's SID, owner, tokens and status.
func (v *validator) identity(a *Account, owners map[string]bool, where string) {
	v.sid(a.SID, prefixAccount, where)
	if a.IsSubaccount() && !owners[a.OwnerSID] {
		v.fail("%s: owner %s is not in the world", where, a.OwnerSID)
	}
	if !isHex32(a.AuthToken) {
		v.fail("%s: auth token is not 32 lowercase hex digits", where)
	}
	if a.SecondaryToken != "" && !isHex32(a.SecondaryToken) {
		v.fail("%s: secondary auth token is not 32 lowercase hex digits", where)
	}
	switch a.Status {
	case "active", "suspended", "closed":
	default:
		v.fail("%s: status %q is not active, suspended or closed", where, a.Status)
	}
}

// people checks the account's users and API keys.
func (v *validator) people(a *Account, where string) {
	for _, u := range a.Users {
		v.sid(u.SID, prefixUser, where+" user")
		if !strings.Contains(u.Email, "@") {
			v.fail("%s: user %s email %q has no @", where, u.SID, u.Email)
		}
	}
	for _, k := range a.Keys {
		v.sid(k.SID, prefixKey, where+" key")
		if !isAlnum32(k.Secret) {
			v.fail("%s: key %s secret is not 32 alphanumerics", where, k.SID)
		}
		switch k.Type {
		case "main", "standard", "restricted":
		default:
			v.fail("%s: key %s type %q is not main, standard or restricted", where, k.SID, k.Type)
		}
	}
}

// configuration checks the account's numbers, applications, services,
// caller IDs, usage triggers and geo permissions.
func (v *validator) configuration(a *Account, where string) {
	for _, p := range a.PhoneNumbers {
		v.sid(p.SID, prefixPhoneNumber, where+" phone number")
		v.number(p.PhoneNumber, where+" phone number "+p.SID)
		v.owned(p.AccountSID, a.SID, where+" phone number "+p.SID)
		v.hooks(p.Webhooks, where+" phone number "+p.SID)
	}
	for _, p := range a.Applications {
		v.sid(p.SID, prefixApplication, where+" application")
		v.owned(p.AccountSID, a.SID, where+" application "+p.SID)
		v.hooks(p.Webhooks, where+" application "+p.SID)
	}
	for _, p := range a.MessagingServices {
		v.sid(p.SID, prefixService, where+" messaging service")
		v.owned(p.AccountSID, a.SID, where+" messaging service "+p.SID)
		v.hooks(p.Webhooks, where+" messaging service "+p.SID)
	}
	for _, c := range a.CallerIDs {
		v.sid(c.SID, prefixPhoneNumber, where+" caller ID")
		v.number(c.PhoneNumber, where+" caller ID "+c.SID)
		v.owned(c.AccountSID, a.SID, where+" caller ID "+c.SID)
	}
	for _, t := range a.UsageTriggers {
		v.sid(t.SID, prefixTrigger, where+" usage trigger")
		v.owned(t.AccountSID, a.SID, where+" usage trigger "+t.SID)
	}
	for _, p := range a.VoicePermissions {
		if !validCountry(p.ISOCode) {
			v.fail("%s: voice permission for unknown country %q", where, p.ISOCode)
		}
	}
	for _, p := range a.SMSPermissions {
		if !validCountry(p.CountryCode) {
			v.fail("%s: SMS permission for unknown country %q", where, p.CountryCode)
		}
	}
}

// messages checks the account's messages, in date order up to now.
func (v *validator) messages(a *Account, now time.Time, where string) {
	var last time.Time
	for _, m := range a.Messages {
		mw := where + " message " + m.SID
		if strings.HasPrefix(m.SID, "MM") {
			v.sid(m.SID, "MM", mw)
		} else {
			v.sid(m.SID, prefixMessage, mw)
		}
		v.owned(m.AccountSID, a.SID, mw)
		known := slices.Contains(messageDirections(), m.Direction) && slices.Contains(messageStatuses(), m.Status)
		v.traffic(mw, m.Direction, m.Status, known, m.From, m.To)
		v.dated(mw, "created", m.DateCreated, last, now)
		if !m.DateSent.IsZero() && m.DateSent.Before(m.DateCreated) {
			v.fail("%s: sent before created", mw)
		}
		last = m.DateCreated
	}
}

// calls checks the account's calls, in start order up to now.
func (v *validator) calls(a *Account, now time.Time, where string) {
	var last time.Time
	for _, c := range a.Calls {
		cw := where + " call " + c.SID
		v.sid(c.SID, prefixCall, cw)
		v.owned(c.AccountSID, a.SID, cw)
		known := slices.Contains(callStatuses(), c.Status) && (strings.HasPrefix(c.Direction, "trunking") || slices.Contains(callDirections(), c.Direction))
		v.traffic(cw, c.Direction, c.Status, known, c.From, c.To)
		v.dated(cw, "started", c.StartTime, last, now)
		if c.EndTime.Before(c.StartTime) {
			v.fail("%s: ends before it starts", cw)
		}
		last = c.StartTime
	}
}

// events checks the account's Monitor events, in date order up to now.
func (v *validator) events(a *Account, now time.Time, where string) {
	var last time.Time
	for _, e := range a.Events {
		ew := where + " event " + e.SID
		v.sid(e.SID, prefixEvent, ew)
		v.owned(e.AccountSID, a.SID, ew)
		if e.ActorSID == "" || e.EventType == "" {
			v.fail("%s: missing actor or event type", ew)
		}
		v.dated(ew, "dated", e.EventDate, last, now)
		last = e.EventDate
	}
}

// traffic checks what messages and calls share: a direction and status
// Twilio knows (known) and valid numbers at both ends.
func (v *validator) traffic(where, direction, status string, known bool, from, to string) {
	if !known {
		v.fail("%s: direction %q / status %q is not one of Twilio's", where, direction, status)
	}
	v.number(from, where+" from")
	v.number(to, where+" to")
}

// dated checks a record's time: not after now, and not before prev, the
// time of the record listed before it (zero for the first).
func (v *validator) dated(where, verb string, t, prev, now time.Time) {
	if t.After(now) {
		v.fail("%s: %s %s after now", where, verb, t.Format(time.RFC3339))
	}
	if t.Before(prev) {
		v.fail("%s: out of date order", where)
	}
}

// Twilio's enumerations (2010-04-01 Messages and Calls).
func messageDirections() []string {
	return []string{"inbound", "outbound-api", "outbound-call", "outbound-reply"}
}

func messageStatuses() []string {
	return []string{"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received",
		"accepted", "scheduled", "read", "partially_delivered", "canceled"}
}

func callDirections() []string { return []string{"inbound", "outbound-api", "outbound-dial"} }

func callStatuses() []string {
	return []string{"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}
}

func (v *validator) owned(got, want, where string) {
	if got != want {
		v.fail("%s: account_sid %s, want %s", where, got, want)
	}
}
