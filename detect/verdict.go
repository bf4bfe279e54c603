package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
)

type decision struct {
	verdict atoguard.Verdict
	score   float64
	reasons []string
	carried []string
}

// attackerChange reports an account change attributed to a likely attacker.
func attackerChange(s atoguard.Signal) bool {
	return strings.HasPrefix(s.ID, "event.") && s.Evidence.Details["attributed_to_attacker"] == "true" &&
		s.Severity.Rank() >= atoguard.SeverityHigh.Rank()
}

func abuse(s atoguard.Signal) bool {
	return (strings.HasPrefix(s.ID, "traffic.") || strings.HasPrefix(s.ID, "destination.") || strings.HasPrefix(s.ID, "phishing.")) &&
		s.Severity.Rank() >= atoguard.SeverityMedium.Rank()
}

// phishingSent is brand impersonation, or a template blast the account's
// own history marks as phishing (a new link domain, new recipients, a lure).
func phishingSent(s atoguard.Signal) bool {
	return s.ID == atoguard.IDBrandImpersonation || (s.ID == atoguard.IDTemplateBlast && s.Evidence.Details["account_phishing"] == "true")
}

func pumping(s atoguard.Signal) bool {
	switch s.ID {
	case atoguard.IDSequentialNumbers, atoguard.IDShortCalls:
		return true
	case atoguard.IDHighRisk:
		return s.Severity.Rank() >= atoguard.SeverityHigh.Rank()
	}
	return false
}

func riskyWebhook(s atoguard.Signal) bool {
	return (s.ID == atoguard.IDWebhookChanged || s.ID == atoguard.IDConfigWebhookChanged) && s.Evidence.Details["url_risky"] == "true"
}

// decide applies the verdict rules, in order; the first that matches wins.
// Each rule names the signals that carried it. See docs/detection.md.
func decide(signals []atoguard.Signal) decision {
	ev := sortEvidence(signals)
	d := decision{verdict: atoguard.VerdictClean}
	d.apply(&ev, signals)
	// Secondary reasons make the explanation complete.
	if d.verdict.Rank() >= atoguard.VerdictLikely.Rank() {
		for _, s := range signals {
			if !slices.Contains(d.carried, s.ID) && s.Severity.Rank() >= atoguard.SeverityHigh.Rank() {
				d.reasons = append(d.reasons, "also: "+s.Summary)
				if len(d.reasons) > 6 {
					break
				}
			}
		}
	}
	d.score = score(signals, d.verdict)
	return d
}

// evidence is the signals sorted into what the verdict rules weigh.
type evidence struct {
	att, core, ab, pump, phish, spikes, hook []atoguard.Signal
	attKinds                                 map[string]bool
	attNonSession                            int
}

func pick(signals []atoguard.Signal, f func(atoguard.Signal) bool) []atoguard.Signal {
	var out []atoguard.Signal
	for _, s := range signals {
		if f(s) {
			out = append(out, s)
		}
	}
	return out
}

func sortEvidence(signals []atoguard.Signal) evidence {
	var e evidence
	e.att = pick(signals, attackerChange)
	// A sign-in from a new network alone is no takeover: what the session
	// did decides. It counts only together with another attacker change.
	e.core = pick(signals, func(s atoguard.Signal) bool { return attackerChange(s) && s.ID != atoguard.IDNewSessionIP })
	e.ab = pick(signals, abuse)
	e.pump = pick(signals, pumping)
	e.phish = pick(signals, phishingSent)
	e.spikes = pick(signals, func(s atoguard.Signal) bool {
		return (strings.HasPrefix(s.ID, "traffic.") || s.ID == atoguard.IDNewCountry || s.ID == atoguard.IDTemplateBlast) && s.Severity.Rank() >= atoguard.SeverityMedium.Rank() &&
			!phishingSent(s) // the blast that is the phishing is not also its abnormal traffic
	})
	e.attKinds = map[string]bool{}
	for _, s := range e.att {
		e.attKinds[s.ID] = true
	}
	e.attNonSession = len(e.attKinds) - btoi(e.attKinds[atoguard.IDNewSessionIP])
	e.hook = pick(signals, func(s atoguard.Signal) bool { return riskyWebhook(s) && attackerChange(s) })
	return e
}

func (d *decision) set(v atoguard.Verdict, reason string, carriers ...[]atoguard.Signal) {
	d.verdict = v
	d.reasons = append(d.reasons, reason)
	for _, group := range carriers {
		for _, s := range group {
			if !slices.Contains(d.carried, s.ID) {
				d.carried = append(d.carried, s.ID)
			}
		}
	}
}

// apply runs the verdict rules, strongest first.
func (d *decision) apply(e *evidence, signals []atoguard.Signal) {
	switch {
	case len(e.core) > 0 && len(e.ab) > 0:
		d.set(atoguard.VerdictCompromised, fmt.Sprintf("account changes by a likely attacker (%s) together with abusive traffic (%s)",
			idList(e.att), idList(e.ab)), e.att, e.ab)
	case len(e.hook) > 0:
		d.set(atoguard.VerdictCompromised, fmt.Sprintf("a likely attacker pointed webhooks at a risky host (%s)", idList(e.hook)), e.hook)
	case len(e.attKinds) >= 2 && e.attNonSession >= 1:
		d.set(atoguard.VerdictCompromised, fmt.Sprintf("%d different account changes by a likely attacker (%s)", len(e.attKinds), idList(e.att)), e.att)
	case len(e.phish) > 0 && len(e.spikes) > 0:
		d.set(atoguard.VerdictCompromised, fmt.Sprintf("phishing sent from the account (%s) with abnormal traffic (%s)", idList(e.phish), idList(e.spikes)), e.phish, e.spikes)
	case len(e.core) > 0:
		d.set(atoguard.VerdictLikely, fmt.Sprintf("account change(s) by a likely attacker (%s)", idList(e.att)), e.att)
	case len(e.phish) > 0:
		d.set(atoguard.VerdictLikely, fmt.Sprintf("phishing sent from the account (%s)", idList(e.phish)), e.phish)
	case len(e.pump) > 0 && len(e.spikes) > 0:
		d.set(atoguard.VerdictLikely, fmt.Sprintf("SMS pumping / toll-fraud pattern (%s) with abnormal traffic (%s)", idList(e.pump), idList(e.spikes)), e.pump, e.spikes)
	case hasAny(e.pump, atoguard.IDSequentialNumbers, atoguard.IDShortCalls):
		d.set(atoguard.VerdictLikely, fmt.Sprintf("SMS pumping / toll-fraud pattern (%s)", idList(e.pump)), e.pump)
	default:
		med := pick(signals, func(s atoguard.Signal) bool { return s.Severity.Rank() >= atoguard.SeverityMedium.Rank() })
		if len(med) > 0 {
			d.set(atoguard.VerdictSuspicious, fmt.Sprintf("unusual activity without attacker attribution (%s)", idList(med)), med)
		} else if len(signals) > 0 {
			d.reasons = append(d.reasons, fmt.Sprintf("only low-severity observations (%s)", idList(signals)))
		} else {
			d.reasons = append(d.reasons, "no signals")
		}
	}
}

// incomplete lists, per account, what could not be read.
func incomplete(ds *Dataset) []string {
	var out []string
	for _, a := range ds.Accounts {
		if len(a.Missing) > 0 {
			out = append(out, a.Account.SID+": "+strings.Join(a.Missing, ", "))
		}
	}
	return out
}

// markIncomplete keeps a verdict that evidence carried and says what was
// not read; a clean verdict on incomplete data becomes incomplete.
func (d *decision) markIncomplete(missing []string) {
	if len(missing) == 0 {
		return
	}
	why := "incomplete data, could not read " + strings.Join(missing, "; ")
	if d.verdict == atoguard.VerdictClean {
		d.verdict = atoguard.VerdictIncomplete
		d.reasons = append([]string{why + " (no verdict of clean on missing data)"}, d.reasons...)
		return
	}
	d.reasons = append(d.reasons, "also: "+why)
}

// score places a 0..100 figure inside the verdict's band (clean <20,
// suspicious <50, likely <80, compromised ≥80), by how much evidence there is.
func score(signals []atoguard.Signal, v atoguard.Verdict) float64 {
	weight := map[atoguard.Severity]float64{atoguard.SeverityCritical: 0.6, atoguard.SeverityHigh: 0.4,
		atoguard.SeverityMedium: 0.2, atoguard.SeverityLow: 0.05}
	miss := 1.0
	for _, s := range signals {
		miss *= 1 - weight[s.Severity]*s.Confidence
	}
	raw := 1 - miss
	band := map[atoguard.Verdict][2]float64{
		atoguard.VerdictClean: {0, 19}, atoguard.VerdictSuspicious: {20, 49},
		atoguard.VerdictLikely: {50, 79}, atoguard.VerdictCompromised: {80, 100},
	}[v]
	lo, hi := band[0], band[1]
	return round2(lo + (hi-lo)*raw)
}

func idList(s []atoguard.Signal) string {
	var ids []string
	for _, x := range s {
		if !slices.Contains(ids, x.ID) {
			ids = append(ids, x.ID)
		}
	}
	return strings.Join(ids, ", ")
}

func hasAny(s []atoguard.Signal, ids ...string) bool {
	for _, x := range s {
		if slices.Contains(ids, x.ID) {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// timeline merges attacker-attributed events (first, in time order) with
// the rest of the evidence: other changes and each signal's start.
func timeline(signals []atoguard.Signal, events []attributedEvent) []atoguard.TimelineEntry {
	var att, rest []atoguard.TimelineEntry
	for _, ae := range events {
		e := ae.ev
		sum := fmt.Sprintf("%s by %s from %s", e.EventType, orDash(e.ActorSID), orDash(e.SourceIP))
		if e.Description != "" {
			sum += ": " + clip(e.Description, 120)
		}
		for _, c := range webhookChanges(&e) {
			sum += fmt.Sprintf("; %s %s → %s", c.field, orDash(c.previous), orDash(c.updated))
		}
		kind := "event"
		switch {
		case ae.own != ownNone:
			kind, sum = "respond", ae.own+": "+sum
		case ae.attacker:
			sum += " (" + strings.Join(ae.why, ", ") + ")"
		}
		te := atoguard.TimelineEntry{Time: e.EventDate, AccountSID: e.AccountSID, Kind: kind, Summary: sum, Attacker: ae.attacker, Ref: e.SID}
		if ae.attacker {
			att = append(att, te)
		} else {
			rest = append(rest, te)
		}
	}
	for _, s := range signals {
		if strings.HasPrefix(s.ID, "event.") {
			continue // its events are already on the timeline
		}
		kind := "signal"
		if strings.HasPrefix(s.ID, "config.") {
			kind = "config"
		}
		rest = append(rest, atoguard.TimelineEntry{Time: s.Start, AccountSID: s.AccountSID, Kind: kind,
			Summary: "[" + s.ID + "] " + s.Summary, Ref: firstOr(s.Evidence.Records)})
	}
	byTime := func(a, b atoguard.TimelineEntry) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Summary, b.Summary)
	}
	slices.SortStableFunc(att, byTime)
	slices.SortStableFunc(rest, byTime)
	out := append(att, rest...)
	if out == nil {
		out = []atoguard.TimelineEntry{}
	}
	return out
}

func firstOr(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}
