package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/webexposure"
)

// WebJSON writes an `exposure web` report; fingerprints only, never a secret.
func WebJSON(w io.Writer, rep webexposure.Report) error {
	if rep.Findings == nil {
		rep.Findings = []webexposure.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// ReadWebJSON loads the JSON of a previous `exposure web` run (for audit's
// and respond's --web-report).
func ReadWebJSON(r io.Reader) (webexposure.Report, error) {
	var rep webexposure.Report
	dec := json.NewDecoder(io.LimitReader(r, 32<<20))
	if err := dec.Decode(&rep); err != nil {
		return rep, fmt.Errorf("not the JSON of atoguard exposure web --json: %w", err)
	}
	if rep.GeneratedAt.IsZero() || rep.Hosts == nil {
		return rep, fmt.Errorf("not the JSON of atoguard exposure web --json (no generated_at or hosts)")
	}
	return rep, nil
}

// WebText writes the report for people. URLs, evidence and details come
// from the probed hosts, so they pass through atoguard.Printable.
func WebText(w io.Writer, rep webexposure.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Checked %d host(s) with %d requests (budget %d).\n", len(rep.Hosts), rep.Requests, rep.MaxRequests)
	if len(rep.Findings) == 0 && !rep.Incomplete() {
		b.WriteString("No finding: nothing a credential harvester looks for was served.\n")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "\n%-8s %s  %s\n", strings.ToUpper(string(f.Severity)), f.ID, atoguard.Printable(f.Summary))
		if f.URL != "" {
			fmt.Fprintf(&b, "  %s\n", atoguard.Printable(f.URL))
		} else {
			fmt.Fprintf(&b, "  %s\n", atoguard.Printable(f.Host))
		}
		fmt.Fprintf(&b, "  evidence: %s\n", atoguard.Printable(f.Evidence))
		for _, c := range f.Credentials {
			fmt.Fprintf(&b, "  %s  fingerprint %s  %s", c.Rule, c.Fingerprint, credOwner(c))
			fmt.Fprintf(&b, "  [%s]", c.Verification)
			if c.Detail != "" {
				fmt.Fprintf(&b, " %s", atoguard.Printable(c.Detail))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  fix (Twilio next step %d): %s\n", f.Guidance, f.Fix)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "\nnote: %s", atoguard.Printable(n))
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\n")
	}
	if rep.Incomplete() {
		b.WriteString("\nIncomplete — not checked:\n")
		for _, e := range rep.Errors {
			fmt.Fprintf(&b, "  %s\n", atoguard.Printable(e))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func credOwner(c webexposure.Credential) string {
	switch {
	case c.KeySID != "" && c.AccountSID != "":
		return c.KeySID + " of " + c.AccountSID
	case c.KeySID != "":
		return c.KeySID
	}
	return c.AccountSID
}

// WebMarkdown writes the report for tickets.
func WebMarkdown(w io.Writer, rep webexposure.Report) error {
	var b strings.Builder
	b.WriteString("# atoguard exposure web\n\n")
	fmt.Fprintf(&b, "Generated %s. %d host(s), %d requests (budget %d). Credentials are shown by fingerprint only.\n\n",
		rep.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), len(rep.Hosts), rep.Requests, rep.MaxRequests)
	if len(rep.Findings) == 0 {
		if rep.Incomplete() {
			b.WriteString("No finding among the checks made; the check is incomplete (below).\n\n")
		} else {
			b.WriteString("No finding.\n\n")
		}
	} else {
		b.WriteString("| severity | finding | where | evidence | fix | step |\n|---|---|---|---|---|---|\n")
		for _, f := range rep.Findings {
			ev := f.Evidence
			for _, c := range f.Credentials {
				ev += fmt.Sprintf("; %s %s %s [%s] %s", c.Rule, c.Fingerprint, credOwner(c), c.Verification, c.Detail)
			}
			where := f.URL
			if where == "" {
				where = f.Host
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d |\n", f.Severity, md(f.Summary), md(where), md(ev), md(f.Fix), f.Guidance)
		}
		b.WriteString("\n")
	}
	if rep.Incomplete() {
		b.WriteString("## Not checked\n\n")
		for _, e := range rep.Errors {
			fmt.Fprintf(&b, "- %s\n", md(e))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
