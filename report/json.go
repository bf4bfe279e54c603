package report

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"time"
	"unicode/utf8"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// JSONReport is the JSON contract of `atoguard scan --format json`. Other
// tools parse it: field names and meanings do not change.
type JSONReport struct {
	Findings []JSONFinding `json:"findings"`
	// Skipped lists what was not read in full, and why (binary files are
	// only counted, in stats.binary). At most scan.MaxListedSkips entries;
	// stats.skipped - stats.binary counts them all.
	Skipped []JSONSkip `json:"skipped"`
	Stats   JSONStats  `json:"stats"`
}

// JSONSkip is one item not read in full: a file, directory, archive member
// or git blob, and the reason.
type JSONSkip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// JSONFinding is one finding. Fields that do not apply are empty strings;
// Secret is "<redacted>" when the finding has a secret, never its value.
//
// JSON strings are UTF-8, file names need not be: a path that is not valid
// UTF-8 is written escaped as the text output shows it (bad\xff.env) and
// PathBase64 holds its exact bytes (standard base64), so nothing is lost.
// PathBase64 is present only then. Author and email, which old commits may
// hold in Latin-1, are escaped the same way when they are not valid UTF-8.
type JSONFinding struct {
	Rule string `json:"rule"`
	// Severity is the finding's: critical, high or low (Rules()).
	Severity string `json:"severity"`
	// Placeholder marks documentation values and example credentials
	// (reported only with --include-placeholders).
	Placeholder  bool   `json:"placeholder"`
	Path         string `json:"path"`
	PathBase64   string `json:"path_base64,omitempty"`
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
	// Count is how many times the credential occurs in the file (1 or
	// more); MoreLocations are the first further places, at most
	// atoguard.MaxMoreLocations of them.
	Count         int            `json:"count"`
	MoreLocations []JSONLocation `json:"more_locations"`
}

// JSONLocation is a 1-based line and byte column.
type JSONLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// JSONStats summarises the scan.
type JSONStats struct {
	Files      int64 `json:"files"`
	Blobs      int64 `json:"blobs"`
	Bytes      int64 `json:"bytes"`
	DurationMS int64 `json:"duration_ms"`
	Skipped    int64 `json:"skipped"` // items left out or not read in full, binary ones included
	Binary     int64 `json:"binary"`  // items left out as binary content
}

// ToJSON converts a result to the JSON contract.
func ToJSON(res scan.Result) JSONReport {
	out := JSONReport{Findings: make([]JSONFinding, 0, len(res.Findings))}
	for _, f := range res.Findings {
		jf := JSONFinding{
			Rule: f.Rule, Severity: string(severityOf(f)), Placeholder: f.Placeholder, Path: f.Path, Line: f.Line, Column: f.Column,
			Commit: f.Commit, Author: utf8Text(f.Author), Email: utf8Text(f.Email),
			AccountSID: f.AccountSID, KeySID: f.KeySID,
			Fingerprint: f.Fingerprint, Verification: verification(f),
			Count: f.Occurrences(), MoreLocations: make([]JSONLocation, 0, len(f.More)),
		}
		for _, l := range f.More {
			jf.MoreLocations = append(jf.MoreLocations, JSONLocation(l))
		}
		if !utf8.ValidString(f.Path) {
			jf.Path, jf.PathBase64 = atoguard.Printable(f.Path), base64.StdEncoding.EncodeToString([]byte(f.Path))
		}
		if !f.Date.IsZero() {
			jf.Date = f.Date.Format(time.RFC3339)
		}
		if !f.Secret.IsZero() {
			jf.Secret = atoguard.Redacted
		}
		out.Findings = append(out.Findings, jf)
	}
	out.Skipped = make([]JSONSkip, 0, len(res.Skipped))
	for _, sk := range res.Skipped {
		out.Skipped = append(out.Skipped, JSONSkip(sk))
	}
	s := res.Stats
	out.Stats = JSONStats{Files: s.Files, Blobs: s.Blobs, Bytes: s.Bytes,
		DurationMS: s.Duration.Milliseconds(), Skipped: s.Skipped, Binary: s.Binary}
	return out
}

// utf8Text keeps text that is not valid UTF-8 readable in JSON: encoding/json
// would turn every bad byte into U+FFFD; atoguard.Printable shows it as \xNN.
func utf8Text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return atoguard.Printable(s)
}

// JSON writes the JSON contract, indented, with a final newline.
func JSON(w io.Writer, res scan.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<redacted>" as written, not \u003credacted\u003e
	return enc.Encode(ToJSON(res))
}

// BaselineKey identifies a finding across runs: rule, path, SIDs and the
// secret's fingerprint, not the line, so edits above it do not resurface it.
func BaselineKey(f atoguard.Finding) string {
	return f.Key()
}

// severityOf is the finding's severity, or its rule's when it has none.
func severityOf(f atoguard.Finding) atoguard.Severity {
	if f.Severity == "" {
		if r, ok := scan.RuleByID(f.Rule); ok {
			return r.Severity
		}
	}
	return f.Severity
}
