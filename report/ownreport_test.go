package report

import (
	"bytes"
	"io"
	"testing"
	"time"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/scan"
)

// Every report this package writes is recognised as atoguard's own by a
// scan (scan.OwnReport on the first 32 KiB, as the sources read it), empty
// or full: a scan of a tree holding them must not report what they list.
func TestOwnReportsRecognised(t *testing.T) {
	many := sampleScanResult()
	for range 12 {
		many.Findings = append(many.Findings, many.Findings...) // 20,480 findings: far past 32 KiB
	}
	inv := Investigation{Result: detect.Result{Verdict: atoguard.Verdict("compromised"), Score: 96, Reasons: []string{"new country"},
		Accounts: []detect.AccountResult{{SID: rpAcct}}}, Since: time.Now()}
	inc := atoguard.Incident{AccountSID: rpAcct, GeneratedAt: time.Now(), Verdict: atoguard.Verdict("compromised")}
	writers := map[string]func(io.Writer) error{
		"scan JSON":            func(w io.Writer) error { return JSON(w, sampleScanResult()) },
		"scan JSON, empty":     func(w io.Writer) error { return JSON(w, scan.Result{}) },
		"scan JSON, large":     func(w io.Writer) error { return JSON(w, many) },
		"scan SARIF":           func(w io.Writer) error { return SARIF(w, sampleScanResult(), Options{ToolVersion: "1.0"}) },
		"scan SARIF, empty":    func(w io.Writer) error { return SARIF(w, scan.Result{}, Options{}) },
		"investigate JSON":     func(w io.Writer) error { return WriteInvestigationJSON(w, inv) },
		"investigate JSON, 0":  func(w io.Writer) error { return WriteInvestigationJSON(w, Investigation{}) },
		"investigate Markdown": func(w io.Writer) error { return InvestigationMarkdown(w, inv) },
		"incident JSON":        func(w io.Writer) error { return IncidentJSON(w, inc) },
		"incident Markdown":    func(w io.Writer) error { return IncidentMarkdown(w, inc) },
	}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head := b.Bytes()[:min(b.Len(), 32<<10)]
		if scan.OwnReport(head) == "" {
			t.Errorf("%s not recognised as atoguard's own:\n%.300s", name, head)
		}
	}
}
