package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/monitor"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/postgres"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	addr, dataDir, databaseURL, publicURL, eventsPath string
	maxBody                                           int64
}

// Limits of --max-body: a Twilio batch is well under a megabyte; 64 MiB
// bounds the memory of a request that claims more.
const (
	minMaxBody = 1 << 10
	maxMaxBody = 64 << 20
)

func newServeCommand(streams IO) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Receive Twilio Event Streams deliveries and keep them (continuous monitoring, in progress)",
		Long: `serve receives Twilio Event Streams at POST /v1/twilio/events (CloudEvents 1.0,
single or batched), checks X-Twilio-Signature against the auth token (the URL's
bodySHA256 must also match the body), stores each event once (by id) and
answers 200 only when it is durable. Bad signature: 401; body over --max-body:
413; malformed: 400; none is stored. /healthz and /readyz report health.

Storage is SQLite in --data-dir (no setup), or PostgreSQL with --database-url
(postgres://…), which several replicas can share. The auth token comes from
TWILIO_AUTH_TOKEN or twilio-auth-token in atoguard.toml; during a rotation,
serve.previous-auth-token stays valid until serve.previous-token-until.

Unless --no-poll, pollers read what Event Streams does not carry — Monitor
events (from a stored cursor), usage records and configuration snapshots —
each on its own interval; with several replicas on one PostgreSQL, each
poller runs on one replica at a time (a store lease). The investigate
detectors re-run on an account when new data for it arrives and raise alerts
(one per account and signal; resolved when the condition clears) to the
channels in [serve]: slack-webhook-url, pagerduty-routing-key, webhook-url
with webhook-secret (HMAC-SHA256 over timestamp.body in
X-Atoguard-Signature, timestamp in X-Atoguard-Timestamp), smtp-addr with
smtp-from and smtp-to. /metrics serves Prometheus metrics.

Not yet: group commits, concurrent polling of 1,000 subaccounts (issue 13).`,
		Example: `  TWILIO_AUTH_TOKEN=… atoguard serve --addr 127.0.0.1:8080 --public-url https://hooks.example.com
  atoguard serve --database-url postgres://atoguard@db:5432/atoguard`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, streams, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	f.StringVar(&o.dataDir, "data-dir", "", "directory of the SQLite database (default $XDG_STATE_HOME/atoguard or ~/.local/state/atoguard)")
	f.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL URL (postgres://…) instead of SQLite; or $ATOGUARD_DATABASE_URL")
	f.StringVar(&o.publicURL, "public-url", "", "URL Twilio reaches this server at, behind a proxy (scheme, host, path prefix); signatures are checked against it")
	f.StringVar(&o.eventsPath, "events-path", "/v1/twilio/events", "path of the Event Streams webhook sink")
	f.Int64Var(&o.maxBody, "max-body", 1<<20, "largest delivery accepted, in bytes (1024 to 67108864)")
	addServeMonitorFlags(f)
	cmd.AddCommand(newServeSetupCommand(streams))
	cmd.AddCommand(newServeHashPasswordCommand(streams))
	return cmd
}

// serveSettings are the checked options.
type serveSettings struct {
	addr, dataDir, databaseURL, publicURL, eventsPath string
	maxBody                                           int64
	tokens                                            []web.Token
}

func runServe(cmd *cobra.Command, streams IO, o serveOptions) error {
	cfg, err := loadConfig(cmd, streams)
	if err != nil {
		return err
	}
	s, err := serveSettingsFrom(cmd, cfg, o, streams)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(streams.Err, nil))
	st, storeName, err := openServeStore(cmd.Context(), s, streams.Now)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "serve", "--addr %s: %v", s.addr, err)
	}
	metrics := web.NewMetrics()
	engine, disp, err := startMonitor(cmd, cfg, streams, st, s, metrics, log)
	if err != nil {
		ln.Close()
		return err
	}
	dash, err := startDashboard(cmd, cfg, streams, st, s, engine, disp, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer dash.close()
	dash.run(cmd.Context())
	sink := web.NewSink(web.SinkOptions{Store: st, Tokens: func() []web.Token { return s.tokens }, PublicURL: s.publicURL,
		MaxBody: s.maxBody, Now: streams.Now, Logger: log, Metrics: metrics, Stored: storedHook(engine),
		AccountTokens: accountTokens(engine)})
	srv := &http.Server{
		Handler: dash.mount(web.NewHandler(web.HandlerOptions{EventsPath: s.eventsPath, Sink: sink, Ready: st, Metrics: metrics})),
		// Bounded so slow or idle clients cannot hold connections forever.
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 20 * time.Second, WriteTimeout: 20 * time.Second,
		IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if engine != nil {
		stopped := make(chan struct{})
		go func() { engine.Run(cmd.Context()); close(stopped) }()
		defer func() {
			// After the server stopped: pollers end with the context, give
			// their leases to the other replicas, queued alerts go out.
			<-stopped
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			engine.Release(rctx)
			cancel()
			disp.Close(10 * time.Second)
		}()
	}
	log.Info("listening", "url", "http://"+ln.Addr().String(), "events_path", s.eventsPath, "store", storeName)
	return serveUntilDone(cmd.Context(), srv, ln, log)
}

// storedHook queues detection for the accounts of an acknowledged delivery.
func storedHook(engine *monitor.Engine) func([]atoguard.StreamEvent) {
	if engine == nil {
		return nil
	}
	return func(evs []atoguard.StreamEvent) {
		for _, e := range evs {
			engine.MarkDirty(e.AccountSID)
		}
	}
}

// accountTokens are the subaccount tokens the engine reads through the parent.
func accountTokens(engine *monitor.Engine) func(context.Context, string) []web.Token {
	if engine == nil {
		return nil
	}
	return func(ctx context.Context, sid string) []web.Token {
		if s, ok := engine.SubaccountToken(ctx, sid); ok {
			return []web.Token{{Secret: s}}
		}
		return nil
	}
}

// serveUntilDone serves until ctx ends (SIGTERM, SIGINT), then lets
// in-flight deliveries finish before returning.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "serve", "%v", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "serve", "shutdown: %v", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "serve", "%v", err)
	}
	log.Info("stopped")
	return nil
}

type serveStore interface {
	store.Store
	web.Pinger
}

func openServeStore(ctx context.Context, s serveSettings, now func() time.Time) (serveStore, string, error) {
	if s.databaseURL != "" {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := postgres.Open(octx, s.databaseURL, postgres.Options{Now: now})
		if err != nil {
			return nil, "", err
		}
		return st, "postgres", nil
	}
	st, err := sqlite.Open(ctx, s.dataDir, sqlite.Options{Now: now})
	if err != nil {
		return nil, "", err
	}
	return st, "sqlite " + filepath.Join(s.dataDir, sqlite.FileName), nil
}

func serveSettingsFrom(cmd *cobra.Command, cfg *Config, o serveOptions, streams IO) (serveSettings, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	s := serveSettings{
		addr:        stringFlagOr(cmd, "addr", or(cfg.String("serve.addr"), o.addr)),
		dataDir:     stringFlagOr(cmd, "data-dir", or(cfg.String("serve.data-dir"), defaultStateDir(streams.Getenv))),
		databaseURL: stringFlagOr(cmd, "database-url", cfg.String("serve.database-url")),
		publicURL:   stringFlagOr(cmd, "public-url", cfg.String("serve.public-url")),
		eventsPath:  stringFlagOr(cmd, "events-path", or(cfg.String("serve.events-path"), o.eventsPath)),
		maxBody:     o.maxBody,
	}
	if f := cmd.Flags().Lookup("max-body"); f != nil && !f.Changed && cfg.Exists("serve.max-body") {
		if _, err := fmt.Sscan(cfg.String("serve.max-body"), &s.maxBody); err != nil {
			return s, invalid("serve.max-body %q: want a number of bytes from %d to %d", cfg.String("serve.max-body"), minMaxBody, maxMaxBody)
		}
	}
	if err := checkServeSettings(s); err != nil {
		return s, err
	}
	tokens, err := serveTokens(cfg)
	s.tokens = tokens
	return s, err
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

func checkServeSettings(s serveSettings) error {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	if _, _, err := net.SplitHostPort(s.addr); err != nil {
		return invalid("--addr %q: want host:port, e.g. 127.0.0.1:8080 or :8080", s.addr)
	}
	if s.maxBody < minMaxBody || s.maxBody > maxMaxBody {
		return invalid("--max-body %d: want a number of bytes from %d (1 KiB) to %d (64 MiB)", s.maxBody, minMaxBody, maxMaxBody)
	}
	switch p := s.eventsPath; {
	case !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# \t") || strings.Contains(p, "{"):
		return invalid("--events-path %q: want a path such as /v1/twilio/events", p)
	case p == "/healthz" || p == "/readyz" || p == "/":
		return invalid("--events-path %q: taken by serve itself; want a path such as /v1/twilio/events", p)
	}
	if s.publicURL != "" {
		u, err := url.Parse(s.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return invalid("--public-url %q: want http(s)://host[:port][/prefix] without query or credentials", s.publicURL)
		}
	}
	if s.databaseURL != "" && !strings.HasPrefix(s.databaseURL, "postgres://") && !strings.HasPrefix(s.databaseURL, "postgresql://") {
		// Never echo the URL: it may hold a password.
		return invalid("--database-url: want postgres://user@host:port/database (SQLite needs no URL: use --data-dir)")
	}
	if s.databaseURL == "" && s.dataDir == "" {
		return invalid("--data-dir: no directory (HOME and XDG_STATE_HOME are unset); name one")
	}
	return nil
}

// serveTokens is the current auth token and, during a rotation, the
// previous one until the end of its grace window.
func serveTokens(cfg *Config) ([]web.Token, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	cur := atoguard.NewSecret(cfg.String("twilio-auth-token"))
	if cur.IsZero() {
		return nil, invalid("serve checks Event Streams signatures with the account's auth token: set TWILIO_AUTH_TOKEN or twilio-auth-token in atoguard.toml (an API key cannot check them)")
	}
	tokens := []web.Token{{Secret: cur}}
	prev := atoguard.NewSecret(cfg.String("serve.previous-auth-token"))
	until := cfg.String("serve.previous-token-until")
	switch {
	case prev.IsZero() && until == "":
		return tokens, nil
	case prev.IsZero() || until == "":
		return nil, invalid("serve.previous-auth-token and serve.previous-token-until go together: the old token and the end of its grace window (RFC 3339)")
	}
	t, err := time.Parse(time.RFC3339, until)
	if err != nil {
		return nil, invalid("serve.previous-token-until %q: want an RFC 3339 time, e.g. 2026-03-01T12:00:00Z", until)
	}
	return append(tokens, web.Token{Secret: prev, NotAfter: t}), nil
}

// defaultStateDir is where serve keeps its database without --data-dir.
func defaultStateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "atoguard")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "atoguard")
	}
	return ""
}
