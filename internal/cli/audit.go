package cli

import (
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/audit"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/twilio"
	"github.com/spf13/cobra"
)

type auditOptions struct {
	accounts, allowHosts, allowCountries, callerIDs []string
	lookback, maxKeyAge                             string
	minDays, maxKeys, concurrency                   int
	jsonOut, quiet                                  bool
	format, apiURL, failOn, webReport               string
	timeout                                         time.Duration
}

func newAuditCommand(streams IO) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read-only posture check: score, findings and the respond step that fixes each",
		Long: `audit reads the configuration of the main account and every subaccount and
checks it against Twilio's account-takeover guidance (next steps 5, 7, 9 and 10):
webhook hosts (plain HTTP, IP literals, tunnels, hosts outside your domains),
Voice and SMS geo permissions (countries you do not use, high-risk numbers,
subaccounts that stopped inheriting Voice permissions), daily usage triggers,
API key age and count, caller IDs, and an Event Streams sink. It changes nothing.

Expected countries default to those each account reached on at least
--min-days distinct days of the last --lookback (plus the countries of its own
numbers; a main account also allows its subaccounts'). Give --allow-countries
to skip reading the traffic.

Exit status: 0 no finding of medium severity or worse (--fail-on), 1 otherwise, 2 error.`,
		Example: `  atoguard audit
  atoguard audit --allow-countries US,CA --allow-webhook-hosts example.com --json
  atoguard audit --format markdown > posture.md`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, streams, o) },
	}
	f := cmd.Flags()
	addExitCodeFlag(cmd)
	f.StringSliceVar(&o.accounts, "accounts", nil, "audit only these account SIDs (default: main account and every subaccount)")
	f.StringSliceVar(&o.allowHosts, "allow-webhook-hosts", nil, "your webhook hosts or domains (example.com allows its subdomains; default: each account's majority registrable domain)")
	f.StringSliceVar(&o.allowCountries, "allow-countries", nil, "ISO country codes Voice and SMS may reach (default: countries of recent traffic, see --min-days)")
	f.IntVar(&o.minDays, "min-days", audit.DefaultMinDays, "distinct days of traffic that make a country expected (without --allow-countries)")
	f.StringVar(&o.lookback, "lookback", "30d", "traffic window read for the expected countries")
	f.StringVar(&o.maxKeyAge, "max-key-age", "90d", "oldest acceptable API key")
	f.IntVar(&o.maxKeys, "max-keys", audit.DefaultMaxKeys, "most API keys an account should have")
	f.StringSliceVar(&o.callerIDs, "caller-id-allowlist", nil, "caller IDs to keep, E.164 or PN SID (default: no caller ID check)")
	f.BoolVar(&o.jsonOut, "json", false, "JSON output (same as --format json)")
	f.StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	f.StringVar(&o.apiURL, "twilio-api-url", "", "Twilio API base `URL`: the emulator's URL, or a Twilio-style host (https://api.twilio.com, *.twilio.com, api.*); default the real Twilio (config twilio-api-url, env ATOGUARD_TWILIO_API_URL)")
	f.IntVar(&o.concurrency, "concurrency", 4, "accounts read at once")
	f.BoolVar(&o.quiet, "quiet", false, "no progress or notes on stderr")
	f.StringVar(&o.webReport, "web-report", "", "`FILE` with the JSON of a previous atoguard exposure web run, summarised in the audit")
	f.StringVar(&o.failOn, "fail-on", "medium", "lowest severity that makes the exit status 1: low, medium, high or critical")
	addTimeoutFlag(f, &o.timeout)
	return cmd
}

// auditLimits are audit's parsed flag values.
type auditLimits struct {
	failOn   atoguard.Severity
	lookback time.Duration
	maxAge   time.Duration
}

// checkAuditFlags validates every flag before anything is read, so a bad
// value is a usage error naming the flag and what it accepts.
func checkAuditFlags(o *auditOptions) (auditLimits, error) {
	var l auditLimits
	l.failOn = atoguard.Severity(strings.ToLower(o.failOn))
	if l.failOn.Rank() == 0 {
		return l, atoguard.Errorf(atoguard.EINVALID, "audit", "--fail-on %q: want low, medium, high or critical", o.failOn)
	}
	var err error
	if l.lookback, err = parseInvDuration(o.lookback); err != nil || l.lookback <= 0 {
		return l, atoguard.Errorf(atoguard.EINVALID, "audit", "--lookback %q: want a duration (30d, 2w, 72h)", o.lookback)
	}
	if l.maxAge, err = parseKeyAge(o.maxKeyAge); err != nil {
		return l, atoguard.Errorf(atoguard.EINVALID, "audit", "--max-key-age %q: want a duration (90d, 12w)", o.maxKeyAge)
	}
	if err := checkInt("audit", "--min-days", o.minDays, 1, 400); err != nil {
		return l, err
	}
	if err := checkInt("audit", "--max-keys", o.maxKeys, 0, 1_000_000); err != nil {
		return l, err
	}
	if err := checkConcurrency("audit", o.concurrency); err != nil {
		return l, err
	}
	for _, sid := range o.accounts {
		if len(sid) != 34 || !strings.HasPrefix(sid, "AC") {
			return l, atoguard.Errorf(atoguard.EINVALID, "audit", "--accounts %q is not an Account SID (AC + 32 hex digits)", sid)
		}
	}
	o.allowCountries, err = detect.ParseCountries("audit", "--allow-countries", o.allowCountries)
	return l, err
}

func runAudit(cmd *cobra.Command, streams IO, o *auditOptions) error {
	format, err := documentFormat("audit", o.format, o.jsonOut)
	if err != nil {
		return err
	}
	lim, err := checkAuditFlags(o)
	if err != nil {
		return err
	}
	ctx, cancel, err := withTimeout(cmd.Context(), "audit", o.timeout)
	if err != nil {
		return err
	}
	defer cancel()
	web, err := webReportSummary("audit", o.webReport, os.ReadFile)
	if err != nil {
		return err
	}
	_, topts, err := twilioOptions(cmd, streams)
	if err != nil {
		return err
	}
	client, err := twilio.New(topts)
	if err != nil {
		return err
	}
	now := streams.Now().UTC()
	accounts, err := collectAudit(ctx, streams, client, o, now.Add(-lim.lookback), now)
	if err != nil {
		return err
	}
	res := audit.Run(accounts, audit.Options{Now: now, AllowWebhookHosts: o.allowHosts, AllowCountries: o.allowCountries,
		MinDays: o.minDays, MaxKeyAge: lim.maxAge, MaxKeys: o.maxKeys, CallerIDAllowlist: o.callerIDs})
	res.Web = web
	if err := writeAudit(streams, format, res); err != nil {
		return err
	}
	if !o.quiet && format != "text" {
		fmt.Fprintf(streams.Err, "atoguard: posture score %d/100 (%s)\n", res.Score, report.AuditGrade(res.Score))
	}
	if res.Worst().Rank() >= lim.failOn.Rank() {
		return ErrFindings
	}
	return nil
}

// collectAudit reads what the checks need: investigate's collection (with
// traffic only when the allowlist comes from it) and audit's extras.
func collectAudit(ctx context.Context, streams IO, client *twilio.Client, o *auditOptions, since, now time.Time) ([]audit.Account, error) {
	traffic := len(o.allowCountries) == 0
	progress := newInvProgress(streams, o.quiet)
	ds, err := investigate.Collect(ctx, auditSource{twilioSource{client}, traffic},
		investigate.Options{Accounts: o.accounts, Since: since, Until: now, Concurrency: o.concurrency, Progress: progress.update})
	progress.done()
	if err != nil {
		return nil, explainTimeout(ctx, "audit", o.timeout, err, "no audit")
	}
	accounts := make([]audit.Account, len(ds.Accounts))
	for i, ad := range ds.Accounts {
		accounts[i] = audit.Account{Account: ad.Account, Config: ad.Config, Error: ad.Error}
		if traffic {
			accounts[i].Destinations = audit.Destinations(ad.Messages, ad.Calls, since)
		}
	}
	audit.Extras(ctx, client, accounts, o.concurrency)
	if err := explainTimeout(ctx, "audit", o.timeout, ctx.Err(), "no audit"); err != nil {
		return nil, err
	}
	return accounts, nil
}

func writeAudit(streams IO, format string, res audit.Result) error {
	switch format {
	case "json":
		return report.AuditJSON(streams.Out, res)
	case "markdown":
		return report.AuditMarkdown(streams.Out, res)
	}
	return report.AuditText(streams.Out, res, report.AuditTextOptions{Color: streams.IsTerminal && colorOK(streams)})
}

// parseKeyAge reads a key-age policy: days (90d), weeks (12w) or a Go
// duration; unlike a traffic window it may span years.
func parseKeyAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 100*365 {
			return 0, fmt.Errorf("bad key age %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		weeks, err := strconv.Atoi(n)
		if err != nil || weeks <= 0 || weeks > 100*52 {
			return 0, fmt.Errorf("bad key age %q", s)
		}
		return time.Duration(weeks) * 7 * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad key age %q", s)
	}
	return d, nil
}

// auditSource reads only what the audit uses: configuration always, and
// outbound traffic when the expected countries must be learnt from it.
type auditSource struct {
	investigate.Source
	traffic bool
}

func (s auditSource) Account(ctx context.Context, a atoguard.Account) (investigate.AccountSource, error) {
	as, err := s.Source.Account(ctx, a)
	if err != nil {
		return nil, err
	}
	return auditAccount{as, s.traffic}, nil
}

type auditAccount struct {
	investigate.AccountSource
	traffic bool
}

func (a auditAccount) Messages(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Message, error] {
	if !a.traffic {
		return noneSeq[atoguard.Message]()
	}
	return a.AccountSource.Messages(ctx, since, until)
}

func (a auditAccount) Calls(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Call, error] {
	if !a.traffic {
		return noneSeq[atoguard.Call]()
	}
	return a.AccountSource.Calls(ctx, since, until)
}

func (auditAccount) Usage(context.Context, time.Time, time.Time) iter.Seq2[atoguard.UsageRecord, error] {
	return noneSeq[atoguard.UsageRecord]()
}

func (auditAccount) Events(context.Context, time.Time, time.Time) iter.Seq2[atoguard.Event, error] {
	return noneSeq[atoguard.Event]()
}

func noneSeq[T any]() iter.Seq2[T, error] { return func(func(T, error) bool) {} }
