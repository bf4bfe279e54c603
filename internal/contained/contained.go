// Package contained checks an emulated Twilio account after `respond apply`:
// the one containment check the demo's "Verify" stage and the tests share,
// so the demo cannot claim more (or less) than the tests assert.
package contained

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// Expect is what a contained world looks like.
type Expect struct {
	World *scenario.World // accounts with their tokens before the response; the known-good snapshot
	Store atoguard.CredentialStore
	// Works tells whether a credential still opens its account (a live call
	// to the emulator: a 401 means no).
	Works func(ctx context.Context, c atoguard.Credential) bool
	Allow []string // countries that may keep Voice or SMS enabled
	Keep  []string // API key SIDs kept on purpose (--keep-keys)
	// Triggers: the response's usage triggers are named with this prefix,
	// one daily trigger per category (playbook.TriggerPrefix, TriggerCategories).
	TriggerPrefix     string
	TriggerCategories []string
}

// Check is one verified property: OK, a short note for people, and the
// per-account problems when it failed.
type Check struct {
	Name     string
	OK       bool
	Note     string
	Problems []string
}

type checker struct {
	ctx    context.Context
	e      Expect
	checks []Check
}

func (c *checker) add(name, note string, problems []string) {
	c.checks = append(c.checks, Check{Name: name, OK: len(problems) == 0, Note: note, Problems: problems})
}

// Verify checks st, the emulator's state after apply, against e.
func Verify(ctx context.Context, st emulator.State, e Expect) []Check {
	c := &checker{ctx: ctx, e: e}
	c.tokens(st)
	byID := map[string]*emulator.AccountState{}
	for i := range st.Accounts {
		byID[st.Accounts[i].SID] = &st.Accounts[i]
	}
	var missing []string
	for _, a := range e.World.Accounts {
		if byID[a.SID] == nil {
			missing = append(missing, a.SID+": missing from the emulator")
		}
	}
	if len(missing) > 0 {
		c.add("every account present in the emulator", fmt.Sprintf("%d missing", len(missing)), missing)
	}
	c.keys(st)
	c.snapshot(byID)
	c.geo(st)
	c.triggers(st)
	return c.checks
}

// Failed returns the checks that did not pass.
func Failed(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

func (c *checker) works(sid, tok string) bool {
	return c.e.Works(c.ctx, atoguard.Credential{AccountSID: sid, Secret: atoguard.NewSecret(tok)})
}

// tokens: every old token is rejected; the store holds a token that works
// and is the account's primary.
func (c *checker) tokens(st emulator.State) {
	primary := map[string]string{}
	for _, as := range st.Accounts {
		primary[as.SID] = as.AuthToken.Fingerprint
	}
	var oldLive, newBad []string
	for _, a := range c.e.World.Accounts {
		if c.works(a.SID, a.AuthToken) {
			oldLive = append(oldLive, a.SID+": the old token still works")
		}
		tok, err := c.e.Store.Load(c.ctx, a.SID)
		switch {
		case err != nil:
			newBad = append(newBad, fmt.Sprintf("%s: no token in the credential store: %v", a.SID, err))
		case !c.works(a.SID, tok.Reveal()):
			newBad = append(newBad, a.SID+": the stored token does not work")
		case primary[a.SID] != tok.Fingerprint():
			newBad = append(newBad, a.SID+": the primary token is not the stored one")
		}
	}
	n := len(c.e.World.Accounts)
	c.add("old tokens rejected (401)", fmt.Sprintf("%d of %d accounts", n-len(oldLive), n), oldLive)
	c.add("new tokens work and sit in the credential file", fmt.Sprintf("%d of %d accounts", n-len(newBad), n), newBad)
}

func (c *checker) keys(st emulator.State) {
	var left []string
	for _, as := range st.Accounts {
		for _, k := range as.Keys {
			if !slices.Contains(c.e.Keep, k.SID) {
				left = append(left, fmt.Sprintf("%s: key %s (%s) left", as.SID, k.SID, k.FriendlyName))
			}
		}
	}
	c.add("API keys deleted", fmt.Sprintf("%d left", len(left)), left)
}

// snapshot: webhooks and verified caller IDs equal the known-good snapshot.
func (c *checker) snapshot(byID map[string]*emulator.AccountState) {
	var hooks, ids []string
	for _, snap := range c.e.World.Snapshot {
		as := byID[snap.AccountSID]
		if as == nil {
			continue
		}
		hooks = append(hooks, webhookDiffs(as, snap)...)
		got, want := callerIDs(as.CallerIDs), callerIDs(snap.CallerIDs)
		if got != want {
			ids = append(ids, fmt.Sprintf("%s: caller IDs [%s], snapshot [%s]", as.SID, got, want))
		}
	}
	c.add("webhooks equal the known-good snapshot", fmt.Sprintf("%d fields differ", len(hooks)), hooks)
	c.add("verified caller IDs equal the known-good snapshot", fmt.Sprintf("%d accounts differ", len(ids)), ids)
}

func webhookDiffs(as *emulator.AccountState, snap atoguard.Configuration) []string {
	var out []string
	for _, want := range snap.PhoneNumbers {
		for _, got := range as.PhoneNumbers {
			if got.SID != want.SID {
				continue
			}
			for f, v := range want.Webhooks {
				if got.Webhooks[f] != v {
					out = append(out, fmt.Sprintf("%s: number %s %s = %q, snapshot %q", as.SID, got.PhoneNumber, f, got.Webhooks[f], v))
				}
			}
		}
	}
	return out
}

func callerIDs(ids []atoguard.CallerID) string {
	var out []string
	for _, c := range ids {
		out = append(out, c.PhoneNumber)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (c *checker) geo(st emulator.State) {
	var bad []string
	for _, as := range st.Accounts {
		for _, v := range as.VoicePermissions {
			if !slices.Contains(c.e.Allow, v.ISOCode) || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
				bad = append(bad, fmt.Sprintf("%s: voice permission %+v outside the allowlist", as.SID, v))
			}
		}
		for _, p := range as.SMSPermissions {
			// High-risk SMS countries are Console-only: the API cannot change them.
			if !slices.Contains(c.e.Allow, p.CountryCode) && !p.HighRisk {
				bad = append(bad, fmt.Sprintf("%s: SMS permission %s enabled outside the allowlist", as.SID, p.CountryCode))
			}
		}
	}
	allow := slices.Clone(c.e.Allow)
	sort.Strings(allow)
	c.add("Voice and SMS geo permissions within the allowlist", strings.Join(allow, ", "), bad)
}

// triggers: one daily trigger with a positive value per category.
func (c *checker) triggers(st emulator.State) {
	var bad []string
	for _, as := range st.Accounts {
		cats := map[string]int{}
		for _, tr := range as.UsageTriggers {
			if !strings.HasPrefix(tr.FriendlyName, c.e.TriggerPrefix) {
				continue
			}
			cats[tr.UsageCategory]++
			if tr.Recurring != "daily" || tr.TriggerValue <= 0 {
				bad = append(bad, fmt.Sprintf("%s: trigger %+v", as.SID, tr))
			}
		}
		for _, cat := range c.e.TriggerCategories {
			if cats[cat] != 1 {
				bad = append(bad, fmt.Sprintf("%s: %d atoguard triggers on %s, want 1", as.SID, cats[cat], cat))
			}
		}
	}
	cats := slices.Clone(c.e.TriggerCategories)
	n := len(st.Accounts)
	c.add("daily usage triggers on "+strings.Join(cats, ", "), fmt.Sprintf("%d of %d accounts", n-accountsIn(bad), n), bad)
}

// accountsIn counts the distinct accounts ("SID: …") among problems.
func accountsIn(problems []string) int {
	seen := map[string]bool{}
	for _, p := range problems {
		sid, _, _ := strings.Cut(p, ":")
		seen[sid] = true
	}
	return len(seen)
}
