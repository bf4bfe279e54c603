package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/monitor"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/web/dashboard"
	"github.com/spf13/cobra"
)

// serveDashboardKeys are the [serve] settings of the dashboard and of
// automatic containment (configKeys lists them).
func serveDashboardKeys() []string {
	return []string{"dashboard-password-hash", "journal", "credential-sink", "contain", "contain-rules",
		"contain-max-per-hour", "contain-max-errors", "contain-interval", "webhook-snapshot"}
}

// dashboardParts are what serve runs beside the monitor.
type dashboardParts struct {
	handler http.Handler // nil: no dashboard
	contain *contain.Engine
	journal *playbook.Journal
	holder  string
	every   time.Duration
}

func (p *dashboardParts) close() {
	if p != nil && p.journal != nil {
		p.journal.Close()
	}
}

// mount puts the dashboard under /ui/ beside the other handler.
func (p *dashboardParts) mount(h http.Handler) http.Handler {
	if p == nil || p.handler == nil {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle(dashboard.Prefix, p.handler)
	mux.Handle("/", h)
	return mux
}

// run starts automatic containment (a no-op when off).
func (p *dashboardParts) run(ctx context.Context) {
	if p != nil && p.contain != nil {
		go p.contain.Run(ctx, p.holder, p.every)
	}
}

// startDashboard builds the dashboard (when serve.dashboard-password-hash
// is set) and containment (when serve.contain is dry-run or on). Both need
// the pollers (engine non-nil).
func startDashboard(cmd *cobra.Command, cfg *Config, streams IO, st store.Store, s serveSettings, engine *monitor.Engine,
	notifier contain.Notifier, log *slog.Logger) (*dashboardParts, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	hash := cfg.String("serve.dashboard-password-hash")
	mode := contain.Mode(or(cfg.String("serve.contain"), string(contain.Off)))
	if hash == "" && mode == contain.Off {
		return nil, nil
	}
	if engine == nil {
		return nil, invalid("the dashboard and serve.contain need the pollers: drop --no-poll")
	}
	p := &dashboardParts{holder: fmt.Sprintf("%d/%d", os.Getpid(), time.Now().UnixNano())}
	client, err := serveClient(cmd, cfg, streams)
	if err != nil {
		return nil, err
	}
	var sink atoguard.CredentialStore
	if spec := cfg.String("serve.credential-sink"); spec != "" {
		if sink, err = credstore.Parse(spec, cfg.Credential.AccountSID); err != nil {
			return nil, err
		}
	}
	jpath := or(cfg.String("serve.journal"), filepath.Join(s.dataDir, "respond-journal.jsonl"))
	if err := os.MkdirAll(filepath.Dir(jpath), 0o700); err != nil {
		return nil, invalid("serve.journal %s: %v", jpath, err)
	}
	if p.journal, err = playbook.OpenJournal(jpath); err != nil {
		return nil, err
	}
	dial := playbook.DialAs(client)
	if p.contain, p.every, err = containEngine(cfg, mode, st, engine, dial, sink, p.journal, notifier, streams.Now, log); err != nil {
		p.close()
		return nil, err
	}
	if hash != "" {
		p.handler, err = dashboard.New(dashboard.Options{Data: &dashboard.Backend{Store: st, Monitor: engine,
			Source: twilioSource{client}, Dial: dial, Credential: cfg.Credential, CredStore: sink, Journal: p.journal,
			Notifier: notifier, Now: streams.Now}, PasswordHash: []byte(hash), Now: time.Now, Logger: log})
		if err != nil {
			p.close()
			return nil, err
		}
	}
	log.Info("dashboard", "enabled", hash != "", "contain", string(mode), "journal", jpath)
	return p, nil
}

func containEngine(cfg *Config, mode contain.Mode, st store.Store, engine *monitor.Engine, dial playbook.Dial,
	sink atoguard.CredentialStore, j *playbook.Journal, n contain.Notifier, now func() time.Time, log *slog.Logger) (*contain.Engine, time.Duration, error) {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "serve", format, args...)
	}
	o := contain.Options{Mode: mode, Store: st, Judge: engine, Dial: dial, Credential: cfg.Credential, CredStore: sink,
		Journal: j, Notifier: n, Now: now, Logger: log}
	switch mode {
	case contain.Off, contain.DryRun, contain.On:
	default:
		return nil, 0, invalid("serve.contain %q: want off (default), dry-run or on", mode)
	}
	if p := cfg.String("serve.webhook-snapshot"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, 0, invalid("serve.webhook-snapshot: %v", err)
		}
		if o.Snapshot, err = decodeSnapshot(data); err != nil {
			return nil, 0, invalid("serve.webhook-snapshot: %s is not an `investigate --snapshot` file: %v", p, err)
		}
	}
	for _, r := range cfg.Strings("serve.contain-rules") {
		rule, err := contain.ParseRule(r)
		if err != nil {
			return nil, 0, invalid("serve.contain-rules: %v", err)
		}
		o.Rules = append(o.Rules, rule)
	}
	if mode != contain.Off && len(o.Rules) == 0 {
		return nil, 0, invalid("serve.contain = %q needs serve.contain-rules, e.g. [\"compromised: suspend-subaccounts geo-permissions delete-keys webhooks\"]", mode)
	}
	for key, into := range map[string]*int{"serve.contain-max-per-hour": &o.MaxPerHour, "serve.contain-max-errors": &o.MaxErrors} {
		if v := cfg.String(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return nil, 0, invalid("%s %q: want a number from 1 to 1000", key, v)
			}
			*into = n
		}
	}
	every := 2 * time.Second
	if v := cfg.String("serve.contain-interval"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return nil, 0, invalid("serve.contain-interval %q: want a duration from 100ms to 1h", v)
		}
		every = d
	}
	e, err := contain.New(o)
	return e, every, err
}

// newServeHashPasswordCommand prints a bcrypt hash of the password read
// from stdin, for serve.dashboard-password-hash (no htpasswd needed).
func newServeHashPasswordCommand(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "hash-password",
		Short: "Read a dashboard password from stdin and print its bcrypt hash",
		Long: `hash-password reads one line from stdin (the password; the line end is not
part of it) and prints its bcrypt hash for [serve] dashboard-password-hash.
The password is never echoed or logged. Example:
  printf '%s' "$PASS" | atoguard serve hash-password`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 1024)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return atoguard.Errorf(atoguard.EINVALID, "serve hash-password", "reading stdin: %v", err)
			}
			pw := strings.TrimRight(line, "\r\n")
			if len(pw) < 8 || len(pw) > 72 {
				return atoguard.Errorf(atoguard.EINVALID, "serve hash-password",
					"the password on stdin has %d bytes: want 8 to 72 (bcrypt's limit)", len(pw))
			}
			h, err := dashboard.HashPassword(pw)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(streams.Out, h)
			return err
		},
	}
}
