package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/scan/verify"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/webexposure"
	"github.com/spf13/cobra"
)

type exposureWebOptions struct {
	fromAccount, yes, verify, json, webhookSig bool
	format, apiURL, ports                      string
	timeout                                    time.Duration
	maxRequests                                int
	rate                                       float64
}

func newExposureWebCommand(streams IO) *cobra.Command {
	o := &exposureWebOptions{}
	cmd := &cobra.Command{
		Use:   "web [URL…]",
		Short: "Check your own web hosts the way credential harvesters do: .env, .git, debug pages, TLS, open ports",
		Long: `exposure web requests what the harvesters that steal Twilio credentials request
(the AndroxGh0st family among them): /.env and its variants and backups,
config.php/wp-config.php backups, .git/config and .git/HEAD, .DS_Store,
directory listings, framework debug pages (Laravel/Ignition, Django DEBUG,
Symfony profiler, Rails), phpinfo, Spring Boot actuator env/heapdump and
server-status. Every body fetched goes through scan's detectors: a Twilio
credential found is shown by fingerprint only and, with --verify, checked
live — the finding says which account it opens. It also checks the transport
(HTTP without a redirect to HTTPS, expired or mismatched certificates, TLS
below 1.2); --ports adds a TCP connect to SSH, Docker, MySQL, PostgreSQL,
Redis, Elasticsearch, memcached and MongoDB ports.

--from-account discovers the hosts from the Twilio configuration of the main
account and every subaccount (phone-number voice/SMS URLs, fallbacks and
status callbacks, TwiML applications, Messaging Services, usage-trigger
callbacks, Event Streams sinks), lists them and asks before probing (--yes).

Read-only and polite: GET and HEAD only, a fixed list of about 30 paths per
host, --rate requests per second per host, a User-Agent naming atoguard, no
redirect followed off the host, at most --max-requests requests in all and
--timeout on each. --webhook-signature (opt-in) sends each webhook URL one GET
with a wrong X-Twilio-Signature: a 2xx answer means the application runs its
handler for requests Twilio did not sign.

Exit status: 0 no finding, 1 findings (--exit-code), 2 error or a check that
could not be made (a host unreachable, the budget spent).`,
		Example: `  atoguard exposure web https://app.example.com
  atoguard exposure web --from-account --verify --yes --json > web.json
  atoguard exposure web --ports --format markdown https://api.example.com`,
		RunE: func(cmd *cobra.Command, args []string) error { return runExposureWeb(cmd, streams, o, args) },
	}
	f := cmd.Flags()
	addExitCodeFlag(cmd)
	f.BoolVar(&o.fromAccount, "from-account", false, "discover the hosts from the Twilio account's configuration (main account and subaccounts)")
	f.BoolVar(&o.yes, "yes", false, "probe the discovered hosts without asking")
	f.BoolVar(&o.verify, "verify", false, "check found Twilio credentials live (one read-only request each)")
	f.BoolVar(&o.json, "json", false, "JSON output (same as --format json)")
	f.StringVar(&o.format, "format", "text", "output format: text, json or markdown")
	f.DurationVar(&o.timeout, "timeout", webexposure.DefaultTimeout, "deadline of each request (100ms–5m)")
	f.IntVar(&o.maxRequests, "max-requests", webexposure.DefaultMaxRequests, "request budget of the whole run (1–100000)")
	f.Float64Var(&o.rate, "rate", webexposure.DefaultRate, "most requests per second to one host (0.1–50)")
	f.StringVar(&o.ports, "ports", "", "also TCP-connect database and admin ports: --ports for the default list (22,2375,2376,3306,5432,6379,9200,11211,27017) or --ports=PORT,…")
	f.Lookup("ports").NoOptDefVal = "default"
	f.BoolVar(&o.webhookSig, "webhook-signature", false, "send each webhook URL one GET with a wrong X-Twilio-Signature (runs your handler once)")
	f.StringVar(&o.apiURL, "twilio-api-url", "", "Twilio API base `URL` for --from-account and --verify (the emulator's URL; config twilio-api-url, env ATOGUARD_TWILIO_API_URL)")
	return cmd
}

func runExposureWeb(cmd *cobra.Command, streams IO, o *exposureWebOptions, args []string) error {
	const op = "exposure.web"
	format, err := documentFormat(op, o.format, o.json)
	if err != nil {
		return err
	}
	opts, err := o.engineOptions(streams)
	if err != nil {
		return err
	}
	for _, a := range args {
		u, err := webexposure.ParseTarget(a)
		if err != nil {
			return err
		}
		opts.Targets = append(opts.Targets, webexposure.Target{URL: a, Webhook: strings.Trim(u.Path, "/") != ""})
	}
	if len(args) == 0 && !o.fromAccount {
		return atoguard.Errorf(atoguard.EINVALID, op, "no host to check: give URLs or --from-account")
	}
	var discoveryErrs []string
	if o.fromAccount {
		found, errs, err := discoverWebTargets(cmd, streams)
		if err != nil {
			return err
		}
		opts.Targets, discoveryErrs = append(opts.Targets, found...), errs
		if len(opts.Targets) == 0 {
			return atoguard.Errorf(atoguard.ENOTFOUND, op, "no web host found in the account's configuration")
		}
		if err := confirmWebTargets(streams, o, opts.Targets); err != nil {
			return err
		}
	}
	if o.webhookSig {
		fmt.Fprintln(streams.Err, "atoguard: --webhook-signature: each webhook URL gets one GET with a wrong X-Twilio-Signature; an application that does not validate runs its handler once")
	}
	n, err := o.network(cmd, streams)
	if err != nil {
		return err
	}
	rep, err := webexposure.Run(cmd.Context(), n, opts)
	if err != nil {
		return err
	}
	rep.Errors = append(rep.Errors, discoveryErrs...)
	switch format {
	case "json":
		err = report.WebJSON(streams.Out, rep)
	case "markdown":
		err = report.WebMarkdown(streams.Out, rep)
	default:
		err = report.WebText(streams.Out, rep)
	}
	switch {
	case err != nil:
		return err
	case len(rep.Findings) > 0:
		return ErrFindings
	case rep.Incomplete():
		return atoguard.Errorf(atoguard.EUNAVAILABLE, op, "incomplete: %d check(s) could not be made, so the hosts cannot be called clean", len(rep.Errors))
	}
	return nil
}

// engineOptions checks the flags' ranges and builds the engine's options.
func (o *exposureWebOptions) engineOptions(streams IO) (webexposure.Options, error) {
	const op = "exposure.web"
	switch {
	case o.timeout < 100*time.Millisecond || o.timeout > 5*time.Minute:
		return webexposure.Options{}, atoguard.Errorf(atoguard.EINVALID, op, "--timeout %s: want 100ms to 5m", o.timeout)
	case o.maxRequests < 1 || o.maxRequests > 100000:
		return webexposure.Options{}, atoguard.Errorf(atoguard.EINVALID, op, "--max-requests %d: want 1 to 100000", o.maxRequests)
	case o.rate < 0.1 || o.rate > 50:
		return webexposure.Options{}, atoguard.Errorf(atoguard.EINVALID, op, "--rate %g: want 0.1 to 50 requests per second", o.rate)
	}
	ports, err := parseWebPorts(o.ports)
	if err != nil {
		return webexposure.Options{}, err
	}
	opts := webexposure.Options{MaxRequests: o.maxRequests, Rate: o.rate, Timeout: o.timeout, Ports: ports,
		WebhookSignature: o.webhookSig, Now: streams.Now}
	if streams.IsTerminal && !o.json {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(streams.Err, "\rchecked %d/%d hosts", done, total)
			if done == total {
				fmt.Fprintln(streams.Err)
			}
		}
	}
	return opts, nil
}

// parseWebPorts reads --ports: "" none, "default" the default list, or
// numbers (named when they are on the default list).
func parseWebPorts(s string) ([]webexposure.Port, error) {
	if s == "" {
		return nil, nil
	}
	def := webexposure.DefaultPorts()
	if s == "default" {
		return def, nil
	}
	var out []webexposure.Port
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 65535 {
			return nil, atoguard.Errorf(atoguard.EINVALID, "exposure.web", "--ports %q: want port numbers 1 to 65535, comma separated (or --ports alone for the default list)", p)
		}
		port := webexposure.Port{Port: n, Service: "TCP", Severity: atoguard.SeverityMedium}
		for _, d := range def {
			if d.Port == n {
				port = d
			}
		}
		out = append(out, port)
	}
	return out, nil
}

// network builds the net/http prober, dialer and TLS inspector, scan's
// detectors and, with --verify, scan's verifier.
func (o *exposureWebOptions) network(cmd *cobra.Command, streams IO) (webexposure.Net, error) {
	ua := fmt.Sprintf("atoguard/%s (exposure web; read-only check requested by the site's owner)", streams.Build.Version)
	n := webexposure.Net{Prober: webexposure.NewHTTPProber(ua, o.timeout), Dialer: webexposure.NetDialer{},
		TLS: webexposure.NetTLS{Now: streams.Now}, Detector: scan.New(scan.Options{})}
	if o.verify {
		cfg, err := loadConfig(cmd, streams)
		if err != nil {
			return n, err
		}
		f, err := newVerifyFetcher(stringFlagOr(cmd, "twilio-api-url", cfg.TwilioAPIURL))
		if err != nil {
			return n, err
		}
		n.Verifier = verify.New(f, verify.Options{})
	}
	return n, nil
}

// discoverWebTargets reads every account's configuration and the main
// account's Event Streams sinks; what could not be read is returned as
// errors so the report is marked incomplete.
func discoverWebTargets(cmd *cobra.Command, streams IO) ([]webexposure.Target, []string, error) {
	_, topts, err := twilioOptions(cmd, streams)
	if err != nil {
		return nil, nil, err
	}
	client, err := twilio.New(topts)
	if err != nil {
		return nil, nil, err
	}
	now := streams.Now().UTC()
	ds, err := investigate.Collect(cmd.Context(), auditSource{twilioSource{client}, false},
		investigate.Options{Since: now.Add(-time.Hour), Until: now})
	if err != nil {
		return nil, nil, err
	}
	var hooks []webexposure.Hook
	var errs []string
	for _, a := range ds.Accounts {
		if a.Error != "" {
			errs = append(errs, fmt.Sprintf("account %s configuration: %s", a.Account.SID, a.Error))
		}
		if a.Config != nil {
			hooks = append(hooks, webexposure.ConfigHooks(*a.Config)...)
		}
	}
	sinks, err := atoguard.Collect(client.ListEventSinks(cmd.Context()))
	if err != nil {
		errs = append(errs, "event streams sinks: "+err.Error())
	}
	for _, s := range sinks {
		if s.Destination != "" {
			hooks = append(hooks, webexposure.Hook{AccountSID: client.AccountSID(), Resource: s.SID, Field: "destination", URL: s.Destination})
		}
	}
	targets, skipped := webexposure.Discover(hooks)
	for _, s := range skipped {
		fmt.Fprintf(streams.Err, "atoguard: not probed: %s\n", atoguard.Printable(s))
	}
	return targets, errs, nil
}

// confirmWebTargets lists the discovered hosts and asks before probing.
func confirmWebTargets(streams IO, o *exposureWebOptions, ts []webexposure.Target) error {
	fmt.Fprintf(streams.Err, "Web hosts found in the Twilio configuration (%d URLs):\n", len(ts))
	for _, t := range ts {
		fmt.Fprintf(streams.Err, "  %s  (%s)\n", atoguard.Printable(t.URL), atoguard.Printable(strings.Join(t.Sources, ", ")))
	}
	if o.yes {
		return nil
	}
	fmt.Fprint(streams.Err, "Probe these hosts (read-only GET/HEAD requests)? Type yes to continue: ")
	line, _ := bufio.NewReader(streams.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "yes" && a != "y" {
		return atoguard.Errorf(atoguard.EINVALID, "exposure.web", "not confirmed; nothing probed (use --yes for automation)")
	}
	return nil
}

// webReportSummary reads --web-report FILE (the JSON of exposure web) for
// audit and respond report.
func webReportSummary(op, path string, read func(string) ([]byte, error)) (*atoguard.WebCheckSummary, error) {
	if path == "" {
		return nil, nil
	}
	data, err := read(path)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "--web-report %s: %v", path, err)
	}
	rep, err := report.ReadWebJSON(strings.NewReader(string(data)))
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "--web-report %s: %v", path, err)
	}
	s := rep.Summary()
	return &s, nil
}
