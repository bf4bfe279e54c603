// Package scenario defines the emulator's world — accounts, credentials,
// configuration, traffic and events — and builds named worlds (a realistic
// baseline plus attack overlays) deterministically from a seed.
package scenario

import (
	"time"

	"github.com/atoguard/atoguard"
)

// World is everything the emulator serves. It is plain data so that it can be
// written to and read from a scenario file (JSON or YAML) and compared in tests.
type World struct {
	Name        string    `json:"name" yaml:"name"`
	Description string    `json:"description" yaml:"description"`
	Seed        int64     `json:"seed" yaml:"seed"`
	Now         time.Time `json:"now" yaml:"now"` // the emulator clock at load time
	// AttackStart is when the attack overlay begins (zero for benign worlds).
	AttackStart time.Time `json:"attack_start,omitempty" yaml:"attack_start,omitempty"`
	Accounts    []Account `json:"accounts" yaml:"accounts"`
	// Expect is the ground truth for tests and drills.
	Expect Expectation `json:"expect" yaml:"expect"`
	// Attacker identifies who did the attack overlays (nil for benign worlds),
	// so tests can tell attacker actions from the owners' own.
	Attacker *Attacker `json:"attacker,omitempty" yaml:"attacker,omitempty"`
	// Snapshot is the known-good configuration of every account taken just
	// before the overlays were applied: what `investigate --snapshot` would
	// have saved, and what `respond --webhook-snapshot` restores.
	Snapshot []atoguard.Configuration `json:"snapshot,omitempty" yaml:"snapshot,omitempty"`
}

// Attacker is the ground truth about the actor behind the attack overlays.
type Attacker struct {
	IP        string   `json:"ip" yaml:"ip"`                 // source IP of every attacker event
	ActorSIDs []string `json:"actor_sids" yaml:"actor_sids"` // AC… (API with the leaked token) and US… (hijacked user)
	Email     string   `json:"email,omitempty" yaml:"email,omitempty"`
	// Hosts are attacker-controlled hosts: webhook targets and phishing domains.
	Hosts []string `json:"hosts,omitempty" yaml:"hosts,omitempty"`
	// Numbers are the attacker's destination blocks (E.164 prefixes) and caller IDs.
	Numbers []string `json:"numbers,omitempty" yaml:"numbers,omitempty"`
}

// Expectation is what a correct investigation of the world concludes.
type Expectation struct {
	Attack bool `json:"attack" yaml:"attack"`
	// Verdicts allowed for the world (e.g. ["compromised","likely"]).
	Verdicts []atoguard.Verdict `json:"verdicts" yaml:"verdicts"`
	// Signals that must be raised (detector ids); empty for benign worlds.
	Signals []string `json:"signals,omitempty" yaml:"signals,omitempty"`
}

// Account is one account or subaccount with its credentials and contents.
// Credentials here are fabricated test values generated from the seed.
type Account struct {
	atoguard.Account `yaml:",inline"`
	AuthToken        string `json:"auth_token" yaml:"auth_token"`
	SecondaryToken   string `json:"secondary_auth_token,omitempty" yaml:"secondary_auth_token,omitempty"`
	Users            []User `json:"users,omitempty" yaml:"users,omitempty"`
	Keys             []Key  `json:"keys,omitempty" yaml:"keys,omitempty"`

	PhoneNumbers      []atoguard.PhoneNumber      `json:"phone_numbers,omitempty" yaml:"phone_numbers,omitempty"`
	Applications      []atoguard.Application      `json:"applications,omitempty" yaml:"applications,omitempty"`
	MessagingServices []atoguard.MessagingService `json:"messaging_services,omitempty" yaml:"messaging_services,omitempty"`
	CallerIDs         []atoguard.CallerID         `json:"caller_ids,omitempty" yaml:"caller_ids,omitempty"`
	UsageTriggers     []atoguard.UsageTrigger     `json:"usage_triggers,omitempty" yaml:"usage_triggers,omitempty"`
	VoicePermissions  []atoguard.VoicePermission  `json:"voice_permissions,omitempty" yaml:"voice_permissions,omitempty"`
	SMSPermissions    []atoguard.SMSPermission    `json:"sms_permissions,omitempty" yaml:"sms_permissions,omitempty"`
	// VoiceInheritance: the subaccount inherits the parent's dialing permissions.
	VoiceInheritance bool `json:"voice_inheritance,omitempty" yaml:"voice_inheritance,omitempty"`

	Messages []atoguard.Message `json:"messages,omitempty" yaml:"messages,omitempty"`
	Calls    []atoguard.Call    `json:"calls,omitempty" yaml:"calls,omitempty"`
	// Events are Monitor events that happened before load (history, attacker
	// actions). The emulator appends events for changes made through its API.
	Events []atoguard.Event `json:"events,omitempty" yaml:"events,omitempty"`
}

// User is a Console user of an account (actor of Monitor events).
type User struct {
	SID   string `json:"sid" yaml:"sid"` // US…
	Email string `json:"email" yaml:"email"`
	Name  string `json:"name" yaml:"name"`
}

// Key is an API key with its fabricated secret.
type Key struct {
	SID          string    `json:"sid" yaml:"sid"` // SK…
	FriendlyName string    `json:"friendly_name" yaml:"friendly_name"`
	Secret       string    `json:"secret" yaml:"secret"`
	Type         string    `json:"type" yaml:"type"` // main | standard | restricted
	DateCreated  time.Time `json:"date_created" yaml:"date_created"`
}
