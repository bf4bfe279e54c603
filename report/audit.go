package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/audit"
)

// auditSeverities in report order.
func auditSeverities() []atoguard.Severity {
	return []atoguard.Severity{atoguard.SeverityCritical, atoguard.SeverityHigh, atoguard.SeverityMedium, atoguard.SeverityLow, atoguard.SeverityInfo}
}

// Counts by severity, in report order, as "2 high, 1 low".
func auditCounts(fs []audit.Finding) string {
	n := map[atoguard.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range auditSeverities() {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// AuditGrade names a score band for people.
func AuditGrade(score int) string {
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

// AuditTextOptions tune the text output.
type AuditTextOptions struct{ Color bool }

// AuditText writes the result for people: the score first, then findings by
// severity, each with the command that fixes it.
func AuditText(w io.Writer, r audit.Result, o AuditTextOptions) error {
	var b strings.Builder
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	fmt.Fprintf(&b, "%s  %d/100 (%s) — %s across %d account(s)\n", paint("\x1b[1m", "Posture score"), r.Score, AuditGrade(r.Score), auditCounts(r.Findings), len(r.Accounts))
	if r.Web != nil {
		fmt.Fprintf(&b, "  %s\n", r.Web.Describe())
	}
	for _, a := range r.Accounts {
		if a.Error != "" {
			fmt.Fprintf(&b, "  note: %s: %s\n", a.SID, atoguard.Printable(a.Error))
		} else if a.Status != "" && a.Status != "active" {
			fmt.Fprintf(&b, "  note: %s is %s: not checked\n", a.SID, atoguard.Printable(a.Status))
		}
	}
	fixes := fixCommands(r.Findings, len(r.Accounts))
	for _, sev := range auditSeverities() {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", paint(auditSeverityColor(sev), strings.ToUpper(string(sev))))
				first = false
			}
			writeAuditFinding(&b, f, fixes)
		}
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(&b, "\nNothing to fix.")
	}
	writeFixCommands(&b, fixes)
	_, err := io.WriteString(w, atoguard.Wrap(b.String(), atoguard.TextWidth))
	return err
}

func auditSeverityColor(sev atoguard.Severity) string {
	switch sev {
	case atoguard.SeverityCritical, atoguard.SeverityHigh:
		return "\x1b[31m"
	case atoguard.SeverityMedium:
		return "\x1b[33m"
	}
	return "\x1b[2m"
}

func writeAuditFinding(b *strings.Builder, f audit.Finding, fixes []fixCommand) {
	fmt.Fprintf(b, "  %s  %s  %s\n", f.ID, f.AccountSID, atoguard.Printable(f.Resource))
	fmt.Fprintf(b, "    %s\n", atoguard.Printable(f.Summary))
	fix := atoguard.Printable(f.Fix)
	if f.Step != "" {
		key := fixKey(f)
		fix = fmt.Sprintf("command [%d] below", 1+slices.IndexFunc(fixes, func(c fixCommand) bool { return c.key == key }))
	}
	if f.GuidanceStep > 0 {
		fmt.Fprintf(b, "    guidance step %d · fix: %s\n", f.GuidanceStep, fix)
	} else {
		fmt.Fprintf(b, "    fix: %s\n", fix)
	}
	if f.FixNote != "" {
		fmt.Fprintf(b, "    note: %s\n", atoguard.Printable(f.FixNote))
	}
}

// fixCommand is one `respond apply` command that fixes every finding with
// the same step and flags, whatever their accounts: the text report prints
// each once, at the end, instead of once per finding and account.
type fixCommand struct {
	key      string // the fix without its --accounts
	accounts []string
	findings int
}

// fixKey is f's respond command without the account it names.
func fixKey(f audit.Finding) string {
	return strings.Replace(f.Fix, " --accounts "+f.AccountSID, "", 1)
}

func fixCommands(findings []audit.Finding, accounts int) []fixCommand {
	var out []fixCommand
	for _, f := range findings {
		if f.Step == "" {
			continue
		}
		key := fixKey(f)
		i := slices.IndexFunc(out, func(c fixCommand) bool { return c.key == key })
		if i < 0 {
			out = append(out, fixCommand{key: key})
			i = len(out) - 1
		}
		out[i].findings++
		if !slices.Contains(out[i].accounts, f.AccountSID) {
			out[i].accounts = append(out[i].accounts, f.AccountSID)
		}
	}
	for i := range out {
		if len(out[i].accounts) == accounts && accounts > 1 {
			out[i].accounts = nil // respond works on every account by default
		}
	}
	return out
}

// shellLines is the command with one flag a line, joined by backslashes, so
// it fits a terminal and still pastes into a shell.
func (c fixCommand) shellLines(indent string) string {
	cmd := c.key
	if len(c.accounts) > 0 {
		flagAt := strings.Index(cmd, " --only ")
		rest := cmd[flagAt+len(" --only "):]
		step, after, _ := strings.Cut(rest, " ")
		// One --accounts per account (the flag repeats), so each fits a line.
		cmd = cmd[:flagAt] + " --only " + step + " --accounts " + strings.Join(c.accounts, " --accounts ")
		if after != "" {
			cmd += " " + after
		}
	}
	parts := strings.Split(atoguard.Printable(cmd), " --")
	for i := 1; i < len(parts); i++ {
		parts[i] = "--" + parts[i]
	}
	return atoguard.ShellCommand(indent, parts...)
}

func writeFixCommands(b *strings.Builder, fixes []fixCommand) {
	if len(fixes) == 0 {
		return
	}
	b.WriteString("\nCommands that fix the findings above:\n")
	for i, c := range fixes {
		fmt.Fprintf(b, "  [%d] %s\n%s\n", i+1, atoguard.Plural(c.findings, "finding"), c.shellLines("      "))
	}
}

// AuditJSON writes the result as JSON ({"score","accounts","findings"}).
func AuditJSON(w io.Writer, r audit.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// mdCode puts text in a Markdown code span that its content cannot end
// (attacker-chosen URLs must not become links in a ticket).
func mdCode(s string) string {
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

// AuditMarkdown writes the result for a ticket or a pull request.
func AuditMarkdown(w io.Writer, r audit.Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# atoguard audit\n\n**Score: %d/100 (%s)** — %s across %d account(s).\n\n", r.Score, AuditGrade(r.Score), auditCounts(r.Findings), len(r.Accounts))
	if r.Web != nil {
		fmt.Fprintf(bw, "%s\n\n", r.Web.Describe())
	}
	fmt.Fprintln(bw, "| account | subaccount | expected countries | webhook domains | findings | note |")
	fmt.Fprintln(bw, "|---|---|---|---|---|---|")
	for _, a := range r.Accounts {
		note := ""
		if a.Error != "" {
			note = mdCode(a.Error)
		}
		fmt.Fprintf(bw, "| `%s` | %t | %s | %s | %d | %s |\n", a.SID, a.Subaccount, strings.Join(a.AllowCountries, ", "),
			mdCode(strings.Join(a.WebhookDomains, ", ")), a.Findings, note)
	}
	for _, sev := range auditSeverities() {
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
			fmt.Fprintf(bw, "- **%s** `%s` %s%s\n  - %s\n  - fix: %s\n", f.ID, f.AccountSID, mdCode(f.Resource), step, mdCode(f.Summary), mdCode(f.Fix))
			if f.FixNote != "" {
				fmt.Fprintf(bw, "  - note: %s\n", mdCode(f.FixNote))
			}
		}
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(bw, "\nNothing to fix.")
	}
	return bw.Flush()
}
