package cli

import (
	"context"
	"encoding/json"
	"github.com/atoguard/atoguard/internal/testsupport"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/credstore"
)

type auditDoc struct {
	Score    int `json:"score"`
	Accounts []struct {
		SID            string   `json:"sid"`
		Subaccount     bool     `json:"subaccount"`
		Error          string   `json:"error"`
		AllowCountries []string `json:"allow_countries"`
		WebhookDomains []string `json:"webhook_domains"`
	} `json:"accounts"`
	Findings []auditFinding `json:"findings"`
}

type auditFinding struct {
	ID           string `json:"id"`
	Severity     string `json:"severity"`
	AccountSID   string `json:"account_sid"`
	Resource     string `json:"resource"`
	Summary      string `json:"summary"`
	Step         string `json:"step"`
	Fix          string `json:"fix"`
	FixNote      string `json:"fix_note"`
	GuidanceStep int    `json:"guidance_step"`
}

func (d auditDoc) has(id, account string) bool {
	return slices.ContainsFunc(d.Findings, func(f auditFinding) bool {
		return f.ID == id && (account == "" || f.AccountSID == account)
	})
}

func (d auditDoc) ids() []string {
	var out []string
	for _, f := range d.Findings {
		if !slices.Contains(out, f.ID) {
			out = append(out, f.ID)
		}
	}
	return out
}

func auditJSON(t *testing.T, env map[string]string, now time.Time, args ...string) (int, auditDoc) {
	t.Helper()
	code, out, stderr := cli{sub: "audit", env: env, now: now}.run(t, append([]string{"--json"}, args...)...)
	var doc auditDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, bad JSON: %v\n%s\nstderr: %s", code, err, out, stderr)
	}
	for _, a := range doc.Accounts {
		if a.Error != "" {
			t.Errorf("account %s: %s", a.SID, a.Error)
		}
	}
	for _, f := range doc.Findings {
		if f.ID == "" || f.Severity == "" || f.AccountSID == "" || f.Resource == "" || f.Summary == "" || f.Fix == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		if f.Step != "" && (!strings.HasPrefix(f.Fix, "atoguard respond apply --only "+f.Step+" ") || strings.ContainsAny(f.Fix, ";()")) {
			t.Errorf("fix %q is not a command running its step %s", f.Fix, f.Step)
		}
	}
	return code, doc
}

// TestAuditScenarios runs the command over HTTP against emulated worlds:
// a clean ISV is mostly fine, attacks show up as their configuration
// changes.
func TestAuditScenarios(t *testing.T) {
	tests := []struct {
		name     string
		want     []string // check IDs on the main account ("sub:" prefix: on some subaccount)
		maxScore int
		extra    bool // skipped under the race detector: the code paths are the same
	}{
		{name: "baseline", maxScore: 100},
		{name: "planned-expansion", maxScore: 100, extra: true}, // Mexico reached on 6 days: expected
		{name: "toll-fraud", want: []string{"voice-high-risk", "voice-countries"}, maxScore: 50, extra: true},
		{name: "sms-pumping", want: []string{"sub:sms-countries"}, maxScore: 75, extra: true},
		{name: "subaccount-abuse", want: []string{"sub:sms-countries", "sub:usage-trigger-missing"}, maxScore: 70, extra: true},
		{name: "full-takeover", want: []string{"voice-high-risk", "voice-countries", "sms-countries", "usage-trigger-missing", "api-key-count", "webhook", "sub:voice-inheritance-off", "sub:webhook"}, maxScore: 20},
		{name: "quiet-takeover", want: []string{"voice-high-risk", "voice-countries", "sms-countries", "usage-trigger-missing", "api-key-count"}, maxScore: 50},
		{name: "webhook-hijack", want: []string{"webhook"}, maxScore: 60},
		{name: "developer-tunnel", want: []string{"webhook-tunnel"}, maxScore: 75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.extra && testsupport.Race {
				t.Skip("race detector: core scenarios only")
			}
			t.Parallel()
			w, url, env := emulatedSized(t, tt.name, smallWorld)
			code, doc := auditJSON(t, env, investigateNow, "--twilio-api-url", url)
			if len(doc.Accounts) != len(w.Accounts) {
				t.Errorf("%d accounts audited, world has %d", len(doc.Accounts), len(w.Accounts))
			}
			main := env["TWILIO_ACCOUNT_SID"]
			for _, id := range tt.want {
				account := main
				if sub, ok := strings.CutPrefix(id, "sub:"); ok {
					id, account = sub, ""
				}
				found := slices.ContainsFunc(doc.Findings, func(f auditFinding) bool {
					return strings.HasPrefix(f.ID, id) && (account == "" && f.AccountSID != main || f.AccountSID == account)
				})
				if !found {
					t.Errorf("no %s finding (account %q); got %v", id, account, doc.ids())
				}
			}
			if doc.Score > tt.maxScore {
				t.Errorf("score %d, want at most %d", doc.Score, tt.maxScore)
			}
			if len(tt.want) == 0 {
				// A clean ISV: nothing high, and the only medium findings
				// are its genuinely old API keys.
				for _, f := range doc.Findings {
					if f.Severity == "high" || f.Severity == "critical" || (f.Severity == "medium" && f.ID != "api-key-age") {
						t.Errorf("baseline finding %+v", f)
					}
				}
				if doc.Score < 70 {
					t.Errorf("baseline score %d", doc.Score)
				}
			}
			worst := 0
			for _, f := range doc.Findings {
				worst = max(worst, map[string]int{"medium": 2, "high": 3, "critical": 4}[f.Severity])
			}
			if want := map[bool]int{true: ExitFindings, false: ExitClean}[worst >= 2]; code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
		})
	}
}

// TestAuditAfterRespond: the fixes audit proposes are the respond steps, and
// after respond has run the audit finds (almost) nothing left.
func TestAuditAfterRespond(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	main := m.main()
	env := map[string]string{"TWILIO_ACCOUNT_SID": main.SID, "TWILIO_AUTH_TOKEN": main.AuthToken, "ATOGUARD_TWILIO_API_URL": m.url}
	now := m.e.Clock().Now()
	allow := "GB,US"
	code, before := auditJSON(t, env, now, "--allow-countries", allow)
	if code != ExitFindings || before.Score > 30 {
		t.Fatalf("before respond: exit %d score %d %v", code, before.Score, before.ids())
	}
	if c := rc.run(t, rc.args("apply", "--yes", "--json", "--allow-countries", allow, "--event-sink-url", "https://hooks.example.com/atoguard/events")...); c != 0 {
		t.Fatalf("respond apply exit %d: %s", c, rc.stderr.String())
	}
	tok, err := (&credstore.File{Path: rc.sinkPath}).Load(context.Background(), main.SID)
	if err != nil {
		t.Fatal(err)
	}
	env["TWILIO_AUTH_TOKEN"] = tok.Reveal()
	code, after := auditJSON(t, env, m.e.Clock().Now(), "--allow-countries", allow)
	t.Logf("score %d before respond, %d after; left: %v", before.Score, after.Score, after.ids())
	if after.Score <= before.Score || after.Score < 90 {
		t.Errorf("score %d → %d; left: %+v", before.Score, after.Score, after.Findings)
	}
	if code != ExitClean {
		t.Errorf("after respond: exit %d, findings %+v", code, after.Findings)
	}
}

func TestAuditFormats(t *testing.T) {
	t.Parallel()
	_, url, env := emulatedSized(t, "webhook-hijack", smallWorld)
	code, out, _ := cli{sub: "audit", env: env, now: investigateNow}.run(t, "--twilio-api-url", url)
	if code != ExitFindings || !strings.HasPrefix(out, "Posture score") || !strings.Contains(out, "fix: command [1] below") ||
		!strings.Contains(out, "      atoguard respond apply \\\n          --only webhooks \\\n") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	// Each fix command is printed once, and every line fits 100 columns.
	if n := strings.Count(out, "--only usage-triggers"); n != 1 {
		t.Errorf("usage-triggers command printed %d times\n%s", n, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("line of %d columns: %q", len([]rune(line)), line)
		}
	}
	if strings.Index(out, "HIGH") > strings.Index(out, "MEDIUM") {
		t.Errorf("text: high findings do not come first\n%s", out)
	}
	if code, _, _ := (cli{sub: "audit", env: env, now: investigateNow}).run(t, "--twilio-api-url", url, "--exit-code", "4", "--quiet"); code != 4 {
		t.Errorf("--exit-code 4 with findings: exit %d", code)
	}
	code, out, _ = cli{sub: "audit", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--format", "markdown")
	if code != ExitFindings || !strings.HasPrefix(out, "# atoguard audit") || !strings.Contains(out, "## HIGH") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	// --allow-countries skips reading traffic; the allowlist shows in the result.
	_, doc := auditJSON(t, env, investigateNow, "--twilio-api-url", url, "--allow-countries", "us,gb", "--allow-webhook-hosts", "example.org", "--max-key-age", "3650d")
	for _, a := range doc.Accounts {
		if strings.Join(a.AllowCountries, ",") != "GB,US" || strings.Join(a.WebhookDomains, ",") != "example.org" {
			t.Errorf("account %+v", a)
		}
	}
	if doc.has("api-key-age", "") || !doc.has("webhook-foreign-host", "") {
		t.Errorf("flags not applied: %v", doc.ids())
	}

	// --fail-on moves the exit threshold; --accounts limits the audit.
	if code, _, _ := (cli{sub: "audit", env: env, now: investigateNow}).run(t, "--twilio-api-url", url, "--fail-on", "critical", "--quiet"); code != ExitClean {
		t.Errorf("--fail-on critical: exit %d", code)
	}
	sub := ""
	for _, a := range doc.Accounts {
		if a.Subaccount {
			sub = a.SID
		}
	}
	_, one := auditJSON(t, env, investigateNow, "--twilio-api-url", url, "--accounts", sub)
	if len(one.Accounts) != 1 || one.Accounts[0].SID != sub {
		t.Errorf("--accounts %s audited %+v", sub, one.Accounts)
	}
	for _, f := range one.Findings {
		if f.AccountSID != sub {
			t.Errorf("finding outside --accounts: %+v", f)
		}
	}
}

func TestAuditUsageErrors(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("0", 32), "TWILIO_AUTH_TOKEN": strings.Repeat("1", 32)}
	for _, args := range [][]string{
		{"--format", "xml"},
		{"--max-key-age", "soon"},
		{"--lookback", "0d"},
		{"--accounts", "nope"},
		{"--allow-countries", "USA"},
		{"--allow-countries", "US,XX"}, // two letters, no country: accepted before the shared validator
		{"--min-days", "0"},
		{"--fail-on", "bad"},
		{"stray"},
	} {
		code, _, stderr := cli{sub: "audit", env: env, now: investigateNow}.run(t, args...)
		if code != ExitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	code, _, stderr := cli{sub: "audit", now: investigateNow}.run(t)
	if code != ExitError || !strings.Contains(strings.ToLower(stderr), "twilio") {
		t.Errorf("no credentials: exit %d %q", code, stderr)
	}
}
