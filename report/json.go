package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// JSONReport is the JSON contract of `atoguard scan --format json`. Other
// tools parse it: field names and meanings do not change.
type JSONReport struct {
	Findings []JSONFinding `json:"findings"`
	Stats    JSONStats     `json:"stats"`
}

// JSONFinding is one finding. Fields that do not apply are empty strings;
// Secret is "<redacted>" when the finding has a secret, never its value.
type JSONFinding struct {
	Rule         string `json:"rule"`
	Path         string `json:"path"`
	Line         int    `json:"line"`
	Column       int    `json:"column"`
	Commit       string `json:"commit"`
	Author       string `json:"author"`
	Email        string `json:"email"`
	Date         string `json:"date"` // RFC 3339 or ""
	AccountSID   string `json:"account_sid"`
	KeySID       string `json:"key_sid"`
	Secret       string `json:"secret"`
	Fingerprint  string `json:"fingerprint"`
	Verification string `json:"verification"`
}

// JSONStats summarises the scan.
type JSONStats struct {
	Files      int64 `json:"files"`
	Blobs      int64 `json:"blobs"`
	Bytes      int64 `json:"bytes"`
	DurationMS int64 `json:"duration_ms"`
	Skipped    int64 `json:"skipped"`
}

// ToJSON converts a result to the JSON contract.
func ToJSON(res scan.Result) JSONReport {
	out := JSONReport{Findings: make([]JSONFinding, 0, len(res.Findings))}
	for _, f := range res.Findings {
		jf := JSONFinding{
			Rule: f.Rule, Path: f.Path, Line: f.Line, Column: f.Column,
			Commit: f.Commit, Author: f.Author, Email: f.Email,
			AccountSID: f.AccountSID, KeySID: f.KeySID,
			Fingerprint: f.Fingerprint, Verification: verification(f),
		}
		if !f.Date.IsZero() {
			jf.Date = f.Date.Format(time.RFC3339)
		}
		if !f.Secret.IsZero() {
			jf.Secret = atoguard.Redacted
		}
		out.Findings = append(out.Findings, jf)
	}
	s := res.Stats
	out.Stats = JSONStats{Files: s.Files, Blobs: s.Blobs, Bytes: s.Bytes,
		DurationMS: s.Duration.Milliseconds(), Skipped: s.Skipped}
	return out
}

// JSON writes the JSON contract, indented, with a final newline.
func JSON(w io.Writer, res scan.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<redacted>" as written, not \u003credacted\u003e
	return enc.Encode(ToJSON(res))
}

// ReadJSON loads a previous JSON report (for --baseline). The findings come
// back without secrets: a baseline matches on rule, path and fingerprint.
func ReadJSON(r io.Reader) ([]atoguard.Finding, error) {
	var rep struct {
		Findings *[]JSONFinding `json:"findings"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, &atoguard.Error{Code: atoguard.EINVALID, Op: "report.ReadJSON", Err: fmt.Errorf("not a JSON scan report: %w", err)}
	}
	if rep.Findings == nil {
		return nil, &atoguard.Error{Code: atoguard.EINVALID, Op: "report.ReadJSON", Err: fmt.Errorf(`not a JSON scan report: no "findings"`)}
	}
	out := make([]atoguard.Finding, 0, len(*rep.Findings))
	for i, jf := range *rep.Findings {
		if jf.Rule == "" || jf.Fingerprint == "" {
			return nil, &atoguard.Error{Code: atoguard.EINVALID, Op: "report.ReadJSON",
				Err: fmt.Errorf("finding %d: rule and fingerprint are required", i)}
		}
		f := atoguard.Finding{
			Rule: jf.Rule, Path: jf.Path, Line: jf.Line, Column: jf.Column,
			Commit: jf.Commit, Author: jf.Author, Email: jf.Email,
			AccountSID: jf.AccountSID, KeySID: jf.KeySID, Fingerprint: jf.Fingerprint,
			Verification: jf.Verification,
		}
		if jf.Date != "" {
			d, err := time.Parse(time.RFC3339, jf.Date)
			if err != nil {
				return nil, &atoguard.Error{Code: atoguard.EINVALID, Op: "report.ReadJSON", Err: fmt.Errorf("finding %d: date: %w", i, err)}
			}
			f.Date = d
		}
		if r, ok := scan.RuleByID(f.Rule); ok {
			f.Severity = r.Severity
		}
		out = append(out, f)
	}
	return out, nil
}

// BaselineKey identifies a finding across runs: rule, path, SIDs and the
// secret's fingerprint, not the line, so edits above it do not resurface it.
func BaselineKey(f atoguard.Finding) string {
	return f.Key()
}

// FilterBaseline returns the findings not in baseline.
func FilterBaseline(findings, baseline []atoguard.Finding) []atoguard.Finding {
	known := make(map[string]bool, len(baseline))
	for _, b := range baseline {
		known[BaselineKey(b)] = true
	}
	out := make([]atoguard.Finding, 0, len(findings))
	for _, f := range findings {
		if !known[BaselineKey(f)] {
			out = append(out, f)
		}
	}
	return out
}
