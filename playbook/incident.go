package playbook

import (
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Investigation is the part of `investigate --json` respond uses: the
// verdict, the signals and the timeline with the attacker's entries marked.
type Investigation struct {
	Verdict  atoguard.Verdict         `json:"verdict"`
	Signals  []atoguard.Signal        `json:"signals"`
	Timeline []atoguard.TimelineEntry `json:"timeline"`
}

// FirstAttack is the time of the earliest attacker entry of the timeline
// (zero without one, or without an investigation).
func (inv *Investigation) FirstAttack() time.Time {
	var t time.Time
	if inv == nil {
		return t
	}
	for _, e := range inv.Timeline {
		if e.Attacker && (t.IsZero() || e.Time.Before(t)) {
			t = e.Time
		}
	}
	return t
}

// AttackerEvents are the Monitor event SIDs (AE…) the investigation
// attributed to the attacker: Options.AttackerEvents.
func (inv *Investigation) AttackerEvents() []string {
	if inv == nil {
		return nil
	}
	var out []string
	for _, e := range inv.Timeline {
		if e.Attacker && strings.HasPrefix(e.Ref, "AE") {
			out = append(out, e.Ref)
		}
	}
	return out
}

// Incident is the incident record of a response: what was done (res), why
// (inv, may be nil) and the web exposure check (may be nil), with the
// response's own changes on the timeline. Its Summary is left for report.
func Incident(res *Result, incidentStart time.Time, inv *Investigation, web *atoguard.WebCheckSummary, now time.Time) atoguard.Incident {
	inc := atoguard.Incident{
		GeneratedAt:   now.UTC(),
		IncidentStart: incidentStart,
		AccountSID:    res.MainAccount,
		Accounts:      res.Accounts,
		Actions:       res.Actions,
		Credentials:   res.Credentials,
		Failures:      res.Failures,
		Checklist:     res.Checklist,
		Web:           web,
	}
	if inv != nil {
		inc.Verdict, inc.Signals, inc.Timeline = inv.Verdict, inv.Signals, inv.Timeline
	}
	for _, a := range res.Actions {
		if a.Status == atoguard.ActionDone && !a.Time.IsZero() {
			inc.Timeline = append(inc.Timeline, atoguard.TimelineEntry{Time: a.Time, AccountSID: a.AccountSID, Kind: "response", Summary: a.Summary})
		}
	}
	sort.SliceStable(inc.Timeline, func(i, j int) bool { return inc.Timeline[i].Time.Before(inc.Timeline[j].Time) })
	return inc
}
