package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/internal/contained"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/scan/source"
	"github.com/atoguard/atoguard/scan/verify"
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

// demoRun is the demo's state from one stage to the next.
type demoRun struct {
	f       *demoFlags
	n       *narrator
	sum     demoSummary
	dir     string
	world   *scenario.World
	emu     *emulator.Emulator
	url     string
	now     func() time.Time
	main    scenario.Account
	client  *twilio.Client
	inv     *playbook.Investigation
	opts    playbook.Options
	store   *credstore.File
	plan    *playbook.Plan
	applied *playbook.Result
}

func runDemo(ctx context.Context, streams IO, f *demoFlags) error {
	out := streams.Out
	if f.json {
		out = streams.Err
	}
	d := &demoRun{f: f, n: &narrator{w: out, start: time.Now()}, sum: demoSummary{Seed: f.seed}}
	dir, err := os.MkdirTemp("", "atoguard-demo-")
	if err != nil {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "%v", err)
	}
	d.dir = dir
	if f.keep {
		d.sum.Dir = dir
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintln(out, "atoguard demo: an attacked Twilio account, contained end to end (emulated; nothing leaves this machine)")
	stop, err := d.startWorld()
	if err != nil {
		return err
	}
	defer stop()
	for _, stage := range []func(context.Context) error{d.leak, d.scan, d.investigate, d.respond, d.verify, d.report} {
		if err := stage(ctx); err != nil {
			return err
		}
	}
	return d.finish(streams, out)
}

// startWorld builds the attacked account and serves it on 127.0.0.1.
func (d *demoRun) startWorld() (stop func(), err error) {
	d.n.heading("An attacked Twilio account (in-process emulator)")
	wopts := scenario.Options{Seed: d.f.seed}
	if d.f.world != nil {
		wopts = *d.f.world
		wopts.Seed = d.f.seed
	}
	if d.world, err = scenario.BuildWith("full-takeover", wopts); err != nil {
		return nil, err
	}
	if d.emu, err = emulator.New(emulator.Options{World: d.world, Seed: d.f.seed}); err != nil {
		return nil, err
	}
	if d.url, stop, err = d.emu.Start("127.0.0.1:0"); err != nil {
		return nil, atoguard.Errorf(atoguard.EINTERNAL, "demo", "starting the emulator: %v", err)
	}
	msgs := 0
	for _, a := range d.world.Accounts {
		if !a.IsSubaccount() {
			d.main = a
		}
		msgs += len(a.Messages)
	}
	d.now = d.emu.Clock().Now
	d.client, err = twilio.New(twilio.Options{BaseURL: d.url, Credential: atoguard.Credential{AccountSID: d.main.SID, Secret: atoguard.NewSecret(d.main.AuthToken)}, Now: d.now})
	if err != nil {
		stop()
		return nil, err
	}
	d.n.say("ISV %q %s with %d subaccounts and %d messages", d.main.FriendlyName, d.main.SID, len(d.world.Accounts)-1, msgs)
	d.n.say("emulator at %s (clock %s)", d.url, d.now().Format("2006-01-02 15:04 MST"))
	return stop, nil
}

func (d *demoRun) repo() string { return filepath.Join(d.dir, "repo") }

func (d *demoRun) leak(ctx context.Context) error {
	d.n.heading("A developer's repository leaked the auth token")
	if err := demoRepo(ctx, d.repo(), d.main.SID, d.main.AuthToken, d.world.AttackStart); err != nil {
		return err
	}
	d.n.say("git repository %s: the token was committed, then \"removed\" in a later commit", filepath.Base(d.repo()))
	return nil
}

// scan runs what `atoguard scan --history --verify` runs on the repository.
func (d *demoRun) scan(ctx context.Context) error {
	d.n.heading("Scan: atoguard scan --history")
	fetcher, err := newVerifyFetcher(d.url)
	if err != nil {
		return err
	}
	findings, err := scanHistoryVerified(ctx, d.repo(), fetcher)
	if err != nil {
		return err
	}
	d.sum.Findings = len(findings)
	for _, fd := range findings {
		commit := fd.Commit
		if len(commit) > 8 {
			commit = commit[:8]
		}
		state := ""
		if fd.Verification == atoguard.Live {
			state = ", LIVE: it still opens the account"
			d.sum.LiveTokens++
		}
		d.n.say("%s in %s:%d (commit %s by %s; fingerprint %s%s)", fd.Rule, fd.Path, fd.Line, commit, fd.Author, fd.Fingerprint, state)
	}
	if d.sum.LiveTokens == 0 {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "the scan did not find the live leaked token")
	}
	return nil
}

// scanHistoryVerified is the scan command's pipeline for --history --verify:
// scan the history, keep each secret's earliest finding, verify the tokens.
// When scan owns the pipeline (scan.Scanner.Run) this is that one call.
func scanHistoryVerified(ctx context.Context, repo string, fetcher verify.Fetcher) ([]atoguard.Finding, error) {
	res, err := scan.New(scan.Options{}).Scan(ctx, source.NewHistory(repo, source.GitOptions{}))
	if err != nil {
		return nil, err
	}
	res.Findings = scan.EarliestPerSecret(res.Findings)
	verify.New(fetcher, verify.Options{}).Findings(ctx, res.Findings)
	return res.Findings, nil
}

func (d *demoRun) investigate(ctx context.Context) error {
	d.n.heading("Investigate: is the account compromised?")
	until := d.now()
	since := until.Add(-scenario.Window)
	ds, err := investigate.Collect(ctx, twilioSource{d.client}, investigate.Options{Since: since, Until: until, BaselineSince: since.Add(-30 * 24 * time.Hour), Concurrency: 4})
	if err != nil {
		return err
	}
	det := detect.Run(ds, detect.Options{Phisher: detect.NewPhisher(phish.New(phish.Options{}))})
	d.sum.Verdict, d.sum.Signals = det.Verdict, len(det.Signals)
	d.n.say("verdict: %s (score %.0f) from %d signals", strings.ToUpper(string(det.Verdict)), det.Score, len(det.Signals))
	for i, s := range det.Signals {
		if i == 6 {
			d.n.say("… and %d more", len(det.Signals)-i)
			break
		}
		d.n.say("[%s] %s", s.Severity, s.Summary)
	}
	d.inv = &playbook.Investigation{Verdict: det.Verdict, Signals: det.Signals, Timeline: det.Timeline}
	return nil
}

// respond plans, then applies, with the journal and credential file in the
// demo's directory.
func (d *demoRun) respond(ctx context.Context) error {
	start := d.inv.FirstAttack()
	if start.IsZero() {
		start = d.world.AttackStart
	}
	start = start.Add(-time.Hour)
	d.n.say("first attacker action %s; the response treats everything since %s as suspect", d.inv.FirstAttack().Format("2006-01-02 15:04"), start.Format("2006-01-02 15:04"))

	d.n.heading("Respond: plan (read only)")
	journal, err := playbook.OpenJournal(filepath.Join(d.dir, "respond.journal"))
	if err != nil {
		return err
	}
	defer journal.Close()
	d.store = &credstore.File{Path: filepath.Join(d.dir, "twilio-credentials.json")}
	d.opts = playbook.Options{
		Credential: d.client.Credential(), Store: d.store, Journal: journal,
		IncidentStart: start, Now: d.now, Snapshot: d.world.Snapshot, AttackerEvents: d.inv.AttackerEvents(),
		RetryBackoff: 50 * time.Millisecond,
	}
	dial := playbook.DialAs(d.client)
	if d.plan, err = playbook.MakePlan(ctx, dial, d.opts); err != nil {
		return err
	}
	d.sum.Planned = d.plan.Changes()
	d.sayPlan()

	d.n.heading("Respond: apply (new tokens go to a 0600 file, never to the screen)")
	if d.applied, err = playbook.Apply(ctx, dial, d.opts); err != nil {
		return err
	}
	d.sum.Changed, d.sum.Failed, d.sum.Credentials = d.applied.Changed(), len(d.applied.Failures), d.applied.Credentials
	d.n.say("%d changes made, %d failed; journal of %d records", d.applied.Changed(), len(d.applied.Failures), len(journal.Records()))
	for _, c := range d.applied.Credentials {
		d.n.say("token of %s: %s → %s, stored in %s (verified: %v)", c.AccountSID, c.PreviousFingerprint, c.Fingerprint, filepath.Base(c.Location), c.Verified)
	}
	return nil
}

// sayPlan narrates the plan: changes per step, with the main account's
// example of each.
func (d *demoRun) sayPlan() {
	perStep := map[string]int{}
	example := map[string]atoguard.Action{}
	for _, a := range d.plan.Accounts {
		for _, x := range a.Actions {
			if x.Status != atoguard.ActionPlanned {
				continue
			}
			perStep[x.Step]++
			if a.Account.SID == d.main.SID {
				example[x.Step] = x // the main account's last: the attacker's key is the newest
			}
		}
	}
	t := d.plan.Targets
	d.n.say("%d changes across %d accounts; countries kept: %s (from %s)", d.plan.Changes(), len(d.plan.Accounts), strings.Join(t.AllowCountries, ", "), t.AllowCountriesSource)
	for _, s := range playbook.Steps() {
		if perStep[s] == 0 {
			continue
		}
		x := example[s]
		d.n.say("%-16s %2d  e.g. %s", s, perStep[s], x.Summary)
		if s != playbook.StepRotateTokens && x.Before != "" {
			d.n.say("%-20s now:    %s", "", shorten(x.Before, 84))
			d.n.say("%-20s target: %s", "", shorten(x.After, 84))
		}
	}
}

func (d *demoRun) verify(ctx context.Context) error {
	d.n.heading("Verify against the emulator")
	d.sum.Checks = demoVerify(ctx, d.client, d.emu.State(), d.world, d.store, d.plan.Targets.AllowCountries)
	for _, c := range d.sum.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		line := mark + " " + c.Name
		if c.Note != "" {
			line += " — " + c.Note
		}
		d.n.say("%s", line)
	}
	return nil
}

func (d *demoRun) report(context.Context) error {
	d.n.heading("Incident report")
	env := &respondEnv{opts: d.opts, inv: d.inv}
	inc := buildIncident(d.applied, env, d.now())
	md, js := filepath.Join(d.dir, "incident.md"), filepath.Join(d.dir, "incident.json")
	if err := writeReportFiles(inc, md, js); err != nil {
		return err
	}
	for _, c := range d.applied.Checklist {
		if c.Status != atoguard.CheckVerified {
			d.sum.Checklist++
		}
	}
	d.sum.Summary = inc.Summary
	for _, l := range strings.Split(strings.TrimSpace(inc.Summary), "\n") {
		d.n.say("> %s", l)
	}
	d.n.say("%d checklist items need a person (passwords, 2FA, e-mails, malware, website, security firm, Twilio support)", d.sum.Checklist)
	if d.f.keep {
		d.sum.Report = md
		d.n.say("report: %s (JSON: %s)", md, js)
	}
	return nil
}

// finish prints the total, the --json summary, and fails the run when a
// check or an action failed.
func (d *demoRun) finish(streams IO, out io.Writer) error {
	d.n.end()
	d.sum.Stages = d.n.times
	total := time.Since(d.n.start)
	d.sum.DurationMS = float64(total.Microseconds()) / 1000
	fmt.Fprintf(out, "\nDone in %s.", total.Round(time.Millisecond))
	if d.f.keep {
		fmt.Fprintf(out, " Files kept in %s", d.dir)
	}
	fmt.Fprintln(out)
	if d.f.json {
		if err := writeJSON(streams.Out, d.sum); err != nil {
			return err
		}
	}
	failed := 0
	for _, c := range d.sum.Checks {
		if !c.OK {
			failed++
		}
	}
	if failed > 0 || d.sum.Failed > 0 {
		return atoguard.Errorf(atoguard.EINTERNAL, "demo", "%d verification checks and %d actions failed", failed, d.sum.Failed)
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

// demoVerify checks the emulator's state after apply with the containment
// check the tests use (internal/contained).
func demoVerify(ctx context.Context, client *twilio.Client, st emulator.State, world *scenario.World, store atoguard.CredentialStore, allow []string) []demoCheck {
	var checks []demoCheck
	for _, c := range contained.Verify(ctx, st, containment(client, world, store, allow)) {
		checks = append(checks, demoCheck{Name: c.Name, OK: c.OK, Note: c.Note})
	}
	return checks
}

// containment is what respond apply must leave behind: the expectation the
// demo and the tests check.
func containment(client *twilio.Client, world *scenario.World, store atoguard.CredentialStore, allow []string, keep ...string) contained.Expect {
	return contained.Expect{
		World: world, Store: store, Allow: allow, Keep: keep,
		Works: func(ctx context.Context, c atoguard.Credential) bool {
			_, err := client.As(c).FetchAccount(ctx, c.AccountSID)
			return err == nil
		},
		TriggerPrefix: playbook.TriggerPrefix, TriggerCategories: playbook.TriggerCategoryOrder(),
	}
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
