package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v2/sarif"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// PartialFingerprintKey names atoguard's entry in result.partialFingerprints.
const PartialFingerprintKey = "atoguardFindingHash/v1"

const informationURI = "https://github.com/atoguard/atoguard"

// SARIF writes a SARIF 2.1.0 log with one run. Results carry a stable
// partial fingerprint (rule, path, SIDs, secret fingerprint; not the line)
// so code-scanning platforms track a finding across commits.
func SARIF(w io.Writer, res scan.Result, opts Options) error {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	driver := sarif.NewDriver("atoguard").WithInformationURI(informationURI)
	if opts.ToolVersion != "" {
		driver = driver.WithVersion(opts.ToolVersion)
	}
	run := sarif.NewRun(*sarif.NewTool(driver))
	index := map[string]uint{}
	for _, r := range scan.Rules() {
		index[r.ID] = uint(len(run.Tool.Driver.Rules))
		rule := run.AddRule(r.ID).
			WithName(ruleName(r.Name)).
			WithShortDescription(sarif.NewMultiformatMessageString(r.Short)).
			WithFullDescription(sarif.NewMultiformatMessageString(r.Help)).
			WithHelp(sarif.NewMultiformatMessageString(r.Help).
				WithMarkdown(fmt.Sprintf("**%s.** %s\n\nSee [%s](%s) and docs/detectors.md.", r.Short, r.Help, r.HelpURI, r.HelpURI))).
			WithHelpURI(r.HelpURI).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
		rule.WithProperties(sarif.Properties{
			"tags":              []string{"security", "secret", "twilio"},
			"precision":         "high",
			"security-severity": securitySeverity(r.Severity),
		})
	}
	for _, f := range res.Findings {
		rr := sarif.NewRuleResult(f.Rule).
			WithLevel(level(f.Severity)).
			WithMessage(sarif.NewTextMessage(message(f))).
			WithPartialFingerPrints(map[string]interface{}{PartialFingerprintKey: PartialFingerprint(f)})
		if i, ok := index[f.Rule]; ok {
			rr.WithRuleIndex(int(i))
		}
		region := sarif.NewRegion().WithStartLine(max(f.Line, 1)).WithStartColumn(max(f.Column, 1))
		rr.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(pathURI(f.Path))).
			WithRegion(region)))
		// Repetitions of the same credential in the file: related locations
		// (capped, as in the finding) and the full count in the properties.
		for _, l := range f.More {
			rr.AddRelatedLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(pathURI(f.Path))).
				WithRegion(sarif.NewRegion().WithStartLine(max(l.Line, 1)).WithStartColumn(max(l.Column, 1)))))
		}
		pb := sarif.NewPropertyBag()
		if f.Occurrences() > 1 {
			pb.Add("count", f.Occurrences())
		}
		pb.Add("fingerprint", f.Fingerprint)
		pb.Add("verification", verification(f))
		if f.AccountSID != "" {
			pb.Add("account_sid", f.AccountSID)
		}
		if f.KeySID != "" {
			pb.Add("key_sid", f.KeySID)
		}
		if f.Commit != "" {
			pb.Add("commit", f.Commit)
			pb.Add("author", utf8Text(f.Author))
			pb.Add("email", utf8Text(f.Email))
			if !f.Date.IsZero() {
				pb.Add("date", f.Date.UTC().Format(time.RFC3339))
			}
		}
		if f.Placeholder {
			pb.Add("placeholder", true)
		}
		rr.AttachPropertyBag(pb)
		run.AddResult(rr)
	}
	run.AddInvocations(invocation(res))
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

// invocation says the scan ran to its end, with one warning notification
// per item it did not read in full (path and reason).
func invocation(res scan.Result) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccess(true)
	inv.ToolExecutionNotifications = make([]*sarif.Notification, 0, len(res.Skipped))
	for _, sk := range res.Skipped {
		loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(pathURI(sk.Path))))
		inv.AddTToolExecutionNotification(sarif.NewNotification().WithLevel("warning").
			WithTextMessage("not scanned in full: " + sk.Reason).WithLocations([]*sarif.Location{loc}))
	}
	return inv
}

// PartialFingerprint is stable across runs and line moves.
func PartialFingerprint(f atoguard.Finding) string {
	sum := sha256.Sum256([]byte(BaselineKey(f)))
	return hex.EncodeToString(sum[:16])
}

func message(f atoguard.Finding) string {
	r, _ := scan.RuleByID(f.Rule)
	name := r.Name
	if name == "" {
		name = f.Rule
	}
	var b strings.Builder
	b.WriteString(name)
	if f.KeySID != "" {
		b.WriteString(" " + f.KeySID)
	}
	if f.AccountSID != "" {
		b.WriteString(" for account " + f.AccountSID)
	}
	if !f.Secret.IsZero() {
		b.WriteString(" (secret " + Mask + ", fingerprint " + f.Fingerprint + ")")
	}
	if f.Commit != "" {
		b.WriteString(", introduced in commit " + f.Commit)
	}
	if n := f.Occurrences(); n > 1 {
		fmt.Fprintf(&b, ", %d times in this file", n)
	}
	if v := verification(f); v != atoguard.Unverified {
		b.WriteString(", verified " + v)
	}
	return b.String()
}

// pathURI makes a relative URI reference of a display path (archive members
// keep their "!" separator, spaces and the like are escaped). Bytes that are
// not UTF-8 are percent-encoded (bad%FF.env), so the exact name survives.
func pathURI(p string) string {
	if p == "" {
		return "unknown"
	}
	u := url.URL{Path: strings.ReplaceAll(p, "\\", "/")}
	return strings.TrimPrefix(u.String(), "./")
}

func ruleName(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func level(s atoguard.Severity) string {
	switch s {
	case atoguard.SeverityCritical, atoguard.SeverityHigh:
		return "error"
	case atoguard.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's 0–10 score.
func securitySeverity(s atoguard.Severity) string {
	switch s {
	case atoguard.SeverityCritical:
		return "9.5"
	case atoguard.SeverityHigh:
		return "8.0"
	case atoguard.SeverityMedium:
		return "5.0"
	}
	return "2.0"
}
