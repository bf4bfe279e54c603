package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// raw reports control, bidi and format characters that must never reach a
// terminal or a report.
func raw(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u202e' || r == '\u202d' || r >= '\u2066' && r <= '\u2069' {
			return string(r)
		}
	}
	return ""
}

// TestTextShowsHostileTextEscaped: a crafted file name, author or account
// name is shown with visible escapes, not obeyed and not silently dropped.
func TestTextShowsHostileTextEscaped(t *testing.T) {
	res := scan.Result{Findings: []atoguard.Finding{{
		Rule: scan.RuleAccountSID, Path: "evil\x1b[2J\rok\u202eexe.txt\xff", Line: 1, Column: 1, AccountSID: rpAcct,
		Commit: "1a2b3c", Author: "Eve\x1b]0;pwned\x07", Email: "eve@example.com",
	}}}
	out := renderScan(t, FormatText, res)
	if c := raw(out); c != "" {
		t.Errorf("text carries %q:\n%q", c, out)
	}
	for _, want := range []string{`evil\x1b[2J\rok\u202eexe.txt\xff:1:1`, `by Eve\x1b]0;pwned\x07 <eve@example.com>`} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}

	inv := sampleInvestigation()
	inv.Accounts[0].FriendlyName = "Prod\u202e\u2066dorP\u2069"
	inv.Accounts[0].Error = "messages: 500 \x1b[31mboom"
	var text, md bytes.Buffer
	if err := InvestigationText(&text, inv, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := InvestigationMarkdown(&md, inv); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"investigation text": text.String(), "investigation markdown": md.String()} {
		if c := raw(out); c != "" {
			t.Errorf("%s carries %q:\n%q", name, c, out)
		}
	}
	for _, want := range []string{`Prod\u202e\u2066dorP\u2069`, `ERROR: messages: 500 \x1b[31mboom`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("investigation text lacks %q:\n%s", want, text.String())
		}
	}

	inc := sampleIncident()
	inc.Actions = append(inc.Actions, atoguard.Action{AccountSID: rpAcct, Step: "webhooks", Status: atoguard.ActionDone,
		Summary: "restore sms_url", Before: "http://evil.example/\x1b[2J", After: "https://ok.example/sms"})
	var im bytes.Buffer
	if err := IncidentMarkdown(&im, inc); err != nil {
		t.Fatal(err)
	}
	if c := raw(im.String()); c != "" || !strings.Contains(im.String(), `http://evil.example/\x1b[2J`) {
		t.Errorf("incident markdown carries %q or lacks the escaped URL:\n%s", c, im.String())
	}
}

// TestJSONKeepsNonUTF8PathsRecoverable: a file name that is not UTF-8 comes
// back byte for byte from path_base64 (and scan.ReadBaseline uses it, so a baseline
// still matches); SARIF percent-encodes the bytes in the artifact URI.
func TestJSONKeepsNonUTF8PathsRecoverable(t *testing.T) {
	name := "dir/caf\xe9\xff.env"
	f := atoguard.Finding{Rule: scan.RuleAccountSID, Severity: atoguard.SeverityLow, Path: name, Line: 1, Column: 1,
		AccountSID: rpAcct, Fingerprint: "abc123", Commit: "1a2b3c", Author: "Jos\xe9", Email: "jose@example.com"}
	res := scan.Result{Findings: []atoguard.Finding{f}}

	out := renderScan(t, FormatJSON, res)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Findings) != 1 {
		t.Fatalf("%v:\n%s", err, out)
	}
	jf := doc.Findings[0]
	if jf["path"] != `dir/caf\xe9\xff.env` || jf["author"] != `Jos\xe9` {
		t.Errorf("path %q author %q: want the escaped forms", jf["path"], jf["author"])
	}
	if b, _ := base64.StdEncoding.DecodeString(jf["path_base64"].(string)); string(b) != name {
		t.Errorf("path_base64 decodes to %q, want %q", b, name)
	}
	if strings.ContainsRune(out, '\uFFFD') {
		t.Errorf("bytes replaced by U+FFFD:\n%s", out)
	}
	back, err := scan.ReadBaseline(strings.NewReader(out))
	if err != nil || len(back) != 1 || back[0].Path != name {
		t.Fatalf("ReadJSON: %v %+v", err, back)
	}
	if left := scan.FilterBaseline(res.Findings, back); len(left) != 0 {
		t.Errorf("baseline from the report does not match its own finding: %+v", left)
	}
	if _, err := scan.ReadBaseline(strings.NewReader(`{"findings":[{"rule":"x","fingerprint":"y","path_base64":"!!"}]}`)); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Errorf("bad path_base64: %v", err)
	}

	ok := renderScan(t, FormatJSON, scan.Result{Findings: []atoguard.Finding{{Rule: scan.RuleAccountSID, Path: "plain.env", AccountSID: rpAcct}}})
	if strings.Contains(ok, "path_base64") {
		t.Errorf("path_base64 on a UTF-8 path:\n%s", ok)
	}

	sarif := renderScan(t, FormatSARIF, res)
	if !strings.Contains(sarif, `"uri": "dir/caf%E9%FF.env"`) || strings.ContainsRune(sarif, '\uFFFD') {
		t.Errorf("SARIF does not keep the name:\n%s", sarif)
	}
}
