package emulator

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// state is one loaded world. Every field is guarded by Emulator.mu.
type state struct {
	clock    *Clock
	rng      *rand.Rand
	strs     *interner
	accounts map[string]*account
	order    []*account // creation order
	keys     map[string]*apiKey
}

type account struct {
	atoguard.Account
	dateUpdated time.Time

	token, secondary               string
	tokenCreated, secondaryCreated time.Time
	users                          []scenario.User
	numbers                        []*phoneNumber
	apps                           []*application
	services                       []*messagingService
	callerIDs                      []*callerID
	triggers                       []*usageTrigger
	voice                          map[string]*voicePerm
	voiceInherit                   bool
	sms                            map[string]*smsPerm
	sinks                          []*sink
	subs                           []*subscription
	msgs                           msgStore
	calls                          []atoguard.Call // sorted by StartTime
	events                         []atoguard.Event
	eventIndex                     map[string]int
}

type apiKey struct {
	scenario.Key
	acct        *account
	policy      string // restricted keys: JSON policy as given
	dateUpdated time.Time
}

type phoneNumber struct {
	atoguard.PhoneNumber
	created, updated time.Time
}

type application struct {
	atoguard.Application
	created, updated time.Time
}

type messagingService struct {
	atoguard.MessagingService
	created, updated time.Time
}

type callerID struct {
	atoguard.CallerID
	updated time.Time
}

type usageTrigger struct {
	atoguard.UsageTrigger
	callbackMethod   string
	fired            time.Time // last time it fired (zero: never)
	created, updated time.Time
}

type voicePerm struct {
	atoguard.VoicePermission
}

type smsPerm struct {
	atoguard.SMSPermission
}

type sink struct {
	sid, description, sinkType, config, status, testID string
	created, updated                                   time.Time
}

type subscription struct {
	sid, description, sinkSID string
	types                     []subscribedType
	created, updated          time.Time
}

type subscribedType struct {
	Type          string `json:"type"`
	SchemaVersion int    `json:"schema_version"`
}

func buildState(w *scenario.World, seed int64, clock *Clock) (*state, error) {
	st := &state{
		clock:    clock,
		rng:      rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5eed)),
		strs:     newInterner(),
		accounts: make(map[string]*account, len(w.Accounts)),
		keys:     map[string]*apiKey{},
	}
	now := clock.Now()
	for i := range w.Accounts {
		a, err := st.newAccount(i, &w.Accounts[i], now)
		if err != nil {
			return nil, err
		}
		st.accounts[a.SID] = a
		st.order = append(st.order, a)
	}
	for _, a := range st.order {
		if a.IsSubaccount() {
			if _, ok := st.accounts[a.OwnerSID]; !ok {
				return nil, fmt.Errorf("emulator: subaccount %s: owner %s not in world", a.SID, a.OwnerSID)
			}
		}
	}
	return st, nil
}

// newAccount builds world account i (registering its keys), filling in
// what the world leaves out as Twilio would.
func (st *state) newAccount(i int, wa *scenario.Account, now time.Time) (*account, error) {
	if !validSID(wa.SID, "AC") {
		return nil, fmt.Errorf("emulator: account %d: invalid sid %q", i, wa.SID)
	}
	if _, dup := st.accounts[wa.SID]; dup {
		return nil, fmt.Errorf("emulator: duplicate account %s", wa.SID)
	}
	a := &account{Account: wa.Account, token: wa.AuthToken, secondary: wa.SecondaryToken,
		users: wa.Users, voiceInherit: wa.VoiceInheritance, eventIndex: map[string]int{}}
	a.OwnerSID = cmp.Or(a.OwnerSID, a.SID)
	a.Status = cmp.Or(a.Status, "active")
	a.Type = cmp.Or(a.Type, "Full")
	if a.DateCreated.IsZero() {
		a.DateCreated = now.AddDate(-1, 0, 0)
	}
	a.dateUpdated = a.DateCreated
	a.tokenCreated = a.DateCreated
	if a.secondary != "" {
		a.secondaryCreated = a.DateCreated
	}
	if a.token == "" {
		a.token = st.newToken()
	}
	if err := st.addKeys(a, wa.Keys); err != nil {
		return nil, err
	}
	a.addConfig(wa)
	a.addPermissions(wa)
	if err := st.addTraffic(a, wa); err != nil {
		return nil, err
	}
	return a, nil
}

// addKeys registers the account's API keys; their SIDs are unique across
// the world.
func (st *state) addKeys(a *account, keys []scenario.Key) error {
	for _, k := range keys {
		if _, dup := st.keys[k.SID]; dup || !validSID(k.SID, "SK") {
			return fmt.Errorf("emulator: account %s: bad or duplicate key %q", a.SID, k.SID)
		}
		k.Type = cmp.Or(k.Type, "standard")
		if k.DateCreated.IsZero() {
			k.DateCreated = a.DateCreated
		}
		st.keys[k.SID] = &apiKey{Key: k, acct: a, dateUpdated: k.DateCreated}
	}
	return nil
}

// addConfig copies the account's numbers, applications, messaging
// services, caller IDs and usage triggers, owned by the account.
func (a *account) addConfig(wa *scenario.Account) {
	for _, p := range wa.PhoneNumbers {
		p.AccountSID = a.SID
		p.Webhooks = cloneHooks(p.Webhooks)
		a.numbers = append(a.numbers, &phoneNumber{PhoneNumber: p, created: a.DateCreated, updated: a.DateCreated})
	}
	for _, p := range wa.Applications {
		p.AccountSID = a.SID
		p.Webhooks = cloneHooks(p.Webhooks)
		a.apps = append(a.apps, &application{Application: p, created: a.DateCreated, updated: a.DateCreated})
	}
	for _, p := range wa.MessagingServices {
		p.AccountSID = a.SID
		p.Webhooks = cloneHooks(p.Webhooks)
		a.services = append(a.services, &messagingService{MessagingService: p, created: a.DateCreated, updated: a.DateCreated})
	}
	for _, c := range wa.CallerIDs {
		c.AccountSID = a.SID
		if c.DateCreated.IsZero() {
			c.DateCreated = a.DateCreated
		}
		a.callerIDs = append(a.callerIDs, &callerID{CallerID: c, updated: c.DateCreated})
	}
	for _, t := range wa.UsageTriggers {
		t.AccountSID = a.SID
		t.TriggerBy = cmp.Or(t.TriggerBy, "usage")
		a.triggers = append(a.triggers, &usageTrigger{UsageTrigger: t, callbackMethod: "POST", created: a.DateCreated, updated: a.DateCreated})
	}
}

// addPermissions sets the default geo permissions overridden by the
// world's.
func (a *account) addPermissions(wa *scenario.Account) {
	a.voice = defaultVoicePerms()
	for _, p := range wa.VoicePermissions {
		iso := strings.ToUpper(p.ISOCode)
		p.ISOCode = iso
		if p.Name == "" {
			if c, ok := countryByISO(iso); ok {
				p.Name = c.name
			}
		}
		a.voice[iso] = &voicePerm{p}
	}
	a.sms = defaultSMSPerms()
	for _, p := range wa.SMSPermissions {
		p.CountryCode = strings.ToUpper(p.CountryCode)
		p.HighRisk = p.HighRisk || smsHighRisk(p.CountryCode)
		a.sms[p.CountryCode] = &smsPerm{p}
	}
}

// addTraffic copies the account's messages, calls and events, sorted by
// date; events without a SID get one.
func (st *state) addTraffic(a *account, wa *scenario.Account) error {
	a.msgs.strs = st.strs
	for j := range wa.Messages {
		m := &wa.Messages[j]
		if m.AccountSID != "" && m.AccountSID != a.SID {
			return fmt.Errorf("emulator: message %s belongs to %s, listed under %s", m.SID, m.AccountSID, a.SID)
		}
		a.msgs.add(m)
	}
	if a.msgs.unsorted {
		a.msgs.sort()
	}
	a.calls = slices.Clone(wa.Calls)
	for j := range a.calls {
		a.calls[j].AccountSID = a.SID
	}
	slices.SortStableFunc(a.calls, func(x, y atoguard.Call) int { return x.StartTime.Compare(y.StartTime) })
	a.events = slices.Clone(wa.Events)
	for j := range a.events {
		ev := &a.events[j]
		ev.AccountSID = a.SID
		if ev.SID == "" {
			ev.SID = st.newSID("AE")
		}
	}
	slices.SortStableFunc(a.events, func(x, y atoguard.Event) int { return x.EventDate.Compare(y.EventDate) })
	for j, ev := range a.events {
		a.eventIndex[ev.SID] = j
	}
	return nil
}

func cloneHooks(h atoguard.Webhooks) atoguard.Webhooks {
	out := make(atoguard.Webhooks, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// newSID returns prefix + 32 lowercase hex digits from the seeded generator.
func (st *state) newSID(prefix string) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := st.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return prefix + hex.EncodeToString(b[:])
}

// newToken returns a fabricated auth token: 32 lowercase hex digits.
func (st *state) newToken() string { return st.newSID("")[:32] }

// newKeySecret returns a fabricated API key secret: 32 alphanumerics.
func (st *state) newKeySecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alphabet[st.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// subaccounts returns the accounts a owns (not a itself).
func (st *state) subaccounts(a *account) []*account {
	var out []*account
	for _, s := range st.order {
		if s.OwnerSID == a.SID && s.SID != a.SID {
			out = append(out, s)
		}
	}
	return out
}

func validSID(s, prefix string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := 2; i < 34; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
