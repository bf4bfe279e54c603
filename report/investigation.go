package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// Investigation is what `atoguard investigate` reports: detection's result
// and the windows it looked at.
type Investigation struct {
	detect.Result
	Since, Until, BaselineSince time.Time
}

// InvestigationJSON is the JSON contract of `investigate --json`: verdict,
// score, accounts, signals (id, sign, severity, confidence, account_sid,
// summary, evidence) and timeline. Extra fields may be added, never renamed.
type InvestigationJSON struct {
	Verdict atoguard.Verdict `json:"verdict"`
	Score   float64          `json:"score"`
	Reasons []string         `json:"reasons"`
	Carried []string         `json:"carried_by"`
	// Incomplete names what could not be read ("AC…: messages"); empty
	// when everything was.
	Incomplete []string                 `json:"incomplete"`
	Window     InvestigationWindow      `json:"window"`
	Accounts   []detect.AccountResult   `json:"accounts"`
	Signals    []atoguard.Signal        `json:"signals"`
	Timeline   []atoguard.TimelineEntry `json:"timeline"`
	// Respond names the respond journal read, when one was.
	Respond *detect.RespondUse `json:"respond_journal,omitempty"`
}

// InvestigationWindow is the investigated period and its baseline.
type InvestigationWindow struct {
	Since         time.Time `json:"since"`
	Until         time.Time `json:"until"`
	BaselineSince time.Time `json:"baseline_since"`
}

// ToInvestigationJSON builds the JSON document (empty lists, never null).
func ToInvestigationJSON(inv Investigation) InvestigationJSON {
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	doc := InvestigationJSON{Verdict: inv.Verdict, Score: inv.Score, Reasons: nz(inv.Reasons), Carried: nz(inv.Carried), Incomplete: nz(inv.Incomplete),
		Window:   InvestigationWindow{Since: inv.Since.UTC(), Until: inv.Until.UTC(), BaselineSince: inv.BaselineSince.UTC()},
		Accounts: inv.Accounts, Signals: inv.Signals, Timeline: inv.Timeline, Respond: inv.Respond}
	if doc.Accounts == nil {
		doc.Accounts = []detect.AccountResult{}
	}
	if doc.Signals == nil {
		doc.Signals = []atoguard.Signal{}
	}
	if doc.Timeline == nil {
		doc.Timeline = []atoguard.TimelineEntry{}
	}
	return doc
}

// WriteInvestigationJSON writes the JSON document, indented.
func WriteInvestigationJSON(w io.Writer, inv Investigation) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToInvestigationJSON(inv))
}

func invVerdictLine(v atoguard.Verdict) string {
	switch v {
	case atoguard.VerdictCompromised:
		return "COMPROMISED — act now: run `atoguard respond`"
	case atoguard.VerdictLikely:
		return "LIKELY COMPROMISED — treat as an incident"
	case atoguard.VerdictSuspicious:
		return "SUSPICIOUS — review the signals below"
	case atoguard.VerdictIncomplete:
		return "INCOMPLETE — part of the data could not be read, so this is not a clean bill"
	}
	return "CLEAN — no sign of account takeover"
}

func invANSI(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func invVerdictColor(v atoguard.Verdict) string {
	switch v {
	case atoguard.VerdictCompromised, atoguard.VerdictLikely:
		return "1;31"
	case atoguard.VerdictSuspicious, atoguard.VerdictIncomplete:
		return "1;33"
	}
	return "1;32"
}

func invSevColor(s atoguard.Severity) string {
	switch s {
	case atoguard.SeverityCritical, atoguard.SeverityHigh:
		return "31"
	case atoguard.SeverityMedium:
		return "33"
	}
	return "2"
}

// InvestigationText renders for people: verdict and why first, then the
// signals by severity with their evidence, then the timeline.
func InvestigationText(w io.Writer, inv Investigation, opts Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "Verdict: %s (score %.0f/100)\n", invANSI(opts.Color, invVerdictColor(inv.Verdict), invVerdictLine(inv.Verdict)), inv.Score)
	for _, r := range inv.Reasons {
		fmt.Fprintf(b, "  why: %s\n", atoguard.Printable(r))
	}
	fmt.Fprintf(b, "Window: %s → %s (baseline from %s)\n", inv.Since.UTC().Format(time.RFC3339), inv.Until.UTC().Format(time.RFC3339),
		inv.BaselineSince.UTC().Format(time.RFC3339))
	if inv.Respond != nil {
		fmt.Fprintf(b, "%s\n", respondNote(inv.Respond))
	}

	// Columns sized so a row fits TextWidth with the SID in full.
	fmt.Fprintf(b, "\n%-57s %-11s %6s %6s %6s %7s\n", fmt.Sprintf("Accounts (%d):", len(inv.Accounts)), "verdict", "msgs", "calls", "events", "signals")
	for _, a := range inv.Accounts {
		// Clipped before escaping, so an escape is never cut in half.
		name := atoguard.Printable(atoguard.Clip(a.FriendlyName, 20))
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(b, "  %s %-20s %-11s %6d %6d %6d %7d\n", a.SID, name, a.Verdict, a.Messages, a.Calls, a.Events, a.Signals)
		if a.Error != "" {
			fmt.Fprintf(b, "      ERROR: %s\n", atoguard.Printable(a.Error))
		}
	}

	fmt.Fprintf(b, "\nSignals (%d):\n", len(inv.Signals))
	if len(inv.Signals) == 0 {
		b.WriteString("  none\n")
	}
	for _, s := range inv.Signals {
		fmt.Fprintf(b, "  %s %-34s %s\n           %s\n", invANSI(opts.Color, invSevColor(s.Severity), fmt.Sprintf("%-8s", strings.ToUpper(string(s.Severity)))),
			s.ID, s.AccountSID, atoguard.Printable(s.Summary))
		fmt.Fprintf(b, "           sign: %s · confidence %.0f%% · %s → %s\n", s.Sign, s.Confidence*100,
			s.Start.UTC().Format("2006-01-02 15:04"), s.End.UTC().Format("2006-01-02 15:04"))
		for i, ex := range s.Evidence.Examples {
			if i == 3 {
				fmt.Fprintf(b, "           · (+%d more examples in --json)\n", len(s.Evidence.Examples)-3)
				break
			}
			fmt.Fprintf(b, "           · %s\n", atoguard.Clip(atoguard.Printable(ex), 240))
		}
		if len(s.Evidence.Records) > 0 {
			fmt.Fprintf(b, "           records: %s\n", strings.Join(invLimit(s.Evidence.Records, 5), " "))
		}
	}

	fmt.Fprintf(b, "\nTimeline (%d, attacker actions first):\n", len(inv.Timeline))
	if len(inv.Timeline) == 0 {
		b.WriteString("  empty\n")
	}
	for _, e := range inv.Timeline {
		mark := "  "
		if e.Attacker {
			mark = invANSI(opts.Color, "1;31", "!!")
		}
		fmt.Fprintf(b, "  %s %s %s %-6s %s\n", mark, e.Time.UTC().Format("2006-01-02 15:04:05"), invShortSID(e.AccountSID), e.Kind, atoguard.Clip(atoguard.Printable(e.Summary), 220))
	}
	_, err := io.WriteString(w, atoguard.Wrap(b.String(), atoguard.TextWidth))
	return err
}

// InvestigationMarkdown renders a ticket-ready report.
func InvestigationMarkdown(w io.Writer, inv Investigation) error {
	b := &strings.Builder{}
	esc := func(s string) string {
		s = atoguard.Printable(s)
		return strings.NewReplacer("|", `\|`, "`", "'", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`).Replace(s)
	}
	// Attacker-chosen URLs go in code spans: ticket systems auto-link bare
	// URLs, and nobody should click a phishing link from an incident report.
	code := func(s string) string {
		return "`" + strings.NewReplacer("`", "'", "|", `\|`).Replace(atoguard.Printable(s)) + "`"
	}
	fmt.Fprintf(b, "# Account takeover investigation: %s\n\n", strings.ToUpper(string(inv.Verdict)))
	fmt.Fprintf(b, "**Verdict:** %s (score %.0f/100)  \n", invVerdictLine(inv.Verdict), inv.Score)
	fmt.Fprintf(b, "**Window:** %s → %s (baseline from %s)\n\n", inv.Since.UTC().Format(time.RFC3339), inv.Until.UTC().Format(time.RFC3339),
		inv.BaselineSince.UTC().Format(time.RFC3339))
	if inv.Respond != nil {
		fmt.Fprintf(b, "%s\n\n", esc(respondNote(inv.Respond)))
	}
	b.WriteString("## Why\n\n")
	for _, r := range inv.Reasons {
		fmt.Fprintf(b, "- %s\n", esc(r))
	}
	if len(inv.Carried) > 0 {
		fmt.Fprintf(b, "\nCarried by: %s\n", "`"+strings.Join(inv.Carried, "`, `")+"`")
	}
	b.WriteString("\n## Accounts\n\n| Account | Name | Verdict | Messages | Calls | Events | Signals | Error |\n|---|---|---|---:|---:|---:|---:|---|\n")
	for _, a := range inv.Accounts {
		fmt.Fprintf(b, "| `%s` | %s | %s | %d | %d | %d | %d | %s |\n", a.SID, esc(a.FriendlyName), a.Verdict, a.Messages, a.Calls, a.Events, a.Signals, esc(a.Error))
	}
	b.WriteString("\n## Signals\n\n")
	if len(inv.Signals) == 0 {
		b.WriteString("None.\n")
	}
	for _, s := range inv.Signals {
		fmt.Fprintf(b, "### %s `%s` — %s\n\n", strings.ToUpper(string(s.Severity)), s.ID, esc(s.Summary))
		fmt.Fprintf(b, "- Account: `%s`\n- Guidance sign: %s\n- Confidence: %.0f%%\n- Time: %s → %s\n", s.AccountSID, s.Sign, s.Confidence*100,
			s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339))
		if len(s.Evidence.Counts) > 0 {
			keys := make([]string, 0, len(s.Evidence.Counts))
			for k := range s.Evidence.Counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s=%v", esc(k), s.Evidence.Counts[k]))
			}
			fmt.Fprintf(b, "- Counts: %s\n", strings.Join(parts, ", "))
		}
		for _, ex := range s.Evidence.Examples {
			fmt.Fprintf(b, "- Example: %s\n", code(atoguard.Clip(ex, 300)))
		}
		if len(s.Evidence.Records) > 0 {
			fmt.Fprintf(b, "- Records: `%s`\n", strings.Join(invLimit(s.Evidence.Records, 10), "`, `"))
		}
		b.WriteByte('\n')
	}
	b.WriteString("## Timeline (attacker actions first)\n\n| Time (UTC) | Account | Kind | Attacker | What |\n|---|---|---|---|---|\n")
	for _, e := range inv.Timeline {
		att := ""
		if e.Attacker {
			att = "**yes**"
		}
		fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", e.Time.UTC().Format("2006-01-02 15:04:05"), e.AccountSID, e.Kind, att, code(atoguard.Clip(e.Summary, 300)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func invLimit(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string{}, s[:n]...), fmt.Sprintf("(+%d more)", len(s)-n))
}

func invShortSID(s string) string {
	if len(s) == 34 {
		return s[:2] + "…" + s[len(s)-6:]
	}
	return s
}

// respondNote says that respond's journal was read and what it explained.
func respondNote(r *detect.RespondUse) string {
	return fmt.Sprintf("Respond journal: %s (%s; %s shown as atoguard respond, not attacker evidence)",
		atoguard.Printable(r.Journal), atoguard.Plural(r.Runs, "run"), atoguard.Plural(r.OwnEvents, "event"))
}
