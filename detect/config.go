package detect

import (
	"fmt"
	"slices"
	"strings"
	"time"

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
	d := configDiffer{sid: a.Account.SID, at: a.Config.TakenAt}
	if a.Known == nil {
		if a.Account.IsSubaccount() {
			return []atoguard.Signal{d.signal(atoguard.IDConfigSubaccountAdded, atoguard.SignAccountChange, atoguard.SeverityMedium,
				fmt.Sprintf("subaccount %s (%s) is not in the known-good snapshot", d.sid, a.Account.FriendlyName),
				atoguard.Evidence{Records: []string{d.sid}})}
		}
		return nil
	}
	var out []atoguard.Signal
	for _, diff := range []func(known, cur *atoguard.Configuration) *atoguard.Signal{
		d.webhooks, d.apiKeys, d.callerIDs, d.usageTriggers, d.geo,
	} {
		if s := diff(a.Known, a.Config); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// configDiffer compares one account's configuration with its known-good
// snapshot, one resource type per method.
type configDiffer struct {
	sid string
	at  time.Time // when the configuration was read
}

func (d configDiffer) signal(id string, sign atoguard.Sign, sev atoguard.Severity, summary string, ev atoguard.Evidence) atoguard.Signal {
	return atoguard.Signal{ID: id, Sign: sign, Severity: sev, Confidence: 0.7, AccountSID: d.sid,
		Start: d.at, End: d.at, Summary: summary, Evidence: ev}
}

// hooked is a resource with webhooks: a number, application or messaging service.
type hooked struct {
	sid, label string
	hooks      atoguard.Webhooks
}

func hookedResources(c *atoguard.Configuration) map[string]hooked {
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

// hookHosts are the hosts the snapshot's webhooks point at.
func hookHosts(before map[string]hooked) map[string]bool {
	hosts := map[string]bool{}
	for _, h := range before {
		for k, v := range h.hooks {
			if !strings.Contains(k, "method") {
				if host := hostOf(v); host != "" {
					hosts[host] = true
				}
			}
		}
	}
	return hosts
}

// hookDiff gathers the webhook differences across resources.
type hookDiff struct {
	lines, records []string
	flags          []URLFlag
	added          int // phone numbers not in the snapshot
}

// webhooks: webhook URLs of numbers, applications and messaging services
// that differ from the snapshot, and numbers it does not hold.
func (d configDiffer) webhooks(known, cur *atoguard.Configuration) *atoguard.Signal {
	before, after := hookedResources(known), hookedResources(cur)
	hosts := hookHosts(before)
	var hd hookDiff
	for _, id := range sortedHookKeys(after) {
		h := after[id]
		old, existed := before[id]
		if !existed && len(known.PhoneNumbers)+len(known.Applications) > 0 && strings.HasPrefix(id, "PN") {
			hd.added++
			hd.lines = appendLimited(hd.lines, 10, fmt.Sprintf("%s %s: not in snapshot", id, h.label))
			hd.records = append(hd.records, id)
		}
		hd.fields(h, old, hosts)
	}
	if len(hd.records) == 0 {
		return nil
	}
	risky := slices.ContainsFunc(hd.flags, URLFlag.Risky)
	sev := atoguard.SeverityMedium
	if risky {
		sev = atoguard.SeverityHigh
	}
	id := atoguard.IDConfigWebhookChanged
	summary := fmt.Sprintf("%d webhook-bearing resource(s) differ from the known-good snapshot", len(hd.records))
	if hd.added == len(hd.records) {
		id = atoguard.IDConfigPhoneNumberMove
		summary = fmt.Sprintf("%d phone number(s) not in the known-good snapshot", hd.added)
	}
	if len(hd.flags) > 0 {
		summary += " [" + flagText(hd.flags) + "]"
	}
	s := d.signal(id, atoguard.SignWebhookChange, sev, summary,
		atoguard.Evidence{Examples: hd.lines, Records: hd.records, Counts: map[string]float64{"resources": float64(len(hd.records))},
			Details: map[string]string{"url_flags": flagText(hd.flags), "url_risky": fmt.Sprint(risky)}})
	return &s
}

// fields records each webhook URL of h that differs from old's.
func (hd *hookDiff) fields(h, old hooked, hosts map[string]bool) {
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
			if !slices.Contains(hd.flags, f) {
				hd.flags = append(hd.flags, f)
			}
		}
		line := fmt.Sprintf("%s %s %s: %s → %s", h.sid, h.label, k, orDash(prev), orDash(h.hooks[k]))
		if len(flags) > 0 {
			line += " [" + flagText(flags) + "]"
		}
		hd.lines = appendLimited(hd.lines, 10, line)
		if !slices.Contains(hd.records, h.sid) {
			hd.records = append(hd.records, h.sid)
		}
	}
}

// apiKeys: keys the snapshot does not hold.
func (d configDiffer) apiKeys(known, cur *atoguard.Configuration) *atoguard.Signal {
	newKeys := diffBy(known.APIKeys, cur.APIKeys, func(k atoguard.APIKey) string { return k.SID })
	if len(newKeys) == 0 {
		return nil
	}
	ev := atoguard.Evidence{Counts: map[string]float64{"keys": float64(len(newKeys))}}
	for _, k := range newKeys {
		ev.Records = append(ev.Records, k.SID)
		ev.Examples = appendLimited(ev.Examples, 10, fmt.Sprintf("%s %q created %s", k.SID, k.FriendlyName, k.DateCreated.UTC().Format("2006-01-02T15:04Z")))
	}
	s := d.signal(atoguard.IDConfigAPIKeyCreated, atoguard.SignAccountChange, atoguard.SeverityMedium,
		fmt.Sprintf("%d API key(s) not in the known-good snapshot", len(newKeys)), ev)
	return &s
}

// callerIDs: verified caller IDs the snapshot does not hold.
func (d configDiffer) callerIDs(known, cur *atoguard.Configuration) *atoguard.Signal {
	added := diffBy(known.CallerIDs, cur.CallerIDs, func(c atoguard.CallerID) string { return c.PhoneNumber })
	if len(added) == 0 {
		return nil
	}
	ev := atoguard.Evidence{Counts: map[string]float64{"caller_ids": float64(len(added))}}
	for _, c := range added {
		ev.Records = append(ev.Records, c.SID)
		ev.Examples = appendLimited(ev.Examples, 10, c.PhoneNumber+" "+c.FriendlyName)
	}
	s := d.signal(atoguard.IDConfigCallerIDAdded, atoguard.SignAccountChange, atoguard.SeverityMedium,
		fmt.Sprintf("%d caller ID(s) not in the known-good snapshot", len(added)), ev)
	return &s
}

// usageTriggers: triggers of the snapshot that are gone.
func (d configDiffer) usageTriggers(known, cur *atoguard.Configuration) *atoguard.Signal {
	gone := diffBy(cur.UsageTriggers, known.UsageTriggers, func(t atoguard.UsageTrigger) string { return t.SID })
	if len(gone) == 0 {
		return nil
	}
	ev := atoguard.Evidence{Counts: map[string]float64{"triggers": float64(len(gone))}}
	for _, t := range gone {
		ev.Records = append(ev.Records, t.SID)
		ev.Examples = appendLimited(ev.Examples, 10, fmt.Sprintf("%s %s %s > %v (%s)", t.SID, t.UsageCategory, t.TriggerBy, t.TriggerValue, t.Recurring))
	}
	s := d.signal(atoguard.IDConfigTriggerDeleted, atoguard.SignAccountChange, atoguard.SeverityMedium,
		fmt.Sprintf("%d usage trigger(s) of the snapshot are gone", len(gone)), ev)
	return &s
}

// geo: voice and SMS geo permissions enabled since the snapshot.
func (d configDiffer) geo(known, cur *atoguard.Configuration) *atoguard.Signal {
	widened := append(voiceWidened(known, cur), smsWidened(known, cur)...)
	if len(widened) == 0 {
		return nil
	}
	s := d.signal(atoguard.IDConfigGeoWidened, atoguard.SignUnusualCountries, atoguard.SeverityMedium,
		fmt.Sprintf("geo permissions widened since the snapshot: %s", strings.Join(limitStrings(widened, 8), ", ")),
		atoguard.Evidence{Examples: limitStrings(widened, 30), Counts: map[string]float64{"countries": float64(len(widened))}})
	return &s
}

func voiceWidened(known, cur *atoguard.Configuration) []string {
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
	return widened
}

func smsWidened(known, cur *atoguard.Configuration) []string {
	var widened []string
	ks := map[string]bool{}
	for _, p := range known.SMSPermissions {
		ks[p.CountryCode] = p.Enabled
	}
	for _, p := range cur.SMSPermissions {
		if was, ok := ks[p.CountryCode]; ok && p.Enabled && !was {
			widened = append(widened, "sms "+p.CountryCode)
		}
	}
	return widened
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
