package scan

import (
	"context"
	"slices"

	"github.com/atoguard/atoguard"
)

// Verifier checks the findings' credentials in place (scan/verify's
// *Verifier): it sets each finding's Verification.
type Verifier interface {
	Findings(ctx context.Context, fs []atoguard.Finding)
}

// Job is one run of the scan pipeline, what `atoguard scan` does between
// parsing its flags and writing its report.
type Job struct {
	// Source is what to scan.
	Source Source
	// History keeps, for each secret at each path, only the commit that
	// introduced it (EarliestPerSecret): set it for git history sources.
	History bool
	// Base, when set, is the --since-commit base: findings it already held
	// at the same path are dropped (a pull request that only edits a file
	// holding an old secret did not add it).
	Base Source
	// Baseline findings (ReadBaseline) are not reported again.
	Baseline []atoguard.Finding
	// MinSeverity, when set, drops findings ranked below it.
	MinSeverity atoguard.Severity
	// Verifier, when set, checks every finding left.
	Verifier Verifier
}

// Run runs the pipeline: scan, earliest finding per secret, drop what the
// base held, drop what the baseline holds and what ranks below
// MinSeverity, verify. Like Scan it returns the
// findings so far with an error from the source or the context.
func (s *Scanner) Run(ctx context.Context, job Job) (Result, error) {
	res, err := s.Scan(ctx, job.Source)
	if err != nil {
		return res, err
	}
	if job.History {
		res.Findings = EarliestPerSecret(res.Findings)
	}
	if job.Base != nil && len(res.Findings) > 0 {
		base := New(Options{IncludePlaceholders: s.opts.IncludePlaceholders, Concurrency: s.opts.Concurrency})
		old, err := base.Scan(ctx, job.Base)
		if err != nil {
			return res, err
		}
		res.Findings = dropKnown(res.Findings, old.Findings)
	}
	if job.Baseline != nil {
		res.Findings = FilterBaseline(res.Findings, job.Baseline)
	}
	if job.MinSeverity != "" {
		res.Findings = slices.DeleteFunc(res.Findings, func(f atoguard.Finding) bool {
			return f.Severity.Rank() < job.MinSeverity.Rank()
		})
	}
	if job.Verifier != nil && len(res.Findings) > 0 {
		job.Verifier.Findings(ctx, res.Findings)
	}
	return res, nil
}

// dropKnown returns the findings whose Key is not among old's.
func dropKnown(fs, old []atoguard.Finding) []atoguard.Finding {
	known := make(map[string]bool, len(old))
	for _, f := range old {
		known[f.Key()] = true
	}
	added := fs[:0]
	for _, f := range fs {
		if !known[f.Key()] {
			added = append(added, f)
		}
	}
	return added
}
