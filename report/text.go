package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiYel   = "\x1b[33m"
	ansiDim   = "\x1b[2m"
)

// Text writes findings for people: one block per finding, then a summary.
// A bare Account SID found in several places is one line, where it is
// first found (JSON and SARIF keep every finding).
//
//	config/.env:2:19 twilio-auth-token (critical)
//	  account  AC00000000000000000000000000000001
//	  secret   ******** fingerprint 3f2a1b9c8d7e
//	  commit   1a2b3c4d5e6f by Eve <eve@example.com> 2024-03-01T12:00:00Z
func Text(w io.Writer, res scan.Result, opts Options) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	grouped := bareGroups(res.Findings)
	for _, f := range res.Findings {
		if g := grouped[f.AccountSID]; f.Rule == scan.RuleAccountSID && g != nil {
			if g.first == f.Path && g.line == f.Line && g.col == f.Column {
				writeGroup(bw, g, paint(ansiBold+ansiYel, f.Rule))
			}
			continue
		}
		sev := string(severityOf(f))
		color := ansiYel
		if f.Severity.Rank() >= atoguard.SeverityHigh.Rank() {
			color = ansiRed
		}
		fmt.Fprintf(bw, "%s:%d:%d %s (%s)", atoguard.Printable(f.Path), f.Line, f.Column, paint(ansiBold+color, f.Rule), sev)
		if f.Placeholder {
			bw.WriteString(" placeholder")
		}
		bw.WriteByte('\n')
		if f.AccountSID != "" {
			fmt.Fprintf(bw, "  account  %s\n", f.AccountSID)
		}
		if f.KeySID != "" {
			fmt.Fprintf(bw, "  api key  %s\n", f.KeySID)
		}
		if !f.Secret.IsZero() {
			fmt.Fprintf(bw, "  secret   %s fingerprint %s\n", Mask, f.Fingerprint)
		}
		if n := f.Occurrences(); n > 1 {
			fmt.Fprintf(bw, "  repeated %d times in this file%s\n", n, alsoAt(f))
		}
		if f.Commit != "" {
			fmt.Fprintf(bw, "  commit   %s", atoguard.Printable(f.Commit))
			if f.Author != "" || f.Email != "" {
				fmt.Fprintf(bw, " by %s", atoguard.Printable(strings.TrimSpace(f.Author+" <"+f.Email+">")))
			}
			if !f.Date.IsZero() {
				fmt.Fprintf(bw, " %s", f.Date.UTC().Format(time.RFC3339))
			}
			bw.WriteByte('\n')
		}
		if v := verification(f); v != atoguard.Unverified {
			fmt.Fprintf(bw, "  verified %s", paint(ansiBold, v))
			if f.VerificationDetail != "" {
				fmt.Fprintf(bw, " - %s", atoguard.Printable(f.VerificationDetail))
			}
			bw.WriteByte('\n')
		}
	}
	bw.WriteString(paint(ansiDim, Summary(res)) + "\n")
	return bw.Flush()
}

// bareGroup is a bare Account SID found in several places, shown on one
// line: documentation and test fixtures repeat the same SIDs hundreds of
// times, and the credentials must not drown among them.
type bareGroup struct {
	sid         string
	first       string // the first finding's path, line, column
	line, col   int
	n           int      // findings
	places      []string // the first maxGroupPlaces of them
	placeholder bool     // every finding is a placeholder
}

const maxGroupPlaces = 3

// bareGroups groups the bare Account SID findings by SID, for the SIDs
// found in more than one place.
func bareGroups(fs []atoguard.Finding) map[string]*bareGroup {
	groups := map[string]*bareGroup{}
	for _, f := range fs {
		if f.Rule != scan.RuleAccountSID {
			continue
		}
		g := groups[f.AccountSID]
		if g == nil {
			g = &bareGroup{sid: f.AccountSID, first: f.Path, line: f.Line, col: f.Column, placeholder: true}
			groups[f.AccountSID] = g
		}
		g.n += f.Occurrences()
		g.placeholder = g.placeholder && f.Placeholder
		if len(g.places) < maxGroupPlaces {
			g.places = append(g.places, fmt.Sprintf("%s:%d:%d", atoguard.Printable(f.Path), f.Line, f.Column))
		}
	}
	for sid, g := range groups {
		if g.n < 2 {
			delete(groups, sid)
		}
	}
	return groups
}

// writeGroup writes a bare SID's line:
//
//	AC00000000000000000000000000000001 twilio-account-sid (low) in 37 places: docs/a.md:3:5, …
func writeGroup(w *bufio.Writer, g *bareGroup, rule string) {
	fmt.Fprintf(w, "%s %s (%s)", g.sid, rule, atoguard.SeverityLow)
	if g.placeholder {
		w.WriteString(" placeholder")
	}
	fmt.Fprintf(w, " in %d places: %s", g.n, strings.Join(g.places, ", "))
	if g.n > len(g.places) {
		w.WriteString(", …")
	}
	w.WriteByte('\n')
}

// alsoAt lists the further places of a repeated finding, "…" when capped.
func alsoAt(f atoguard.Finding) string {
	if len(f.More) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(", also at ")
	for i, l := range f.More {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%d", l.Line, l.Column)
	}
	if f.Occurrences() > len(f.More)+1 {
		b.WriteString(", …")
	}
	return b.String()
}

// Summary is the one-line summary of a scan.
func Summary(res scan.Result) string {
	var b strings.Builder
	n := len(res.Findings)
	switch n {
	case 0:
		b.WriteString("no findings")
	case 1:
		b.WriteString("1 finding")
	default:
		fmt.Fprintf(&b, "%d findings", n)
	}
	if n > 0 {
		bySev := map[atoguard.Severity]int{}
		for _, f := range res.Findings {
			bySev[f.Severity]++
		}
		var parts []string
		for _, s := range []atoguard.Severity{atoguard.SeverityCritical, atoguard.SeverityHigh, atoguard.SeverityMedium, atoguard.SeverityLow, atoguard.SeverityInfo} {
			if bySev[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", bySev[s], s))
			}
		}
		if len(parts) > 0 {
			b.WriteString(" (" + strings.Join(parts, ", ") + ")")
		}
	}
	st := res.Stats
	// A history scan reads blobs only: "0 files" there would read as "nothing scanned".
	switch {
	case st.Blobs > 0 && st.Files > 0:
		fmt.Fprintf(&b, " in %s, %s", count(st.Files, "file"), count(st.Blobs, "blob"))
	case st.Blobs > 0:
		fmt.Fprintf(&b, " in %s", count(st.Blobs, "blob"))
	default:
		fmt.Fprintf(&b, " in %s", count(st.Files, "file"))
	}
	fmt.Fprintf(&b, ", %s in %.2fs", humanBytes(st.Bytes), st.Duration.Seconds())
	// Binary files are expected; what was not read in full is not.
	switch inc := st.Incomplete(); {
	case inc > 0 && st.Binary > 0:
		fmt.Fprintf(&b, ", %d skipped (%d binary, %d not read in full)", st.Skipped, st.Binary, inc)
	case inc > 0:
		fmt.Fprintf(&b, ", %d skipped (not read in full)", inc)
	case st.Skipped > 0:
		fmt.Fprintf(&b, ", %d skipped (binary)", st.Skipped)
	}
	return b.String()
}

// count is "1 file", "2 files".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
