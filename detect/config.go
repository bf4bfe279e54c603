package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
)

func (r *run) snapshotInUse() bool {
	for _, a := range r.ds.Accounts {
		if a.Known != nil {
			return true
		}
	}
	return false
}

func (r *run) configDiff(a *AccountData) []atoguard.Signal {
	if a.Config == nil || !r.snapshotInUse() {
		return nil
	}
	sid := a.Account.SID
	mk := func(id string, sign atoguard.Sign, sev atoguard.Severity, summary string, ev atoguard.Evidence) atoguard.Signal {
		return atoguard.Signal{ID: id, Sign: sign, Severity: sev, Confidence: 0.7, AccountSID: sid,
			Start: a.Config.TakenAt, End: a.Config.TakenAt, Summary: summary, Evidence: ev}
	}
	if a.Known == nil {
		if a.Account.IsSubaccount() {
			return []atoguard.Signal{mk(atoguard.IDConfigSubaccountAdded, atoguard.SignAccountChange, atoguard.SeverityMedium,
				fmt.Sprintf("subaccount %s (%s) is not in the known-good snapshot", sid, a.Account.FriendlyName),
				atoguard.Evidence{Records: []string{sid}})}
		}
		return nil
	}
	known, cur := a.Known, a.Config
	var out []atoguard.Signal

	// Webhooks of numbers, applications and messaging services.
	hosts := map[string]bool{}
	type hooked struct {
		sid, label string
		hooks      atoguard.Webhooks
	}
	collect := func(c *atoguard.Configuration) map[string]hooked {
		m := map[string]hooked{}
		for _, p := range c.PhoneNumbers {
			m[p.SID] = hooked{p.SID, p.PhoneNumber, p.Webhooks}
		}
		for _, p := range c.Applications {
			m[p.SID] = hooked{p.SID, p.FriendlyName, p.Webhooks}
		}
		for _, p := range c.MessagingServices {
			m[p.SID] = hooked{p.SID, p.FriendlyName, p.Webhooks}
		}
		return m
	}
	before, after := collect(known), collect(cur)
	for _, h := range before {
		for k, v := range h.hooks {
			if !strings.Contains(k, "method") {
				if host := hostOf(v); host != "" {
					hosts[host] = true
				}
			}
		}
	}
	var lines, records []string
	var flagsAll []URLFlag
	added := 0
	for _, id := range sortedHookKeys(after) {
		h := after[id]
		old, existed := before[id]
		if !existed && len(known.PhoneNumbers)+len(known.Applications) > 0 && strings.HasPrefix(id, "PN") {
			added++
			lines = appendLimited(lines, 10, fmt.Sprintf("%s %s: not in snapshot", id, h.label))
			records = append(records, id)
		}
		for _, k := range sortedFieldKeys(h.hooks) {
			if strings.Contains(k, "method") {
				continue
			}
			prev := old.hooks[k]
			if h.hooks[k] == prev {
				continue
			}
			flags := URLFlags(h.hooks[k], hosts)
			for _, f := range flags {
				if !slices.Contains(flagsAll, f) {
					flagsAll = append(flagsAll, f)
				}
			}
			line := fmt.Sprintf("%s %s %s: %s → %s", id, h.label, k, orDash(prev), orDash(h.hooks[k]))
			if len(flags) > 0 {
				line += " [" + flagText(flags) + "]"
			}
			lines = appendLimited(lines, 10, line)
			if !slices.Contains(records, id) {
				records = append(records, id)
			}
		}
	}
	if len(records) > 0 {
		sev := atoguard.SeverityMedium
		if slices.ContainsFunc(flagsAll, URLFlag.Risky) {
			sev = atoguard.SeverityHigh
		}
		id := atoguard.IDConfigWebhookChanged
		summary := fmt.Sprintf("%d webhook-bearing resource(s) differ from the known-good snapshot", len(records))
		if added == len(records) {
			id = atoguard.IDConfigPhoneNumberMove
			summary = fmt.Sprintf("%d phone number(s) not in the known-good snapshot", added)
		}
		if len(flagsAll) > 0 {
			summary += " [" + flagText(flagsAll) + "]"
		}
		out = append(out, mk(id, atoguard.SignWebhookChange, sev, summary,
			atoguard.Evidence{Examples: lines, Records: records, Counts: map[string]float64{"resources": float64(len(records))},
				Details: map[string]string{"url_flags": flagText(flagsAll), "url_risky": fmt.Sprint(slices.ContainsFunc(flagsAll, URLFlag.Risky))}}))
	}

	// API keys.
	if newKeys := diffBy(known.APIKeys, cur.APIKeys, func(k atoguard.APIKey) string { return k.SID }); len(newKeys) > 0 {
		ev := atoguard.Evidence{Counts: map[string]float64{"keys": float64(len(newKeys))}}
		for _, k := range newKeys {
			ev.Records = append(ev.Records, k.SID)
			ev.Examples = appendLimited(ev.Examples, 10, fmt.Sprintf("%s %q created %s", k.SID, k.FriendlyName, k.DateCreated.UTC().Format("2006-01-02T15:04Z")))
		}
		out = append(out, mk(atoguard.IDConfigAPIKeyCreated, atoguard.SignAccountChange, atoguard.SeverityMedium,
			fmt.Sprintf("%d API key(s) not in the known-good snapshot", len(newKeys)), ev))
	}
	// Caller IDs.
	if added := diffBy(known.CallerIDs, cur.CallerIDs, func(c atoguard.CallerID) string { return c.PhoneNumber }); len(added) > 0 {
		ev := atoguard.Evidence{Counts: map[string]float64{"caller_ids": float64(len(added))}}
		for _, c := range added {
			ev.Records = append(ev.Records, c.SID)
			ev.Examples = appendLimited(ev.Examples, 10, c.PhoneNumber+" "+c.FriendlyName)
		}
		out = append(out, mk(atoguard.IDConfigCallerIDAdded, atoguard.SignAccountChange, atoguard.SeverityMedium,
			fmt.Sprintf("%d caller ID(s) not in the known-good snapshot", len(added)), ev))
	}
	// Usage triggers.
	if gone := diffBy(cur.UsageTriggers, known.UsageTriggers, func(t atoguard.UsageTrigger) string { return t.SID }); len(gone) > 0 {
		ev := atoguard.Evidence{Counts: map[string]float64{"triggers": float64(len(gone))}}
		for _, t := range gone {
			ev.Records = append(ev.Records, t.SID)
			ev.Examples = appendLimited(ev.Examples, 10, fmt.Sprintf("%s %s %s > %v (%s)", t.SID, t.UsageCategory, t.TriggerBy, t.TriggerValue, t.Recurring))
		}
		out = append(out, mk(atoguard.IDConfigTriggerDeleted, atoguard.SignAccountChange, atoguard.SeverityMedium,
			fmt.Sprintf("%d usage trigger(s) of the snapshot are gone", len(gone)), ev))
	}
	// Geo permissions widened.
	var widened []string
	kv := map[string]atoguard.VoicePermission{}
	for _, p := range known.VoicePermissions {
		kv[p.ISOCode] = p
	}
	for _, p := range cur.VoicePermissions {
		k, ok := kv[p.ISOCode]
		if !ok {
			continue
		}
		if p.LowRiskEnabled && !k.LowRiskEnabled {
			widened = append(widened, "voice "+p.ISOCode)
		}
		if p.HighRiskSpecialEnabled && !k.HighRiskSpecialEnabled {
			widened = append(widened, "voice "+p.ISOCode+" high-risk special")
		}
		if p.HighRiskTollFraud && !k.HighRiskTollFraud {
			widened = append(widened, "voice "+p.ISOCode+" high-risk toll-fraud")
		}
	}
	ks := map[string]bool{}
	for _, p := range known.SMSPermissions {
		ks[p.CountryCode] = p.Enabled
	}
	for _, p := range cur.SMSPermissions {
		if was, ok := ks[p.CountryCode]; ok && p.Enabled && !was {
			widened = append(widened, "sms "+p.CountryCode)
		}
	}
	if len(widened) > 0 {
		out = append(out, mk(atoguard.IDConfigGeoWidened, atoguard.SignUnusualCountries, atoguard.SeverityMedium,
			fmt.Sprintf("geo permissions widened since the snapshot: %s", strings.Join(limitStrings(widened, 8), ", ")),
			atoguard.Evidence{Examples: limitStrings(widened, 30), Counts: map[string]float64{"countries": float64(len(widened))}}))
	}
	return out
}

// diffBy returns the items of b whose key is not in a.
func diffBy[T any](a, b []T, key func(T) string) []T {
	seen := map[string]bool{}
	for _, x := range a {
		seen[key(x)] = true
	}
	var out []T
	for _, x := range b {
		if !seen[key(x)] {
			out = append(out, x)
		}
	}
	return out
}

func sortedHookKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedFieldKeys(w atoguard.Webhooks) []string { return sortedHookKeys(w) }
