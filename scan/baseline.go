package scan

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// baselineFinding is the part of a JSON report's finding (report.JSONFinding)
// that a baseline reads back.
type baselineFinding struct {
	Rule         string `json:"rule"`
	Path         string `json:"path"`
	PathBase64   string `json:"path_base64"`
	Line         int    `json:"line"`
	Column       int    `json:"column"`
	Commit       string `json:"commit"`
	Author       string `json:"author"`
	Email        string `json:"email"`
	Date         string `json:"date"`
	AccountSID   string `json:"account_sid"`
	KeySID       string `json:"key_sid"`
	Fingerprint  string `json:"fingerprint"`
	Verification string `json:"verification"`
	Count        int    `json:"count"`
}

func baselineError(format string, args ...any) error {
	return &atoguard.Error{Code: atoguard.EINVALID, Op: "scan.ReadBaseline", Err: fmt.Errorf(format, args...)}
}

// ReadBaseline loads a previous JSON report (`scan --format json`) for
// --baseline. The findings come back without secrets: a baseline matches
// on rule, path, SIDs and fingerprint.
func ReadBaseline(r io.Reader) ([]atoguard.Finding, error) {
	var rep struct {
		Findings *[]baselineFinding `json:"findings"`
	}
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, baselineError("not a JSON scan report: %w", err)
	}
	if rep.Findings == nil {
		return nil, baselineError(`not a JSON scan report: no "findings"`)
	}
	out := make([]atoguard.Finding, 0, len(*rep.Findings))
	for i, jf := range *rep.Findings {
		f, err := jf.finding()
		if err != nil {
			return nil, baselineError("finding %d: %w", i, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func (jf baselineFinding) finding() (atoguard.Finding, error) {
	if jf.Rule == "" || jf.Fingerprint == "" {
		return atoguard.Finding{}, fmt.Errorf("rule and fingerprint are required")
	}
	f := atoguard.Finding{
		Rule: jf.Rule, Path: jf.Path, Line: jf.Line, Column: jf.Column,
		Commit: jf.Commit, Author: jf.Author, Email: jf.Email,
		AccountSID: jf.AccountSID, KeySID: jf.KeySID, Fingerprint: jf.Fingerprint,
		Verification: jf.Verification, Count: jf.Count,
	}
	if r, ok := RuleByID(f.Rule); ok {
		f.Severity = r.Severity
	}
	if jf.PathBase64 != "" {
		raw, err := base64.StdEncoding.DecodeString(jf.PathBase64)
		if err != nil {
			return f, fmt.Errorf("path_base64: %w", err)
		}
		f.Path = string(raw)
	}
	if jf.Date != "" {
		d, err := time.Parse(time.RFC3339, jf.Date)
		if err != nil {
			return f, fmt.Errorf("date: %w", err)
		}
		f.Date = d
	}
	return f, nil
}

// FilterBaseline returns the findings not in baseline. A baseline entry
// matches a finding with the same rule, SIDs and fingerprint whose path is
// the same file seen from another working directory: the cleaned,
// slash-separated paths are equal or one ends with "/" + the other
// (bl/app.py and app.py; an absolute path and a relative one). The line,
// column and commit fields are not compared.
func FilterBaseline(findings, baseline []atoguard.Finding) []atoguard.Finding {
	known := make(map[string][]string, len(baseline)) // key without path → baseline paths
	for _, b := range baseline {
		k := keyWithoutPath(b)
		known[k] = append(known[k], cleanPath(b.Path))
	}
	out := make([]atoguard.Finding, 0, len(findings))
	for _, f := range findings {
		if !inBaseline(known[keyWithoutPath(f)], cleanPath(f.Path)) {
			out = append(out, f)
		}
	}
	return out
}

func keyWithoutPath(f atoguard.Finding) string {
	return f.Rule + "\x00" + f.AccountSID + "\x00" + f.KeySID + "\x00" + f.Fingerprint
}

func cleanPath(p string) string { return path.Clean(filepath.ToSlash(p)) }

// inBaseline reports whether p names the same file as one of paths, allowing
// for the directory each scan ran from.
func inBaseline(paths []string, p string) bool {
	for _, b := range paths {
		if b == p || strings.HasSuffix(p, "/"+b) || strings.HasSuffix(b, "/"+p) {
			return true
		}
	}
	return false
}
