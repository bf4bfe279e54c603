package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

func sampleInvestigation() Investigation {
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	return Investigation{
		Since: t0.AddDate(0, 0, -7), Until: t0, BaselineSince: t0.AddDate(0, 0, -37),
		Result: detect.Result{
			Verdict: atoguard.VerdictCompromised, Score: 93, Reasons: []string{"account changes by a likely attacker"},
			Carried:  []string{"event.password-changed"},
			Accounts: []detect.AccountResult{{SID: "AC00000000000000000000000000000001", FriendlyName: "Acme | \x1b[31mred", Verdict: atoguard.VerdictCompromised, Messages: 10}},
			Signals: []atoguard.Signal{{ID: "event.webhook-changed", Sign: atoguard.SignWebhookChange, Severity: atoguard.SeverityCritical,
				Confidence: 0.85, AccountSID: "AC00000000000000000000000000000001", Start: t0.Add(-time.Hour), End: t0,
				Summary: "webhook URL changed by a likely attacker",
				Evidence: atoguard.Evidence{Examples: []string{"sms_url: https://a → http://x.ngrok.io \x1b]0;pwned\x07", "2", "3", "4", "5"},
					Records: []string{"AE1"}, Counts: map[string]float64{"events": 1}}}},
			Timeline: []atoguard.TimelineEntry{{Time: t0.Add(-time.Hour), AccountSID: "AC00000000000000000000000000000001", Kind: "event",
				Summary: "phone-number.updated by attacker", Attacker: true, Ref: "AE1"}},
		},
	}
}

func TestInvestigationJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteInvestigationJSON(&buf, sampleInvestigation()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "score", "accounts", "signals", "timeline", "reasons", "window"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level %q", k)
		}
	}
	sig := doc["signals"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "sign", "severity", "confidence", "account_sid", "summary", "evidence"} {
		if _, ok := sig[k]; !ok {
			t.Errorf("signal lacks %q", k)
		}
	}
	if doc["verdict"] != "compromised" || doc["timeline"].([]any)[0].(map[string]any)["attacker"] != true {
		t.Errorf("%s", buf.String())
	}
	// Empty results are empty lists, never null.
	buf.Reset()
	if err := WriteInvestigationJSON(&buf, Investigation{Result: detect.Result{Verdict: atoguard.VerdictClean}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"signals": []`, `"timeline": []`, `"accounts": []`, `"reasons": []`} {
		if !strings.Contains(buf.String(), k) {
			t.Errorf("empty doc lacks %s:\n%s", k, buf.String())
		}
	}
}

func TestInvestigationTextAndMarkdownAreSafe(t *testing.T) {
	inv := sampleInvestigation()
	var text, md bytes.Buffer
	if err := InvestigationText(&text, inv, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := InvestigationMarkdown(&md, inv); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("%s carries control characters from attacker-controlled text", name)
		}
	}
	s := text.String()
	if !strings.HasPrefix(s, "Verdict: COMPROMISED") || strings.Index(s, "Signals (") > strings.Index(s, "Timeline (") {
		t.Errorf("text order:\n%s", s)
	}
	if !strings.Contains(s, "(+2 more examples") {
		t.Errorf("examples not limited:\n%s", s)
	}
	if strings.Contains(md.String(), "- Example: sms_url: https://") || !strings.Contains(md.String(), "- Example: `sms_url: https://a") {
		t.Errorf("markdown examples must be code spans (no auto-linked attacker URLs):\n%s", md.String())
	}
	if !strings.Contains(md.String(), `Acme \| `) {
		t.Errorf("markdown table cell not escaped:\n%s", md.String())
	}
	var colored bytes.Buffer
	_ = InvestigationText(&colored, inv, Options{Color: true})
	if !strings.Contains(colored.String(), "\x1b[1;31m") {
		t.Error("no colour when asked")
	}
}
