package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// rawControl reports a control, bidi or format character that must never
// reach a terminal.
func rawControl(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u202e' || r >= '\u2066' && r <= '\u2069' {
			return string(r)
		}
	}
	return ""
}

// hijack gives the main account a hostile name and its first number a
// webhook URL that would clear the screen, as an attacker with the token can.
func hijack(t *testing.T, w *scenario.World) {
	t.Helper()
	for i := range w.Accounts {
		a := &w.Accounts[i]
		if a.IsSubaccount() || len(a.PhoneNumbers) == 0 {
			continue
		}
		a.FriendlyName = "Prod\u202e\u2066dorP\u2069"
		a.PhoneNumbers[0].Webhooks["sms_url"] = "http://evil.example/\x1b[2J"
		return
	}
	t.Fatal("no main account with a number")
}

// TestRespondPlanEscapesWebhookURL is the case: `respond plan` printed
// a webhook URL holding ESC raw ("now: sms_url …").
func TestRespondPlanEscapesWebhookURL(t *testing.T) {
	t.Parallel()
	w := respondWorld(t, 0)
	hijack(t, w)
	m := startEmulator(t, w)
	rc := newRespondCase(t, m)
	if code := rc.run(t, rc.args("plan", "--only", "webhooks")...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	out := rc.stdout.String()
	if c := rawControl(out + rc.stderr.String()); c != "" {
		t.Fatalf("plan output carries %q:\n%q", c, out)
	}
	for _, want := range []string{`now:    sms_url http://evil.example/\x1b[2J`, `"Prod\u202e\u2066dorP\u2069"`} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}

// TestScanEscapesHostileFileNames: file names are the attacker's in a cloned
// repository or an archive; the text report, the warnings and the errors
// show their escapes, and the JSON report keeps a non-UTF-8 name exactly.
func TestScanEscapesHostileFileNames(t *testing.T) {
	dir := t.TempDir()
	names := map[string]string{
		"leak\x1b[2J\rok\u202eexe.env": `leak\x1b[2J\rok\u202eexe.env`,
		"caf\xe9\xff.env":              `caf\xe9\xff.env`,
	}
	for name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("TWILIO_ACCOUNT_SID="+testSID+"\nTWILIO_AUTH_TOKEN="+testToken+"\n"), 0o600); err != nil {
			t.Skipf("this file system refuses the name %q: %v", name, err)
		}
	}
	code, out, errs := cli{}.run(t, "scan", dir)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if c := rawControl(out + errs); c != "" {
		t.Errorf("scan output carries %q:\n%q", c, out)
	}
	for _, want := range names {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}

	_, js, _ := cli{}.run(t, "scan", "--json", dir)
	var rep struct {
		Findings []struct {
			Path       string `json:"path"`
			PathBase64 string `json:"path_base64"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		if strings.HasSuffix(f.Path, `caf\xe9\xff.env`) && f.PathBase64 != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no path_base64 for the non-UTF-8 name:\n%s", js)
	}

	code, _, errs = cli{}.run(t, "scan", filepath.Join(dir, "gone\x1b]0;pwned\x07"))
	if code != ExitError || rawControl(errs) != "" || !strings.Contains(errs, `gone\x1b]0;pwned\x07`) {
		t.Errorf("exit %d, error not escaped: %q", code, errs)
	}
}
