package audit_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/audit"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/scan"
)

func TestOutputs(t *testing.T) {
	m := audit.Clean(audit.MainSID, audit.MainSID)
	m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "http://10.0.0.1/\x1b[31mred"
	m.Config.APIKeys[0].FriendlyName = "evil\x1b]0;title\x07name`|"
	m.Config.APIKeys[0].DateCreated = audit.Now.AddDate(-1, 0, 0)
	res := audit.Run([]audit.Account{m}, audit.Options{Now: audit.Now})

	var text bytes.Buffer
	if err := report.AuditText(&text, res, report.AuditTextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), "Posture score") || strings.ContainsRune(text.String(), 0x1b) {
		t.Errorf("text:\n%q", text.String())
	}
	if !strings.Contains(text.String(), "note: first create a new key") {
		t.Errorf("text lacks the fix:\n%s", text.String())
	}

	var js bytes.Buffer
	if err := report.AuditJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"score", "accounts", "findings"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "severity", "account_sid", "resource", "summary", "fix", "guidance_step", "step"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}

	var md bytes.Buffer
	if err := report.AuditMarkdown(&md, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**Score:") || strings.ContainsRune(md.String(), 0x1b) || !strings.Contains(md.String(), "``API key") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

// TestTextEscapesTwilioText: webhook URLs and key names come from Twilio and
// may be the attacker's: the text shows their escapes and obeys none.
func TestTextEscapesTwilioText(t *testing.T) {
	m := audit.Clean(audit.MainSID, audit.MainSID)
	m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "http://10.0.0.1/\u202egpj.exe"
	m.Config.APIKeys[0].FriendlyName = "ci\u2066key\u2069"
	m.Config.APIKeys[0].DateCreated = audit.Now.AddDate(-1, 0, 0)
	res := audit.Run([]audit.Account{m}, audit.Options{Now: audit.Now})
	var text bytes.Buffer
	if err := report.AuditText(&text, res, report.AuditTextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if strings.ContainsAny(out, "\x1b\u202e\u2066\u2069") {
		t.Errorf("raw control or bidi character in:\n%q", out)
	}
	for _, want := range []string{`http://10.0.0.1/\u202egpj.exe`, `ci\u2066key\u2069`} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// The audit's JSON and Markdown reports are recognised as atoguard's own
// (scan.OwnReport), so a later scan of the directory does not report the
// SIDs they list.
func TestOwnReportsRecognised(t *testing.T) {
	full := audit.Result{Score: 40, Accounts: []audit.AccountSummary{{SID: "AC1b3f0bddbb6887d68d8454e66c749c6a", AllowCountries: []string{"US"}}},
		Findings: []audit.Finding{{ID: "geo-permissions", Severity: atoguard.SeverityHigh, AccountSID: "AC1b3f0bddbb6887d68d8454e66c749c6a", Summary: "x", Fix: "y"}}}
	for name, write := range map[string]func(io.Writer) error{
		"JSON":            func(w io.Writer) error { return report.AuditJSON(w, full) },
		"JSON, empty":     func(w io.Writer) error { return report.AuditJSON(w, audit.Result{}) },
		"Markdown":        func(w io.Writer) error { return report.AuditMarkdown(w, full) },
		"Markdown, empty": func(w io.Writer) error { return report.AuditMarkdown(w, audit.Result{}) },
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
