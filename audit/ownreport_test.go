package audit

import (
	"bytes"
	"io"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// The audit's JSON and Markdown reports are recognised as atoguard's own
// (scan.OwnReport), so a later scan of the directory does not report the
// SIDs they list.
func TestOwnReportsRecognised(t *testing.T) {
	full := Result{Score: 40, Accounts: []AccountSummary{{SID: "AC1b3f0bddbb6887d68d8454e66c749c6a", AllowCountries: []string{"US"}}},
		Findings: []Finding{{ID: "geo-permissions", Severity: atoguard.SeverityHigh, AccountSID: "AC1b3f0bddbb6887d68d8454e66c749c6a", Summary: "x", Fix: "y"}}}
	for name, write := range map[string]func(io.Writer) error{
		"JSON":            func(w io.Writer) error { return WriteJSON(w, full) },
		"JSON, empty":     func(w io.Writer) error { return WriteJSON(w, Result{}) },
		"Markdown":        func(w io.Writer) error { return WriteMarkdown(w, full) },
		"Markdown, empty": func(w io.Writer) error { return WriteMarkdown(w, Result{}) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if scan.OwnReport(b.Bytes()) == "" {
			t.Errorf("%s not recognised:\n%.300s", name, b.String())
		}
	}
}
