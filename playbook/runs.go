package playbook

import (
	"time"

	"github.com/atoguard/atoguard"
)

// Runs folds the journal into its runs, in order: what a later investigation
// needs to recognise respond's own changes.
func (j *Journal) Runs() []atoguard.RespondRun {
	var out []atoguard.RespondRun
	idx := map[string]int{}
	for _, r := range j.Records() {
		i, ok := idx[r.Run]
		if !ok {
			idx[r.Run] = len(out)
			i = len(out)
			out = append(out, atoguard.RespondRun{ID: r.Run, Start: r.Time})
		}
		run := &out[i]
		run.End = maxT(run.End, r.Time)
		switch {
		case r.Event == EventRunStart:
			run.Start = minT(run.Start, r.Time)
		case r.Action.AccountSID != "" && (r.Event == EventIntent || r.Event == EventDone || r.Event == EventFailed):
			run.Changes = append(run.Changes, atoguard.RespondChange{Time: r.Time, Step: r.Action.Step,
				AccountSID: r.Action.AccountSID, Resource: r.Action.Resource})
		}
		if r.Phase == PhaseVerified && r.Action.AccountSID != "" {
			if run.Rotated == nil {
				run.Rotated = map[string]time.Time{}
			}
			run.Rotated[r.Action.AccountSID] = r.Time
		}
	}
	return out
}

func minT(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func maxT(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
