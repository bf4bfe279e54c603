// Package emulator is a stateful, in-memory fake of the Twilio REST API
// products atoguard uses, served over real HTTP. It keeps real semantics —
// credentials that stop working when rotated or deleted, subaccount
// boundaries, filters, paging, Monitor events for every administrative
// change — and can inject faults (latency, 429, 5xx, resets, broken bodies)
// deterministically from a seed, so clients are tested against something
// that behaves like Twilio, including Twilio under load and failure.
package emulator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// Options configure an Emulator. Every field is optional.
type Options struct {
	// World is served from the start; nil starts with an empty world (load
	// one later with Load or the admin endpoint).
	World *scenario.World
	// Seed drives SIDs, credentials the emulator creates and fault dice.
	Seed int64
	// Clock is the emulator's notion of now; nil starts a running clock at
	// World.Now (or the wall clock when the world has none).
	Clock *Clock
	// Faults are active from the start.
	Faults []FaultRule
	// Logger receives one debug line per request (never credentials).
	Logger *slog.Logger
	// ConcurrencyLimit is Twilio's per-account limit on requests in flight:
	// one more is refused with 429 and code 20429 (0 = no limit).
	ConcurrencyLimit int
	// Builder loads named scenarios for the admin endpoint
	// (POST /_emulator/scenario {"name","seed"}); nil disables loading by name.
	Builder func(name string, seed int64, now time.Time) (*scenario.World, error)
	// ReadTimeout bounds reading a whole request, body included, WriteTimeout
	// writing its response, IdleTimeout a kept-alive connection between
	// requests (Start's server; 0 = the Default… value). A latency or slow
	// fault longer than WriteTimeout loses its response.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Streams shape Event Streams delivery (batches, retries, seeded
	// duplicates and reordering).
	Streams StreamOptions
}

// Server limits of Start: the emulator is offered for drills and CI, often
// on a shared host, and its admin endpoints have no authentication, so a
// client that trickles or floods must not hold it.
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 2 * time.Minute
	DefaultIdleTimeout  = 2 * time.Minute
	readHeaderTimeout   = 10 * time.Second
)

// Emulator serves one world. It is safe for concurrent use.
type Emulator struct {
	opts   Options
	clock  *Clock
	log    *slog.Logger
	faults *faultSet

	flightMu sync.Mutex
	inflight map[string]int // account SID → requests in flight

	// bufs recycles response buffers of list pages (the hot path).
	bufs sync.Pool

	streams *streamer // Event Streams deliveries

	rtOnce sync.Once
	rts    []*route

	mu    sync.RWMutex // guards st
	st    *state
	world *scenario.World // the world last loaded (its name and expectations)
}

// New builds an emulator serving opts.World.
func New(opts Options) (*Emulator, error) {
	if opts.ConcurrencyLimit < 0 {
		return nil, errors.New("emulator: negative concurrency limit")
	}
	e := &Emulator{opts: opts, clock: opts.Clock, log: opts.Logger, inflight: map[string]int{}, streams: newStreamer(opts.Streams, opts.Seed)}
	e.bufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.clock == nil {
		start := time.Now().UTC()
		if opts.World != nil && !opts.World.Now.IsZero() {
			start = opts.World.Now
		}
		e.clock = NewClock(start)
	}
	fs, err := newFaultSet(opts.Seed, opts.Faults)
	if err != nil {
		return nil, err
	}
	e.faults = fs
	w := opts.World
	if w == nil {
		w = &scenario.World{Name: "empty"}
	}
	if err := e.Load(w); err != nil {
		return nil, err
	}
	return e, nil
}

// Load replaces the served world. Credentials, traffic and events of the
// previous world are gone at once.
func (e *Emulator) Load(w *scenario.World) error {
	if w == nil {
		return errors.New("emulator: nil world")
	}
	st, err := buildState(w, e.opts.Seed, e.clock)
	if err != nil {
		return err
	}
	// Keep the world's name and expectations, not its traffic: the state
	// holds that compactly and the world can be freed.
	meta := *w
	meta.Accounts = nil
	e.mu.Lock()
	e.st, e.world = st, &meta
	e.opts.World = nil
	e.mu.Unlock()
	return nil
}

// AppendMessages adds messages to an account of the served world (bulk
// loads for benchmarks and drills, without building a World first). The
// messages keep their SIDs and dates; lists stay ordered by date.
func (e *Emulator) AppendMessages(accountSID string, msgs []atoguard.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.accounts[accountSID]
	if a == nil {
		return fmt.Errorf("emulator: no account %s", accountSID)
	}
	ms := &a.msgs
	for i := range msgs {
		ms.add(&msgs[i])
	}
	if ms.unsorted {
		ms.sort()
	}
	return nil
}

// Clock returns the emulator's clock (tests advance it).
func (e *Emulator) Clock() *Clock { return e.clock }

// Handler serves the Twilio products and the admin endpoints.
func (e *Emulator) Handler() http.Handler { return http.HandlerFunc(e.serveHTTP) }

// Start serves the emulator on addr (e.g. "127.0.0.1:0") and returns its base
// URL and a stop function that shuts the server down.
func (e *Emulator) Start(addr string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	o := e.opts
	read := cmp.Or(o.ReadTimeout, DefaultReadTimeout)
	srv := &http.Server{Handler: e.Handler(), ReadTimeout: read, ReadHeaderTimeout: min(read, readHeaderTimeout),
		WriteTimeout: cmp.Or(o.WriteTimeout, DefaultWriteTimeout), IdleTimeout: cmp.Or(o.IdleTimeout, DefaultIdleTimeout)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				_ = srv.Close()
			}
			<-done
		})
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// Clock is a settable clock. It runs with the wall clock from the time it is
// set (so events created during a drill get increasing timestamps) unless
// frozen.
type Clock struct {
	mu     sync.Mutex
	base   time.Time
	wallAt time.Time
	frozen bool
	wall   func() time.Time
}

// NewClock returns a running clock that reads t now.
func NewClock(t time.Time) *Clock {
	return &Clock{base: t.UTC(), wallAt: time.Now(), wall: time.Now}
}

// NewFrozenClock returns a clock that only moves when set or advanced.
func NewFrozenClock(t time.Time) *Clock {
	c := NewClock(t)
	c.frozen = true
	return c
}

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.base
	}
	return c.base.Add(c.wall().Sub(c.wallAt))
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.base, c.wallAt = t.UTC(), c.wall()
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base = c.base.Add(d)
}

// admit counts a request against its account's concurrency limit; it
// returns the number in flight (including this one) and a release function,
// or ok=false when the account is at its limit.
func (e *Emulator) admit(r *http.Request) (n int, release func(), ok bool) {
	user, _, _ := r.BasicAuth()
	if e.opts.ConcurrencyLimit == 0 || user == "" {
		return 0, func() {}, true
	}
	acct := user
	if strings.HasPrefix(user, "SK") {
		e.mu.RLock()
		if k := e.st.keys[user]; k != nil {
			acct = k.acct.SID
		}
		e.mu.RUnlock()
	}
	e.flightMu.Lock()
	defer e.flightMu.Unlock()
	if e.inflight[acct] >= e.opts.ConcurrencyLimit {
		return e.inflight[acct], nil, false
	}
	e.inflight[acct]++
	n = e.inflight[acct]
	return n, func() {
		e.flightMu.Lock()
		if e.inflight[acct]--; e.inflight[acct] <= 0 {
			delete(e.inflight, acct)
		}
		e.flightMu.Unlock()
	}, true
}
