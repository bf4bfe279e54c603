package scenario

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Overlay kinds. Attack overlays are done by the attacker; benign ones are
// look-alikes done by the account's own people.
const (
	KindSMSPumping          = "sms-pumping"
	KindPhishingWave        = "phishing-wave"
	KindWebhookHijack       = "webhook-hijack"
	KindAPIKeyCreated       = "api-key-created"
	KindCredentialChange    = "credential-change" // password and email change
	KindGeoWidening         = "geo-widening"
	KindUsageTriggerDeleted = "usage-trigger-deleted"
	KindCallerIDAdded       = "caller-id-added"
	KindSubaccountCreated   = "subaccount-created"
	KindCallPumping         = "call-pumping"     // toll fraud (IRSF): many short calls to number blocks
	KindEvidenceDeleted     = "evidence-deleted" // the attacker deletes their message and call records
	KindSecondaryToken      = "secondary-token"  // the attacker creates a secondary auth token (persistence)
	KindUserInvite          = "user-invite"      // the attacker invites their own address as a Console user

	KindMarketingCampaign = "marketing-campaign"
	KindCountryExpansion  = "country-expansion"
	KindTokenRotation     = "token-rotation"
	KindKeyRotation       = "key-rotation" // a known user replaces an API key from the office
	KindNewUser           = "new-user"     // the owner invites a colleague who signs in from the office
	KindWebhookUpdate     = "webhook-update"
	KindNewNetworkSignIn  = "new-network-sign-in" // a known user signs in while travelling and changes nothing
)

// Overlay is one change placed on a world at a given time. Fields other than
// Kind and At are optional and take per-kind defaults.
type Overlay struct {
	Kind string `json:"kind" yaml:"kind"`
	// At is when the overlay starts: a duration relative to the world's Now
	// ("-36h", "-2d12h") or an RFC 3339 time.
	At string `json:"at" yaml:"at"`
	// Account is "main" (default), "sub:N" (N-th subaccount, 1-based),
	// "sub:last" (the last subaccount, e.g. one an earlier overlay created) or
	// an account SID.
	Account string `json:"account,omitempty" yaml:"account,omitempty"`
	// Duration over which traffic is spread ("6h").
	Duration string `json:"duration,omitempty" yaml:"duration,omitempty"`
	// Count: messages for traffic kinds, phone numbers for webhook-hijack,
	// triggers for usage-trigger-deleted.
	Count int `json:"count,omitempty" yaml:"count,omitempty"`
	// Countries: destinations (pumping, expansion, phishing victims) or
	// countries to enable (geo-widening, caller-id-added).
	Countries []string `json:"countries,omitempty" yaml:"countries,omitempty"`
	Brand     string   `json:"brand,omitempty" yaml:"brand,omitempty"`   // phishing-wave
	Domain    string   `json:"domain,omitempty" yaml:"domain,omitempty"` // phishing-wave lure domain
	URL       string   `json:"url,omitempty" yaml:"url,omitempty"`       // webhook-hijack target
	Name      string   `json:"name,omitempty" yaml:"name,omitempty"`     // key, subaccount or caller ID name
	Email     string   `json:"email,omitempty" yaml:"email,omitempty"`   // credential-change new email
	User      string   `json:"user,omitempty" yaml:"user,omitempty"`     // user SID or 1-based index ("1")
	// Via is how the attacker acts: "account" (the leaked auth token, the
	// default) or "key" (an API key: the attacker's newest one in the
	// account, else a leaked one), which makes the events' actor an SK….
	Via string `json:"via,omitempty" yaml:"via,omitempty"`
	// Body is the text of phishing-wave or country-expansion messages; {url}
	// is replaced by the link (phishing: to Domain, required with a brand
	// the catalogue does not know).
	Body string `json:"body,omitempty" yaml:"body,omitempty"`
	// Numbers is how pumping draws destinations: "sequential" (default,
	// runs of numbers) or "random".
	Numbers string `json:"numbers,omitempty" yaml:"numbers,omitempty"`
}

// OverlayKinds lists every overlay kind, attacks first.
func OverlayKinds() []string {
	return []string{KindSMSPumping, KindPhishingWave, KindWebhookHijack, KindAPIKeyCreated, KindCredentialChange,
		KindGeoWidening, KindUsageTriggerDeleted, KindCallerIDAdded, KindSubaccountCreated, KindCallPumping, KindEvidenceDeleted,
		KindSecondaryToken, KindUserInvite,
		KindMarketingCampaign, KindCountryExpansion, KindTokenRotation, KindKeyRotation, KindNewUser, KindWebhookUpdate, KindNewNetworkSignIn}
}

// IsAttack reports whether the overlay kind is an attacker's action.
func IsAttack(kind string) bool {
	switch kind {
	case KindMarketingCampaign, KindCountryExpansion, KindTokenRotation, KindKeyRotation, KindNewUser, KindWebhookUpdate, KindNewNetworkSignIn:
		return false
	}
	return slices.Contains(OverlayKinds(), kind)
}

// Defaults of the pumping overlays, which the signals they promise depend on.
const (
	smsPumpingCount  = 1200
	callPumpingCount = 800
)

func smsPumpingCountries() []string { return []string{"UZ", "KG"} }

// countriesOr is the overlay's countries, or def when it names none.
func (o Overlay) countriesOr(def ...string) []string {
	if len(o.Countries) == 0 {
		return def
	}
	return o.Countries
}

// expectedSignals are the signals an overlay must raise. Traffic signals are
// only promised when the traffic is well above the detectors' minimum-volume
// guards; new-country only when the account did not already allow the
// destination before the attack.
func expectedSignals(o Overlay, acc *Account, known []atoguard.SMSPermission, since time.Time) []string {
	switch o.Kind {
	case KindSMSPumping:
		return smsPumpingSignals(o, known)
	case KindPhishingWave:
		return phishingSignals(o)
	case KindCallPumping:
		return callPumpingSignals(o, acc, since)
	}
	return fixedSignals(o.Kind)
}

// fixedSignals are the signals of the kinds that always raise the same ones.
// The switch is a table.
func fixedSignals(kind string) []string {
	switch kind {
	case KindSecondaryToken:
		return []string{atoguard.IDAuthTokenChanged}
	case KindUserInvite:
		return []string{atoguard.IDUserAdded}
	case KindWebhookHijack:
		return []string{atoguard.IDWebhookChanged}
	case KindAPIKeyCreated:
		return []string{atoguard.IDAPIKeyCreated}
	case KindCredentialChange:
		return []string{atoguard.IDPasswordChanged, atoguard.IDEmailChanged, atoguard.IDNewSessionIP}
	case KindGeoWidening:
		return []string{atoguard.IDGeoWidened}
	case KindUsageTriggerDeleted:
		return []string{atoguard.IDUsageTriggerDeleted}
	case KindCallerIDAdded:
		return []string{atoguard.IDCallerIDAdded}
	case KindSubaccountCreated:
		return []string{atoguard.IDSubaccountCreated}
	case KindEvidenceDeleted:
		return []string{atoguard.IDEvidenceDeleted}
	}
	return nil
}

func smsPumpingSignals(o Overlay, known []atoguard.SMSPermission) []string {
	n := cmp.Or(o.Count, smsPumpingCount)
	countries := o.countriesOr(smsPumpingCountries()...)
	var out []string
	if o.Numbers != NumbersRandom && sequentialShown(n, len(countries)) {
		out = append(out, atoguard.IDSequentialNumbers)
	}
	if dense(n, cmp.Or(dur(o), 6*time.Hour)) {
		out = append(out, atoguard.IDVolumeSpike, atoguard.IDFailureSpike)
	}
	for _, c := range countries {
		if !slices.ContainsFunc(known, func(p atoguard.SMSPermission) bool { return p.CountryCode == c && p.Enabled }) {
			out = append(out, atoguard.IDNewCountry)
			break
		}
	}
	return out
}

func phishingSignals(o Overlay) []string {
	var out []string
	if o.Body == "" {
		out = append(out, atoguard.IDBrandImpersonation)
	}
	if o.Count == 0 || o.Count >= 50 {
		out = append(out, atoguard.IDTemplateBlast)
	}
	return out
}

func callPumpingSignals(o Overlay, acc *Account, since time.Time) []string {
	n := cmp.Or(o.Count, callPumpingCount)
	var out []string
	if o.Numbers != NumbersRandom && sequentialShown(n, len(o.countriesOr("SO", "MV"))) {
		out = append(out, atoguard.IDSequentialNumbers)
	}
	if dense(n, cmp.Or(dur(o), 10*time.Hour)) {
		out = append(out, atoguard.IDVolumeSpike)
	}
	// Short calls must be most of the window's calls for the detector
	// to call it toll fraud: promise it only when they clearly are.
	window := 0
	for _, c := range acc.Calls {
		if !c.StartTime.Before(since) {
			window++
		}
	}
	if short := n * 8 / 10; short >= 50 && float64(short) >= 0.6*float64(window+n) {
		out = append(out, atoguard.IDShortCalls)
	}
	return out
}

// parseAt resolves an overlay time against now.
func parseAt(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("missing \"at\" (e.g. \"-36h\" or an RFC 3339 time)")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: want a duration relative to now such as \"-36h\" or \"-2d\", or an RFC 3339 time", s)
	}
	return now.Add(d), nil
}

// parseDuration accepts Go durations plus a leading day count ("-2d12h").
func parseDuration(s string) (time.Duration, error) {
	neg := false
	rest := s
	if strings.HasPrefix(rest, "-") {
		neg, rest = true, rest[1:]
	} else if strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	var d time.Duration
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 3650 {
			return 0, fmt.Errorf("bad day count in %q", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		x, err := time.ParseDuration(rest)
		if err != nil || x < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d += x
	} else if d == 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// overlayer applies overlays to a world with one attacker identity.
type overlayer struct {
	w        *World
	attacker *Attacker
	via      string            // the current overlay's Via
	keys     map[string]string // account SID → the attacker's newest key there
	maxCount int
	maxDays  int
	signals  []string // expected signals of the overlays applied so far
}

func newOverlayer(w *World) *overlayer {
	r := newRand(w.Seed, streamAttack)
	ip := fmt.Sprintf("185.220.101.%d", 10+r.IntN(240)) // a Tor exit range: never seen in the baseline
	return &overlayer{w: w, keys: map[string]string{}, attacker: &Attacker{
		IP:    ip,
		Email: fmt.Sprintf("secure.admin%d@proton.me", 100+r.IntN(900)),
	}}
}

func (ov *overlayer) actor(s string) {
	if !slices.Contains(ov.attacker.ActorSIDs, s) {
		ov.attacker.ActorSIDs = append(ov.attacker.ActorSIDs, s)
	}
}

func (ov *overlayer) host(s string) {
	if !slices.Contains(ov.attacker.Hosts, s) {
		ov.attacker.Hosts = append(ov.attacker.Hosts, s)
	}
}

// account resolves an overlay's account reference.
func (w *World) account(ref string) (*Account, error) {
	if len(w.Accounts) == 0 {
		return nil, fmt.Errorf("world has no accounts")
	}
	switch {
	case ref == "" || ref == "main":
		for i := range w.Accounts {
			if !w.Accounts[i].IsSubaccount() {
				return &w.Accounts[i], nil
			}
		}
		return &w.Accounts[0], nil
	case ref == "sub:last":
		for i := len(w.Accounts) - 1; i >= 0; i-- {
			if w.Accounts[i].IsSubaccount() {
				return &w.Accounts[i], nil
			}
		}
		return nil, fmt.Errorf("unknown account reference %q: the world has no subaccounts", ref)
	case strings.HasPrefix(ref, "sub:"):
		n, err := strconv.Atoi(ref[4:])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad account reference %q: want \"main\", \"sub:N\" (N ≥ 1) or an account SID", ref)
		}
		k := 0
		for i := range w.Accounts {
			if w.Accounts[i].IsSubaccount() {
				k++
				if k == n {
					return &w.Accounts[i], nil
				}
			}
		}
		return nil, fmt.Errorf("unknown account reference %q: the world has %d subaccounts", ref, k)
	}
	for i := range w.Accounts {
		if w.Accounts[i].SID == ref {
			return &w.Accounts[i], nil
		}
	}
	return nil, fmt.Errorf("unknown account reference %q: want \"main\", \"sub:N\" or the SID of an account in the world", ref)
}

// mainAccount is the account that owns the others.
func (w *World) mainAccount() *Account {
	a, _ := w.account("main")
	return a
}

// apply applies the overlays in order. Each overlay draws from its own random
// stream so that adding one does not change what the others produce.
func (ov *overlayer) apply(overlays []Overlay) error {
	for i, o := range overlays {
		if err := ov.one(i, o); err != nil {
			return &OverlayError{Index: i, Kind: o.Kind, Err: err}
		}
	}
	return nil
}

// OverlayError is a bad overlay (Index is 0-based), so that a file reader
// can point at its line.
type OverlayError struct {
	Index int
	Kind  string
	Err   error
}

func (e *OverlayError) Error() string {
	return fmt.Sprintf("overlay %d (%s): %v", e.Index+1, e.Kind, e.Err)
}

func (e *OverlayError) Unwrap() error { return e.Err }

// one checks overlay i, adds the signals it promises and writes its records.
func (ov *overlayer) one(i int, o Overlay) error {
	w := ov.w
	at, err := ov.checkTimes(o)
	if err != nil {
		return err
	}
	acc, err := w.account(o.Account)
	if err != nil {
		return err
	}
	if err := ov.checkAmounts(o); err != nil {
		return err
	}
	var dur time.Duration
	if o.Duration != "" {
		if dur, err = parseDuration(o.Duration); err != nil || dur <= 0 {
			return fmt.Errorf("bad duration %q (want e.g. \"6h\")", o.Duration)
		}
	}
	ov.promise(o, acc)
	r := newRand(w.Seed, streamOverlay+uint64(i))
	ov.via = o.Via
	if IsAttack(o.Kind) && (w.AttackStart.IsZero() || at.Before(w.AttackStart)) {
		w.AttackStart = at
	}
	return ov.dispatch(r, acc, o, at, dur)
}

// checkTimes checks the overlay's kind and resolves its start time, which
// must be before now and within maxDays of it.
func (ov *overlayer) checkTimes(o Overlay) (time.Time, error) {
	w := ov.w
	if !slices.Contains(OverlayKinds(), o.Kind) {
		return time.Time{}, fmt.Errorf("unknown overlay kind %q; known kinds: %s", o.Kind, strings.Join(OverlayKinds(), ", "))
	}
	at, err := parseAt(o.At, w.Now)
	if err != nil {
		return time.Time{}, err
	}
	at = at.Truncate(time.Second)
	if !at.Before(w.Now) {
		return time.Time{}, fmt.Errorf("time %s is not before the world's now %s", at.Format(time.RFC3339), w.Now.Format(time.RFC3339))
	}
	if oldest := w.Now.Add(-time.Duration(ov.maxDays) * 24 * time.Hour); at.Before(oldest) {
		return time.Time{}, fmt.Errorf("time %s is more than %d days before now", at.Format(time.RFC3339), ov.maxDays)
	}
	return at, nil
}

// checkAmounts checks the overlay's countries, options and count.
func (ov *overlayer) checkAmounts(o Overlay) error {
	for _, c := range o.Countries {
		if !validCountry(c) {
			return fmt.Errorf("unknown country %q (want an ISO 3166 alpha-2 code such as \"UZ\")", c)
		}
	}
	if err := checkOptions(o); err != nil {
		return err
	}
	if o.Count < 0 || o.Count > ov.maxCount {
		return fmt.Errorf("count %d out of range (0 … %d)", o.Count, ov.maxCount)
	}
	return nil
}

// promise adds the signals the overlay must raise to ov.signals, judged
// against the account's SMS permissions before the attack.
func (ov *overlayer) promise(o Overlay, acc *Account) {
	w := ov.w
	var known []atoguard.SMSPermission
	for _, c := range w.Snapshot {
		if c.AccountSID == acc.SID {
			known = c.SMSPermissions
		}
	}
	for _, sig := range expectedSignals(o, acc, known, w.Now.Add(-Window)) {
		if !slices.Contains(ov.signals, sig) {
			ov.signals = append(ov.signals, sig)
		}
	}
}

// dispatch writes the overlay's records. The switch is a dispatch table, one
// case per kind.
func (ov *overlayer) dispatch(r *rand.Rand, acc *Account, o Overlay, at time.Time, dur time.Duration) error {
	switch o.Kind {
	case KindSMSPumping:
		return ov.pumping(r, acc, o, at, dur)
	case KindPhishingWave:
		return ov.phishing(r, acc, o, at, dur)
	case KindWebhookHijack:
		return ov.hijack(r, acc, o, at)
	case KindAPIKeyCreated:
		return ov.apiKey(r, acc, o, at)
	case KindCredentialChange:
		return ov.credentials(r, acc, o, at)
	case KindGeoWidening:
		return ov.geo(r, acc, o, at)
	case KindUsageTriggerDeleted:
		return ov.triggers(r, acc, o, at)
	case KindCallerIDAdded:
		return ov.callerID(r, acc, o, at)
	case KindSubaccountCreated:
		return ov.subaccount(r, acc, o, at)
	case KindMarketingCampaign:
		return ov.marketing(r, acc, o, at, dur)
	case KindCountryExpansion:
		return ov.expansion(r, acc, o, at)
	case KindTokenRotation:
		return ov.rotation(r, acc, at)
	case KindCallPumping:
		return ov.callPumping(r, acc, o, at, dur)
	case KindEvidenceDeleted:
		return ov.evidence(r, acc, o, at)
	case KindSecondaryToken:
		return ov.secondaryToken(r, acc, at)
	case KindUserInvite:
		return ov.userInvite(r, acc, o, at)
	case KindNewNetworkSignIn:
		return ov.travelSignIn(r, acc, o, at)
	case KindKeyRotation:
		return ov.keyRotation(r, acc, o, at)
	case KindNewUser:
		return ov.newUser(r, acc, o, at)
	case KindWebhookUpdate:
		return ov.webhookUpdate(r, acc, o, at)
	}
	return nil
}

// attackerEvent records an action taken with the leaked credentials through
// the API: the actor is the account itself, from the attacker's address.
func (ov *overlayer) attackerEvent(r *rand.Rand, acc *Account, typ string, t time.Time, res, resType, desc string, data map[string]any) {
	actor, actorType := ov.apiActor(r, acc)
	ov.actor(actor)
	acc.Events = append(acc.Events, newEvent(r, acc.SID, actor, actorType, "api", ov.attacker.IP, typ, t, res, resType, desc, data))
	sortEvents(acc.Events)
}

// spread returns n sorted times in [at, at+dur), never after now.
func spread(r *rand.Rand, n int, at time.Time, dur time.Duration, now time.Time) []time.Time {
	if end := now.Sub(at); dur > end {
		dur = end
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = at.Add(time.Duration(r.Int64N(int64(max(dur, time.Second)))).Truncate(time.Second))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// senders are the account's own numbers (the attacker sends from them).
func senders(acc *Account) ([]string, error) {
	var out []string
	for _, pn := range acc.PhoneNumbers {
		out = append(out, pn.PhoneNumber)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("account %s has no phone numbers to send from", acc.SID)
	}
	return out, nil
}

// brandOf is the account's name as its customers see it.
func brandOf(acc *Account) string {
	if acc.FriendlyName != "" {
		return acc.FriendlyName
	}
	return "Acme"
}

// enableSMS turns SMS on for a country, quietly (no event).
func enableSMS(acc *Account, iso string) {
	for k := range acc.SMSPermissions {
		if acc.SMSPermissions[k].CountryCode == iso {
			acc.SMSPermissions[k].Enabled = true
			return
		}
	}
	acc.SMSPermissions = append(acc.SMSPermissions, atoguard.SMSPermission{CountryCode: iso, Enabled: true, HighRisk: smsHighRisk(iso)})
}

func smsEnabled(acc *Account, iso string) bool {
	for _, p := range acc.SMSPermissions {
		if p.CountryCode == iso {
			return p.Enabled
		}
	}
	return false
}

// addMessages merges generated messages into the account in date order.
func addMessages(acc *Account, ms []atoguard.Message) {
	acc.Messages = append(acc.Messages, ms...)
	sortMessages(acc.Messages)
}

// pumping sends OTP-looking messages to runs of sequential numbers in
// high-cost countries; most never arrive, as pumped numbers rarely answer.
// The account is assumed to allow those countries already (a lax account,
// changed before the Monitor retention); combine with geo-widening to show
// the change.
func (ov *overlayer) pumping(r *rand.Rand, acc *Account, o Overlay, at time.Time, dur time.Duration) error {
	// One or two blocks per country, each a run in one prefix.
	p, err := ov.pump(r, acc, o.countriesOr(smsPumpingCountries()...), cmp.Or(o.Count, smsPumpingCount), 2, 3, o.Numbers == NumbersRandom, enableSMS)
	if err != nil {
		return err
	}
	// Pumping walks the blocks roughly in order.
	times := spread(r, len(p.to), at, cmp.Or(dur, 6*time.Hour), ov.w.Now)
	sids := sidBatch(r, prefixMessage, len(p.to))
	ms := make([]atoguard.Message, len(p.to))
	brand := brandOf(acc)
	for k, to := range p.to {
		body := string(appendOTP(nil, r, brand))
		ms[k] = apiMessage(r, acc, sids[k], p.from[r.IntN(len(p.from))], to, body, times[k], pumpedStatus, p.in[k].SMSPrice)
	}
	addMessages(acc, ms)
	return nil
}

// pumped is the traffic of a pumping overlay: the account's numbers to call
// or text from, the numbers to reach and the country of each.
type pumped struct {
	from []string
	to   []string
	in   []country
}

// pump splits n destinations over the countries (the first takes the
// remainder) and draws each country's share as up to maxBlocks runs of
// sequential numbers (a second block from 400 numbers on), steps up to
// maxStep apart. The runs' prefixes become the attacker's numbers. Each
// country is then enabled on the account with enable.
// With random, each block is drawn at random from the country's plan.
func (ov *overlayer) pump(r *rand.Rand, acc *Account, countries []string, n, maxBlocks, maxStep int, random bool, enable func(*Account, string)) (pumped, error) {
	from, err := senders(acc)
	if err != nil {
		return pumped{}, err
	}
	p := pumped{from: from}
	for k, iso := range countries {
		share := n / len(countries)
		if k == 0 {
			share += n % len(countries)
		}
		plan, err := newNumberPlan(iso, kindMobile)
		if err != nil {
			return pumped{}, err
		}
		c := lookupCountry(iso)
		blocks := min(maxBlocks, 1+share/400)
		for b := range blocks {
			size := share / blocks
			if b == 0 {
				size += share % blocks
			}
			seq := plan.sequence(r, size, 1+r.IntN(maxStep))
			if random {
				seq = seq[:0]
				for range size {
					seq = append(seq, plan.draw(r, kindMobile))
				}
			}
			if seq == nil && size > 0 {
				return pumped{}, fmt.Errorf("cannot draw %d sequential numbers in %s", size, iso)
			}
			if len(seq) > 0 {
				ov.attacker.Numbers = append(ov.attacker.Numbers, commonPrefix(seq[0], seq[len(seq)-1]))
			}
			p.to = append(p.to, seq...)
			for range seq {
				p.in = append(p.in, c)
			}
		}
	}
	for _, iso := range countries {
		enable(acc, iso)
	}
	return p, nil
}

// apiMessage is a message sent through the API at t and charged per segment
// unless it failed. Its outcome is drawn with status after the draws of the
// arguments, so callers keep their draw order by argument order.
func apiMessage(r *rand.Rand, acc *Account, sid, from, to, body string, t time.Time, status func(*rand.Rand) (string, int), perSegment float64) atoguard.Message {
	m := atoguard.Message{SID: sid, AccountSID: acc.SID, From: from, To: to, Body: body,
		Direction: "outbound-api", NumSegments: segments(body), PriceUnit: "USD", DateCreated: t, DateSent: t.Add(time.Second)}
	m.Status, m.ErrorCode = status(r)
	if m.Status != "failed" {
		m.Price = roundPrice(float64(m.NumSegments) * perSegment)
	}
	return m
}

// mobilePlans are the mobile number plans of the countries and the price of
// an SMS segment to each.
func mobilePlans(countries []string) ([]numberPlan, []float64, error) {
	plans := make([]numberPlan, len(countries))
	prices := make([]float64, len(countries))
	for k, iso := range countries {
		var err error
		if plans[k], err = newNumberPlan(iso, kindMobile); err != nil {
			return nil, nil, err
		}
		prices[k] = lookupCountry(iso).SMSPrice
	}
	return plans, prices, nil
}

// pumpedStatus: pumped numbers rarely answer, so most messages never arrive.
func pumpedStatus(r *rand.Rand) (string, int) {
	switch u := r.IntN(100); {
	case u < 25:
		return "delivered", 0
	case u < 35:
		return "sent", 0
	case u < 80:
		return "undelivered", []int{30003, 30005, 30008}[r.IntN(3)]
	}
	return "failed", 30008
}

// phishedStatus: carrier filtering catches some of a phishing wave.
func phishedStatus(r *rand.Rand) (string, int) {
	switch u := r.IntN(100); {
	case u < 80:
		return "delivered", 0
	case u < 92:
		return "failed", 30007
	}
	return "undelivered", 30003
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

// lure is a brand's phishing template and look-alike domains.
type lure struct {
	Brand    string
	Template string // {url} is replaced by the obfuscated link
	Domains  []string
	Paths    []string
}

func lures() []lure {
	return []lure{
		{Brand: "PayPal", Template: "PayPal: Your account is limited due to unusual activity. Verify your information at {url} within 24 hours to avoid suspension.",
			Domains: []string{"paypa1-secure.com", "paypal-resolution-center.net", "paypal.com-account-verify.info", "secure-paypaI-login.com"}, Paths: []string{"/login", "/verify", "/limited"}},
		{Brand: "Facebook", Template: "Facebook: your page will be disabled for violating our policies. Appeal now at {url}",
			Domains: []string{"facebook-appeal-center.com", "faceb00k-support.net", "meta-business-help.info"}, Paths: []string{"/appeal", "/case"}},
		{Brand: "Apple", Template: "Apple ID: your account has been locked for security reasons. Unlock it at {url}",
			Domains: []string{"appleid-unlock-secure.com", "apple.com-id-verify.net", "icloud-support-id.com"}, Paths: []string{"/unlock", "/signin"}},
		{Brand: "Chase", Template: "Chase Alert: a payment of $1,249.00 was flagged. If this wasn't you, secure your account at {url}",
			Domains: []string{"chase-secure-alerts.com", "chaseonline-verify.net"}, Paths: []string{"/secure", "/login"}},
		{Brand: "USPS", Template: "USPS: your package could not be delivered due to an incomplete address. Update it at {url}",
			Domains: []string{"usps-redelivery-help.com", "usps.com-tracking-update.info"}, Paths: []string{"/update", "/track"}},
		{Brand: "Netflix", Template: "Netflix: your payment was declined and your membership is on hold. Update billing at {url}",
			Domains: []string{"netflix-billing-update.com", "netfIix-account.net"}, Paths: []string{"/billing", "/account"}},
	}
}

// obfuscate writes a link the way phishing kits do to dodge filters.
func obfuscate(r *rand.Rand, domain, path string) string {
	ref := string(appendRef(nil, r, 5))
	switch r.IntN(5) {
	case 0:
		return "hxxps://" + strings.ReplaceAll(domain, ".", "[.]") + path
	case 1:
		return "https://" + domain + path + "?id=" + ref
	case 2:
		return strings.ReplaceAll(domain, ".", "[.]") + path
	case 3:
		return "hxxp://" + strings.Replace(domain, ".", "(.)", 1) + path + "?c=" + ref
	}
	return domain + path + "?ref=" + ref
}

// phishing sends one lure template with varying obfuscated links to many
// fresh recipients.
func (ov *overlayer) phishing(r *rand.Rand, acc *Account, o Overlay, at time.Time, dur time.Duration) error {
	brand := o.Brand
	if brand == "" {
		brand = "PayPal"
	}
	var l lure
	for _, c := range lures() {
		if strings.EqualFold(c.Brand, brand) {
			l = c
		}
	}
	if o.Body != "" {
		// A custom lure: its own brand, domain and text.
		l = lure{Brand: brand, Template: o.Body, Domains: l.Domains, Paths: []string{"/", "/login", "/verify"}}
		if o.Domain == "" && len(l.Domains) == 0 {
			return fmt.Errorf("field domain: a custom body for brand %q needs the lure's domain", brand)
		}
	}
	if l.Brand == "" {
		var names []string
		for _, c := range lures() {
			names = append(names, c.Brand)
		}
		return fmt.Errorf("unknown brand %q; known brands: %s (or give body and domain for a custom lure)", brand, strings.Join(names, ", "))
	}
	var domains []string
	if len(l.Domains) > 0 {
		domains = l.Domains[:1+r.IntN(min(2, len(l.Domains)))]
	}
	if o.Domain != "" {
		domains = []string{o.Domain}
	}
	for _, d := range domains {
		ov.host(d)
	}
	n := cmp.Or(o.Count, 600)
	countries := o.countriesOr("US")
	from, err := senders(acc)
	if err != nil {
		return err
	}
	plans, prices, err := mobilePlans(countries)
	if err != nil {
		return err
	}
	for _, iso := range countries {
		enableSMS(acc, iso)
	}
	times := spread(r, n, at, cmp.Or(dur, 3*time.Hour), ov.w.Now)
	sids := sidBatch(r, prefixMessage, n)
	ms := make([]atoguard.Message, n)
	for k := range ms {
		ci := r.IntN(len(plans))
		url := obfuscate(r, domains[r.IntN(len(domains))], l.Paths[r.IntN(len(l.Paths))])
		body := strings.Replace(l.Template, "{url}", url, 1)
		ms[k] = apiMessage(r, acc, sids[k], from[r.IntN(len(from))], plans[ci].draw(r, kindMobile), body, times[k], phishedStatus, prices[ci])
	}
	addMessages(acc, ms)
	return nil
}

// hijack points phone-number webhooks at an attacker host through the API.
func (ov *overlayer) hijack(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	if len(acc.PhoneNumbers) == 0 {
		return fmt.Errorf("account %s has no phone numbers", acc.SID)
	}
	base := o.URL
	if base == "" {
		ip := strings.ReplaceAll(ov.attacker.IP, ".", "-")
		if r.IntN(2) == 0 {
			base = fmt.Sprintf("https://%04x-%s.ngrok-free.app/hook", r.IntN(0x10000), ip)
		} else {
			base = "http://" + ov.attacker.IP + ":8080/twilio"
		}
	}
	if h := hostOf(base); h != "" {
		ov.host(h)
	}
	n := o.Count
	if n == 0 || n > len(acc.PhoneNumbers) {
		n = min(len(acc.PhoneNumbers), max(n, 2))
	}
	t := at
	for k := range n {
		pn := &acc.PhoneNumbers[k]
		ov.attackerEvent(r, acc, "phone-number.updated", t, pn.SID, "phone-number", "Phone number updated", repoint(pn, base))
		t = t.Add(time.Duration(20+r.IntN(100)) * time.Second)
	}
	return nil
}

// repoint points a phone number's voice and SMS webhooks under base and
// returns the change as Monitor event data. It writes a copy of the webhooks
// so that whoever holds the old map does not see the change.
func repoint(pn *atoguard.PhoneNumber, base string) map[string]any {
	hooks := maps.Clone(pn.Webhooks)
	if hooks == nil {
		hooks = atoguard.Webhooks{}
	}
	data := map[string]any{}
	for _, f := range []string{"voice_url", "sms_url"} {
		nu := strings.TrimSuffix(base, "/") + "/" + strings.TrimSuffix(f, "_url")
		data[f] = change(pn.Webhooks[f], nu)
		hooks[f] = nu
	}
	pn.Webhooks = hooks
	return data
}

func hostOf(u string) string {
	s := u
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// apiKey creates a standard API key with the leaked token, for persistence.
func (ov *overlayer) apiKey(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	name := o.Name
	if name == "" {
		name = []string{"backup", "twilio-sync", "prod-2", "temp-migration"}[r.IntN(4)]
	}
	k := Key{SID: sid(r, prefixKey), FriendlyName: name, Secret: keySecret(r), Type: "standard", DateCreated: at}
	acc.Keys = append(acc.Keys, k)
	ov.attackerEvent(r, acc, "account-api-keys.created", at, k.SID, "api-key", "API key created", map[string]any{"friendly_name": name})
	ov.keys[acc.SID] = k.SID
	return nil
}

// user resolves a user reference: a US SID or a 1-based index; default the
// first user (the owner).
func user(acc *Account, ref string) (*User, error) {
	if len(acc.Users) == 0 {
		return nil, fmt.Errorf("account %s has no users", acc.SID)
	}
	if ref == "" {
		return &acc.Users[0], nil
	}
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 1 || n > len(acc.Users) {
			return nil, fmt.Errorf("unknown user %q: the account has %d users", ref, len(acc.Users))
		}
		return &acc.Users[n-1], nil
	}
	for i := range acc.Users {
		if acc.Users[i].SID == ref {
			return &acc.Users[i], nil
		}
	}
	return nil, fmt.Errorf("unknown user %q", ref)
}

// credentials: the attacker signs in as a user from a new address, changes
// the password, then the email so that resets go to them.
func (ov *overlayer) credentials(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	u, err := user(acc, o.User)
	if err != nil {
		return err
	}
	email := o.Email
	if email == "" {
		email = ov.attacker.Email
	}
	ov.attacker.Email = email
	ov.actor(u.SID)
	ip := ov.attacker.IP
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
	acc.Events = append(acc.Events,
		newEvent(r, acc.SID, u.SID, "user", "web", ip, "user-session.created", at, u.SID, "user", "User session created", map[string]any{"user_agent": ua}),
		newEvent(r, acc.SID, u.SID, "user", "web", ip, "user-password.updated", at.Add(3*time.Minute), u.SID, "user", "User password updated", nil),
		newEvent(r, acc.SID, u.SID, "user", "web", ip, "user.updated", at.Add(5*time.Minute), u.SID, "user", "User updated", map[string]any{"email": change(u.Email, email)}),
	)
	u.Email = email
	sortEvents(acc.Events)
	return nil
}

// geo enables Voice (including high-risk special numbers) and SMS for
// countries the account never needed.
func (ov *overlayer) geo(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	countries := o.Countries
	if len(countries) == 0 {
		countries = []string{"UZ", "KG", "ID", "SO"}
	}
	t := at
	if acc.VoiceInheritance {
		acc.VoiceInheritance = false
		ov.attackerEvent(r, acc, "voice-geographic-permissions.updated", t, acc.SID, "voice-geographic-permissions", "Voice dialing permissions updated",
			map[string]any{"dialing_permissions_inheritance": change(true, false)})
	}
	for _, iso := range countries {
		found := false
		for k := range acc.VoicePermissions {
			vp := &acc.VoicePermissions[k]
			if vp.ISOCode != iso {
				continue
			}
			found = true
			ov.attackerEvent(r, acc, "voice-geographic-permissions.updated", t, acc.SID, "voice-geographic-permissions", "Voice dialing permissions updated",
				map[string]any{"iso_code": iso,
					"low_risk_numbers_enabled":          change(vp.LowRiskEnabled, true),
					"high_risk_special_numbers_enabled": change(vp.HighRiskSpecialEnabled, true)})
			vp.LowRiskEnabled, vp.HighRiskSpecialEnabled = true, true
		}
		if !found {
			acc.VoicePermissions = append(acc.VoicePermissions, atoguard.VoicePermission{ISOCode: iso, Name: countryName(iso), LowRiskEnabled: true, HighRiskSpecialEnabled: true})
			ov.attackerEvent(r, acc, "voice-geographic-permissions.updated", t, acc.SID, "voice-geographic-permissions", "Voice dialing permissions updated",
				map[string]any{"iso_code": iso, "low_risk_numbers_enabled": change(false, true), "high_risk_special_numbers_enabled": change(false, true)})
		}
		t = t.Add(time.Duration(2+r.IntN(10)) * time.Second)
		ov.attackerEvent(r, acc, "sms-geographic-permissions.updated", t, acc.SID, "sms-geographic-permissions", "SMS geographic permissions updated",
			map[string]any{"country_code": iso, "enabled": change(smsEnabled(acc, iso), true)})
		enableSMS(acc, iso)
		t = t.Add(time.Duration(2+r.IntN(10)) * time.Second)
	}
	return nil
}

// triggers deletes usage triggers so nobody is alerted about the bill.
func (ov *overlayer) triggers(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	if len(acc.UsageTriggers) == 0 {
		return fmt.Errorf("account %s has no usage triggers to delete", acc.SID)
	}
	n := o.Count
	if n == 0 || n > len(acc.UsageTriggers) {
		n = len(acc.UsageTriggers)
	}
	t := at
	for _, ut := range acc.UsageTriggers[:n] {
		ov.attackerEvent(r, acc, "usage-trigger.deleted", t, ut.SID, "usage-trigger", "Usage trigger deleted",
			map[string]any{"friendly_name": ut.FriendlyName, "usage_category": ut.UsageCategory, "trigger_value": ut.TriggerValue, "recurring": ut.Recurring})
		t = t.Add(time.Duration(5+r.IntN(20)) * time.Second)
	}
	acc.UsageTriggers = slices.Clone(acc.UsageTriggers[n:])
	return nil
}

// callerID adds a verified caller ID the attacker controls, for spoofing.
func (ov *overlayer) callerID(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	iso := "GB"
	if len(o.Countries) > 0 {
		iso = o.Countries[0]
	}
	plan, err := newNumberPlan(iso, kindMobile)
	if err != nil {
		return err
	}
	name := o.Name
	if name == "" {
		name = "Support"
	}
	c := atoguard.CallerID{SID: sid(r, prefixPhoneNumber), AccountSID: acc.SID, PhoneNumber: plan.draw(r, kindMobile), FriendlyName: name, DateCreated: at}
	acc.CallerIDs = append(acc.CallerIDs, c)
	ov.attacker.Numbers = append(ov.attacker.Numbers, c.PhoneNumber)
	ov.attackerEvent(r, acc, "caller-id.created", at, c.SID, "caller-id", "Caller ID created", map[string]any{"phone_number": c.PhoneNumber, "friendly_name": name})
	return nil
}

// subaccount creates a fresh subaccount under acc's owner: new credentials
// the owners do not know about.
func (ov *overlayer) subaccount(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	parent := acc
	if acc.IsSubaccount() {
		parent = ov.w.mainAccount()
	}
	name := o.Name
	if name == "" {
		name = []string{"backup", "test", "marketing-2", "dev"}[r.IntN(4)]
	}
	var sub Account
	sub.SID = sid(r, prefixAccount)
	sub.OwnerSID = parent.SID
	sub.FriendlyName = name
	sub.Status = "active"
	sub.Type = "Full"
	sub.DateCreated = at
	sub.AuthToken = token(r)
	sub.VoiceInheritance = true
	sub.SMSPermissions = slices.Clone(parent.SMSPermissions)
	sub.VoicePermissions = slices.Clone(parent.VoicePermissions)
	// Give it a number so that later overlays can send from it.
	iso := "US"
	plan, err := newNumberPlan(iso, kindMobile)
	if err != nil {
		return err
	}
	sub.PhoneNumbers = []atoguard.PhoneNumber{{SID: sid(r, prefixPhoneNumber), AccountSID: sub.SID, PhoneNumber: plan.draw(r, kindMobile),
		FriendlyName: name, Webhooks: atoguard.Webhooks{}}}
	ov.attackerEvent(r, parent, "account.created", at, sub.SID, "account", "Account created", map[string]any{"friendly_name": name})
	ov.w.Accounts = append(ov.w.Accounts, sub)
	return nil
}

// knownUser returns a user of the main account (default the owner) and the
// address they usually sign in from (the most frequent source of their
// sessions).
func knownUser(w *World, ref string) (*Account, *User, string, error) {
	main := w.mainAccount()
	u, err := user(main, ref)
	if err != nil {
		return nil, nil, "", err
	}
	counts := map[string]int{}
	best := ""
	for _, e := range main.Events {
		if e.ActorSID == u.SID && e.EventType == "user-session.created" {
			counts[e.SourceIP]++
			if c := counts[e.SourceIP]; c > counts[best] || (c == counts[best] && e.SourceIP < best) {
				best = e.SourceIP
			}
		}
	}
	if best == "" {
		best = officeIPs()[0]
	}
	return main, u, best, nil
}

// ownEvent records a change by a known user from the office.
func ownEvent(r *rand.Rand, w *World, acc *Account, who, typ string, t time.Time, res, resType, desc string, data map[string]any) error {
	_, u, ip, err := knownUser(w, who)
	if err != nil {
		return err
	}
	acc.Events = append(acc.Events, newEvent(r, acc.SID, u.SID, "user", "web", ip, typ, t, res, resType, desc, data))
	sortEvents(acc.Events)
	return nil
}

// history facts used by the benign overlays.
func recipients(acc *Account) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range acc.Messages {
		if m.Outbound() && !seen[m.To] {
			seen[m.To] = true
			out = append(out, m.To)
		}
	}
	return out
}

func dailyOutbound(acc *Account) float64 {
	if len(acc.Messages) == 0 {
		return 0
	}
	n := 0
	for _, m := range acc.Messages {
		if m.Outbound() {
			n++
		}
	}
	days := acc.Messages[len(acc.Messages)-1].DateCreated.Sub(acc.Messages[0].DateCreated).Hours() / 24
	return float64(n) / math.Max(1, days)
}

// marketing is a legitimate campaign: about ten times a normal day, one
// template linking to the customer's own domain, sent to its own customers,
// delivered normally.
func (ov *overlayer) marketing(r *rand.Rand, acc *Account, o Overlay, at time.Time, dur time.Duration) error {
	from, err := senders(acc)
	if err != nil {
		return err
	}
	to := recipients(acc)
	if len(to) == 0 {
		return fmt.Errorf("account %s has no past recipients to market to", acc.SID)
	}
	n := o.Count
	if n == 0 {
		n = max(200, int(10*dailyOutbound(acc)))
	}
	domain := ownDomain(acc)
	brand := brandOf(acc)
	times := spread(r, n, at, cmp.Or(dur, 3*time.Hour), ov.w.Now)
	sids := sidBatch(r, prefixMessage, n)
	ms := make([]atoguard.Message, n)
	for k := range ms {
		body := brand + ": Winter sale! Up to 30% off everything this weekend only. Shop now: https://" + domain + "/sale?c=" + string(appendRef(nil, r, 6)) + " Reply STOP to opt out."
		dest := to[r.IntN(len(to))]
		ms[k] = apiMessage(r, acc, sids[k], from[r.IntN(len(from))], dest, body, times[k], outboundStatus, lookupCountry(regionOf(dest)).SMSPrice)
		if len(acc.MessagingServices) > 0 {
			ms[k].MessagingServiceSID = acc.MessagingServices[0].SID
		}
	}
	addMessages(acc, ms)
	return nil
}

// ownDomain is the domain the customer links to in its own messages, taken
// from its past bodies, else from its webhooks.
func ownDomain(acc *Account) string {
	for _, m := range acc.Messages {
		if i := strings.Index(m.Body, "https://"); i >= 0 && m.Outbound() {
			if h := hostOf(m.Body[i:]); h != "" {
				return h
			}
		}
	}
	for _, pn := range acc.PhoneNumbers {
		if h := hostOf(pn.Webhooks["sms_url"]); h != "" {
			return h
		}
	}
	return mainProfile().Domain
}

// expansion starts a new country gradually after a known user enabled it
// from the office: a legitimate geo-permission change.
func (ov *overlayer) expansion(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	countries := o.countriesOr("MX")
	from, err := senders(acc)
	if err != nil {
		return err
	}
	t := at.Add(-2 * time.Hour)
	for _, iso := range countries {
		if err := ownEvent(r, ov.w, acc, o.User, "sms-geographic-permissions.updated", t, acc.SID, "sms-geographic-permissions", "SMS geographic permissions updated",
			map[string]any{"country_code": iso, "enabled": change(smsEnabled(acc, iso), true)}); err != nil {
			return err
		}
		enableSMS(acc, iso)
		t = t.Add(time.Minute)
	}
	days := max(1, int(ov.w.Now.Sub(at).Hours()/24))
	n := o.Count
	if n == 0 {
		n = max(40, int(0.15*dailyOutbound(acc)*float64(days)))
	}
	// In the customer's own words: its past bodies, or the one given.
	bodies := ownBodies(acc, at)
	if o.Body != "" {
		bodies = []string{strings.ReplaceAll(o.Body, "{url}", "https://"+ownDomain(acc)+"/")}
	}
	if len(bodies) == 0 {
		return fmt.Errorf("account %s has no past messages to take the expansion's style from (give body)", acc.SID)
	}
	// A ramp: day k gets a share proportional to k+1.
	total := days * (days + 1) / 2
	plans, prices, err := mobilePlans(countries)
	if err != nil {
		return err
	}
	var ms []atoguard.Message
	for d := range days {
		cnt := n * (d + 1) / total
		dayStart := at.Add(time.Duration(d) * 24 * time.Hour)
		times := spread(r, cnt, dayStart, 10*time.Hour, ov.w.Now)
		for _, tm := range times {
			ci := r.IntN(len(countries))
			body := bodies[r.IntN(len(bodies))]
			ms = append(ms, apiMessage(r, acc, sid(r, prefixMessage), from[r.IntN(len(from))], plans[ci].draw(r, kindMobile), body, tm, outboundStatus, prices[ci]))
		}
	}
	addMessages(acc, ms)
	return nil
}

// rotation is a planned auth token rotation by the owner from the office:
// secondary token created, then promoted.
func (ov *overlayer) rotation(r *rand.Rand, acc *Account, at time.Time) error {
	if err := ownEvent(r, ov.w, acc, "", "account-auth-token.secondary-created", at, acc.SID, "account", "Secondary auth token created", nil); err != nil {
		return err
	}
	if err := ownEvent(r, ov.w, acc, "", "account-auth-token.promoted", at.Add(12*time.Minute), acc.SID, "account", "Secondary auth token promoted", nil); err != nil {
		return err
	}
	acc.AuthToken = token(r)
	acc.SecondaryToken = ""
	return nil
}

// enableVoice turns on low-risk dialing to a country, quietly (no event).
func enableVoice(acc *Account, iso string) {
	for k := range acc.VoicePermissions {
		if acc.VoicePermissions[k].ISOCode == iso {
			acc.VoicePermissions[k].LowRiskEnabled = true
			return
		}
	}
	acc.VoicePermissions = append(acc.VoicePermissions, atoguard.VoicePermission{ISOCode: iso, Name: countryName(iso), LowRiskEnabled: true})
}

// callPumping is toll fraud (IRSF): the attacker dials runs of numbers in
// expensive ranges; most calls are answered for a few seconds, some are
// held for minutes to earn more. Like sms-pumping, the account is assumed
// to allow the countries already; combine with geo-widening to show it.
func (ov *overlayer) callPumping(r *rand.Rand, acc *Account, o Overlay, at time.Time, dur time.Duration) error {
	// One block per country.
	p, err := ov.pump(r, acc, o.countriesOr("SO", "MV"), cmp.Or(o.Count, callPumpingCount), 1, 2, o.Numbers == NumbersRandom, enableVoice)
	if err != nil {
		return err
	}
	times := spread(r, len(p.to), at, cmp.Or(dur, 10*time.Hour), ov.w.Now)
	sids := sidBatch(r, prefixCall, len(p.to))
	calls := make([]atoguard.Call, len(p.to))
	for k, to := range p.to {
		c := atoguard.Call{SID: sids[k], AccountSID: acc.SID, From: p.from[r.IntN(len(p.from))], To: to, Direction: "outbound-api",
			StartTime: times[k], PriceUnit: "USD"}
		switch u := r.IntN(100); {
		case u < 80:
			c.Status, c.Duration = "completed", 3+r.IntN(8)
		case u < 90:
			c.Status, c.Duration = "completed", 60+r.IntN(840)
		case u < 95:
			c.Status = "failed"
		default:
			c.Status = "no-answer"
		}
		c.EndTime = c.StartTime.Add(time.Duration(c.Duration) * time.Second)
		c.Price = roundPrice(math.Ceil(float64(c.Duration)/60) * p.in[k].VoiceMin)
		calls[k] = c
	}
	acc.Calls = append(acc.Calls, calls...)
	sortCalls(acc.Calls)
	return nil
}

// evidence deletes the attacker's newest message and call records made
// between the attack start and at, one Monitor event each. Attacker records
// are those to the attacker's number blocks or carrying their hosts.
func (ov *overlayer) evidence(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	n := o.Count
	if n == 0 {
		n = 100
	}
	start := ov.w.AttackStart
	type rec struct {
		t    time.Time
		sid  string
		call bool
	}
	var recs []rec
	for _, m := range acc.Messages {
		if !m.DateCreated.Before(start) && m.DateCreated.Before(at) && ov.attackRecord(m.To, m.Body) {
			recs = append(recs, rec{m.DateCreated, m.SID, false})
		}
	}
	for _, c := range acc.Calls {
		if !c.StartTime.Before(start) && c.StartTime.Before(at) && ov.attackRecord(c.To, "") {
			recs = append(recs, rec{c.StartTime, c.SID, true})
		}
	}
	if len(recs) == 0 {
		return fmt.Errorf("account %s has no attack traffic before %s to delete (place evidence-deleted after a traffic overlay)", acc.SID, at.Format(time.RFC3339))
	}
	slices.SortStableFunc(recs, func(a, b rec) int { return b.t.Compare(a.t) })
	recs = recs[:min(n, len(recs))]
	drop := make(map[string]bool, len(recs))
	t := at
	for _, x := range recs {
		drop[x.sid] = true
		if x.call {
			ov.attackerEvent(r, acc, "call.deleted", t, x.sid, "call", "Call deleted", nil)
		} else {
			ov.attackerEvent(r, acc, "message.deleted", t, x.sid, "message", "Message deleted", nil)
		}
		t = t.Add(time.Duration(1+r.IntN(3)) * time.Second)
	}
	acc.Messages = slices.DeleteFunc(acc.Messages, func(m atoguard.Message) bool { return drop[m.SID] })
	acc.Calls = slices.DeleteFunc(acc.Calls, func(c atoguard.Call) bool { return drop[c.SID] })
	ov.pruneAfterDeletion(acc)
	return nil
}

// attackRecord reports whether a message or call is the attacker's: to one
// of their number blocks or linking to one of their hosts.
func (ov *overlayer) attackRecord(to, body string) bool {
	for _, p := range ov.attacker.Numbers {
		if strings.HasPrefix(to, p) {
			return true
		}
	}
	if body != "" {
		clean := strings.NewReplacer("[.]", ".", "(.)", ".").Replace(body)
		for _, h := range ov.attacker.Hosts {
			if strings.Contains(clean, h) {
				return true
			}
		}
	}
	return false
}

// keyRotation: a known user creates a new API key from the office and
// deletes the oldest one.
func (ov *overlayer) keyRotation(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	name := o.Name
	if name == "" {
		name = "prod-backend-" + at.Format("2006-01")
	}
	who := o.User
	if who == "" && len(ov.w.mainAccount().Users) > 1 {
		who = "2" // the developer
	}
	k := Key{SID: sid(r, prefixKey), FriendlyName: name, Secret: keySecret(r), Type: "standard", DateCreated: at}
	if err := ownEvent(r, ov.w, acc, who, "account-api-keys.created", at, k.SID, "api-key", "API key created", map[string]any{"friendly_name": name}); err != nil {
		return err
	}
	if len(acc.Keys) > 0 {
		oldest := 0
		for i, k := range acc.Keys {
			if k.DateCreated.Before(acc.Keys[oldest].DateCreated) {
				oldest = i
			}
		}
		old := acc.Keys[oldest]
		if err := ownEvent(r, ov.w, acc, who, "account-api-keys.deleted", at.Add(40*time.Minute), old.SID, "api-key", "API key deleted",
			map[string]any{"friendly_name": old.FriendlyName}); err != nil {
			return err
		}
		acc.Keys = slices.Delete(slices.Clone(acc.Keys), oldest, oldest+1)
	}
	acc.Keys = append(acc.Keys, k)
	return nil
}

// newUser: the owner invites a colleague from the office; the new user
// joins and signs in from the office on working days from then on.
func (ov *overlayer) newUser(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	main := ov.w.mainAccount()
	if acc != main {
		return fmt.Errorf("users belong to the main account, not %s", acc.SID)
	}
	_, owner, ip, err := knownUser(ov.w, "")
	if err != nil {
		return err
	}
	first := firstNames()[r.IntN(len(firstNames()))]
	last := lastNames()[r.IntN(len(lastNames()))]
	email := o.Email
	if email == "" {
		domain := owner.Email[strings.LastIndexByte(owner.Email, '@')+1:]
		email = strings.ToLower(first) + "." + strings.ToLower(last) + "@" + domain
	}
	name := o.Name
	if name == "" {
		name = first + " " + last + " (support)"
	}
	u := User{SID: sid(r, prefixUser), Email: email, Name: name}
	ua := map[string]any{"user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"}
	main.Events = append(main.Events,
		newEvent(r, main.SID, owner.SID, "user", "web", ip, "user-invitation.created", at, u.SID, "user-invitation", "User invitation created", map[string]any{"email": email}),
		newEvent(r, main.SID, u.SID, "user", "web", ip, "user.created", at.Add(25*time.Minute), u.SID, "user", "User created", map[string]any{"email": email}),
		newEvent(r, main.SID, u.SID, "user", "web", ip, "user-session.created", at.Add(27*time.Minute), u.SID, "user", "User session created", ua),
	)
	for d := 1; ; d++ {
		t := at.Add(time.Duration(d)*24*time.Hour + time.Duration(r.IntN(90)-45)*time.Minute)
		if !t.Before(ov.w.Now) {
			break
		}
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday || r.IntN(100) >= 80 {
			continue
		}
		main.Events = append(main.Events, newEvent(r, main.SID, u.SID, "user", "web", ip, "user-session.created", t, u.SID, "user", "User session created", ua))
	}
	main.Users = append(main.Users, u)
	sortEvents(main.Events)
	return nil
}

// webhookUpdate: a known user (default the developer) points the webhooks
// of the last Count phone numbers (the test lines) at a new URL from the
// office — a developer testing with a tunnel looks like this.
func (ov *overlayer) webhookUpdate(r *rand.Rand, acc *Account, o Overlay, at time.Time) error {
	if len(acc.PhoneNumbers) == 0 {
		return fmt.Errorf("account %s has no phone numbers", acc.SID)
	}
	base := o.URL
	if base == "" {
		base = fmt.Sprintf("https://%04x-198-51-100-24.ngrok-free.app/twilio", r.IntN(0x10000))
	}
	who := o.User
	if who == "" && len(ov.w.mainAccount().Users) > 1 {
		who = "2"
	}
	n := max(1, min(o.Count, len(acc.PhoneNumbers)))
	t := at
	for k := range n {
		pn := &acc.PhoneNumbers[len(acc.PhoneNumbers)-1-k] // the last numbers: the test lines
		if err := ownEvent(r, ov.w, acc, who, "phone-number.updated", t, pn.SID, "phone-number", "Phone number updated", repoint(pn, base)); err != nil {
			return err
		}
		t = t.Add(time.Duration(30+r.IntN(120)) * time.Second)
	}
	return nil
}
