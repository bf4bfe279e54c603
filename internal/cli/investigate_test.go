package cli

import (
	"encoding/json"
	"github.com/atoguard/atoguard/internal/testsupport"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

var investigateNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type investigateJSON struct {
	Verdict  atoguard.Verdict `json:"verdict"`
	Score    float64          `json:"score"`
	Reasons  []string         `json:"reasons"`
	Accounts []struct {
		SID      string `json:"sid"`
		Error    string `json:"error"`
		Messages int    `json:"messages"`
	} `json:"accounts"`
	Signals []struct {
		ID         string            `json:"id"`
		Sign       string            `json:"sign"`
		Severity   string            `json:"severity"`
		Confidence float64           `json:"confidence"`
		AccountSID string            `json:"account_sid"`
		Summary    string            `json:"summary"`
		Evidence   atoguard.Evidence `json:"evidence"`
	} `json:"signals"`
	Timeline []atoguard.TimelineEntry `json:"timeline"`
}

// emulated serves a named scenario over real HTTP and returns its URL and
// the main account's credentials as environment variables.
func emulated(t *testing.T, name string) (*scenario.World, string, map[string]string) {
	t.Helper()
	return emulatedSized(t, name, 0)
}

// smallWorld is the traffic of worlds for tests that are not about detection
// quality, and of every world under -short or the race detector.
const smallWorld = 200

func emulatedSized(t *testing.T, name string, messagesPerDay int) (*scenario.World, string, map[string]string) {
	t.Helper()
	return emulatedSeed(t, name, scenario.Seed(name), messagesPerDay)
}

// emulatedSeed is emulatedSized with the world's seed chosen.
func emulatedSeed(t *testing.T, name string, seed int64, messagesPerDay int) (*scenario.World, string, map[string]string) {
	t.Helper()
	if testing.Short() || testsupport.Race {
		messagesPerDay = smallWorld
	}
	w, err := scenario.BuildWith(name, scenario.Options{Seed: seed, Now: investigateNow, MessagesPerDay: messagesPerDay})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	var main scenario.Account
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			main = a
		}
	}
	return w, srv.URL, map[string]string{"TWILIO_ACCOUNT_SID": main.SID, "TWILIO_AUTH_TOKEN": main.AuthToken}
}

// TestBaselineCleanAtEverySeed: the untouched world is clean at seeds 1–20,
// with a baseline window that crosses the European and North American
// daylight-saving changes (October 25 and November 1, 2026).
func TestBaselineCleanAtEverySeed(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		_, url, env := emulatedSeed(t, "baseline", seed, smallWorld)
		code, out, stderr := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--json")
		var doc struct {
			Verdict string `json:"verdict"`
			Reasons []string
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("seed %d: exit %d, %v\n%s", seed, code, err, stderr)
		}
		if code != ExitClean || doc.Verdict != "clean" {
			t.Errorf("seed %d: verdict %s, exit %d\n%.600s", seed, doc.Verdict, code, out)
		}
	}
}

// TestInvestigateScenarios is the acceptance test: every emulator scenario,
// end to end over HTTP through the real client. Attacks must come out
// compromised or likely with their key signals, benign look-alikes no worse
// than suspicious.
func TestInvestigateScenarios(t *testing.T) {
	for _, name := range scenario.Names() {
		t.Run(name, func(t *testing.T) {
			w, url, env := emulated(t, name)
			code, out, stderr := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--json", "--twilio-api-url", url)
			var doc investigateJSON
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("exit %d, bad JSON: %v\n%s\nstderr: %s", code, err, out, stderr)
			}
			var got []string
			for _, s := range doc.Signals {
				if !slices.Contains(got, s.ID) {
					got = append(got, s.ID)
				}
			}
			if !slices.Contains(w.Expect.Verdicts, doc.Verdict) {
				t.Errorf("verdict %s, want one of %v; reasons %v; signals %v", doc.Verdict, w.Expect.Verdicts, doc.Reasons, got)
			}
			if w.Expect.Attack && doc.Verdict.Rank() < atoguard.VerdictLikely.Rank() {
				t.Errorf("attack judged %s", doc.Verdict)
			}
			if !w.Expect.Attack && doc.Verdict.Rank() > atoguard.VerdictSuspicious.Rank() {
				t.Errorf("benign world judged %s: %v", doc.Verdict, doc.Reasons)
			}
			for _, id := range w.Expect.Signals {
				if !slices.Contains(got, id) {
					t.Errorf("missing signal %s; got %v", id, got)
				}
			}
			wantCode := ExitFindings
			if doc.Verdict == atoguard.VerdictClean {
				wantCode = ExitClean
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d (stderr %s)", code, wantCode, stderr)
			}
			if len(doc.Accounts) != len(w.Accounts) {
				t.Errorf("%d accounts reported, world has %d", len(doc.Accounts), len(w.Accounts))
			}
			for _, a := range doc.Accounts {
				if a.Error != "" {
					t.Errorf("account %s: %s", a.SID, a.Error)
				}
			}
			for _, s := range doc.Signals {
				if s.Sign == "" || s.Severity == "" || s.AccountSID == "" || s.Summary == "" || s.Confidence <= 0 {
					t.Errorf("incomplete signal %+v", s)
				}
			}
			if w.Expect.Attack && (len(doc.Timeline) == 0 || (w.Attacker != nil && hasEventSignals(w.Expect.Signals) && !doc.Timeline[0].Attacker)) {
				t.Errorf("timeline does not start with attacker actions: %+v", head(doc.Timeline))
			}
			// No credential of the world ever reaches the output.
			for _, a := range w.Accounts {
				if strings.Contains(out, a.AuthToken) || strings.Contains(stderr, a.AuthToken) {
					t.Fatalf("auth token of %s printed", a.SID)
				}
			}
		})
	}
}

func hasEventSignals(ids []string) bool {
	return slices.ContainsFunc(ids, func(s string) bool { return strings.HasPrefix(s, "event.") })
}

func head(tl []atoguard.TimelineEntry) []atoguard.TimelineEntry {
	return tl[:min(3, len(tl))]
}

func TestInvestigateTextAndMarkdown(t *testing.T) {
	_, url, env := emulatedSized(t, "full-takeover", smallWorld)
	code, out, _ := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--since", "5d")
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	iv, is, it := strings.Index(out, "Verdict: COMPROMISED"), strings.Index(out, "\nSignals ("), strings.Index(out, "\nTimeline (")
	if iv != 0 || is < iv || it < is {
		t.Fatalf("text order verdict/signals/timeline: %d %d %d\n%s", iv, is, it, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without a terminal")
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	// --exit-code 0 reports the same verdict and exits 0 (report-only pipelines).
	code, same, _ := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--since", "5d", "--exit-code", "0")
	if code != ExitClean || !strings.HasPrefix(same, "Verdict: COMPROMISED") {
		t.Fatalf("--exit-code 0: exit %d\n%.300s", code, same)
	}
	code, md, _ := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--format", "markdown")
	if code != ExitFindings || !strings.HasPrefix(md, "# Account takeover investigation: COMPROMISED") || !strings.Contains(md, "## Timeline") {
		t.Fatalf("markdown exit %d:\n%.400s", code, md)
	}
}

func TestInvestigateSnapshotAgainst(t *testing.T) {
	w, url, env := emulatedSized(t, "baseline", smallWorld)
	dir := t.TempDir()
	snap := filepath.Join(dir, "known-good.json")
	if code, _, stderr := (cli{sub: "investigate", env: env, now: investigateNow}).run(t, "--twilio-api-url", url, "--json", "--snapshot", snap); code != ExitClean {
		t.Fatalf("snapshot run exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(snap)
	if err != nil || !strings.Contains(string(data), `"accounts"`) {
		t.Fatalf("snapshot %v %.200s", err, data)
	}
	for _, a := range w.Accounts {
		if strings.Contains(string(data), a.AuthToken) {
			t.Fatal("snapshot holds an auth token")
		}
	}
	// Unchanged: nothing to report.
	code, out, _ := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--json", "--against", snap)
	if code != ExitClean || strings.Contains(out, `"config.`) {
		t.Fatalf("against unchanged: exit %d %.500s", code, out)
	}
	// Tamper with the snapshot so the present differs from it.
	tampered := strings.Replace(string(data), `"voice_url": "https://`, `"voice_url": "https://old.`, 1)
	if tampered == string(data) {
		t.Skip("no voice_url in snapshot")
	}
	if err := os.WriteFile(snap, []byte(tampered), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--json", "--against", snap)
	if code != ExitFindings || !strings.Contains(out, `"config.webhook-changed"`) {
		t.Fatalf("against tampered: exit %d %.800s", code, out)
	}
}

func TestInvestigateErrors(t *testing.T) {
	_, url, env := emulatedSized(t, "baseline", smallWorld)
	bad := map[string]string{"TWILIO_ACCOUNT_SID": env["TWILIO_ACCOUNT_SID"], "TWILIO_AUTH_TOKEN": strings.Repeat("0", 32)}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no credentials", map[string]string{}, []string{"--twilio-api-url", url}, "no Twilio credentials"},
		{"wrong token", bad, []string{"--twilio-api-url", url}, "uthenticat"},
		{"bad since", env, []string{"--twilio-api-url", url, "--since", "yesterday"}, "--since"},
		{"future since", env, []string{"--twilio-api-url", url, "--since", "2030-01-01"}, "not in the past"},
		{"bad baseline", env, []string{"--twilio-api-url", url, "--baseline", "-3d"}, "--baseline"},
		{"until before since", env, []string{"--twilio-api-url", url, "--until", "2026-11-01", "--since", "2026-11-10"}, "--since 2026-11-10 is not before --until 2026-11-01"},
		{"future until", env, []string{"--twilio-api-url", url, "--until", "2030-01-01"}, "atoguard: investigate: --until 2030-01-01 is in the future"},
		{"bad until", env, []string{"--twilio-api-url", url, "--until", "soon"}, "atoguard: investigate: --until \"soon\": want a duration"},
		{"bad format", env, []string{"--twilio-api-url", url, "--format", "xml"}, "--format"},
		{"bad account", env, []string{"--twilio-api-url", url, "--account", "nope"}, "Account SID"},
		{"missing against", env, []string{"--twilio-api-url", url, "--against", "/nonexistent/x.json"}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli{sub: "investigate", env: c.env, now: investigateNow}.run(t, c.args...)
			if code != ExitError || !strings.Contains(stderr, c.want) || strings.Count(stderr, "investigate:") > 1 {
				t.Fatalf("exit %d, stderr %q (want %q)", code, stderr, c.want)
			}
		})
	}
}

func TestInvestigateSelectedAccount(t *testing.T) {
	w, url, env := emulatedSized(t, "sms-pumping", smallWorld)
	var sub string
	for _, a := range w.Accounts {
		if a.IsSubaccount() && sub == "" {
			sub = a.SID
		}
	}
	code, out, stderr := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url, "--json", "--account", sub, "--account", "AC"+strings.Repeat("f", 32))
	var doc investigateJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d %v %s", code, err, stderr)
	}
	if len(doc.Accounts) != 2 || doc.Accounts[0].SID != sub || doc.Accounts[1].Error == "" {
		t.Fatalf("accounts %+v", doc.Accounts)
	}
}

func TestParseInvDuration(t *testing.T) {
	cases := map[string]time.Duration{"7d": 7 * 24 * time.Hour, "48h": 48 * time.Hour, "2w": 14 * 24 * time.Hour, "90m": 90 * time.Minute, "1.5d": 36 * time.Hour}
	for in, want := range cases {
		if got, err := parseInvDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "d", "-1d", "0h", "500d", "x7d"} {
		if _, err := parseInvDuration(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	since, err := parseInvSince("2026-11-01", investigateNow)
	if err != nil || !since.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date: %v %v", since, err)
	}
}

// TestInvestigateFailingSubaccount: one subaccount's calls fail for good;
// the investigation still answers, reporting the failure on that account.
func TestInvestigateFailingSubaccount(t *testing.T) {
	w, err := scenario.BuildWith("sms-pumping", scenario.Options{Seed: 1, Now: investigateNow, MessagesPerDay: smallWorld})
	if err != nil {
		t.Fatal(err)
	}
	var main, broken scenario.Account
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			main = a
		} else if broken.SID == "" {
			broken = a
		}
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow),
		Faults: []emulator.FaultRule{{Product: "api", Path: "/2010-04-01/Accounts/" + broken.SID + "/Calls.json", Probability: 1, Kind: emulator.FaultStatus, Status: 503}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	env := map[string]string{"TWILIO_ACCOUNT_SID": main.SID, "TWILIO_AUTH_TOKEN": main.AuthToken}
	code, out, stderr := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--json", "--twilio-api-url", srv.URL)
	var doc investigateJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d %v %s", code, err, stderr)
	}
	if code != ExitFindings || doc.Verdict.Rank() < atoguard.VerdictLikely.Rank() {
		t.Errorf("exit %d verdict %s", code, doc.Verdict)
	}
	failed := 0
	for _, a := range doc.Accounts {
		if a.Error != "" {
			failed++
			if a.SID != broken.SID || !strings.Contains(a.Error, "calls") || a.Messages == 0 {
				t.Errorf("account %s: error %q, %d messages", a.SID, a.Error, a.Messages)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d accounts with errors, want 1: %+v", failed, doc.Accounts)
	}
}
