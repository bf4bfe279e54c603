package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/scan/source"
	"github.com/atoguard/atoguard/scan/verify"
	"github.com/atoguard/atoguard/twilio"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// scanOptions are the flags of `atoguard scan`.
type scanOptions struct {
	paths               []string
	history             bool
	sinceCommit         string
	staged              bool
	noIgnore            bool
	includePlaceholders bool
	format              string
	json                bool
	output              string
	baseline            string
	verify              bool
	verifyConcurrency   int
	twilioAPIURL        string
	quiet               bool
	failOnSkip          bool
}

func newScanCommand(streams IO) *cobra.Command {
	opts := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Find leaked Twilio credentials in files, archives, stdin, git history or staged changes",
		Long: `scan looks for Twilio auth tokens (with their Account SID), API keys and
secrets, bare Account SIDs and SendGrid API keys.

PATH is a file, a directory (walked, honouring .gitignore unless --no-ignore),
an archive (zip, tar, tar.gz; nested archives are expanded) or "-" for stdin.
Without PATH the current directory is scanned. .atoguardignore files (gitignore
syntax) are always honoured and an "atoguard:allow" comment on a line
suppresses a finding there.

Secrets are never printed: a fixed mask and a short fingerprint identify them.

Directories more than 256 levels below a PATH are not descended. What is
not read in full (unreadable files, directories past that depth, archive
content cut by the zip-bomb limits, corrupt or truncated archives, git
objects that cannot be read) gets a warning, is counted in the summary and
listed in JSON ("skipped") and SARIF (toolExecutionNotifications).

Exit status: 0 nothing found, 1 findings (or, with --fail-on-skip, anything
not read in full), 2 error.`,
		Example: `  atoguard scan examples/leaky-repo
  atoguard scan --history .                  # every blob in every branch, with the commit that introduced it
  atoguard scan --history --since-commit origin/main .  # CI: only what this branch adds
  atoguard scan --staged                     # pre-commit: only what is about to be committed
  cat app.log | atoguard scan -
  atoguard scan --json --output report.json .
  atoguard scan --baseline report.json .     # report only new findings
  atoguard scan --verify examples/leaky-repo # ask Twilio whether each credential still works`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			return runScan(cmd.Context(), cmd, streams, opts)
		},
	}
	f := cmd.Flags()
	addExitCodeFlag(cmd)
	f.BoolVar(&opts.history, "history", false, "scan the full git history of each PATH (a repository or a directory in one): every unique blob reachable from any ref, once")
	f.StringVar(&opts.sinceCommit, "since-commit", "", "with --history, scan only the commits HEAD has and `REV` has not (a pull request's own: origin/main)")
	f.BoolVar(&opts.staged, "staged", false, "scan only the changes staged in git's index (for a pre-commit hook)")
	f.BoolVar(&opts.noIgnore, "no-ignore", false, "scan files that .gitignore excludes (.atoguardignore still applies)")
	f.BoolVar(&opts.includePlaceholders, "include-placeholders", false, "also report placeholders and documented example credentials")
	f.StringVar(&opts.format, "format", "text", "output format: text, json or sarif")
	f.BoolVar(&opts.json, "json", false, "shorthand for --format json")
	f.StringVarP(&opts.output, "output", "o", "", "write the report to `FILE` instead of stdout (\"-\" is stdout)")
	f.StringVar(&opts.baseline, "baseline", "", "a previous JSON report (`FILE`); findings already in it are not reported again")
	f.BoolVar(&opts.verify, "verify", false, "check each distinct credential with one read-only Twilio API request: live, revoked or unknown")
	f.IntVar(&opts.verifyConcurrency, "verify-concurrency", 4, "verification requests in flight")
	f.StringVar(&opts.twilioAPIURL, "twilio-api-url", "", "Twilio API base `URL` for --verify: a Twilio-style host (https://api.twilio.com, *.twilio.com, api.*) or the emulator's URL (default https://api.twilio.com; config twilio-api-url, env ATOGUARD_TWILIO_API_URL)")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "no progress bar, no warnings, no summary on stderr")
	f.BoolVar(&opts.failOnSkip, "fail-on-skip", false, "exit 1 when anything was not read in full (unreadable, too deep, cut by archive limits, corrupt), even without findings")
	return cmd
}

func invalid(format string, args ...any) error {
	return atoguard.Errorf(atoguard.EINVALID, "scan", format, args...)
}

// skipCounter is implemented by sources that leave binary items out before
// the engine sees them; what they skip for other reasons is a warning.
type skipCounter interface{ Binary() int64 }

func runScan(ctx context.Context, cmd *cobra.Command, streams IO, opts *scanOptions) error {
	if opts.output == "-" {
		opts.output = "" // "-o -" is stdout, as "-" is stdin for PATH
	}
	format, err := report.ParseFormat(opts.format)
	if err != nil {
		// Name the flag, not the parser ("report.ParseFormat: …").
		return invalid("--format: unknown format %q (want text, json or sarif)", opts.format)
	}
	if opts.json {
		if cmd.Flags().Changed("format") && format != report.FormatJSON {
			return invalid("--json conflicts with --format %s", opts.format)
		}
		format = report.FormatJSON
	}
	if opts.history && opts.staged {
		return invalid("--history and --staged cannot be combined")
	}
	if opts.sinceCommit != "" && !opts.history {
		return invalid("--since-commit needs --history")
	}
	if opts.verifyConcurrency < 1 {
		return invalid("--verify-concurrency must be at least 1")
	}
	paths := opts.paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if opts.staged && len(paths) > 1 {
		return invalid("--staged takes at most one repository PATH")
	}
	stdinCount := 0
	for _, p := range paths {
		if p == "-" {
			stdinCount++
		}
	}
	if stdinCount > 0 && (opts.history || opts.staged) {
		return invalid(`"-" (stdin) cannot be combined with --history or --staged`)
	}
	if stdinCount > 1 {
		return invalid(`"-" (stdin) given more than once`)
	}

	for _, p := range paths {
		if p == "-" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return invalid("%v", unwrapPath(err))
		}
	}

	var baseline []atoguard.Finding
	if opts.baseline != "" {
		f, err := os.Open(opts.baseline)
		if err != nil {
			return invalid("--baseline: %v", unwrapPath(err))
		}
		baseline, err = report.ReadJSON(f)
		f.Close()
		if err != nil {
			return invalid("--baseline %s: %v", opts.baseline, err)
		}
	}

	var fetcher verify.Fetcher
	if opts.verify {
		cfg, err := loadConfig(cmd, streams)
		if err != nil {
			return err
		}
		fetcher, err = newVerifyFetcher(stringFlagOr(cmd, "twilio-api-url", cfg.TwilioAPIURL))
		if err != nil {
			return err
		}
	}

	warn := newWarnPrinter(streams.Err, opts.quiet)
	src, counters := scanSource(streams, opts, paths, warn.source)

	eopts := scan.Options{IncludePlaceholders: opts.includePlaceholders, Warn: warn.warn}
	items := "files"
	if opts.history || opts.staged {
		items = "blobs"
	}
	bar := newProgress(streams, opts.quiet, items)
	if bar != nil {
		eopts.Progress = bar.update
		warn.clear = func() { _ = bar.bar.Clear() } // a warning gets its own line
	}
	res, err := scan.New(eopts).Scan(ctx, src)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return &atoguard.Error{Code: atoguard.CodeOf(err), Op: "scan", Err: err}
	}
	var binary int64
	for _, c := range counters {
		binary += c.Binary()
	}
	res.AddSkips(&warn.skips, binary)
	if opts.history {
		res.Findings = scan.EarliestPerSecret(res.Findings)
	}
	if opts.sinceCommit != "" {
		engine := scan.New(scan.Options{IncludePlaceholders: opts.includePlaceholders})
		if res.Findings, err = dropPreexisting(ctx, engine, counters, res.Findings); err != nil {
			return &atoguard.Error{Code: atoguard.CodeOf(err), Op: "scan", Err: err}
		}
	}
	if baseline != nil {
		res.Findings = report.FilterBaseline(res.Findings, baseline)
	}
	if fetcher != nil {
		v := verify.New(fetcher, verify.Options{Concurrency: opts.verifyConcurrency})
		v.Findings(ctx, res.Findings)
	}

	if err := writeReport(streams, opts.output, format, res); err != nil {
		return err
	}
	if !opts.quiet && (format != report.FormatText || opts.output != "") {
		fmt.Fprintln(streams.Err, "atoguard:", report.Summary(res))
	}
	if len(res.Findings) > 0 {
		return ErrFindings
	}
	if opts.failOnSkip && res.Stats.Incomplete() > 0 {
		if !opts.quiet {
			fmt.Fprintf(streams.Err, "atoguard: --fail-on-skip: %d item(s) not read in full\n", res.Stats.Incomplete())
		}
		return ErrFindings
	}
	return nil
}

// dropPreexisting removes the findings that the --since-commit base already
// held at the same path: a pull request that only edits a file holding an
// old secret did not add it (the full history attributes it).
func dropPreexisting(ctx context.Context, engine *scan.Scanner, srcs []skipCounter, fs []atoguard.Finding) ([]atoguard.Finding, error) {
	var bases source.Multi
	for _, c := range srcs {
		if h, ok := c.(*source.History); ok && h.Base() != nil {
			bases = append(bases, h.Base())
		}
	}
	if len(bases) == 0 || len(fs) == 0 {
		return fs, nil
	}
	res, err := engine.Scan(ctx, bases)
	if err != nil {
		return nil, err
	}
	old := make(map[string]bool, len(res.Findings))
	for _, f := range res.Findings {
		old[f.Key()] = true
	}
	added := fs[:0]
	for _, f := range fs {
		if !old[f.Key()] {
			added = append(added, f)
		}
	}
	return added, nil
}

// scanSource builds the source for the paths and mode.
func scanSource(streams IO, opts *scanOptions, paths []string, warn scan.Warner) (scan.Source, []skipCounter) {
	gopts := source.GitOptions{Warn: warn, SinceCommit: opts.sinceCommit, PathsAsGiven: true}
	switch {
	case opts.staged:
		s := source.NewStaged(paths[0], gopts)
		return s, []skipCounter{s}
	case opts.history:
		var multi source.Multi
		var counters []skipCounter
		for _, p := range paths {
			h := source.NewHistory(p, gopts)
			multi = append(multi, h)
			counters = append(counters, h)
		}
		return multi, counters
	}
	var multi source.Multi
	var counters []skipCounter
	var files []string
	flush := func() {
		if len(files) > 0 {
			p := source.NewPaths(files, source.Options{NoIgnore: opts.noIgnore, Warn: warn, Exclude: ownFiles(opts)})
			multi = append(multi, p)
			counters = append(counters, p)
			files = nil
		}
	}
	for _, p := range paths {
		if p == "-" {
			flush()
			multi = append(multi, source.Stdin{R: streams.In})
			continue
		}
		files = append(files, p)
	}
	flush()
	return multi, counters
}

// ownFiles are the files this scan reads or writes besides its input: the
// report of a previous run (--output) and --baseline hold the very SIDs they
// report, so scanning them would report them again.
func ownFiles(opts *scanOptions) []string {
	var own []string
	if opts.output != "" {
		own = append(own, opts.output)
	}
	if opts.baseline != "" {
		own = append(own, opts.baseline)
	}
	return own
}

func writeReport(streams IO, output string, format report.Format, res scan.Result) error {
	ropts := report.Options{ToolVersion: streams.Build.Version}
	if output == "" {
		ropts.Color = format == report.FormatText && colorOK(streams) && isTerminalWriter(streams.Out)
		return report.Write(streams.Out, format, res, ropts)
	}
	f, err := os.Create(output)
	if err != nil {
		return &atoguard.Error{Code: atoguard.EINVALID, Op: "scan", Err: fmt.Errorf("--output: %w", unwrapPath(err))}
	}
	if err := report.Write(f, format, res, ropts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// warnPrinter prints source and engine warnings to stderr, one line each,
// safely from several goroutines, and collects the sources' skips (the
// engine lists its own). Warnings name paths and errors, never content.
type warnPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	clear func() // erases the progress bar, if any
	skips scan.Skips
}

func newWarnPrinter(w io.Writer, quiet bool) *warnPrinter { return &warnPrinter{w: w, quiet: quiet} }

// source is the Warner of the sources: a scan.SkipError is also listed.
func (p *warnPrinter) source(path string, err error) {
	if skip, _ := scan.AsSkip(err); skip {
		p.skips.Add(path, err)
	}
	p.warn(path, err)
}

// warn prints a warning, unless it is a skip that another warning already
// summed up (scan.SkippedQuietly).
func (p *warnPrinter) warn(path string, err error) {
	if _, quiet := scan.AsSkip(err); p.quiet || quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.clear != nil {
		p.clear()
	}
	fmt.Fprintf(p.w, "atoguard: warning: %s: %s\n", atoguard.Printable(path), atoguard.Printable(err.Error()))
}

// progress is the stderr progress bar: bytes, files, MB/s. Only on a
// terminal, never in CI, with NO_COLOR or --quiet.
type progress struct {
	bar          *progressbar.ProgressBar
	items        string // "files", or "blobs" for git sources
	files, bytes int64
}

func newProgress(streams IO, quiet bool, items string) *progress {
	if quiet || !streams.IsTerminal || !colorOK(streams) {
		return nil
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(streams.Err),
		progressbar.OptionSetDescription("scanning"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetItsString(items),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar, items: items}
}

func (p *progress) update(bytes, files int64) {
	if files != p.files || bytes-p.bytes >= 1<<20 {
		p.files, p.bytes = files, bytes
		p.bar.Describe(fmt.Sprintf("scanning %d %s, %.1f MB", files, p.items, float64(bytes)/1e6))
	}
	_ = p.bar.Set64(bytes)
}

func (p *progress) finish() {
	_ = p.bar.Finish()
	_ = p.bar.Clear()
}

// verifyFetcher is verify.Fetcher over net/http: one GET with HTTP Basic
// auth on Twilio's 2010-04-01 API host (or the emulator's /api prefix).
type verifyFetcher struct {
	base   string
	client *http.Client
}

// newVerifyFetcher reads --twilio-api-url the way every other Twilio command
// does (twilioHosts, then the client's own base-URL handling), so the
// emulator's URL and a Twilio-style API host both work.
func newVerifyFetcher(apiURL string) (verifyFetcher, error) {
	opts, err := twilioHosts(apiURL)
	if err != nil {
		return verifyFetcher{}, err
	}
	c, err := twilio.New(opts)
	if err != nil {
		return verifyFetcher{}, &atoguard.Error{Code: atoguard.EINVALID, Op: "scan", Err: fmt.Errorf("--twilio-api-url: %w", err)}
	}
	return verifyFetcher{base: c.BaseURL(twilio.ProductAPI), client: &http.Client{}}, nil
}

func (f verifyFetcher) Get(ctx context.Context, path string, c atoguard.Credential) (verify.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return verify.Response{}, err
	}
	req.SetBasicAuth(c.Username(), c.Secret.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "atoguard/"+version())
	resp, err := f.client.Do(req)
	if err != nil {
		return verify.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out := verify.Response{Status: resp.StatusCode, Body: body}
	if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
		out.RetryAfter = time.Duration(s) * time.Second
	}
	return out, err
}
