package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/twilio"
	"github.com/spf13/cobra"
)

type investigateOptions struct {
	since, until        string
	baseline            string
	accounts            []string
	snapshot, against   string
	jsonOut             bool
	format              string
	apiURL              string
	concurrency         int
	quiet               bool
	timezone            string
	minHourly, minDaily float64
	timeout             time.Duration
	respondJournal      string
	// clientOpts is a test seam no flag reaches (fault tests drop retries).
	clientOpts func(*twilio.Options)
}

func newInvestigateCommand(streams IO) *cobra.Command {
	return newInvestigateCommandWith(streams, &investigateOptions{})
}

func newInvestigateCommandWith(streams IO, o *investigateOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "investigate",
		Short: "Tell whether the Twilio account was taken over: verdict, signals with evidence, timeline",
		Long: `investigate pulls messages, calls, daily usage, Monitor events and the
security-relevant configuration of the main account and every subaccount,
compares the window (--since) with a baseline before it (--baseline) and
answers with a verdict (compromised, likely, suspicious, clean), the signals
that carried it with their evidence, and a timeline with attacker actions first.

Missing data is never clean: when part of it could not be read (the
"incomplete" list names the account and what), a verdict that would be clean
is "incomplete" and the exit status 2.

Exit status: 0 clean, 1 suspicious or worse, 2 error or incomplete.`,
		Example: `  atoguard investigate
  atoguard investigate --since 48h --json
  atoguard investigate --account AC… --format markdown > ticket.md
  atoguard investigate --snapshot known-good.json      # save the configuration
  atoguard investigate --against known-good.json       # diff against it`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInvestigate(cmd, streams, o) },
	}
	f := cmd.Flags()
	addExitCodeFlag(cmd)
	f.StringVar(&o.since, "since", "7d", "start of the investigated window: a duration back from --until (7d, 48h, 2w) or a date (2026-11-01, RFC 3339)")
	f.StringVar(&o.until, "until", "", "end of the investigated window (default now): a duration back from now or a date, for looking at a past incident")
	f.StringVar(&o.baseline, "baseline", "30d", "length of the baseline window before --since")
	f.StringArrayVar(&o.accounts, "account", nil, "investigate only this account SID (repeatable; default: main account and every subaccount)")
	f.StringVar(&o.respondJournal, "respond-journal", "", "respond's journal: the changes atoguard respond made are shown as its own, never as attacker evidence (default ./"+defaultRespondJournal+" when it exists and is a journal)")
	f.StringVar(&o.snapshot, "snapshot", "", "save the present configuration to FILE as the known-good snapshot")
	f.StringVar(&o.against, "against", "", "compare the present configuration with the known-good snapshot in FILE")
	f.BoolVar(&o.jsonOut, "json", false, "JSON output (same as --format json)")
	f.StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	f.StringVar(&o.apiURL, "twilio-api-url", "", "Twilio API base `URL`: the emulator's URL, or a Twilio-style host (https://api.twilio.com, *.twilio.com, api.*); default the real Twilio (config twilio-api-url, env ATOGUARD_TWILIO_API_URL)")
	f.IntVar(&o.concurrency, "concurrency", 4, "accounts collected at once")
	f.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	f.StringVar(&o.timezone, "timezone", "UTC", "time zone of the business's day and week, for hour-of-week seasonality (IANA name)")
	f.Float64Var(&o.minHourly, "min-hourly-volume", 0, "smallest hourly message count that can be a spike (default 40)")
	f.Float64Var(&o.minDaily, "min-daily-volume", 0, "smallest daily message count that can be a spike (default 150)")
	addTimeoutFlag(f, &o.timeout)
	return cmd
}

// invInputs are investigate's parsed flags and files.
type invInputs struct {
	since, now time.Time
	baseLen    time.Duration
	loc        *time.Location
	known      *investigate.Snapshot
	journal    *playbook.Journal // respond's, whose own changes are not attacker evidence
}

// checkInvFlags validates every flag and reads --against before anything
// is sent, so a bad value is a usage error naming the flag.
func checkInvFlags(o *investigateOptions, now time.Time) (invInputs, error) {
	var in invInputs
	var err error
	if in.since, in.now, err = invWindow(o.since, o.until, now); err != nil {
		return in, err
	}
	if in.baseLen, err = parseInvDuration(o.baseline); err != nil {
		return in, atoguard.Errorf(atoguard.EINVALID, "investigate", "--baseline: %v", err)
	}
	if in.loc, err = time.LoadLocation(o.timezone); err != nil {
		return in, atoguard.Errorf(atoguard.EINVALID, "investigate", "--timezone: %v", err)
	}
	if err := checkInvNumbers(o); err != nil {
		return in, err
	}
	for _, sid := range o.accounts {
		if len(sid) != 34 || !strings.HasPrefix(sid, "AC") {
			return in, atoguard.Errorf(atoguard.EINVALID, "investigate", "--account %q is not an Account SID (AC + 32 hex digits)", sid)
		}
	}
	if o.against != "" {
		s, err := readInvSnapshot(o.against)
		if err != nil {
			return in, err
		}
		in.known = &s
	}
	in.journal, err = readRespondJournal(o.respondJournal)
	return in, err
}

func runInvestigate(cmd *cobra.Command, streams IO, o *investigateOptions) error {
	format, err := documentFormat("investigate", o.format, o.jsonOut)
	if err != nil {
		return err
	}
	in, err := checkInvFlags(o, streams.Now().UTC())
	if err != nil {
		return err
	}
	ctx, cancel, err := withTimeout(cmd.Context(), "investigate", o.timeout)
	if err != nil {
		return err
	}
	defer cancel()
	_, topts, err := twilioOptions(cmd, streams)
	if err != nil {
		return err
	}
	if o.clientOpts != nil {
		o.clientOpts(&topts)
	}
	client, err := twilio.New(topts)
	if err != nil {
		return err
	}
	ds, err := collectInvestigation(ctx, streams, client, o, in)
	if err != nil {
		return err
	}
	useJournal(ds, in.journal, topts.Credential)
	res := detect.Run(ds, detect.Options{Location: in.loc, Phisher: detect.NewPhisher(phish.New(phish.Options{})),
		MinHourlyVolume: o.minHourly, MinDailyVolume: o.minDaily})
	inv := report.Investigation{Result: res, Since: ds.Since, Until: ds.Until, BaselineSince: ds.BaselineSince}
	if err := writeInvestigation(streams, format, inv); err != nil {
		return err
	}
	switch res.Verdict {
	case atoguard.VerdictClean:
		return nil
	case atoguard.VerdictIncomplete:
		// Missing data is never clean: the document above says what was
		// read; the status says the answer is not complete.
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "investigate",
			"verdict incomplete, not clean: could not read %s (see each account's error)", strings.Join(res.Incomplete, "; "))
	}
	return ErrFindings
}

// collectInvestigation reads the accounts, applies --against and saves
// --snapshot.
func collectInvestigation(ctx context.Context, streams IO, client *twilio.Client, o *investigateOptions, in invInputs) (*detect.Dataset, error) {
	opts := investigate.Options{Accounts: o.accounts, Since: in.since, Until: in.now, BaselineSince: in.since.Add(-in.baseLen),
		Concurrency: o.concurrency}
	progress := newInvProgress(streams, o.quiet)
	opts.Progress = progress.update
	ds, err := investigate.Collect(ctx, twilioSource{client}, opts)
	progress.done()
	if err != nil {
		return nil, explainTimeout(ctx, "investigate", o.timeout, err, "no verdict")
	}
	if in.known != nil {
		if err := in.known.Apply(ds); err != nil {
			return nil, err
		}
	}
	if o.snapshot != "" {
		if err := writeInvSnapshot(o.snapshot, investigate.NewSnapshot(ds)); err != nil {
			return nil, err
		}
		if !o.quiet {
			fmt.Fprintf(streams.Err, "atoguard: known-good configuration of %d account(s) saved to %s\n", len(ds.Accounts), o.snapshot)
		}
	}
	return ds, nil
}

func writeInvestigation(streams IO, format string, inv report.Investigation) error {
	switch format {
	case "json":
		return report.WriteInvestigationJSON(streams.Out, inv)
	case "markdown":
		return report.InvestigationMarkdown(streams.Out, inv)
	}
	return report.InvestigationText(streams.Out, inv, report.Options{Color: streams.IsTerminal && colorOK(streams)})
}

// checkInvNumbers validates investigate's numeric flags; 0 keeps a volume
// guard at detection's default.
func checkInvNumbers(o *investigateOptions) error {
	if err := checkConcurrency("investigate", o.concurrency); err != nil {
		return err
	}
	if err := checkFloat("investigate", "--min-hourly-volume", o.minHourly, 0, 1e9, "a number from 0 (the default, 40) to 1e9"); err != nil {
		return err
	}
	return checkFloat("investigate", "--min-daily-volume", o.minDaily, 0, 1e9, "a number from 0 (the default, 150) to 1e9")
}

// invWindow reads --since and --until: each a duration back (--since from
// --until, --until from now) or a date; the window ends by now and starts
// before it ends.
func invWindow(since, until string, now time.Time) (time.Time, time.Time, error) {
	end := now
	if until != "" {
		u, err := parseInvSince(until, now)
		if err != nil {
			return time.Time{}, time.Time{}, atoguard.Errorf(atoguard.EINVALID, "investigate", "--until %v", err)
		}
		if u.After(now) {
			return time.Time{}, time.Time{}, atoguard.Errorf(atoguard.EINVALID, "investigate",
				"--until %s is in the future (now is %s): the window must end by now", until, now.Format(time.RFC3339))
		}
		end = u
	}
	start, err := parseInvSince(since, end)
	if err != nil {
		return time.Time{}, time.Time{}, atoguard.Errorf(atoguard.EINVALID, "investigate", "--since %v", err)
	}
	if !start.Before(end) {
		if until != "" {
			return time.Time{}, time.Time{}, atoguard.Errorf(atoguard.EINVALID, "investigate",
				"--since %s is not before --until %s: the window would be empty", since, until)
		}
		return time.Time{}, time.Time{}, atoguard.Errorf(atoguard.EINVALID, "investigate", "--since %s is not in the past", since)
	}
	return start, end, nil
}

// parseInvSince reads a duration back from ref or an absolute date; the
// caller names the flag and checks the order.
func parseInvSince(s string, ref time.Time) (time.Time, error) {
	if d, err := parseInvDuration(s); err == nil {
		return ref.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want a duration (7d, 48h, 2w) or a date (2026-11-01)", s)
}

// parseDuration extends time.ParseDuration with days (d) and weeks (w).
func parseInvDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var d time.Duration
	switch unit := s[len(s)-1]; unit {
	case 'd', 'w':
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		d = time.Duration(n * float64(day))
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("bad duration %q (use 7d, 48h, 2w, 90m)", s)
		}
	}
	if d <= 0 || d > 400*24*time.Hour {
		return 0, fmt.Errorf("duration %q out of range (up to 400d)", s)
	}
	return d, nil
}

func readInvSnapshot(path string) (investigate.Snapshot, error) {
	var s investigate.Snapshot
	data, err := os.ReadFile(path)
	if err != nil {
		return s, atoguard.Errorf(atoguard.EINVALID, "investigate.against", "%v", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, atoguard.Errorf(atoguard.EINVALID, "investigate.against", "%s is not a snapshot: %v", path, err)
	}
	return s, nil
}

// writeSnapshot writes atomically (temp file + rename) so an interrupted
// run never leaves half a known-good file.
func writeInvSnapshot(path string, s investigate.Snapshot) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return atoguard.Errorf(atoguard.EINVALID, "investigate.snapshot", "%v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return atoguard.Errorf(atoguard.EINVALID, "investigate.snapshot", "%v", err)
	}
	return nil
}

// progress prints collection progress on a terminal, at most a few times a
// second, on one line of stderr.
type invProgress struct {
	mu      sync.Mutex
	on      bool
	streams IO
	last    time.Time
	printed bool
}

func newInvProgress(streams IO, quiet bool) *invProgress {
	return &invProgress{on: streams.IsTerminal && !quiet, streams: streams}
}

func (p *invProgress) update(pr investigate.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond && pr.AccountsDone < pr.AccountsTotal {
		return
	}
	p.last = now
	p.printed = true
	fmt.Fprintf(p.streams.Err, "\r\x1b[Kcollecting: %d/%d accounts, %d records", pr.AccountsDone, pr.AccountsTotal, pr.Records)
}

func (p *invProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printed {
		fmt.Fprint(p.streams.Err, "\r\x1b[K")
	}
}
