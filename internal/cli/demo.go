package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/scan/source"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
	"github.com/spf13/cobra"
)

type demoFlags struct {
	json, keep bool
	seed       int64
	// world overrides the world's sizes (tests under the race detector).
	world *scenario.Options
}

func newDemoCommand(streams IO) *cobra.Command {
	f := &demoFlags{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The whole story in a minute: scan → investigate → respond → verify → report, against a built-in Twilio emulator",
		Long: `demo starts a Twilio emulator in-process with an attacked ISV account (subaccounts,
weeks of ordinary traffic, then a leaked token, an attacker API key, hijacked webhooks,
SMS pumping abroad, a PayPal phishing wave and a password change), creates a small git
repository with the leaked token in its history, and runs what an on-call engineer would:
scan the repository, investigate the account, plan and apply the response, verify the
result and write the incident report. No credentials, no network.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), streams, f) },
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print a machine-readable summary on stdout (the narration goes to stderr)")
	cmd.Flags().BoolVar(&f.keep, "keep", false, "keep the temporary directory (repository, journal, credentials, report) and print its path")
	cmd.Flags().Int64Var(&f.seed, "seed", 1, "seed of the emulated world")
	return cmd
}

// narrator prints the demo for a person: headings, short lines, timings.
type narrator struct {
	w     io.Writer
	start time.Time
	stage time.Time
	n     int
	times []demoStage
	name  string
}

type demoStage struct {
	Name       string  `json:"name"`
	DurationMS float64 `json:"duration_ms"`
}

func (n *narrator) heading(title string) {
	n.end()
	n.n++
	n.name, n.stage = title, time.Now()
	fmt.Fprintf(n.w, "\n== %d. %s\n", n.n, title)
}

func (n *narrator) end() {
	if n.name == "" {
		return
	}
	d := time.Since(n.stage)
	n.times = append(n.times, demoStage{Name: n.name, DurationMS: float64(d.Microseconds()) / 1000})
	fmt.Fprintf(n.w, "   (%s)\n", d.Round(time.Millisecond))
	n.name = ""
}

func (n *narrator) say(format string, args ...any) { fmt.Fprintf(n.w, "   "+format+"\n", args...) }

type demoSummary struct {
	Seed        int64                       `json:"seed"`
	DurationMS  float64                     `json:"duration_ms"`
	Stages      []demoStage                 `json:"stages"`
	Findings    int                         `json:"scan_findings"`
	LiveTokens  int                         `json:"live_leaked_tokens"`
	Verdict     atoguard.Verdict            `json:"verdict"`
	Signals     int                         `json:"signals"`
	Planned     int                         `json:"planned_changes"`
	Changed     int                         `json:"changes_made"`
	Failed      int                         `json:"failed"`
	Credentials []atoguard.CredentialRecord `json:"credentials"`
	Checks      []demoCheck                 `json:"checks"`
	Checklist   int                         `json:"checklist_open"`
	Dir         string                      `json:"dir,omitempty"`
	Report      string                      `json:"report,omitempty"`
	Summary     string                      `json:"summary"`
}

type demoCheck struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

func runDemo(ctx context.Context, streams IO, f *demoFlags) (err error) {
	out := streams.Out
	if f.json {
		out = streams.Err
	}
	n := &narrator{w: out, start: time.Now()}
	sum := demoSummary{Seed: f.seed}
	dir, err := os.MkdirTemp("", "atoguard-demo-")
	if err != nil {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "%v", err)
	}
	if f.keep {
		sum.Dir = dir
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(out, "atoguard demo: an attacked Twilio account, contained end to end (emulated; nothing leaves this machine)")

	// 1. The world.
	n.heading("An attacked Twilio account (in-process emulator)")
	wopts := scenario.Options{Seed: f.seed}
	if f.world != nil {
		wopts = *f.world
		wopts.Seed = f.seed
	}
	world, err := scenario.BuildWith("full-takeover", wopts)
	if err != nil {
		return err
	}
	emu, err := emulator.New(emulator.Options{World: world, Seed: f.seed})
	if err != nil {
		return err
	}
	url, stop, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "starting the emulator: %v", err)
	}
	defer stop()
	var main scenario.Account
	msgs := 0
	for _, a := range world.Accounts {
		if !a.IsSubaccount() {
			main = a
		}
		msgs += len(a.Messages)
	}
	now := emu.Clock().Now
	n.say("ISV %q %s with %d subaccounts and %d messages", main.FriendlyName, main.SID, len(world.Accounts)-1, msgs)
	n.say("emulator at %s (clock %s)", url, now().Format("2006-01-02 15:04 MST"))

	// 2. The leak.
	n.heading("A developer's repository leaked the auth token")
	repo := filepath.Join(dir, "repo")
	if err := demoRepo(ctx, repo, main.SID, main.AuthToken, world.AttackStart); err != nil {
		return err
	}
	n.say("git repository %s: the token was committed, then \"removed\" in a later commit", filepath.Base(repo))

	// 3. Scan.
	n.heading("Scan: atoguard scan --history")
	res, err := scan.New(scan.Options{}).Scan(ctx, source.NewHistory(repo, source.GitOptions{}))
	if err != nil {
		return err
	}
	res.Findings = scan.EarliestPerSecret(res.Findings)
	sum.Findings = len(res.Findings)
	client, err := twilio.New(twilio.Options{BaseURL: url, Credential: atoguard.Credential{AccountSID: main.SID, Secret: atoguard.NewSecret(main.AuthToken)}, Now: now})
	if err != nil {
		return err
	}
	for _, fd := range res.Findings {
		commit := fd.Commit
		if len(commit) > 8 {
			commit = commit[:8]
		}
		state := ""
		if fd.Rule == "twilio-auth-token" && fd.AccountSID != "" && !fd.Secret.IsZero() {
			_, verr := client.As(atoguard.Credential{AccountSID: fd.AccountSID, Secret: fd.Secret}).FetchAccount(ctx, fd.AccountSID)
			if verr == nil {
				state = ", LIVE: it still opens the account"
				sum.LiveTokens++
			}
		}
		n.say("%s in %s:%d (commit %s by %s; fingerprint %s%s)", fd.Rule, fd.Path, fd.Line, commit, fd.Author, fd.Fingerprint, state)
	}
	if sum.LiveTokens == 0 {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "the scan did not find the live leaked token")
	}

	// 4. Investigate.
	n.heading("Investigate: is the account compromised?")
	until := now()
	since := until.Add(-scenario.Window)
	ds, err := investigate.Collect(ctx, twilioSource{client}, investigate.Options{Since: since, Until: until, BaselineSince: since.Add(-30 * 24 * time.Hour), Concurrency: 4})
	if err != nil {
		return err
	}
	det := detect.Run(ds, detect.Options{Phisher: detect.NewPhisher(phish.New(phish.Options{}))})
	sum.Verdict, sum.Signals = det.Verdict, len(det.Signals)
	n.say("verdict: %s (score %.0f) from %d signals", strings.ToUpper(string(det.Verdict)), det.Score, len(det.Signals))
	for i, s := range det.Signals {
		if i == 6 {
			n.say("… and %d more", len(det.Signals)-i)
			break
		}
		n.say("[%s] %s", s.Severity, s.Summary)
	}
	inv := &playbook.Investigation{Verdict: det.Verdict, Signals: det.Signals, Timeline: det.Timeline}
	start := inv.FirstAttack()
	if start.IsZero() {
		start = world.AttackStart
	}
	start = start.Add(-time.Hour)
	n.say("first attacker action %s; the response treats everything since %s as suspect", inv.FirstAttack().Format("2006-01-02 15:04"), start.Format("2006-01-02 15:04"))

	// 5. Plan.
	n.heading("Respond: plan (read only)")
	journal, err := playbook.OpenJournal(filepath.Join(dir, "respond.journal"))
	if err != nil {
		return err
	}
	defer journal.Close()
	sinkPath := filepath.Join(dir, "twilio-credentials.json")
	fileSink := &credstore.File{Path: sinkPath}
	opts := playbook.Options{
		Credential: client.Credential(), Store: fileSink, Journal: journal,
		IncidentStart: start, Now: now, Snapshot: world.Snapshot, AttackerEvents: inv.AttackerEvents(),
		RetryBackoff: 50 * time.Millisecond,
	}
	dial := playbook.DialAs(client)
	plan, err := playbook.MakePlan(ctx, dial, opts)
	if err != nil {
		return err
	}
	sum.Planned = plan.Changes()
	perStep := map[string]int{}
	for _, a := range plan.Accounts {
		for _, x := range a.Actions {
			if x.Status == atoguard.ActionPlanned {
				perStep[x.Step]++
			}
		}
	}
	n.say("%d changes across %d accounts; countries kept: %s (from %s)", plan.Changes(), len(plan.Accounts), strings.Join(plan.Targets.AllowCountries, ", "), plan.Targets.AllowCountriesSource)
	example := map[string]atoguard.Action{}
	for _, a := range plan.Accounts {
		for _, x := range a.Actions {
			if a.Account.SID == main.SID && x.Status == atoguard.ActionPlanned {
				example[x.Step] = x // the main account's last: the attacker's key is the newest
			}
		}
	}
	for _, s := range playbook.Steps() {
		if perStep[s] == 0 {
			continue
		}
		x := example[s]
		n.say("%-16s %2d  e.g. %s", s, perStep[s], x.Summary)
		if s != playbook.StepRotateTokens && x.Before != "" {
			n.say("%-20s now:    %s", "", shorten(x.Before, 84))
			n.say("%-20s target: %s", "", shorten(x.After, 84))
		}
	}

	// 6. Apply.
	n.heading("Respond: apply (new tokens go to a 0600 file, never to the screen)")
	applied, err := playbook.Apply(ctx, dial, opts)
	if err != nil {
		return err
	}
	sum.Changed, sum.Failed, sum.Credentials = applied.Changed(), len(applied.Failures), applied.Credentials
	n.say("%d changes made, %d failed; journal of %d records", applied.Changed(), len(applied.Failures), len(journal.Records()))
	for _, c := range applied.Credentials {
		n.say("token of %s: %s → %s, stored in %s (verified: %v)", c.AccountSID, c.PreviousFingerprint, c.Fingerprint, filepath.Base(c.Location), c.Verified)
	}

	// 7. Verify.
	n.heading("Verify against the emulator")
	sum.Checks = demoVerify(ctx, client, url, world, fileSink, plan.Targets.AllowCountries)
	failed := 0
	for _, c := range sum.Checks {
		mark := "ok  "
		if !c.OK {
			mark, failed = "FAIL", failed+1
		}
		line := mark + " " + c.Name
		if c.Note != "" {
			line += " — " + c.Note
		}
		n.say("%s", line)
	}

	// 8. Report.
	n.heading("Incident report")
	env := &respondEnv{opts: opts, inv: inv}
	inc := buildIncident(applied, env, now())
	md, js := filepath.Join(dir, "incident.md"), filepath.Join(dir, "incident.json")
	if err := writeReportFiles(inc, md, js); err != nil {
		return err
	}
	for _, c := range applied.Checklist {
		if c.Status != atoguard.CheckVerified {
			sum.Checklist++
		}
	}
	sum.Summary = inc.Summary
	for _, l := range strings.Split(strings.TrimSpace(inc.Summary), "\n") {
		n.say("> %s", l)
	}
	n.say("%d checklist items need a person (passwords, 2FA, e-mails, malware, website, security firm, Twilio support)", sum.Checklist)
	if f.keep {
		sum.Report = md
		n.say("report: %s (JSON: %s)", md, js)
	}
	n.end()
	sum.Stages = n.times
	total := time.Since(n.start)
	sum.DurationMS = float64(total.Microseconds()) / 1000
	fmt.Fprintf(out, "\nDone in %s.", total.Round(time.Millisecond))
	if f.keep {
		fmt.Fprintf(out, " Files kept in %s", dir)
	}
	fmt.Fprintln(out)
	if f.json {
		if err := writeJSON(streams.Out, sum); err != nil {
			return err
		}
	}
	if failed > 0 || sum.Failed > 0 {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "%d verification checks and %d actions failed", failed, sum.Failed)
	}
	return nil
}

// demoRepo creates a git repository whose history holds the token: added in
// one commit, "removed" in the next (it stays in history).
func demoRepo(ctx context.Context, dir, sid, token string, when time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	date := when.Add(-72 * time.Hour).UTC().Format(time.RFC3339)
	env := append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Dana Developer", "GIT_AUTHOR_EMAIL=dana@example.com",
		"GIT_COMMITTER_NAME=Dana Developer", "GIT_COMMITTER_EMAIL=dana@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return atoguard.Errorf(atoguard.EINTERNAL, "demo", "git %s: %v: %s (the demo needs git)", args[0], err, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	write := func(name, content string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	if err := git("init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := write("README.md", "# notify-service\n\nSends appointment reminders through Twilio.\n"); err != nil {
		return err
	}
	if err := write("config.py", fmt.Sprintf("# quick test, will move to env vars\nTWILIO_ACCOUNT_SID = %q\nTWILIO_AUTH_TOKEN = %q\n", sid, token)); err != nil {
		return err
	}
	if err := git("add", "."); err != nil {
		return err
	}
	if err := git("commit", "-q", "-m", "reminders: first working version"); err != nil {
		return err
	}
	if err := write("config.py", "import os\n\nTWILIO_ACCOUNT_SID = os.environ[\"TWILIO_ACCOUNT_SID\"]\nTWILIO_AUTH_TOKEN = os.environ[\"TWILIO_AUTH_TOKEN\"]\n"); err != nil {
		return err
	}
	if err := git("commit", "-q", "-am", "move credentials to the environment"); err != nil {
		return err
	}
	return nil
}

// demoVerify checks the emulator's state after apply.
func demoVerify(ctx context.Context, client *twilio.Client, url string, world *scenario.World, fs *credstore.File, allow []string) []demoCheck {
	var checks []demoCheck
	add := func(name string, ok bool, note string) {
		checks = append(checks, demoCheck{Name: name, OK: ok, Note: note})
	}
	works := func(sid, tok string) bool {
		_, err := client.As(atoguard.Credential{AccountSID: sid, Secret: atoguard.NewSecret(tok)}).FetchAccount(ctx, sid)
		return err == nil
	}
	oldDead, newWork := 0, 0
	for _, a := range world.Accounts {
		if !works(a.SID, a.AuthToken) {
			oldDead++
		}
		if tok, err := fs.Load(ctx, a.SID); err == nil && works(a.SID, tok.Reveal()) {
			newWork++
		}
	}
	total := len(world.Accounts)
	add("old tokens rejected (401)", oldDead == total, fmt.Sprintf("%d of %d accounts", oldDead, total))
	add("new tokens work and sit in the credential file", newWork == total, fmt.Sprintf("%d of %d accounts", newWork, total))

	st, err := emulatorState(ctx, url)
	if err != nil {
		add("read the emulator's state", false, err.Error())
		return checks
	}
	keys, hooksBad, geoBad, trig := 0, 0, 0, 0
	for _, as := range st.Accounts {
		keys += len(as.Keys)
		for _, v := range as.VoicePermissions {
			if !slices.Contains(allow, v.ISOCode) || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
				geoBad++
			}
		}
		for _, p := range as.SMSPermissions {
			if !slices.Contains(allow, p.CountryCode) && !p.HighRisk {
				geoBad++
			}
		}
		cats := map[string]bool{}
		for _, t := range as.UsageTriggers {
			if strings.HasPrefix(t.FriendlyName, playbook.TriggerPrefix) {
				cats[t.UsageCategory] = true
			}
		}
		if len(cats) == len(playbook.TriggerCategories()) {
			trig++
		}
		for _, snap := range world.Snapshot {
			if snap.AccountSID != as.SID {
				continue
			}
			for _, want := range snap.PhoneNumbers {
				for _, got := range as.PhoneNumbers {
					if got.SID == want.SID {
						for f, v := range want.Webhooks {
							if got.Webhooks[f] != v {
								hooksBad++
							}
						}
					}
				}
			}
		}
	}
	add("API keys deleted", keys == 0, fmt.Sprintf("%d left", keys))
	add("webhooks equal the known-good snapshot", hooksBad == 0, fmt.Sprintf("%d fields differ", hooksBad))
	sort.Strings(allow)
	add("Voice and SMS geo permissions within the allowlist", geoBad == 0, strings.Join(allow, ", "))
	add("daily usage triggers on totalprice, sms, calls", trig == len(st.Accounts), fmt.Sprintf("%d of %d accounts", trig, len(st.Accounts)))
	return checks
}

// emulatorState reads the emulator's admin view (fingerprints, no secrets).
func emulatorState(ctx context.Context, url string) (emulator.State, error) {
	var st emulator.State
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_emulator/state", nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("emulator state: HTTP %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
