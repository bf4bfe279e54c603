package playbook

import (
	"slices"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

func TestIncidentPutsTheResponseOnTheTimeline(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	inv := &Investigation{Verdict: "compromised", Timeline: []atoguard.TimelineEntry{
		{Time: t0.Add(2 * time.Hour), Attacker: true, Ref: "AE2"},
		{Time: t0, Attacker: false, Ref: "AE0"},
		{Time: t0.Add(time.Hour), Attacker: true, Ref: "SM1"},
	}}
	if got := inv.FirstAttack(); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("FirstAttack = %v", got)
	}
	if got := inv.AttackerEvents(); !slices.Equal(got, []string{"AE2"}) {
		t.Errorf("AttackerEvents = %v", got)
	}
	var none *Investigation
	if !none.FirstAttack().IsZero() || none.AttackerEvents() != nil {
		t.Error("a missing investigation has no attack")
	}
	res := &Result{MainAccount: "AC1", Actions: []atoguard.Action{
		{Status: atoguard.ActionDone, Time: t0.Add(90 * time.Minute), Summary: "rotated"},
		{Status: atoguard.ActionFailed, Time: t0.Add(95 * time.Minute), Summary: "failed"},
	}}
	inc := Incident(res, t0, inv, nil, t0.Add(3*time.Hour))
	var got []string
	for _, e := range inc.Timeline {
		got = append(got, e.Ref+e.Summary)
	}
	if want := []string{"AE0", "SM1", "rotated", "AE2"}; !slices.Equal(got, want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
	if inc.Verdict != "compromised" || inc.AccountSID != "AC1" || inc.Summary != "" {
		t.Errorf("incident %+v", inc)
	}
}
