package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	atoguard "github.com/atoguard/atoguard"
)

// IncidentJSON writes the incident report as one JSON document (the fields
// of atoguard.Incident; arrays are never null).
func IncidentJSON(w io.Writer, inc atoguard.Incident) error {
	if inc.Summary == "" {
		inc.Summary = IncidentSummary(inc)
	}
	if inc.Actions == nil {
		inc.Actions = []atoguard.Action{}
	}
	if inc.Credentials == nil {
		inc.Credentials = []atoguard.CredentialRecord{}
	}
	if inc.Failures == nil {
		inc.Failures = []atoguard.Action{}
	}
	if inc.Checklist == nil {
		inc.Checklist = []atoguard.ChecklistItem{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inc)
}

// IncidentSummary is a short, ready-to-send account of the incident for
// Twilio Support or a security firm: no secrets, only SIDs and fingerprints.
func IncidentSummary(inc atoguard.Incident) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Account takeover response for Twilio account %s", inc.AccountSID)
	switch n := len(inc.Accounts); {
	case n == 2:
		b.WriteString(" and 1 subaccount")
	case n > 2:
		fmt.Fprintf(&b, " and %d subaccounts", n-1)
	}
	b.WriteString(".\n")
	if inc.Verdict != "" {
		fmt.Fprintf(&b, "Investigation verdict: %s", inc.Verdict)
		if len(inc.Signals) > 0 {
			fmt.Fprintf(&b, " (%d signals", len(inc.Signals))
			top := topSignals(inc.Signals, 3)
			if len(top) > 0 {
				b.WriteString("; strongest: " + strings.Join(top, "; "))
			}
			b.WriteString(")")
		}
		b.WriteString(".\n")
	}
	if !inc.IncidentStart.IsZero() {
		fmt.Fprintf(&b, "Suspected start of unauthorized activity: %s.\n", inc.IncidentStart.UTC().Format(time.RFC3339))
	}
	steps := map[string]int{}
	for _, a := range inc.Actions {
		if a.Status == atoguard.ActionDone {
			steps[a.Step]++
		}
	}
	if len(steps) > 0 {
		var parts []string
		for _, s := range sortedKeys(steps) {
			parts = append(parts, fmt.Sprintf("%s ×%d", s, steps[s]))
		}
		fmt.Fprintf(&b, "Containment performed: %s.\n", strings.Join(parts, ", "))
	}
	verified := 0
	for _, c := range inc.Credentials {
		if c.Verified {
			verified++
		}
	}
	if len(inc.Credentials) > 0 {
		fmt.Fprintf(&b, "Auth tokens rotated and verified (old tokens rejected): %d of %d accounts.\n", verified, len(inc.Accounts))
	}
	if len(inc.Failures) > 0 {
		fmt.Fprintf(&b, "Not completed: %d actions (listed in the report).\n", len(inc.Failures))
	}
	if inc.Web != nil {
		b.WriteString(inc.Web.Describe() + "\n")
	}
	open := 0
	for _, c := range inc.Checklist {
		if c.Status != atoguard.CheckVerified {
			open++
		}
	}
	fmt.Fprintf(&b, "Manual steps open: %d of %d. We ask Twilio Support to review the account for further unauthorized access and advise on charges from fraudulent traffic.\n", open, len(inc.Checklist))
	return b.String()
}

func topSignals(sigs []atoguard.Signal, n int) []string {
	s := append([]atoguard.Signal(nil), sigs...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Severity.Rank() > s[j].Severity.Rank() })
	var out []string
	for _, x := range s {
		if len(out) == n {
			break
		}
		out = append(out, atoguard.Printable(x.Summary))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// md escapes text for a Markdown table cell.
func md(s string) string {
	s = atoguard.Printable(s)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// IncidentMarkdown writes the incident report for people and tickets.
func IncidentMarkdown(w io.Writer, inc atoguard.Incident) error {
	if inc.Summary == "" {
		inc.Summary = IncidentSummary(inc)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Incident report: Twilio account %s\n\n", inc.AccountSID)
	fmt.Fprintf(&b, "Generated %s by atoguard.", inc.GeneratedAt.UTC().Format(time.RFC3339))
	if !inc.IncidentStart.IsZero() {
		fmt.Fprintf(&b, " Incident start: %s.", inc.IncidentStart.UTC().Format(time.RFC3339))
	}
	b.WriteString(" No secret appears in this report: credentials are identified by fingerprints (first 12 hex digits of SHA-256).\n\n")

	b.WriteString("## Summary for Twilio Support or a security firm\n\n")
	for _, l := range strings.Split(strings.TrimSpace(inc.Summary), "\n") {
		b.WriteString("> " + atoguard.Printable(l) + "\n")
	}
	b.WriteString("\n")
	for _, section := range []func(*strings.Builder, atoguard.Incident){
		mdEvidence, mdTimeline, mdChanges, mdCredentials, mdFailures, mdChecklist,
	} {
		section(&b, inc)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEvidence(b *strings.Builder, inc atoguard.Incident) {
	b.WriteString("## Verdict and evidence\n\n")
	if inc.Verdict == "" {
		b.WriteString("No investigation was attached to this response.\n\n")
		return
	}
	fmt.Fprintf(b, "**Verdict: %s**\n\n", inc.Verdict)
	if len(inc.Signals) == 0 {
		return
	}
	b.WriteString("| severity | signal | account | summary |\n|---|---|---|---|\n")
	sigs := append([]atoguard.Signal(nil), inc.Signals...)
	sort.SliceStable(sigs, func(i, j int) bool { return sigs[i].Severity.Rank() > sigs[j].Severity.Rank() })
	for _, s := range sigs {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", s.Severity, md(s.ID), s.AccountSID, md(s.Summary))
	}
	b.WriteString("\n")
}

func mdTimeline(b *strings.Builder, inc atoguard.Incident) {
	if len(inc.Timeline) == 0 {
		return
	}
	b.WriteString("## Timeline\n\n| time (UTC) | account | who | what |\n|---|---|---|---|\n")
	tl := append([]atoguard.TimelineEntry(nil), inc.Timeline...)
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].Time.Before(tl[j].Time) })
	const maxRows = 200
	for i, t := range tl {
		if i == maxRows {
			fmt.Fprintf(b, "| … | | | %d more entries in the JSON report |\n", len(tl)-maxRows)
			break
		}
		who := ""
		if t.Attacker {
			who = "attacker"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", t.Time.UTC().Format("2006-01-02 15:04:05"), t.AccountSID, who, md(t.Summary))
	}
	b.WriteString("\n")
}

func mdChanges(b *strings.Builder, inc atoguard.Incident) {
	b.WriteString("## Changes made\n\n")
	var done []atoguard.Action
	for _, a := range inc.Actions {
		if a.Status == atoguard.ActionDone || a.Status == atoguard.ActionManual {
			done = append(done, a)
		}
	}
	if len(done) == 0 {
		b.WriteString("None.\n\n")
		return
	}
	b.WriteString("| time (UTC) | account | step | change | before | after |\n|---|---|---|---|---|---|\n")
	for _, a := range done {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", a.Time.UTC().Format("2006-01-02 15:04:05"), a.AccountSID, a.Step, md(a.Summary), md(a.Before), md(a.After))
	}
	b.WriteString("\n")
}

func mdCredentials(b *strings.Builder, inc atoguard.Incident) {
	b.WriteString("## New credentials\n\n")
	if len(inc.Credentials) == 0 {
		b.WriteString("No token was rotated.\n\n")
		return
	}
	b.WriteString("| account | stored in | new token | old token | verified |\n|---|---|---|---|---|\n")
	for _, c := range inc.Credentials {
		v := "no"
		if c.Verified {
			v = "yes: new works, old rejected"
		}
		fmt.Fprintf(b, "| %s | %s:%s | %s | %s | %s |\n", c.AccountSID, c.StoreKind, md(c.Location), c.Fingerprint, c.PreviousFingerprint, v)
	}
	b.WriteString("\nApplications using the old tokens stop working; deploy the new ones from the sink.\n\n")
}

func mdFailures(b *strings.Builder, inc atoguard.Incident) {
	b.WriteString("## What failed\n\n")
	if len(inc.Failures) == 0 {
		b.WriteString("Nothing.\n\n")
		return
	}
	b.WriteString("| account | step | action | error |\n|---|---|---|---|\n")
	for _, a := range inc.Failures {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", a.AccountSID, a.Step, md(a.Summary), md(a.Error))
	}
	b.WriteString("\nRe-run `atoguard respond apply --resume` to finish: every action re-checks live state first.\n\n")
}

func mdChecklist(b *strings.Builder, inc atoguard.Incident) {
	b.WriteString("## Checklist\n\n")
	for _, c := range inc.Checklist {
		box := " "
		if c.Status == atoguard.CheckVerified {
			box = "x"
		}
		step := "support"
		if c.Guidance > 0 {
			step = fmt.Sprintf("guidance step %d", c.Guidance)
		}
		fmt.Fprintf(b, "- [%s] **%s** (%s; %s)\n", box, atoguard.Printable(c.Title), step, c.Status)
		fmt.Fprintf(b, "  - Why: %s\n  - How: %s\n", atoguard.Printable(c.Why), atoguard.Printable(c.How))
		if c.Verification != "" {
			fmt.Fprintf(b, "  - Verification: %s\n", atoguard.Printable(c.Verification))
		}
		for _, e := range c.Evidence {
			fmt.Fprintf(b, "  - Evidence: %s\n", atoguard.Printable(e))
		}
	}
}
