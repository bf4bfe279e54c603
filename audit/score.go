package audit

import "github.com/atoguard/atoguard"

// Weight is what one check costs the score at a severity. An account family
// with one critical problem should not look healthy, nor should fifty low
// ones add up to a critical.
func Weight(s atoguard.Severity) int {
	switch s {
	case atoguard.SeverityCritical:
		return 40
	case atoguard.SeverityHigh:
		return 20
	case atoguard.SeverityMedium:
		return 8
	case atoguard.SeverityLow:
		return 4
	}
	return 0
}

// Score is 100 minus, for every check that found something, the weight of
// its worst finding plus a quarter weight for each further finding of that
// check, the extra capped at the worst weight (so one check costs at most
// twice its weight: breadth counts, but one noisy check cannot drown the
// rest). Never below 0.
func Score(findings []Finding) int {
	type acc struct{ worst, extra int }
	by := map[string]*acc{}
	for _, f := range findings {
		a := by[f.ID]
		if a == nil {
			a = &acc{worst: -1}
			by[f.ID] = a
		}
		w := Weight(f.Severity)
		if a.worst < 0 {
			a.worst = w
			continue
		}
		if w > a.worst {
			a.worst, w = w, a.worst
		}
		a.extra += w / 4
	}
	score := 100
	for _, a := range by {
		score -= a.worst + min(a.extra, a.worst)
	}
	return max(score, 0)
}
