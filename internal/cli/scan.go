package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	minSeverity         string
	cache               string
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
	f.StringVar(&opts.minSeverity, "min-severity", "", "report only findings of this `SEVERITY` or above: low, high or critical")
	f.StringVar(&opts.cache, "cache", "", "with --history, remember in `FILE` the blobs scanned (ids and ref tips, no content) so the next scan reads only new commits; safe to keep in a CI cache")
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
	format, paths, err := checkScanOptions(cmd, opts)
	if err != nil {
		return err
	}
	job := scan.Job{History: opts.history, MinSeverity: atoguard.Severity(opts.minSeverity)}
	if job.Baseline, err = loadBaseline(opts.baseline); err != nil {
		return err
	}
	if opts.verify {
		if job.Verifier, err = scanVerifier(cmd, streams, opts); err != nil {
			return err
		}
	}

	warn := newWarnPrinter(streams.Err, opts.quiet)
	var counters []skipCounter
	var cache *source.HistoryCache
	if opts.cache != "" {
		cache = source.OpenHistoryCache(opts.cache, cacheDetector(streams.Build, opts), warn.source)
	}
	job.Source, counters = scanSource(streams, opts, paths, warn.source, cache)
	if opts.sinceCommit != "" {
		job.Base = sinceBases(counters)
	}

	eopts := scan.Options{IncludePlaceholders: opts.includePlaceholders, Warn: warn.warn}
	if cache != nil {
		eopts.ItemDone = cache.Done
	}
	items := "files"
	if opts.history || opts.staged {
		items = "blobs"
	}
	bar := newProgress(streams, opts.quiet, items)
	if bar != nil {
		eopts.Progress = bar.update
		warn.clear = func() { _ = bar.bar.Clear() } // a warning gets its own line
	}
	res, err := scan.New(eopts).Run(ctx, job)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return &atoguard.Error{Code: atoguard.CodeOf(err), Op: "scan", Err: err}
	}
	if cache != nil {
		saveCache(streams, opts, cache, warn.warn)
	}
	var binary int64
	for _, c := range counters {
		binary += c.Binary()
	}
	res.AddSkips(&warn.skips, binary)
	return finishScan(streams, opts, format, res)
}

// checkScanOptions validates the flags and returns the output format and
// the paths to scan ("." when none).
func checkScanOptions(cmd *cobra.Command, opts *scanOptions) (report.Format, []string, error) {
	if opts.output == "-" {
		opts.output = "" // "-o -" is stdout, as "-" is stdin for PATH
	}
	format, err := report.ParseFormat(opts.format)
	if err != nil {
		// Name the flag, not the parser ("report.ParseFormat: …").
		return "", nil, invalid("--format: unknown format %q (want text, json or sarif)", opts.format)
	}
	if opts.json {
		if cmd.Flags().Changed("format") && format != report.FormatJSON {
			return "", nil, invalid("--json conflicts with --format %s", opts.format)
		}
		format = report.FormatJSON
	}
	switch {
	case opts.history && opts.staged:
		return "", nil, invalid("--history and --staged cannot be combined")
	case opts.sinceCommit != "" && !opts.history:
		return "", nil, invalid("--since-commit needs --history")
	case opts.cache != "" && (!opts.history || opts.sinceCommit != ""):
		return "", nil, invalid("--cache needs --history without --since-commit (which reads only its range anyway)")
	case opts.cache != "" && len(opts.paths) > 1:
		return "", nil, invalid("--cache takes one repository PATH (one cache file per repository)")
	case opts.verifyConcurrency < 1:
		return "", nil, invalid("--verify-concurrency must be at least 1")
	case opts.minSeverity != "" && atoguard.Severity(opts.minSeverity).Rank() == atoguard.Severity("").Rank():
		return "", nil, invalid("--min-severity: unknown severity %q (want low, high or critical)", opts.minSeverity)
	}
	paths := opts.paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	return format, paths, checkScanPaths(opts, paths)
}

// checkScanPaths: the paths exist, "-" (stdin) comes at most once and only
// for a plain scan, --staged takes one repository.
func checkScanPaths(opts *scanOptions, paths []string) error {
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
		if _, err := os.Stat(p); p != "-" && err != nil {
			return invalid("%v", unwrapPath(err))
		}
	}
	return nil
}

// loadBaseline reads --baseline; nil when the flag is not set.
func loadBaseline(name string) ([]atoguard.Finding, error) {
	if name == "" {
		return nil, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, invalid("--baseline: %v", unwrapPath(err))
	}
	defer f.Close()
	baseline, err := scan.ReadBaseline(f)
	if err != nil {
		return nil, invalid("--baseline %s: %v", name, err)
	}
	return baseline, nil
}

// scanVerifier is --verify's checker, on --twilio-api-url (or the config's).
func scanVerifier(cmd *cobra.Command, streams IO, opts *scanOptions) (scan.Verifier, error) {
	cfg, err := loadConfig(cmd, streams)
	if err != nil {
		return nil, err
	}
	fetcher, err := newVerifyFetcher(stringFlagOr(cmd, "twilio-api-url", cfg.TwilioAPIURL))
	if err != nil {
		return nil, err
	}
	return verify.New(fetcher, verify.Options{Concurrency: opts.verifyConcurrency}), nil
}

// sinceBases is the --since-commit base of the history sources. A
// History knows its base only once it has read its range, so the list is
// built when the pipeline reads it, after the scan.
type sinceBases []skipCounter

func (b sinceBases) Items(ctx context.Context, yield func(scan.Item) error) error {
	var bases source.Multi
	for _, c := range b {
		if h, ok := c.(*source.History); ok && h.Base() != nil {
			bases = append(bases, h.Base())
		}
	}
	return bases.Items(ctx, yield)
}

// cacheDetector names what a history cache's entries depend on: the
// detectors' revision, this build, and the options that change findings.
// A development build is named by its executable's hash, since its
// version string does not change with its code.
func cacheDetector(b BuildInfo, opts *scanOptions) string {
	id := b.Version + " " + b.Commit
	if b.Version == "(devel)" || b.Modified || b.Commit == "" {
		if exe, err := os.Executable(); err == nil {
			if data, err := os.ReadFile(exe); err == nil {
				sum := sha256.Sum256(data)
				id = "exe " + hex.EncodeToString(sum[:8])
			}
		}
	}
	return fmt.Sprintf("%s; %s; placeholders=%t", scan.DetectorRevision, id, opts.includePlaceholders)
}

// saveCache writes the history cache after a scan that ended without
// error, and says how much it saved. A cache that cannot be written is a
// warning: the report is still right.
func saveCache(streams IO, opts *scanOptions, cache *source.HistoryCache, warn scan.Warner) {
	if err := cache.Save(); err != nil {
		warn(opts.cache, fmt.Errorf("--cache not saved: %w", err))
		return
	}
	if !opts.quiet {
		fmt.Fprintf(streams.Err, "atoguard: history cache: %d blob(s) scanned before without findings, not read again\n", cache.Reused())
	}
}

// finishScan writes the report and the summary and picks the exit status.
func finishScan(streams IO, opts *scanOptions, format report.Format, res scan.Result) error {
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

// scanSource builds the source for the paths and mode.
func scanSource(streams IO, opts *scanOptions, paths []string, warn scan.Warner, cache *source.HistoryCache) (scan.Source, []skipCounter) {
	gopts := source.GitOptions{Warn: warn, SinceCommit: opts.sinceCommit, PathsAsGiven: true, Cache: cache}
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
