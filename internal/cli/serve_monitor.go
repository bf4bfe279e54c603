package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/alert"
	"github.com/atoguard/atoguard/monitor"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/twilio"
	"github.com/spf13/cobra"
)

// serveMonitorKeys are the [serve] settings of the pollers, detection and
// alert channels (configKeys lists them).
func serveMonitorKeys() []string {
	return []string{"events-interval", "usage-interval", "config-interval", "alert-min-severity", "alert-min-verdict", "alert-cooldown",
		"slack-webhook-url", "pagerduty-routing-key", "pagerduty-url", "webhook-url", "webhook-secret",
		"smtp-addr", "smtp-from", "smtp-to", "smtp-username", "smtp-password"}
}

// serveSecretKeys are the ones holding a credential (never echoed).
func serveSecretKeys() []string {
	return []string{"serve.slack-webhook-url", "serve.pagerduty-routing-key", "serve.webhook-secret", "serve.smtp-password"}
}

// Limits of the poll intervals: short enough for drills against the
// emulator, long enough that a typo (1ms) cannot hammer Twilio for long.
const (
	minPollInterval = 100 * time.Millisecond
	maxPollInterval = 24 * time.Hour
)

func addServeMonitorFlags(f interface {
	String(name, value, usage string) *string
	Duration(name string, value time.Duration, usage string) *time.Duration
	Bool(name string, value bool, usage string) *bool
}) {
	f.String("twilio-api-url", "", "Twilio API base `URL` the pollers read (the emulator's URL in drills); default the real Twilio")
	f.Duration("events-interval", time.Minute, "how often Monitor events are polled (100ms to 24h)")
	f.Duration("usage-interval", 15*time.Minute, "how often usage records are polled (100ms to 24h)")
	f.Duration("config-interval", 5*time.Minute, "how often the configuration is snapshotted (100ms to 24h)")
	f.String("alert-min-severity", "medium", "least severe signal that raises an alert (low, medium, high, critical)")
	f.String("alert-min-verdict", "likely", "least verdict of an account, by investigate's rules, whose signals raise alerts (suspicious, likely, compromised)")
	f.Duration("alert-cooldown", time.Hour, "how long a repeated alert stays quiet (1s to 7 days)")
	f.Bool("no-poll", false, "receive Event Streams only: no pollers, no detection")
}

// monitorSettings reads the flags over the [serve] config keys.
func monitorSettings(cmd *cobra.Command, cfg *Config) (monitor.Options, bool, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	var o monitor.Options
	for _, d := range []struct {
		name     string
		into     *time.Duration
		min, max time.Duration
	}{
		{"events-interval", &o.EventsInterval, minPollInterval, maxPollInterval},
		{"usage-interval", &o.UsageInterval, minPollInterval, maxPollInterval},
		{"config-interval", &o.ConfigInterval, minPollInterval, maxPollInterval},
		{"alert-cooldown", &o.Cooldown, time.Second, 7 * 24 * time.Hour},
	} {
		v, _ := cmd.Flags().GetDuration(d.name)
		if s := cfg.String("serve." + d.name); s != "" && !cmd.Flags().Changed(d.name) {
			var err error
			if v, err = time.ParseDuration(s); err != nil {
				return o, false, invalid("serve.%s %q: want a duration such as 1m or 30s", d.name, s)
			}
		}
		if v < d.min || v > d.max {
			return o, false, invalid("--%s %s: want a duration from %s to %s", d.name, v, d.min, d.max)
		}
		*d.into = v
	}
	sev := atoguard.Severity(stringFlagOr(cmd, "alert-min-severity", or(cfg.String("serve.alert-min-severity"), "medium")))
	switch sev {
	case atoguard.SeverityLow, atoguard.SeverityMedium, atoguard.SeverityHigh, atoguard.SeverityCritical:
	default:
		return o, false, invalid("--alert-min-severity %q: want low, medium, high or critical", sev)
	}
	o.MinSeverity = sev
	verdict := atoguard.Verdict(stringFlagOr(cmd, "alert-min-verdict", or(cfg.String("serve.alert-min-verdict"), "likely")))
	switch verdict {
	case atoguard.VerdictSuspicious, atoguard.VerdictLikely, atoguard.VerdictCompromised:
	default:
		return o, false, invalid("--alert-min-verdict %q: want suspicious, likely or compromised", verdict)
	}
	o.MinVerdict = verdict
	noPoll, _ := cmd.Flags().GetBool("no-poll")
	return o, !noPoll, nil
}

// serveClient is the Twilio client of the pollers; it needs the account SID
// with the auth token (the token alone checks signatures only).
func serveClient(cmd *cobra.Command, cfg *Config, streams IO) (*twilio.Client, error) {
	if cfg.Credential.AccountSID == "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "serve",
			"the pollers read the account through the API: set TWILIO_ACCOUNT_SID (twilio-account-sid), or pass --no-poll to receive Event Streams only")
	}
	opts, err := twilioHosts(stringFlagOr(cmd, "twilio-api-url", cfg.TwilioAPIURL))
	if err != nil {
		return nil, err
	}
	opts.Credential, opts.Now, opts.Sleep = cfg.Credential, streams.Now, streams.Sleep
	return twilio.New(opts)
}

// alertChannels builds the channels the [serve] keys configure.
func alertChannels(cfg *Config, now func() time.Time) ([]alert.Channel, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	var chs []alert.Channel
	if u := cfg.String("serve.slack-webhook-url"); u != "" {
		if !httpURL(u) {
			return nil, invalid("serve.slack-webhook-url: want an https:// URL (https://hooks.slack.com/services/…)")
		}
		chs = append(chs, &alert.Slack{URL: atoguard.NewSecret(u)})
	}
	if k := cfg.String("serve.pagerduty-routing-key"); k != "" {
		pd := &alert.PagerDuty{RoutingKey: atoguard.NewSecret(k), URL: cfg.String("serve.pagerduty-url")}
		if pd.URL != "" && !httpURL(pd.URL) {
			return nil, invalid("serve.pagerduty-url %q: want an http(s) URL (default %s)", pd.URL, alert.PagerDutyURL)
		}
		chs = append(chs, pd)
	}
	if u := cfg.String("serve.webhook-url"); u != "" {
		sec := cfg.String("serve.webhook-secret")
		if !httpURL(u) || len(sec) < 16 {
			return nil, invalid("serve.webhook-url needs an http(s) URL and serve.webhook-secret of at least 16 characters (receivers check the HMAC with it)")
		}
		chs = append(chs, &alert.Webhook{URL: u, Secret: atoguard.NewSecret(sec), Now: now})
	}
	if addr := cfg.String("serve.smtp-addr"); addr != "" {
		m := &alert.Email{Addr: addr, From: cfg.String("serve.smtp-from"), To: cfg.Strings("serve.smtp-to"),
			Username: cfg.String("serve.smtp-username"), Password: atoguard.NewSecret(cfg.String("serve.smtp-password")), Now: now}
		if _, _, err := net.SplitHostPort(addr); err != nil || m.From == "" || len(m.To) == 0 || badHeader(append([]string{m.From}, m.To...)) {
			return nil, invalid("serve.smtp-addr needs host:port, serve.smtp-from and serve.smtp-to (a list of addresses, one line each)")
		}
		chs = append(chs, m)
	}
	return chs, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func badHeader(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, "\r\n") {
			return true
		}
	}
	return false
}

// startMonitor builds the engine and the dispatcher; the caller runs
// engine.Run and closes the dispatcher. engine is nil with --no-poll.
func startMonitor(cmd *cobra.Command, cfg *Config, streams IO, st store.Store, s serveSettings, metrics monitor.Observer,
	log *slog.Logger) (*monitor.Engine, *alert.Dispatcher, error) {
	o, poll, err := monitorSettings(cmd, cfg)
	if err != nil {
		return nil, nil, err
	}
	chs, err := alertChannels(cfg, streams.Now)
	if err != nil {
		return nil, nil, err
	}
	if !poll {
		return nil, nil, nil
	}
	client, err := serveClient(cmd, cfg, streams)
	if err != nil {
		return nil, nil, err
	}
	var obs alert.Observer
	if d, ok := metrics.(alert.Observer); ok {
		obs = d
	}
	disp := alert.NewDispatcher(alert.Options{Channels: chs, Logger: log, Observer: obs})
	host, _ := os.Hostname()
	o.Store, o.Source, o.Holder = st, twilioSource{client}, fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())
	o.Notifier, o.Observer, o.Logger, o.Now, o.Tokens = disp, metrics, log, streams.Now, client
	o.Secrets = func() []atoguard.Secret {
		out := []atoguard.Secret{cfg.Credential.Secret}
		for _, t := range s.tokens {
			out = append(out, t.Secret)
		}
		return out
	}
	e, err := monitor.New(o)
	if err != nil {
		disp.Close(0)
		return nil, nil, err
	}
	names := make([]string, len(chs))
	for i, c := range chs {
		names[i] = c.Name()
	}
	log.Info("monitoring", "events_interval", o.EventsInterval.String(), "usage_interval", o.UsageInterval.String(),
		"config_interval", o.ConfigInterval.String(), "channels", names)
	return e, disp, nil
}
