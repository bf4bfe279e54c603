package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/internal/contained"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// respondWorld is a small full-takeover world: main account, two
// subaccounts, attacker key, hijacked webhooks, widened geo permissions.
func respondWorld(t testing.TB, subs int) *scenario.World {
	t.Helper()
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 11, Subaccounts: subs, MessagesPerDay: 40, Days: 37})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

type emu struct {
	e     *emulator.Emulator
	url   string
	world *scenario.World
}

func startEmulator(t testing.TB, w *scenario.World, faults ...emulator.FaultRule) *emu {
	t.Helper()
	e, err := emulator.New(emulator.Options{World: w, Seed: 5, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return &emu{e: e, url: srv.URL, world: w}
}

func (m *emu) state(t testing.TB) emulator.State {
	t.Helper()
	resp, err := http.Get(m.url + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s emulator.State
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (m *emu) main() scenario.Account {
	for _, a := range m.world.Accounts {
		if !a.IsSubaccount() {
			return a
		}
	}
	panic("no main account")
}

// works asks the emulator whether token authenticates as account.
func (m *emu) works(t testing.TB, account, token string) bool {
	t.Helper()
	c, err := twilio.New(twilio.Options{BaseURL: m.url, Credential: atoguard.Credential{AccountSID: account, Secret: atoguard.NewSecret(token)}, MaxRetries: 8, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FetchAccount(context.Background(), account)
	if err != nil && !twilio.IsUnauthorized(err) {
		t.Fatalf("checking a token of %s: %v", account, err)
	}
	return err == nil
}

// respondCase is one respond run: its files and streams.
type respondCase struct {
	m                    *emu
	dir                  string
	sinkPath, journal    string
	snapshot, reportBase string
	stdout, stderr       bytes.Buffer
}

func newRespondCase(t testing.TB, m *emu) *respondCase {
	t.Helper()
	dir := t.TempDir()
	rc := &respondCase{m: m, dir: dir, sinkPath: filepath.Join(dir, "creds.json"), journal: filepath.Join(dir, "respond.journal"),
		snapshot: filepath.Join(dir, "snapshot.json"), reportBase: filepath.Join(dir, "incident")}
	data, err := json.Marshal(m.world.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rc.snapshot, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return rc
}

func (rc *respondCase) io() IO {
	main := rc.m.main()
	env := map[string]string{
		"TWILIO_ACCOUNT_SID":      main.SID,
		"TWILIO_AUTH_TOKEN":       main.AuthToken,
		"ATOGUARD_TWILIO_API_URL": rc.m.url,
	}
	rc.stdout.Reset()
	rc.stderr.Reset()
	return IO{Out: &rc.stdout, Err: &rc.stderr, Now: rc.m.e.Clock().Now, Getenv: func(k string) string { return env[k] }}
}

func (rc *respondCase) args(sub string, extra ...string) []string {
	a := []string{"respond", sub, "--journal", rc.journal, "--credential-sink", "file:" + rc.sinkPath,
		"--webhook-snapshot", rc.snapshot, "--report", rc.reportBase,
		"--incident-start", rc.m.world.AttackStart.Add(-time.Hour).Format(time.RFC3339)}
	return append(a, extra...)
}

func (rc *respondCase) run(t testing.TB, args ...string) int {
	t.Helper()
	return Run(context.Background(), args, rc.io())
}

// assertContained checks the emulator's final state against the targets,
// with the containment check the demo runs (internal/contained).
func (rc *respondCase) assertContained(t *testing.T, allow []string, keep ...string) {
	t.Helper()
	client, err := twilio.New(twilio.Options{BaseURL: rc.m.url, MaxRetries: 8, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	exp := containment(client, rc.m.world, &credstore.File{Path: rc.sinkPath}, allow, keep...)
	for _, c := range contained.Failed(contained.Verify(context.Background(), rc.m.state(t), exp)) {
		for _, p := range c.Problems {
			t.Errorf("%s: %s", c.Name, p)
		}
	}
}

func TestRespondApplyEndToEnd(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)

	// plan is read only
	if code := rc.run(t, rc.args("plan")...); code != 0 {
		t.Fatalf("plan exit %d: %s", code, rc.stderr.String())
	}
	plan := rc.stdout.String()
	for _, want := range []string{"rotate-tokens", "delete-keys", "geo-permissions", "usage-triggers", "webhooks", "Checklist"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	if _, err := os.Stat(rc.sinkPath); err == nil {
		t.Fatal("plan wrote the credential sink")
	}
	if !m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("plan rotated the token")
	}

	allow := []string{"GB", "US"}
	const sinkURL = "https://hooks.example.com/atoguard/events"
	if code := rc.run(t, rc.args("apply", "--yes", "--json", "--allow-countries", strings.Join(allow, ","), "--event-sink-url", sinkURL)...); code != 0 {
		t.Fatalf("apply exit %d\nstdout: %s\nstderr: %s", code, rc.stdout.String(), rc.stderr.String())
	}
	var sum applySummary
	if err := json.Unmarshal(rc.stdout.Bytes(), &sum); err != nil {
		t.Fatalf("apply --json: %v\n%s", err, rc.stdout.String())
	}
	if sum.Changed == 0 || sum.Failed != 0 || len(sum.Credentials) != len(m.world.Accounts) {
		t.Fatalf("summary: %+v", sum)
	}
	rc.assertContained(t, allow)
	for _, a := range m.state(t).Accounts {
		if a.SID != m.main().SID {
			continue
		}
		// The main account had every allowed country on: now exactly those.
		var voice, sms []string
		for _, v := range a.VoicePermissions {
			voice = append(voice, v.ISOCode)
		}
		for _, p := range a.SMSPermissions {
			sms = append(sms, p.CountryCode)
		}
		sort.Strings(voice)
		sort.Strings(sms)
		if strings.Join(voice, ",") != "GB,US" || strings.Join(sms, ",") != "GB,US" {
			t.Errorf("main account: voice %v, sms %v, want exactly %v", voice, sms, allow)
		}
	}
	sinks := 0
	for _, a := range m.state(t).Accounts {
		for _, s := range a.Sinks {
			if strings.Contains(fmt.Sprint(s["sink_configuration"]), sinkURL) {
				sinks++
			}
		}
	}
	if sinks != 1 {
		t.Errorf("%d Event Streams sinks to %s, want 1", sinks, sinkURL)
	}

	// a second apply changes nothing
	if code := rc.run(t, rc.args("apply", "--yes", "--json", "--allow-countries", strings.Join(allow, ","), "--event-sink-url", sinkURL)...); code != 0 {
		t.Fatalf("second apply exit %d: %s", code, rc.stderr.String())
	}
	sum = applySummary{}
	if err := json.Unmarshal(rc.stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Changed != 0 {
		t.Fatalf("second apply changed %d things: %s", sum.Changed, rc.stderr.String())
	}
	rc.assertContained(t, allow)

	// and the plan, which reads the journal, has nothing left to do
	if code := rc.run(t, rc.args("plan", "--json", "--allow-countries", strings.Join(allow, ","), "--event-sink-url", sinkURL)...); code != 0 {
		t.Fatalf("plan after apply: exit %d: %s", code, rc.stderr.String())
	}
	var after playbook.Plan
	if err := json.Unmarshal(rc.stdout.Bytes(), &after); err != nil {
		t.Fatal(err)
	}
	if n := after.Changes(); n != 0 {
		t.Errorf("plan after apply shows %d changes:\n%s", n, rc.stdout.String())
	}

	// the report reads the journal
	if code := rc.run(t, rc.args("report")...); code != 0 {
		t.Fatalf("report exit %d: %s", code, rc.stderr.String())
	}
	md := rc.stdout.String()
	for _, want := range []string{"## Changes made", "## New credentials", "## Checklist", "Change the password of every user", "Contact Twilio Support"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// Without --credential-sink the configured (old) token is dead: the
	// report reads the new one from the sink the journal names, and says so.
	if code := rc.run(t, "respond", "report", "--journal", rc.journal); code != 0 {
		t.Fatalf("report without the sink flag: exit %d: %s", code, rc.stderr.String())
	}
	if !strings.Contains(rc.stdout.String(), "rotate the auth token") || !strings.Contains(rc.stderr.String(), "respond apply rotated it") ||
		strings.Contains(rc.stderr.String(), "journal alone") {
		t.Errorf("report without the sink flag:\n%s\n%s", rc.stdout.String(), rc.stderr.String())
	}
}

func TestRespondApplyNeedsConfirmation(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	streams := rc.io()
	streams.In = strings.NewReader("no\n")
	if code := Run(context.Background(), rc.args("apply"), streams); code != ExitError {
		t.Fatalf("exit %d without confirmation", code)
	}
	if !m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("changed without confirmation")
	}
	streams = rc.io()
	streams.In = strings.NewReader("yes\n")
	if code := Run(context.Background(), rc.args("apply", "--only", "delete-keys"), streams); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	for _, a := range m.state(t).Accounts {
		if len(a.Keys) != 0 {
			t.Errorf("%s keeps %d keys", a.SID, len(a.Keys))
		}
	}
}

func TestRespondBadFlags(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	for _, args := range [][]string{
		rc.args("plan", "--only", "nuke"),
		rc.args("plan", "--daily-limit", "sms"),
		rc.args("plan", "--credential-sink", "s3:bucket"),
		rc.args("plan", "--incident-start", "yesterday"),
		{"respond", "apply", "--yes", "--journal", filepath.Join(rc.dir, "j")}, // rotation without a sink
	} {
		if code := rc.run(t, args...); code != ExitError {
			t.Errorf("%v: exit %d, want %d", args, code, ExitError)
		}
	}
	if !m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("a refused run changed the token")
	}
}

// runWith runs a respond command with test hooks (no root command).
func (rc *respondCase) runWith(t testing.TB, hooks respondHooks, args ...string) int {
	t.Helper()
	streams := rc.io()
	fillDefaults(&streams)
	cmd := newRespondCommandWith(streams, hooks)
	cmd.SetArgs(args[1:])
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.Err)
	return exitStatus(cmd.ExecuteContext(context.Background()), streams.Err)
}

func TestRespondApplyUnderFaults(t *testing.T) {
	t.Parallel()
	faults := []emulator.FaultRule{
		{Kind: emulator.FaultStatus, Status: 429, Probability: 0.05, RetryAfter: emulator.Duration(time.Second)},
		{Kind: emulator.FaultStatus, Status: 500, Probability: 0.05},
		{Kind: emulator.FaultStatus, Status: 503, Probability: 0.05},
		{Kind: emulator.FaultReset, Probability: 0.03},
		{Kind: emulator.FaultTruncate, Probability: 0.02},
		{Kind: emulator.FaultLatency, Probability: 1, Latency: emulator.Duration(2 * time.Millisecond), Jitter: emulator.Duration(5 * time.Millisecond)},
	}
	m := startEmulator(t, respondWorld(t, 2), faults...)
	rc := newRespondCase(t, m)
	hooks := respondHooks{retryBackoff: 5 * time.Millisecond, clientOpts: func(o *twilio.Options) {
		o.BaseDelay, o.MaxDelay = 5*time.Millisecond, 100*time.Millisecond
	}}
	allow := []string{"CA", "GB", "IE", "US"}
	args := rc.args("apply", "--yes", "--json", "--allow-countries", strings.Join(allow, ","))
	// Under faults an account may need a second pass; a rerun must finish it.
	code := rc.runWith(t, hooks, args...)
	if code != 0 {
		t.Logf("first apply exit %d (rerunning): %s", code, rc.stderr.String())
		if code = rc.runWith(t, hooks, args...); code != 0 {
			t.Fatalf("second apply exit %d: %s", code, rc.stderr.String())
		}
	}
	if err := m.e.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	rc.assertContained(t, allow)
}

// TestRespondNeverShowsSecrets plants the world's tokens and looks for them,
// and for the new tokens, in everything respond writes except the sink.
func TestRespondNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	var outputs []string
	for _, args := range [][]string{rc.args("plan"), rc.args("apply", "--yes"), rc.args("apply", "--yes", "--json"), rc.args("report"), rc.args("report", "--json"), rc.args("plan", "--json")} {
		if code := rc.run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, rc.stderr.String())
		}
		outputs = append(outputs, rc.stdout.String(), rc.stderr.String())
	}
	for _, p := range []string{rc.journal, rc.reportBase + ".md", rc.reportBase + ".json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
	}
	var secrets []string
	fs := &credstore.File{Path: rc.sinkPath}
	for _, a := range m.world.Accounts {
		secrets = append(secrets, a.AuthToken)
		for _, k := range a.Keys {
			secrets = append(secrets, k.Secret)
		}
		tok, err := fs.Load(context.Background(), a.SID)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, tok.Reveal())
	}
	for _, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("implausible secret %q", s)
		}
		for i, o := range outputs {
			if strings.Contains(o, s) {
				t.Errorf("output %d contains a secret (fingerprint %s)", i, atoguard.Fingerprint(s))
			}
		}
	}
	if len(outputs) < 10 || !strings.Contains(outputs[2], "rotate the auth token") && !strings.Contains(outputs[3], "rotate the auth token") {
		t.Errorf("outputs look empty")
	}
}

func TestRespondSuspendSubaccounts(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	var sub string
	for _, a := range m.world.Accounts {
		if a.IsSubaccount() && sub == "" {
			sub = a.SID
		}
	}
	args := rc.args("apply", "--yes", "--json", "--only", "suspend-subaccounts", "--suspend-subaccounts", sub)
	for i, wantChanged := range []int{1, 0} {
		if code := rc.run(t, args...); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, rc.stderr.String())
		}
		var sum applySummary
		if err := json.Unmarshal(rc.stdout.Bytes(), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Changed != wantChanged {
			t.Errorf("run %d changed %d, want %d", i, sum.Changed, wantChanged)
		}
	}
	for _, a := range m.state(t).Accounts {
		want := "active"
		if a.SID == sub {
			want = "suspended"
		}
		if a.Status != want {
			t.Errorf("%s: status %s, want %s", a.SID, a.Status, want)
		}
	}
	// the main account cannot be suspended through the API
	if code := rc.run(t, rc.args("apply", "--yes", "--only", "suspend-subaccounts", "--suspend-subaccounts", m.main().SID)...); code == 0 {
		t.Error("suspending the main account was accepted")
	}
}

// TestRespondCredentialSinks rotates through each sink kind and checks the
// stored token is the working one.
func TestRespondCredentialSinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := filepath.Join(dir, "vault")
	script := filepath.Join(dir, "vault.sh")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
in=$(cat)
acct=$(printf '%s' "$in" | sed -n 's/.*"account_sid":"\([^"]*\)".*/\1/p')
case "$in" in
*'"action":"store"'*) printf '%s' "$in" > "`+store+`.$acct" ;;
*'"action":"load"'*) if [ -f "`+store+`.$acct" ]; then cat "`+store+`.$acct"; fi ;;
esac
`), 0o700); err != nil {
		t.Fatal(err)
	}
	envPath := filepath.Join(dir, "app.env")
	if err := os.WriteFile(envPath, []byte("# app\nDATABASE_URL=postgres://db\nTWILIO_AUTH_TOKEN=stale\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"env:" + envPath, "cmd:" + script, "file:" + filepath.Join(dir, "c.json")} {
		t.Run(spec[:3], func(t *testing.T) {
			m := startEmulator(t, respondWorld(t, 2))
			rc := newRespondCase(t, m)
			args := append(rc.args("apply", "--yes", "--only", "rotate-tokens"), "--credential-sink", spec)
			if code := rc.run(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, rc.stderr.String())
			}
			s, err := credstore.Parse(spec, m.main().SID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range m.world.Accounts {
				tok, err := s.Load(context.Background(), a.SID)
				if err != nil {
					t.Fatalf("%s: %v", a.SID, err)
				}
				if !m.works(t, a.SID, tok.Reveal()) || m.works(t, a.SID, a.AuthToken) {
					t.Errorf("%s: the stored token is not the only working one", a.SID)
				}
			}
			if spec[:3] == "env" {
				data, _ := os.ReadFile(envPath)
				if !strings.Contains(string(data), "DATABASE_URL=postgres://db\n") || strings.Contains(string(data), "=stale") {
					t.Errorf("env file:\n%s", data)
				}
			}
		})
	}
}

// TestRespondConfigFile reads targets from atoguard.toml; flags win.
func TestRespondConfigFile(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	cfg := filepath.Join(rc.dir, "atoguard.toml")
	if err := os.WriteFile(cfg, []byte("[respond]\nallow-countries = [\"US\", \"ca\"]\nskip = [\"webhooks\"]\ndaily-limit = [\"sms=777\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// --force-countries: a subaccount's baseline (GB, IE) is outside the configured list
	if code := rc.run(t, append(rc.args("plan", "--json", "--force-countries"), "--config", cfg)...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	var p playbook.Plan
	if err := json.Unmarshal(rc.stdout.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Targets.AllowCountries, ",") != "CA,US" || p.Targets.AllowCountriesSource != "config" {
		t.Errorf("allowlist %v from %s", p.Targets.AllowCountries, p.Targets.AllowCountriesSource)
	}
	if slices.Contains(p.Targets.Steps, "webhooks") {
		t.Errorf("steps %v include the skipped webhooks", p.Targets.Steps)
	}
	found := false
	for _, a := range p.Accounts {
		for _, x := range a.Actions {
			if x.Step == "usage-triggers" && strings.Contains(x.After, "777") {
				found = true
			}
		}
	}
	if !found {
		t.Error("the configured daily limit is not in the plan")
	}
	if code := rc.run(t, append(rc.args("plan", "--json", "--force-countries", "--allow-countries", "GB"), "--config", cfg)...); code != 0 {
		t.Fatal(code)
	}
	p = playbook.Plan{}
	_ = json.Unmarshal(rc.stdout.Bytes(), &p)
	if strings.Join(p.Targets.AllowCountries, ",") != "GB" {
		t.Errorf("flag did not win: %v", p.Targets.AllowCountries)
	}
}

// TestRespondCallerIDsAndAttackerSubaccount: the subaccount-abuse world adds
// a foreign caller ID and a subaccount after the snapshot.
func TestRespondCallerIDsAndAttackerSubaccount(t *testing.T) {
	t.Parallel()
	w, err := scenario.BuildWith("subaccount-abuse", scenario.Options{Seed: 4, Subaccounts: 2, MessagesPerDay: 40, Days: 37})
	if err != nil {
		t.Fatal(err)
	}
	m := startEmulator(t, w)
	rc := newRespondCase(t, m)
	if code := rc.run(t, rc.args("apply", "--yes", "--allow-countries", "US,CA,GB,IE")...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	rc.assertContained(t, []string{"US", "CA", "GB", "IE"})
	removed := 0
	for _, l := range strings.Split(rc.stderr.String(), "\n") {
		if strings.Contains(l, "caller-ids") && strings.Contains(l, "done") {
			removed++
		}
	}
	if removed == 0 {
		t.Errorf("no caller ID removed:\n%s", rc.stderr.String())
	}
}

// TestRespondWebhooksFromEvents restores hijacked webhooks without a
// snapshot, from the previous values in Monitor events.
func TestRespondWebhooksFromEvents(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	args := []string{"respond", "apply", "--yes", "--only", "webhooks", "--journal", rc.journal, "--report", rc.reportBase,
		"--incident-start", m.world.AttackStart.Add(-time.Hour).Format(time.RFC3339)}
	if code := rc.run(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	st := m.state(t)
	for _, snap := range m.world.Snapshot {
		for _, as := range st.Accounts {
			if as.SID != snap.AccountSID {
				continue
			}
			for _, want := range snap.PhoneNumbers {
				for _, got := range as.PhoneNumbers {
					if got.SID == want.SID && (got.Webhooks["voice_url"] != want.Webhooks["voice_url"] || got.Webhooks["sms_url"] != want.Webhooks["sms_url"]) {
						t.Errorf("%s %s: voice %q sms %q, before the incident %q %q", as.SID, got.PhoneNumber,
							got.Webhooks["voice_url"], got.Webhooks["sms_url"], want.Webhooks["voice_url"], want.Webhooks["sms_url"])
					}
				}
			}
		}
	}
}

// TestRespondWithInvestigation feeds `investigate --json` to respond: the
// report carries the verdict and evidence, and the attacker's own password
// change does not verify the checklist.
func TestRespondWithInvestigation(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	if code := rc.run(t, "investigate", "--json", "--quiet"); code != ExitFindings {
		t.Fatalf("investigate exit %d: %s", code, rc.stderr.String())
	}
	invPath := filepath.Join(rc.dir, "investigation.json")
	if err := os.WriteFile(invPath, rc.stdout.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"respond", "apply", "--yes", "--journal", rc.journal, "--credential-sink", "file:" + rc.sinkPath,
		"--webhook-snapshot", rc.snapshot, "--report", rc.reportBase, "--investigation", invPath}
	if code := rc.run(t, args...); code != 0 {
		t.Fatalf("apply exit %d: %s", code, rc.stderr.String())
	}
	data, err := os.ReadFile(rc.reportBase + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var inc atoguard.Incident
	if err := json.Unmarshal(data, &inc); err != nil {
		t.Fatal(err)
	}
	if inc.Verdict != atoguard.VerdictCompromised || len(inc.Signals) == 0 {
		t.Errorf("verdict %q with %d signals", inc.Verdict, len(inc.Signals))
	}
	if inc.IncidentStart.IsZero() || inc.IncidentStart.After(m.world.AttackStart.Add(time.Minute)) {
		t.Errorf("incident start %s, attack began %s", inc.IncidentStart, m.world.AttackStart)
	}
	for _, c := range inc.Checklist {
		if c.ID == "passwords" && c.Status == atoguard.CheckVerified {
			t.Errorf("the attacker's password change verified the checklist: %+v", c)
		}
	}
	attacker := 0
	for _, e := range inc.Timeline {
		if e.Attacker {
			attacker++
		}
	}
	if attacker == 0 {
		t.Error("no attacker entries in the report's timeline")
	}
}

func TestRespondKeepKeys(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	keep := m.main().Keys[0].SID
	if code := rc.run(t, rc.args("apply", "--yes", "--only", "delete-keys", "--keep-keys", keep)...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	for _, a := range m.state(t).Accounts {
		for _, k := range a.Keys {
			if k.SID != keep {
				t.Errorf("%s: key %s left", a.SID, k.SID)
			}
		}
		if a.SID == m.main().SID && (len(a.Keys) != 1 || a.Keys[0].SID != keep) {
			t.Errorf("the kept key is gone: %+v", a.Keys)
		}
	}
}

func TestDecodeSnapshot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{`{"version":1,"taken_at":"2026-11-01T00:00:00Z","accounts":[{"account_sid":"AC1"},{"account_sid":"AC2"}]}`, 2, true},
		{`[{"account_sid":"AC1"}]`, 1, true},
		{`{"accounts":[]}`, 0, true},
		{`"nope"`, 0, false},
		{`{"accounts":`, 0, false},
	} {
		got, err := decodeSnapshot([]byte(tc.in))
		if (err == nil) != tc.ok || len(got) != tc.want {
			t.Errorf("decodeSnapshot(%s) = %d configs, err %v", tc.in, len(got), err)
		}
	}
}
