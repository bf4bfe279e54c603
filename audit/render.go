package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard"
)

// severities in report order.
func severities() []atoguard.Severity {
	return []atoguard.Severity{atoguard.SeverityCritical, atoguard.SeverityHigh, atoguard.SeverityMedium, atoguard.SeverityLow, atoguard.SeverityInfo}
}

// Counts by severity, in report order, as "2 high, 1 low".
func counts(fs []Finding) string {
	n := map[atoguard.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range severities() {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// Grade names a score band for people.
func Grade(score int) string {
	switch {
	case score >= 90:
		return "good"
	case score >= 70:
		return "fair"
	case score >= 40:
		return "poor"
	}
	return "critical"
}

// TextOptions tune the text output.
type TextOptions struct{ Color bool }

// WriteText writes the result for people: the score first, then findings by
// severity, each with the command that fixes it.
func WriteText(w io.Writer, r Result, o TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	fmt.Fprintf(bw, "%s  %d/100 (%s) — %s across %d account(s)\n", paint("\x1b[1m", "Posture score"), r.Score, Grade(r.Score), counts(r.Findings), len(r.Accounts))
	if r.Web != nil {
		fmt.Fprintf(bw, "  %s\n", r.Web.Describe())
	}
	for _, a := range r.Accounts {
		if a.Error != "" {
			fmt.Fprintf(bw, "  note: %s: %s\n", a.SID, atoguard.Printable(a.Error))
		} else if a.Status != "" && a.Status != "active" {
			fmt.Fprintf(bw, "  note: %s is %s: not checked\n", a.SID, atoguard.Printable(a.Status))
		}
	}
	for _, sev := range severities() {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				code := "\x1b[2m"
				switch sev {
				case atoguard.SeverityCritical, atoguard.SeverityHigh:
					code = "\x1b[31m"
				case atoguard.SeverityMedium:
					code = "\x1b[33m"
				}
				fmt.Fprintf(bw, "\n%s\n", paint(code, strings.ToUpper(string(sev))))
				first = false
			}
			fmt.Fprintf(bw, "  %s  %s  %s\n", f.ID, f.AccountSID, atoguard.Printable(f.Resource))
			fmt.Fprintf(bw, "    %s\n", atoguard.Printable(f.Summary))
			if f.GuidanceStep > 0 {
				fmt.Fprintf(bw, "    guidance step %d · fix: %s\n", f.GuidanceStep, atoguard.Printable(f.Fix))
			} else {
				fmt.Fprintf(bw, "    fix: %s\n", atoguard.Printable(f.Fix))
			}
			if f.FixNote != "" {
				fmt.Fprintf(bw, "    note: %s\n", atoguard.Printable(f.FixNote))
			}
		}
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(bw, "\nNothing to fix.")
	}
	return bw.Flush()
}

// WriteJSON writes the result as JSON ({"score","accounts","findings"}).
func WriteJSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// code puts text in a Markdown code span that its content cannot end
// (attacker-chosen URLs must not become links in a ticket).
func code(s string) string {
	s = atoguard.Printable(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// WriteMarkdown writes the result for a ticket or a pull request.
func WriteMarkdown(w io.Writer, r Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# atoguard audit\n\n**Score: %d/100 (%s)** — %s across %d account(s).\n\n", r.Score, Grade(r.Score), counts(r.Findings), len(r.Accounts))
	if r.Web != nil {
		fmt.Fprintf(bw, "%s\n\n", r.Web.Describe())
	}
	fmt.Fprintln(bw, "| account | subaccount | expected countries | webhook domains | findings | note |")
	fmt.Fprintln(bw, "|---|---|---|---|---|---|")
	for _, a := range r.Accounts {
		note := ""
		if a.Error != "" {
			note = code(a.Error)
		}
		fmt.Fprintf(bw, "| `%s` | %t | %s | %s | %d | %s |\n", a.SID, a.Subaccount, strings.Join(a.AllowCountries, ", "),
			code(strings.Join(a.WebhookDomains, ", ")), a.Findings, note)
	}
	for _, sev := range severities() {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(bw, "\n## %s\n\n", strings.ToUpper(string(sev)))
				first = false
			}
			step := ""
			if f.GuidanceStep > 0 {
				step = fmt.Sprintf(" (guidance step %d)", f.GuidanceStep)
			}
			fmt.Fprintf(bw, "- **%s** `%s` %s%s\n  - %s\n  - fix: %s\n", f.ID, f.AccountSID, code(f.Resource), step, code(f.Summary), code(f.Fix))
			if f.FixNote != "" {
				fmt.Fprintf(bw, "  - note: %s\n", code(f.FixNote))
			}
		}
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(bw, "\nNothing to fix.")
	}
	return bw.Flush()
}
