package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/exposure"
)

// ExposureText renders the exposure report for people; repository names, paths, URLs and
// authors come from public code, so they go through atoguard.Printable.
func ExposureText(w io.Writer, rep exposure.Report) error {
	var b strings.Builder
	if len(rep.Hits) == 0 {
		fmt.Fprintf(&b, "Account SID %s: not found in public code on GitHub.\n", rep.AccountSID)
		_, err := io.WriteString(w, b.String())
		return err
	}
	tokens, keys := 0, 0
	for _, h := range rep.Hits {
		if h.TokenPresent {
			tokens++
		}
		if h.KeyPresent {
			keys++
		}
	}
	fmt.Fprintf(&b, "Account SID %s: found in public code — %d file(s) examined of %d reported by GitHub", rep.AccountSID, len(rep.Hits), rep.TotalCount)
	if rep.Incomplete {
		b.WriteString(" (GitHub says the results are incomplete)")
	}
	b.WriteString(".\n")
	if tokens+keys > 0 {
		fmt.Fprintf(&b, "%d with an auth token beside it, %d with an API key: rotate them now (atoguard respond).\n", tokens, keys)
	}
	for _, h := range rep.Hits {
		fmt.Fprintf(&b, "\n  %s  %s\n", atoguard.Printable(h.Repository), atoguard.Printable(h.Path))
		if h.URL != "" {
			fmt.Fprintf(&b, "    %s\n", atoguard.Printable(h.URL))
		}
		switch {
		case h.TokenPresent:
			b.WriteString("    AUTH TOKEN beside the SID\n")
		case h.KeyPresent:
			b.WriteString("    API KEY beside the SID\n")
		default:
			b.WriteString("    the SID alone (no credential found in the file)\n")
		}
		for _, c := range h.Credentials {
			fmt.Fprintf(&b, "      %s  fingerprint %s\n", c.Rule, c.Fingerprint)
		}
		if h.Commit != "" {
			which := map[string]string{
				exposure.KindIntroduced:   "the commit that added the SID",
				exposure.KindOldestListed: "the SID is already in the oldest commit listed; the history was cut, it may be older",
				exposure.KindOldest:       "oldest commit touching the path",
				exposure.KindNewest:       "newest commit touching the path; the oldest was not available",
			}[h.CommitKind]
			when := "unknown date"
			if h.CommittedAt != nil {
				when = h.CommittedAt.Format("2006-01-02 15:04 UTC")
			}
			fmt.Fprintf(&b, "    committed %s by %s in %s (%s)\n", when, atoguard.Printable(h.CommittedBy), atoguard.Printable(shortSHA(h.Commit)), which)
		}
		if h.TokenCommit != "" {
			when := "unknown date"
			if h.TokenCommittedAt != nil {
				when = h.TokenCommittedAt.Format("2006-01-02 15:04 UTC")
			}
			note := "the commit that added it"
			if h.TokenCommitKind == exposure.KindOldestListed {
				note = "already in the oldest commit listed; it may be older"
			}
			fmt.Fprintf(&b, "    auth token public since %s, by %s in %s (%s)\n", when, atoguard.Printable(h.TokenCommittedBy), atoguard.Printable(shortSHA(h.TokenCommit)), note)
		}
		for _, e := range h.Errors {
			fmt.Fprintf(&b, "    could not check: %s\n", atoguard.Printable(e))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
