package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/twilio"
	"github.com/spf13/cobra"
)

// respondHooks are test seams that no flag can reach.
type respondHooks struct {
	afterJournal func(n int)   // the crash test kills the process here
	httpClient   *http.Client  // benchmarks add a global rate limit
	retryBackoff time.Duration // tests shorten step retries
	clientOpts   func(*twilio.Options)
	// wrapStore and wrapDial let the crash test die right after a side
	// effect and before its journal record.
	wrapStore func(atoguard.CredentialStore) atoguard.CredentialStore
	wrapDial  func(playbook.Dial) playbook.Dial
}

type respondFlags struct {
	json, yes, resume, forceCountries                  bool
	only, skip, accounts, allowCountries, keepKeys     []string
	callerIDs, suspend, dailyLimits                    []string
	snapshot, safeURL, eventSinkURL, credSink, journal string
	incidentStart, triggerCallback, investigation      string
	reportPath, apiURL, webReport                      string
	concurrency                                        int
	sinkTimeout, timeout                               time.Duration
}

func newRespondCommand(streams IO) *cobra.Command {
	return newRespondCommandWith(streams, respondHooks{})
}

func newRespondCommandWith(streams IO, hooks respondHooks) *cobra.Command {
	f := &respondFlags{}
	cmd := &cobra.Command{
		Use:   "respond [plan|apply|report]",
		Short: "Contain a takeover: plan, then apply, Twilio's next steps; journaled, resumable; incident report",
		Long: `respond performs what Twilio's account-takeover guidance asks and the API allows:
rotate the auth token of the account and every subaccount (the new token goes to a
credential sink before it is promoted), delete API keys, reduce Voice and SMS geo
permissions to an allowlist, set daily usage triggers, remove unknown caller IDs,
restore hijacked webhooks, optionally suspend subaccounts and add an Event Streams
sink. The rest becomes a checklist, verified from Monitor events where possible.

  atoguard respond plan     read only: every action, current state → target (default)
  atoguard respond apply    perform the plan after confirmation (--yes to skip it)
  atoguard respond report   incident report (Markdown; --json) from the journal`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRespond(cmd, streams, hooks, f, "plan") },
	}
	pf := cmd.PersistentFlags()
	pf.BoolVar(&f.json, "json", false, "machine-readable output")
	pf.BoolVar(&f.yes, "yes", false, "apply without asking for confirmation")
	pf.BoolVar(&f.resume, "resume", false, "continue an interrupted apply from its journal")
	pf.StringSliceVar(&f.only, "only", nil, "run only these steps ("+strings.Join(playbook.Steps(), ", ")+")")
	pf.StringSliceVar(&f.skip, "skip", nil, "skip these steps")
	pf.StringSliceVar(&f.accounts, "accounts", nil, "limit to these account SIDs (main or subaccounts)")
	pf.StringSliceVar(&f.allowCountries, "allow-countries", nil, "ISO country codes to keep for Voice and SMS (default: countries of the baseline traffic)")
	pf.BoolVar(&f.forceCountries, "force-countries", false, "accept an --allow-countries that turns off every country an account sent to in the 30 days before the incident (refused otherwise)")
	pf.StringSliceVar(&f.keepKeys, "keep-keys", nil, "API key SIDs never deleted")
	pf.StringSliceVar(&f.callerIDs, "caller-id-allowlist", nil, "caller IDs to keep, E.164 or PN SID (default: those verified before the incident, or in the snapshot)")
	pf.StringVar(&f.snapshot, "webhook-snapshot", "", "known-good configuration `FILE` saved by investigate --snapshot")
	pf.StringVar(&f.safeURL, "safe-webhook-url", "", "URL that replaces webhooks pointing at unknown hosts")
	pf.StringSliceVar(&f.suspend, "suspend-subaccounts", nil, "subaccount SIDs to suspend")
	pf.StringVar(&f.eventSinkURL, "event-sink-url", "", "create an Event Streams webhook sink to this URL")
	pf.StringVar(&f.credSink, "credential-sink", "", "where new tokens go: file:PATH, env:PATH[:VAR] or cmd:COMMAND")
	pf.DurationVar(&f.sinkTimeout, "credential-sink-timeout", credstore.DefaultCommandTimeout, "how long a cmd: credential sink may run (100ms–1h); then it is killed with its children and that account's rotation fails, the old token still valid")
	pf.StringVar(&f.journal, "journal", "", "journal file (default ./atoguard-respond.journal)")
	pf.StringVar(&f.incidentStart, "incident-start", "", "when the incident began (RFC 3339 or YYYY-MM-DD; default: from --investigation, else 7 days ago)")
	pf.StringSliceVar(&f.dailyLimits, "daily-limit", nil, "override a daily usage trigger, CATEGORY=VALUE (totalprice, sms, calls)")
	pf.StringVar(&f.triggerCallback, "trigger-callback-url", "", "callback URL of the usage triggers (default: a non-routable placeholder)")
	pf.StringVar(&f.investigation, "investigation", "", "`FILE` with investigate --json output: verdict, evidence and timeline for the report")
	pf.StringVar(&f.webReport, "web-report", "", "`FILE` with the JSON of an atoguard exposure web run, summarised in the incident report")
	pf.StringVar(&f.reportPath, "report", "", "incident report path without extension (default: next to the journal, atoguard-incident.{md,json})")
	pf.StringVar(&f.apiURL, "twilio-api-url", "", "Twilio API base `URL`: the emulator's URL, or a Twilio-style host (https://api.twilio.com, *.twilio.com, api.*); default the real Twilio (config twilio-api-url, env ATOGUARD_TWILIO_API_URL)")
	pf.IntVar(&f.concurrency, "concurrency", 8, "subaccounts worked on at once")
	addTimeoutFlag(pf, &f.timeout)
	for _, sub := range []struct{ name, short string }{
		{"plan", "Show every action, current state → target, and the checklist (read only)"},
		{"apply", "Perform the plan after confirmation; journaled and resumable"},
		{"report", "Write the incident report from the journal and live state"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use: sub.name, Short: sub.short, Args: noArgs,
			RunE: func(c *cobra.Command, _ []string) error { return runRespond(c, streams, hooks, f, sub.name) },
		})
	}
	return cmd
}

// respondEnv is everything a respond subcommand needs, built from flags,
// config and environment.
type respondEnv struct {
	client  *twilio.Client
	opts    playbook.Options
	inv     *playbook.Investigation
	web     *atoguard.WebCheckSummary
	journal string
	report  string
	cfg     *Config
	wrap    func(playbook.Dial) playbook.Dial
}

// listOr returns the flag's list when set, else the config key's.
func listOr(cmd *cobra.Command, name string, flag []string, cfg *Config, key string) []string {
	if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
		return flag
	}
	if cfg.Exists(key) {
		if v := cfg.Strings(key); len(v) > 0 {
			return v
		}
		if v := cfg.String(key); v != "" {
			return strings.Split(v, ",")
		}
	}
	return flag
}

// listSource says where listOr's value comes from: "flag", or "config"
// when atoguard.toml set it and the flag did not.
func listSource(cmd *cobra.Command, name string, cfg *Config, key string) string {
	if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
		return "flag"
	}
	if cfg.Exists(key) {
		return "config"
	}
	return "flag"
}

func parseTimeFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, atoguard.Errorf(atoguard.EINVALID, "respond", "bad time %q: want RFC 3339 or YYYY-MM-DD", s)
}

func buildRespondEnv(cmd *cobra.Command, streams IO, hooks respondHooks, f *respondFlags, mode string) (*respondEnv, error) {
	if err := checkConcurrency("respond", f.concurrency); err != nil {
		return nil, err
	}
	cfg, topts, err := twilioOptions(cmd, streams)
	if err != nil {
		return nil, err
	}
	env := &respondEnv{cfg: cfg}
	topts.HTTPClient = hooks.httpClient
	if hooks.clientOpts != nil {
		hooks.clientOpts(&topts)
	}
	if env.client, err = twilio.New(topts); err != nil {
		return nil, err
	}
	o, err := respondOptions(cmd, streams, hooks, f, cfg, mode)
	if err != nil {
		return nil, err
	}
	if err := readRespondInputs(cmd, f, cfg, env, &o); err != nil {
		return nil, err
	}
	if o.Store, err = credentialSink(cmd, f, cfg, hooks); err != nil {
		return nil, err
	}
	if o.Journal, err = openRespondJournal(cmd, f, cfg, env, mode); err != nil {
		return nil, err
	}
	env.opts = o
	env.wrap = hooks.wrapDial
	return env, nil
}

// respondOptions turns flags and config into the playbook's options, each
// checked: steps, countries, daily limits, an API key that cannot rotate.
func respondOptions(cmd *cobra.Command, streams IO, hooks respondHooks, f *respondFlags, cfg *Config, mode string) (playbook.Options, error) {
	o := playbook.Options{
		Credential:        cfg.Credential,
		Only:              listOr(cmd, "only", f.only, cfg, "respond.only"),
		Skip:              listOr(cmd, "skip", f.skip, cfg, "respond.skip"),
		Accounts:          listOr(cmd, "accounts", f.accounts, cfg, "respond.accounts"),
		ForceCountries:    f.forceCountries,
		KeepKeys:          listOr(cmd, "keep-keys", f.keepKeys, cfg, "respond.keep-keys"),
		CallerIDAllowlist: listOr(cmd, "caller-id-allowlist", f.callerIDs, cfg, "respond.caller-id-allowlist"),
		SuspendAccounts:   listOr(cmd, "suspend-subaccounts", f.suspend, cfg, "respond.suspend-subaccounts"),
		SafeWebhookURL:    stringFlagOr(cmd, "safe-webhook-url", cfg.String("respond.safe-webhook-url")),
		EventSinkURL:      stringFlagOr(cmd, "event-sink-url", cfg.String("respond.event-sink-url")),
		TriggerCallback:   stringFlagOr(cmd, "trigger-callback-url", cfg.String("respond.trigger-callback-url")),
		Now:               streams.Now,
		Concurrency:       f.concurrency,
		AfterJournal:      hooks.afterJournal,
		RetryBackoff:      hooks.retryBackoff,
	}
	o.AllowCountriesFrom = listSource(cmd, "allow-countries", cfg, "respond.allow-countries")
	for _, s := range [][]string{o.Only, o.Skip} {
		if err := playbook.ValidateSteps(s); err != nil {
			return o, err
		}
	}
	var err error
	if o.AllowCountries, err = allowCountries(cmd, f, cfg); err != nil {
		return o, err
	}
	if cfg.Credential.KeySID != "" && mode != "report" && o.StepEnabled(playbook.StepRotateTokens) {
		return o, atoguard.Errorf(atoguard.EINVALID, "respond",
			"rotating an auth token needs the auth token, and TWILIO_API_KEY is set: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN instead (an API key cannot read subaccounts either), or --skip %s", playbook.StepRotateTokens)
	}
	o.DailyLimits, err = dailyLimits(listOr(cmd, "daily-limit", f.dailyLimits, cfg, "respond.daily-limit"))
	return o, err
}

// dailyLimits parses --daily-limit CATEGORY=VALUE items (nil when none).
func dailyLimits(lims []string) (map[string]float64, error) {
	if len(lims) == 0 {
		return nil, nil
	}
	out := map[string]float64{}
	for _, l := range lims {
		k, v, ok := strings.Cut(l, "=")
		n, err := strconv.ParseFloat(v, 64)
		if _, known := playbook.TriggerCategories()[k]; !ok || err != nil || !known || checkFloat("", "", n, math.SmallestNonzeroFloat64, 1e12, "") != nil {
			return nil, atoguard.Errorf(atoguard.EINVALID, "respond", "bad --daily-limit %q: want CATEGORY=VALUE with CATEGORY totalprice, sms or calls and VALUE a number greater than 0 (at most 1e12)", l)
		}
		out[k] = n
	}
	return out, nil
}

// readRespondInputs reads the files respond takes: the webhook snapshot,
// the exposure web report, the investigation, and the incident start.
func readRespondInputs(cmd *cobra.Command, f *respondFlags, cfg *Config, env *respondEnv, o *playbook.Options) error {
	if p := stringFlagOr(cmd, "webhook-snapshot", cfg.String("respond.webhook-snapshot")); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return atoguard.Errorf(atoguard.EINVALID, "respond", "reading the snapshot: %v", err)
		}
		if o.Snapshot, err = decodeSnapshot(data); err != nil {
			return atoguard.Errorf(atoguard.EINVALID, "respond", "%s is not an `investigate --snapshot` file: %v", p, err)
		}
	}
	var err error
	if env.web, err = webReportSummary("respond", f.webReport, os.ReadFile); err != nil {
		return err
	}
	if p := stringFlagOr(cmd, "investigation", cfg.String("respond.investigation")); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return atoguard.Errorf(atoguard.EINVALID, "respond", "reading the investigation: %v", err)
		}
		env.inv = &playbook.Investigation{}
		if err := json.Unmarshal(data, env.inv); err != nil {
			return atoguard.Errorf(atoguard.EINVALID, "respond", "%s is not `investigate --json` output: %v", p, err)
		}
		o.AttackerEvents = env.inv.AttackerEvents()
	}
	start, err := parseTimeFlag(stringFlagOr(cmd, "incident-start", cfg.String("respond.incident-start")))
	if err != nil {
		return err
	}
	if start.IsZero() {
		start = env.inv.FirstAttack()
	}
	o.IncidentStart = start
	return nil
}

// openRespondJournal resolves the journal and report paths and opens the
// journal: apply owns it (locked, appended); plan and report only read it.
func openRespondJournal(cmd *cobra.Command, f *respondFlags, cfg *Config, env *respondEnv, mode string) (*playbook.Journal, error) {
	env.journal = stringFlagOr(cmd, "journal", cfg.String("respond.journal"))
	if env.journal == "" {
		env.journal = "atoguard-respond.journal"
	}
	env.report = stringFlagOr(cmd, "report", cfg.String("respond.report"))
	if env.report == "" {
		env.report = filepath.Join(filepath.Dir(env.journal), "atoguard-incident")
	}
	if mode == "report" || f.resume {
		if _, err := os.Stat(env.journal); err != nil {
			return nil, atoguard.Errorf(atoguard.EINVALID, "respond", "no journal at %s to %s from (--journal)", env.journal, map[string]string{"report": "report", "apply": "resume"}[mode])
		}
	}
	if mode == "apply" {
		return playbook.OpenJournal(env.journal)
	}
	return playbook.ReadJournal(env.journal)
}

// allowCountries reads --allow-countries, else the config file's
// respond.allow-countries, through the validator audit uses too.
func allowCountries(cmd *cobra.Command, f *respondFlags, cfg *Config) ([]string, error) {
	setting := "--allow-countries"
	if fl := cmd.Flags().Lookup("allow-countries"); (fl == nil || !fl.Changed) && cfg.Exists("respond.allow-countries") {
		setting = "respond.allow-countries (config file)"
	}
	return detect.ParseCountries("respond", setting, listOr(cmd, "allow-countries", f.allowCountries, cfg, "respond.allow-countries"))
}

// credentialSink builds --credential-sink (nil when unset); a command sink
// gets --credential-sink-timeout.
func credentialSink(cmd *cobra.Command, f *respondFlags, cfg *Config, hooks respondHooks) (atoguard.CredentialStore, error) {
	spec := stringFlagOr(cmd, "credential-sink", cfg.String("respond.credential-sink"))
	if spec == "" {
		return nil, nil
	}
	s, err := credstore.Parse(spec, cfg.Credential.AccountSID)
	if err != nil {
		return nil, err
	}
	timeout, setting := f.sinkTimeout, "--credential-sink-timeout"
	if fl := cmd.Flags().Lookup("credential-sink-timeout"); (fl == nil || !fl.Changed) && cfg.Exists("respond.credential-sink-timeout") {
		setting = "respond.credential-sink-timeout"
		if timeout, err = time.ParseDuration(cfg.String(setting)); err != nil {
			timeout = -1
		}
	}
	if timeout < 100*time.Millisecond || timeout > time.Hour {
		return nil, atoguard.Errorf(atoguard.EINVALID, "respond", "%s %s: want a duration from 100ms to 1h (e.g. 30s, 2m)", setting, stringFlagOr(cmd, "credential-sink-timeout", cfg.String(setting)))
	}
	if c, ok := s.(*credstore.Command); ok {
		c.Timeout = timeout
	}
	if hooks.wrapStore != nil {
		s = hooks.wrapStore(s)
	}
	return s, nil
}

func runRespond(cmd *cobra.Command, streams IO, hooks respondHooks, f *respondFlags, mode string) error {
	op := "respond " + mode
	ctx, cancel, err := withTimeout(cmd.Context(), op, f.timeout)
	if err != nil {
		return err
	}
	defer cancel()
	err = runRespondMode(ctx, cmd, streams, hooks, f, mode)
	next := map[string]string{
		"plan":   "no plan",
		"report": "the report above comes from the journal alone, checklist unverified",
		"apply": "the journal records what was done and every account keeps a working credential " +
			"(a new token reaches the credential sink before it is promoted); run `atoguard respond apply --resume` to finish",
	}[mode]
	return explainTimeout(ctx, op, f.timeout, err, next)
}

func runRespondMode(ctx context.Context, cmd *cobra.Command, streams IO, hooks respondHooks, f *respondFlags, mode string) error {
	env, err := buildRespondEnv(cmd, streams, hooks, f, mode)
	if err != nil {
		return err
	}
	if env.opts.Journal != nil {
		defer env.opts.Journal.Close()
	}
	if mode != "apply" {
		if err := useRotatedCredential(ctx, env, streams.Err); err != nil {
			return err
		}
	}
	dial := playbook.DialAs(env.client)
	if env.wrap != nil {
		dial = env.wrap(dial)
	}
	switch mode {
	case "plan":
		p, err := playbook.MakePlan(ctx, dial, env.opts)
		if err != nil {
			return err
		}
		if f.json {
			return writeJSON(streams.Out, p)
		}
		return report.PlanText(streams.Out, p, applyCommand(cmd))
	case "report":
		res, err := playbook.Review(ctx, dial, env.opts)
		if err != nil {
			// The journal alone still makes a report; only the checklist's
			// verification needs Twilio.
			what := "Twilio unreachable"
			if twilio.IsUnauthorized(err) {
				what = "Twilio rejected the credential"
			}
			fmt.Fprintf(streams.Err, "atoguard: %s (%v); the report comes from the journal alone, checklist unverified\n", what, err)
			res = playbook.FromJournal(env.opts)
		}
		inc := buildIncident(res, env, streams.Now())
		write := report.IncidentMarkdown
		if f.json {
			write = report.IncidentJSON
		}
		if werr := write(streams.Out, inc); werr != nil {
			return werr
		}
		return ctx.Err() // a timed-out review is incomplete: runRespond says so
	}
	return runApply(ctx, streams, env, f, dial)
}

func runApply(ctx context.Context, streams IO, env *respondEnv, f *respondFlags, dial playbook.Dial) error {
	if id, ended := env.opts.Journal.LastRun(); id != "" && !ended {
		fmt.Fprintf(streams.Err, "The journal %s shows run %s did not finish; this run checks live state and completes it.\n", env.journal, id)
	}
	if !f.yes {
		p, err := playbook.MakePlan(ctx, dial, env.opts)
		if err != nil {
			return err
		}
		if err := report.PlanText(streams.Err, p, ""); err != nil {
			return err
		}
		if p.Changes() == 0 {
			fmt.Fprintln(streams.Err, "Nothing to change.")
		}
		fmt.Fprintf(streams.Err, "\nApply %d changes to %d accounts? Type yes to continue: ", p.Changes(), len(p.Accounts))
		line, _ := bufio.NewReader(streams.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "yes" && a != "y" {
			return atoguard.Errorf(atoguard.EINVALID, "respond.apply", "not confirmed; nothing changed (use --yes for automation)")
		}
	}
	opts := env.opts
	opts.Progress = func(a atoguard.Action) {
		if a.Status == atoguard.ActionSkipped {
			return
		}
		line := fmt.Sprintf("  %-7s %s %s: %s", a.Status, a.AccountSID, a.Step, a.Summary)
		if a.Error != "" {
			line += " — " + a.Error
		}
		fmt.Fprintln(streams.Err, atoguard.Printable(line))
	}
	res, applyErr := playbook.Apply(ctx, dial, opts)
	if res == nil {
		return applyErr
	}
	inc := buildIncident(res, env, streams.Now())
	md, js := env.report+".md", env.report+".json"
	if err := writeReportFiles(inc, md, js); err != nil {
		return err
	}
	if f.json {
		if err := writeJSON(streams.Out, applySummary{Run: res.Run, Changed: res.Changed(), Failed: len(res.Failures),
			Credentials: res.Credentials, Checklist: res.Checklist, Report: md, ReportJSON: js, Journal: env.journal}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(streams.Out, "Applied %d changes across %d accounts; %d failed.\n", res.Changed(), len(res.Accounts), len(res.Failures))
		for _, c := range res.Credentials {
			fmt.Fprintf(streams.Out, "  new token for %s in %s:%s (fingerprint %s, verified %v)\n", c.AccountSID, c.StoreKind, atoguard.Printable(c.Location), c.Fingerprint, c.Verified)
			if c.AccountSID == env.opts.Credential.AccountSID && env.opts.Credential.KeySID == "" {
				fmt.Fprintf(streams.Out, "  the configured auth token no longer works: update TWILIO_AUTH_TOKEN to the new one (plan and report read it from %s:%s until then)\n", c.StoreKind, atoguard.Printable(c.Location))
			}
		}
		open := 0
		for _, c := range res.Checklist {
			if c.Status != atoguard.CheckVerified {
				open++
			}
		}
		fmt.Fprintf(streams.Out, "Checklist: %d items still need a person.\nIncident report: %s (JSON: %s)\nJournal: %s\n", open, md, js, env.journal)
	}
	return applyErr
}

type applySummary struct {
	Run         string                      `json:"run"`
	Changed     int                         `json:"changed"`
	Failed      int                         `json:"failed"`
	Credentials []atoguard.CredentialRecord `json:"credentials"`
	Checklist   []atoguard.ChecklistItem    `json:"checklist"`
	Report      string                      `json:"report"`
	ReportJSON  string                      `json:"report_json"`
	Journal     string                      `json:"journal"`
}

func writeReportFiles(inc atoguard.Incident, md, js string) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer, atoguard.Incident) error
	}{{md, report.IncidentMarkdown}, {js, report.IncidentJSON}} {
		fh, err := os.OpenFile(out.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return atoguard.Errorf(atoguard.EINTERNAL, "respond.report", "%v", err)
		}
		if err := out.write(fh, inc); err != nil {
			fh.Close()
			return err
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	return nil
}

// buildIncident is the incident of a response, with its summary.
func buildIncident(res *playbook.Result, env *respondEnv, now time.Time) atoguard.Incident {
	inc := playbook.Incident(res, env.opts.IncidentStart, env.inv, env.web, now)
	inc.Summary = report.IncidentSummary(inc)
	return inc
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// decodeSnapshot reads `investigate --snapshot` output ({"accounts": […]})
// or a bare list of configurations.
func decodeSnapshot(data []byte) ([]atoguard.Configuration, error) {
	var wrapped struct {
		Accounts []atoguard.Configuration `json:"accounts"`
	}
	if err := json.Unmarshal(data, &wrapped); err == nil && wrapped.Accounts != nil {
		return wrapped.Accounts, nil
	}
	var list []atoguard.Configuration
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	return list, nil
}
