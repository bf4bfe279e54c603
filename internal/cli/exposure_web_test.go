package cli

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/webtest"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

const (
	webSID   = "AC1b3f0bddbb6887d68d8454e66c749c6a" // fabricated, as in the scan emulator test
	webToken = "daf7b3d34b9787f1212316eea62ba186"
)

// webWorld is an emulator whose phone number's webhooks point at hook, and
// a local nginx that serves the account's token in /.env (autoindex on, a
// .git directory): the deliberately bad configuration.
func webWorld(t *testing.T) (apiURL, nginxDir string, env map[string]string) {
	t.Helper()
	port := webtest.FreePort(t)
	root := t.TempDir()
	webtest.WriteFiles(t, root, map[string]string{
		".env":      "APP_NAME=acme\nTWILIO_ACCOUNT_SID=" + webSID + "\nTWILIO_AUTH_TOKEN=" + webToken + "\n",
		".git/HEAD": "ref: refs/heads/main\n",
	})
	nginxDir = webtest.Nginx(t, fmt.Sprintf(`server { listen 127.0.0.1:%d; root %s; autoindex on; }`, port, root), port)
	hook := fmt.Sprintf("http://127.0.0.1:%d/twilio/voice", port)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	main := scenario.Account{Account: atoguard.Account{SID: webSID, OwnerSID: webSID, FriendlyName: "Acme Prod", Status: "active", Type: "Full",
		DateCreated: now.AddDate(-1, 0, 0)}, AuthToken: webToken,
		PhoneNumbers: []atoguard.PhoneNumber{{SID: "PN" + strings.Repeat("1", 32), AccountSID: webSID, PhoneNumber: "+15005550006",
			Webhooks: atoguard.Webhooks{"voice_url": hook, "sms_url": hook, "status_callback": "https://handler.twilio.com/x"}}}}
	emu, err := emulator.New(emulator.Options{World: &scenario.World{Name: "web", Now: now, Accounts: []scenario.Account{main}},
		Clock: emulator.NewFrozenClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, nginxDir, map[string]string{"TWILIO_ACCOUNT_SID": webSID, "TWILIO_AUTH_TOKEN": webToken}
}

// TestExposureWebFromAccountEndToEnd: discovery from the emulator's
// phone-number webhooks, the exposed .env found in nginx, the token reported
// live on the emulator account, and no secret byte printed.
func TestExposureWebFromAccountEndToEnd(t *testing.T) {
	apiURL, _, env := webWorld(t)
	code, out, stderr := cli{env: env}.run(t, "exposure", "web", "--from-account", "--verify", "--yes", "--json", "--rate", "50", "--twilio-api-url", apiURL)
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, webToken) {
		t.Fatal("the token was printed")
	}
	var rep struct {
		Hosts    []string `json:"hosts"`
		Findings []struct {
			ID          string `json:"id"`
			URL         string `json:"url"`
			Credentials []struct {
				Rule, Fingerprint, Verification string
				AccountSID                      string `json:"account_sid"`
				Detail                          string `json:"verification_detail"`
			} `json:"credentials"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 1 || !strings.HasPrefix(rep.Hosts[0], "http://127.0.0.1:") {
		t.Errorf("hosts %q (handler.twilio.com must be left out)", rep.Hosts)
	}
	var env0, live bool
	for _, f := range rep.Findings {
		env0 = env0 || (f.ID == "env-file" && strings.HasSuffix(f.URL, "/.env"))
		for _, c := range f.Credentials {
			if c.Rule == "twilio-auth-token" && c.Verification == atoguard.Live && c.AccountSID == webSID &&
				c.Fingerprint == atoguard.Fingerprint(webToken) && strings.Contains(c.Detail, "Acme Prod") {
				live = true
			}
		}
	}
	if !env0 || !live {
		t.Errorf("env %v live %v: %s", env0, live, out)
	}
	if !strings.Contains(stderr, "/twilio/voice") {
		t.Errorf("the discovered hosts were not listed: %s", stderr)
	}

	// Text and Markdown say the same without the secret.
	for _, format := range []string{"text", "markdown"} {
		code, out, stderr := cli{env: env}.run(t, "exposure", "web", "--from-account", "--verify", "--yes", "--format", format, "--rate", "50", "--twilio-api-url", apiURL)
		if code != ExitFindings || !strings.Contains(out, "LIVE: opens "+webSID) || strings.Contains(out+stderr, webToken) {
			t.Errorf("%s: exit %d\n%s\n%s", format, code, out, stderr)
		}
	}
	// --exit-code 0 reports only.
	if code, _, _ := (cli{env: env}).run(t, "exposure", "web", "--from-account", "--yes", "--exit-code", "0", "--rate", "50", "--twilio-api-url", apiURL); code != 0 {
		t.Errorf("--exit-code 0: exit %d", code)
	}
}

// TestExposureWebAsksFirst: without --yes and without an answer nothing is
// probed (nginx logs no request).
func TestExposureWebAsksFirst(t *testing.T) {
	apiURL, dir, env := webWorld(t)
	code, _, stderr := cli{stdin: "no\n", env: env}.run(t, "exposure", "web", "--from-account", "--rate", "50", "--twilio-api-url", apiURL)
	if code != ExitError || !strings.Contains(stderr, "not confirmed") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if log, _ := os.ReadFile(filepath.Join(dir, "logs", "access.log")); len(log) != 0 {
		t.Errorf("probed without confirmation:\n%s", log)
	}
}

func TestExposureWebFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"exposure", "web"}, "no host to check"},
		{[]string{"exposure", "web", "--rate", "0", "http://127.0.0.1:1"}, "--rate"},
		{[]string{"exposure", "web", "--timeout", "1ms", "http://127.0.0.1:1"}, "--timeout"},
		{[]string{"exposure", "web", "--max-requests", "0", "http://127.0.0.1:1"}, "--max-requests"},
		{[]string{"exposure", "web", "--ports=70000", "http://127.0.0.1:1"}, "--ports"},
		{[]string{"exposure", "web", "--format", "xml", "http://127.0.0.1:1"}, "--format"},
		{[]string{"exposure", "web", "ftp://127.0.0.1/"}, "http:// or https://"},
		{[]string{"exposure", "stray"}, "--account-sid"}, // plain exposure keeps its meaning
	} {
		code, _, stderr := cli{}.run(t, tc.args...)
		if code != ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %s", tc.args, code, stderr)
		}
	}
	// An unreachable host is not clean: exit 2 with the report.
	port := webtest.FreePort(t)
	code, out, stderr := cli{}.run(t, "exposure", "web", fmt.Sprintf("http://127.0.0.1:%d", port))
	if code != ExitError || !strings.Contains(out, "unreachable") || !strings.Contains(stderr, "incomplete") {
		t.Errorf("unreachable: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestWebReportInAuditAndRespond: audit and the incident report summarise a
// previous exposure web run given with --web-report.
func TestWebReportInAuditAndRespond(t *testing.T) {
	apiURL, _, env := webWorld(t)
	code, out, stderr := cli{env: env}.run(t, "exposure", "web", "--from-account", "--verify", "--yes", "--json", "--rate", "50", "--twilio-api-url", apiURL)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "web.json")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	_, text, stderr := cli{sub: "audit", env: env, now: now}.run(t, "--twilio-api-url", apiURL, "--allow-countries", "US", "--web-report", file)
	if !strings.Contains(text, "Web check (atoguard exposure web) run") || !strings.Contains(text, "1 Twilio credential(s) served publicly, 1 live") {
		t.Errorf("audit text lacks the web check:\n%s\n%s", text, stderr)
	}
	_, doc, _ := cli{sub: "audit", env: env, now: now}.run(t, "--twilio-api-url", apiURL, "--allow-countries", "US", "--web-report", file, "--json")
	var res struct {
		Web *atoguard.WebCheckSummary `json:"web_check"`
	}
	if err := json.Unmarshal([]byte(doc), &res); err != nil || res.Web == nil || res.Web.LiveCredentials != 1 || res.Web.Hosts != 1 {
		t.Errorf("audit JSON web_check %+v (%v)", res.Web, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"score": 3}`), 0o644)
	for _, args := range [][]string{{"audit", "--web-report", bad}, {"respond", "report", "--web-report", bad}} {
		if code, _, stderr := (cli{env: env}).run(t, args...); code != ExitError || !strings.Contains(stderr, "--web-report") {
			t.Errorf("%q: exit %d %s", args, code, stderr)
		}
	}
	// The incident report carries the same line.
	web, err := webReportSummary("respond", file, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	inc := buildIncident(&playbook.Result{MainAccount: webSID}, &respondEnv{web: web}, now)
	var md strings.Builder
	if err := report.IncidentMarkdown(&md, inc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "Web check (atoguard exposure web) run") || inc.Web == nil {
		t.Errorf("incident report lacks the web check:\n%s", md.String())
	}
}
