package scenario

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// named is one scenario of the catalogue: the baseline plus overlays.
type named struct {
	Name        string
	Description string
	Overlays    []Overlay
	// Verdicts overrides the verdicts derived from the overlays.
	Verdicts []atoguard.Verdict
	// Seed is the seed the acceptance test builds the scenario with
	// (default 1): scenarios written after the detectors use fresh seeds.
	Seed int64
}

// catalog lists the named scenarios, attacks first, then benign look-alikes.
func catalog() []named {
	list := []named{
		{Name: "sms-pumping", Description: "SMS pumping from a customer's subaccount: ~1,200 OTP-looking messages to runs of sequential numbers in Uzbekistan and Kyrgyzstan within 6 hours, most undelivered.",
			Overlays: []Overlay{{Kind: KindSMSPumping, At: "-36h", Account: "sub:1", Countries: []string{"UZ", "KG"}, Count: 1200, Duration: "6h"}}},
		{Name: "phishing-wave", Description: "A PayPal phishing wave from the main account: 600 messages, one template, obfuscated look-alike links, fresh US recipients.",
			Overlays: []Overlay{{Kind: KindPhishingWave, At: "-30h", Account: "main", Brand: "PayPal", Count: 600, Duration: "3h"}}},
		{Name: "webhook-hijack", Description: "The attacker points the main account's phone-number webhooks at a tunnelling or plain-HTTP host through the API, from a never-seen address.",
			Overlays: []Overlay{{Kind: KindWebhookHijack, At: "-20h", Account: "main", Count: 2}}},
		{Name: "full-takeover", Description: "The demo's attacked ISV: with a leaked auth token the attacker creates an API key, takes over the owner's login (password and email), widens geo permissions, deletes usage triggers, hijacks webhooks, pumps SMS abroad from a subaccount and sends a PayPal phishing wave.",
			Verdicts: []atoguard.Verdict{atoguard.VerdictCompromised},
			Overlays: []Overlay{
				{Kind: KindAPIKeyCreated, At: "-60h", Account: "main", Name: "backup"},
				{Kind: KindCredentialChange, At: "-59h", Account: "main"},
				{Kind: KindGeoWidening, At: "-58h", Account: "main", Countries: []string{"UZ", "KG", "ID", "SO"}},
				{Kind: KindGeoWidening, At: "-58h", Account: "sub:2", Countries: []string{"UZ", "KG"}},
				{Kind: KindUsageTriggerDeleted, At: "-57h", Account: "main"},
				{Kind: KindWebhookHijack, At: "-56h", Account: "main", Count: 2},
				{Kind: KindWebhookHijack, At: "-55h", Account: "sub:1", Count: 1},
				{Kind: KindSMSPumping, At: "-48h", Account: "sub:2", Countries: []string{"UZ", "KG"}, Count: 1500, Duration: "8h"},
				{Kind: KindPhishingWave, At: "-30h", Account: "main", Brand: "PayPal", Count: 800, Duration: "4h"},
			}},
		{Name: "quiet-takeover", Description: "Configuration changes only, no traffic yet: an API key created from a new address, geo permissions widened, usage triggers deleted.",
			Overlays: []Overlay{
				{Kind: KindAPIKeyCreated, At: "-20h", Account: "main"},
				{Kind: KindGeoWidening, At: "-19h30m", Account: "main", Countries: []string{"UZ", "KG", "SO"}},
				{Kind: KindUsageTriggerDeleted, At: "-19h", Account: "main"},
			}},
		{Name: "password-change", Description: "The owner's Console login is taken over from a new address: session, password change, then email change.",
			Overlays: []Overlay{{Kind: KindCredentialChange, At: "-26h", Account: "main"}}},
		{Name: "subaccount-abuse", Description: "The attacker creates a subaccount, verifies a foreign caller ID and pumps SMS from the new subaccount.",
			Overlays: []Overlay{
				{Kind: KindSubaccountCreated, At: "-40h", Account: "main", Name: "backup"},
				{Kind: KindCallerIDAdded, At: "-39h", Account: "main", Countries: []string{"GB"}},
				{Kind: KindSMSPumping, At: "-38h", Account: "sub:last", Countries: []string{"KG"}, Count: 700, Duration: "5h"},
			}},
		{Name: "toll-fraud", Description: "Toll fraud (IRSF) with a leaked token: Voice opened to Somalia and the Maldives, ~800 mostly few-second calls from the main account to runs of sequential numbers there, then the attacker deletes the newest call records.",
			Overlays: []Overlay{
				{Kind: KindGeoWidening, At: "-30h", Account: "main", Countries: []string{"SO", "MV"}},
				{Kind: KindCallPumping, At: "-29h", Account: "main", Countries: []string{"SO", "MV"}, Count: 800, Duration: "10h"},
				{Kind: KindEvidenceDeleted, At: "-18h", Account: "main", Count: 60},
			}},
		{Name: "baseline", Description: "A clean ISV: main account and customer subaccounts with weeks of ordinary traffic and staff sign-ins from the office."},
		{Name: "marketing-spike", Description: "Benign: a UK retailer runs a legitimate campaign, about ten times its daily volume to its own customers, one template linking to its own domain, normal delivery.",
			Overlays: []Overlay{{Kind: KindMarketingCampaign, At: "-40h", Account: "sub:2", Duration: "3h"}}},
		{Name: "planned-expansion", Description: "Benign: a known user enables Mexico from the office and a US customer starts sending there gradually, delivered normally.",
			Overlays: []Overlay{{Kind: KindCountryExpansion, At: "-6d", Account: "sub:1", Countries: []string{"MX"}}}},
		{Name: "key-rotation", Description: "Benign: a developer replaces the main account's oldest API key from the office (key created, old key deleted).",
			Overlays: []Overlay{{Kind: KindKeyRotation, At: "-50h", Account: "main"}}},
		{Name: "new-employee", Description: "Benign: the owner invites a new support colleague from the office; the new user joins and signs in from the office on working days.",
			Overlays: []Overlay{{Kind: KindNewUser, At: "-4d", Account: "main"}}},
		{Name: "developer-tunnel", Description: "Benign but worth a look: the developer points a test number's webhooks at an ngrok tunnel from the office while debugging.",
			Overlays: []Overlay{{Kind: KindWebhookUpdate, At: "-22h", Account: "main", Count: 1}}},
		{Name: "token-rotation", Description: "Benign: the owner rotates the main auth token from the office (secondary created, then promoted).",
			Overlays: []Overlay{{Kind: KindTokenRotation, At: "-28h", Account: "main"}}},
	}
	return append(list, laterCatalog()...)
}

// laterCatalog are scenarios written after the detectors, for shapes they
// were not tuned on; each is built with its own seed.
func laterCatalog() []named {
	return []named{
		{Name: "key-actor", Seed: 41, Description: "The attacker creates an API key with the leaked token, then acts through the key (actor SK…): webhooks pointed at a tunnel and geo permissions widened.",
			Overlays: []Overlay{
				{Kind: KindAPIKeyCreated, At: "-50h", Account: "main", Name: "ci-deploy"},
				{Kind: KindWebhookHijack, At: "-49h", Account: "main", Count: 1, Via: ViaKey},
				{Kind: KindGeoWidening, At: "-48h", Account: "main", Countries: []string{"TJ", "AZ"}, Via: ViaKey},
			}},
		{Name: "persistence", Seed: 42, Description: "The attacker makes sure to stay: a secondary auth token created and their own address invited as a Console user, through the API from a never-seen address.",
			Overlays: []Overlay{
				{Kind: KindSecondaryToken, At: "-30h", Account: "main"},
				{Kind: KindUserInvite, At: "-29h", Account: "main"},
			}},
		{Name: "unknown-brand-phishing", Seed: 43, Description: "Phishing for a brand no list knows: 400 identical lures with a link to a domain the account never sent, to numbers it never messaged.",
			Overlays: []Overlay{{Kind: KindPhishingWave, At: "-26h", Account: "sub:3", Brand: "Quillfeather Credit Union", Domain: "quillfeather-members.top", Count: 400, Duration: "2h",
				Body: "Quillfeather Credit Union: your online banking is suspended after unusual activity. Restore access today at {url}"}}},
		{Name: "random-pumping", Seed: 44, Description: "SMS pumping to random, not sequential, numbers in Tajikistan and Uzbekistan: ~1,500 OTP-looking messages in 8 hours from a subaccount, most undelivered.",
			Overlays: []Overlay{{Kind: KindSMSPumping, At: "-40h", Account: "sub:3", Countries: []string{"TJ", "UZ"}, Count: 1500, Duration: "8h", Numbers: NumbersRandom}}},
		{Name: "one-actor-two-accounts", Seed: 45, Description: "One attacker address in two subaccounts: geo permissions widened in one, an API key created in the other, then random pumping from the first.",
			Overlays: []Overlay{
				{Kind: KindGeoWidening, At: "-45h", Account: "sub:1", Countries: []string{"KG"}},
				{Kind: KindAPIKeyCreated, At: "-44h", Account: "sub:2"},
				{Kind: KindSMSPumping, At: "-43h", Account: "sub:1", Countries: []string{"KG"}, Count: 600, Duration: "10h", Numbers: NumbersRandom},
			}},
		{Name: "travelling-developer", Seed: 51, Description: "Benign: the developer signs in to the Console from a hotel network never seen before and changes nothing.",
			Overlays: []Overlay{{Kind: KindNewNetworkSignIn, At: "-20h", Account: "main"}}},
		{Name: "high-risk-expansion", Seed: 52, Description: "Benign: a known user enables Tajikistan from the office; a customer then ramps up traffic there over days to random numbers, in its own words, delivered normally.",
			Overlays: []Overlay{{Kind: KindCountryExpansion, At: "-6d", Account: "sub:1", Countries: []string{"TJ"}, Count: 300}}},
		{Name: "expansion-own-style", Seed: 53, Description: "Benign: a UK retailer starts sending to France and Spain after a known user enabled them, in its usual texts, with its usual links.",
			Overlays: []Overlay{{Kind: KindCountryExpansion, At: "-5d", Account: "sub:2", Countries: []string{"FR", "ES"}}}},
	}
}

// Seed is the seed a named scenario is meant to be built with (1 unless
// the catalogue says otherwise).
func Seed(name string) int64 {
	n, err := lookup(name)
	if err != nil || n.Seed == 0 {
		return 1
	}
	return n.Seed
}

// Names lists the named scenarios.
func Names() []string {
	var out []string
	for _, n := range catalog() {
		out = append(out, n.Name)
	}
	return out
}

// Describe returns the one-paragraph description of a named scenario.
func Describe(name string) (string, error) {
	n, err := lookup(name)
	if err != nil {
		return "", err
	}
	return n.Description, nil
}

// aliases are accepted names that map to a catalogue entry.
func canonical(name string) string {
	switch name {
	case "baseline-isv", "clean":
		return "baseline"
	case "demo":
		return "full-takeover"
	}
	return name
}

func lookup(name string) (named, error) {
	c := canonical(name)
	for _, n := range catalog() {
		if n.Name == c {
			return n, nil
		}
	}
	return named{}, fmt.Errorf("unknown scenario %q; known scenarios: %s", name, strings.Join(Names(), ", "))
}

// Build builds a named scenario with the default sizes.
func Build(name string, seed int64, now time.Time) (*World, error) {
	return BuildWith(name, Options{Seed: seed, Now: now})
}

// BuildWith builds a named scenario with the given sizes. The same name and
// options always give the same world.
func BuildWith(name string, o Options) (*World, error) {
	n, err := lookup(name)
	if err != nil {
		return nil, err
	}
	w, err := generate(o)
	if err != nil {
		return nil, err
	}
	w.Name, w.Description = n.Name, n.Description
	if err := Apply(w, n.Overlays); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", n.Name, err)
	}
	if len(n.Verdicts) > 0 {
		w.Expect.Verdicts = n.Verdicts
	}
	return w, nil
}

// Apply places overlays on a world: it takes the known-good snapshot, applies
// the overlays in order and sets AttackStart, Attacker and Expect from them.
func Apply(w *World, overlays []Overlay) error { return applyWith(w, overlays, defaultLimits()) }

func applyWith(w *World, overlays []Overlay, lim limits) error {
	if w.Snapshot == nil {
		w.Snapshot = w.Configurations(w.Now)
	}
	ov := newOverlayer(w)
	ov.maxCount, ov.maxDays = lim.count, lim.days
	if w.Attacker != nil {
		ov.attacker = w.Attacker
	}
	if err := ov.apply(overlays); err != nil {
		return err
	}
	if !w.AttackStart.IsZero() {
		for i := range w.Snapshot {
			if w.Snapshot[i].TakenAt.After(w.AttackStart) {
				w.Snapshot[i].TakenAt = w.AttackStart.Add(-time.Hour)
			}
		}
	}
	attack := w.Expect.Attack
	signals := slices.Clone(w.Expect.Signals)
	for _, o := range overlays {
		if IsAttack(o.Kind) {
			attack = true
		}
	}
	for _, s := range ov.signals {
		if !slices.Contains(signals, s) {
			signals = append(signals, s)
		}
	}
	w.Expect.Attack = attack
	w.Expect.Signals = signals
	if attack {
		w.Attacker = ov.attacker
		w.Expect.Verdicts = []atoguard.Verdict{atoguard.VerdictCompromised, atoguard.VerdictLikely}
	} else {
		w.Expect.Verdicts = []atoguard.Verdict{atoguard.VerdictClean, atoguard.VerdictSuspicious}
	}
	return nil
}

// Configurations returns every account's security configuration as of now
// (deep copies: later changes to the world do not show through).
func (w *World) Configurations(now time.Time) []atoguard.Configuration {
	out := make([]atoguard.Configuration, 0, len(w.Accounts))
	for _, a := range w.Accounts {
		c := atoguard.Configuration{AccountSID: a.SID, TakenAt: now,
			CallerIDs: slices.Clone(a.CallerIDs), UsageTriggers: slices.Clone(a.UsageTriggers),
			VoicePermissions: slices.Clone(a.VoicePermissions), SMSPermissions: slices.Clone(a.SMSPermissions)}
		for _, p := range a.PhoneNumbers {
			p.Webhooks = maps.Clone(p.Webhooks)
			c.PhoneNumbers = append(c.PhoneNumbers, p)
		}
		for _, p := range a.Applications {
			p.Webhooks = maps.Clone(p.Webhooks)
			c.Applications = append(c.Applications, p)
		}
		for _, p := range a.MessagingServices {
			p.Webhooks = maps.Clone(p.Webhooks)
			c.MessagingServices = append(c.MessagingServices, p)
		}
		for _, k := range a.Keys {
			c.APIKeys = append(c.APIKeys, atoguard.APIKey{SID: k.SID, AccountSID: a.SID, FriendlyName: k.FriendlyName, DateCreated: k.DateCreated})
		}
		out = append(out, c)
	}
	return out
}
