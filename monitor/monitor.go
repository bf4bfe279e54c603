// Package monitor is the engine of `atoguard serve`: pollers that keep what
// Event Streams does not carry (Monitor events, usage, configuration) in the
// store, each owned by one replica at a time through a store lease, and
// detection that re-runs the investigate detectors for an account whenever
// new data for it arrives, raising and resolving alerts.
//
// It takes interfaces only: the records come from an investigate.Source (the
// Twilio client in production, the emulator in tests), storage is a
// store.Store, alerts leave through a Notifier.
package monitor

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/store"
)

// Poller names: the cursor's Poller, the lease name's suffix, the metrics label.
const (
	PollerEvents = "monitor-events"
	PollerUsage  = "usage"
	PollerConfig = "configuration"
)

// Snapshot kinds the pollers write.
const (
	KindUsage  = "usage"
	KindConfig = "configuration"
)

// Notifier delivers an alert to people. State AlertResolved means the
// condition cleared. Notify must not block for long (queue, then send).
type Notifier interface {
	Notify(ctx context.Context, a atoguard.Alert)
}

// Observer receives what metrics count. Implementations must be safe for
// concurrent use.
type Observer interface {
	Polled(poller string, d time.Duration, err error)
	Alerted(a atoguard.Alert, reason string)
}

// Options configure an Engine. Store, Source and Holder are required.
type Options struct {
	Store  store.Store
	Source investigate.Source
	// Holder names this replica in leases (host name + process id, say).
	Holder string
	// Intervals of the pollers (defaults 1m, 15m, 5m).
	EventsInterval, UsageInterval, ConfigInterval time.Duration
	// Lookback is how far back the first Monitor-events poll reads (default
	// 30 days, all Monitor keeps). Overlap re-reads the end of the previous
	// window, as Monitor may index an event late (default 5m; duplicates are
	// dropped by SID).
	Lookback, Overlap time.Duration
	// Window is the recent window detection judges, Baseline how far back its
	// baseline reaches (defaults 48h and 21 days).
	Window, Baseline time.Duration
	// Cooldown is how long a repeated alert stays quiet (default 1h).
	Cooldown time.Duration
	// MinSeverity is the least severe signal that raises an alert (default medium).
	MinSeverity atoguard.Severity
	// MinVerdict is the least verdict (investigate's rules, per account) at
	// which signals raise alerts (default likely): "suspicious" is for a
	// person to look at in investigate, not a page.
	MinVerdict atoguard.Verdict
	Detect     detect.Options
	Notifier   Notifier // nil: alerts are stored only
	Observer   Observer // nil: nothing counted
	Logger     *slog.Logger
	// Now is the clock of the data windows (the emulator's in tests).
	Now func() time.Time
	// Secrets are scrubbed from every alert (auth tokens serve knows).
	Secrets func() []atoguard.Secret
	// Tokens reads subaccount auth tokens (SubaccountToken); nil: none.
	Tokens TokenFetcher
}

// Engine runs the pollers and detection. Create it with New.
type Engine struct {
	o Options

	mu       sync.Mutex
	sources  map[string]investigate.AccountSource
	accounts map[string]atoguard.Account

	dirty chan string

	tokMu    sync.Mutex // guards tokens and listedAt; held across a fetch
	tokens   map[string]cachedToken
	listedAt time.Time
}

// New checks the options and applies defaults.
func New(o Options) (*Engine, error) {
	if o.Store == nil || o.Source == nil || o.Holder == "" {
		return nil, errors.New("monitor: Store, Source and Holder are required")
	}
	o.EventsInterval = cmp.Or(o.EventsInterval, time.Minute)
	o.UsageInterval = cmp.Or(o.UsageInterval, 15*time.Minute)
	o.ConfigInterval = cmp.Or(o.ConfigInterval, 5*time.Minute)
	o.Lookback = cmp.Or(o.Lookback, 30*24*time.Hour)
	o.Overlap = cmp.Or(o.Overlap, 5*time.Minute)
	o.Window = cmp.Or(o.Window, 48*time.Hour)
	o.Baseline = cmp.Or(o.Baseline, 21*24*time.Hour)
	o.Cooldown = cmp.Or(o.Cooldown, time.Hour)
	o.MinSeverity = cmp.Or(o.MinSeverity, atoguard.SeverityMedium)
	o.MinVerdict = cmp.Or(o.MinVerdict, atoguard.VerdictLikely)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Secrets == nil {
		o.Secrets = func() []atoguard.Secret { return nil }
	}
	return &Engine{o: o, sources: map[string]investigate.AccountSource{}, accounts: map[string]atoguard.Account{},
		dirty: make(chan string, 1024), tokens: map[string]cachedToken{}}, nil
}

// Pollers lists the poller names in the order Run starts them.
func Pollers() []string { return []string{PollerEvents, PollerUsage, PollerConfig} }

func (e *Engine) interval(poller string) time.Duration {
	switch poller {
	case PollerEvents:
		return e.o.EventsInterval
	case PollerUsage:
		return e.o.UsageInterval
	}
	return e.o.ConfigInterval
}

// LeaseName is the store lease that owns a poller across replicas.
func LeaseName(poller string) string { return "poller/" + poller }

// Run polls and detects until ctx ends. It does not give its leases up: a
// replica that stops this way loses them when they expire, as a crashed one
// would; Release gives them up at once on a graceful shutdown.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range Pollers() {
		wg.Go(func() { e.runPoller(ctx, p) })
	}
	wg.Go(func() { e.runDetection(ctx) })
	wg.Wait()
}

// Release gives up this replica's leases (graceful shutdown).
func (e *Engine) Release(ctx context.Context) {
	for _, p := range Pollers() {
		if err := e.o.Store.ReleaseLease(ctx, LeaseName(p), e.o.Holder); err != nil {
			e.o.Logger.Warn("releasing lease failed", "lease", LeaseName(p), "err", err)
		}
	}
}

// runPoller renews the poller's lease every quarter interval, with a TTL of
// three quarters: while this replica lives the lease never lapses; once it
// dies another replica, trying as often, owns the poller within one interval.
func (e *Engine) runPoller(ctx context.Context, poller string) {
	every := e.interval(poller)
	tick := max(every/4, time.Millisecond)
	ttl := max(every*3/4, 2*tick)
	t := time.NewTicker(tick)
	defer t.Stop()
	var last time.Time
	for {
		_, held, err := e.o.Store.AcquireLease(ctx, LeaseName(poller), e.o.Holder, ttl)
		switch {
		case err != nil && ctx.Err() == nil:
			e.o.Logger.Warn("lease failed", "poller", poller, "err", err)
		case held && (last.IsZero() || time.Since(last) >= every):
			last = time.Now()
			e.PollOnce(ctx, poller)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
