// Package web is the HTTP side of `atoguard serve`: the Event Streams
// webhook sink, health endpoints and (later) metrics and dashboard.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// EventStore is what the sink needs from the store.
type EventStore interface {
	// PutStreamEventsEach stores events (new IDs only) in one transaction
	// and reports which were new.
	PutStreamEventsEach(ctx context.Context, events []atoguard.StreamEvent) (isNew []bool, err error)
}

// SinkOptions configures the Event Streams sink.
type SinkOptions struct {
	Store EventStore
	// Tokens returns the auth tokens signatures may be made with (the
	// current one, and the previous one during a rotation's grace window).
	Tokens func() []Token
	// AccountTokens adds the tokens of the account named by the delivery
	// URL's "account" query parameter (serve setup puts it there): a
	// subaccount's sink is signed with the subaccount's own token. May be nil.
	AccountTokens func(ctx context.Context, accountSID string) []Token
	// PublicURL is the scheme, host and any path prefix under which Twilio
	// reaches this server (behind a proxy). Empty: http://<Host header>.
	PublicURL string
	MaxBody   int64         // bytes; larger bodies get 413
	Timeout   time.Duration // for storing a delivery; Twilio waits 5 s
	Now       func() time.Time
	Logger    *slog.Logger
	// Stored is called after a delivery is durable and acknowledged
	// (detection runs there, after the 2xx). May be nil.
	Stored func(events []atoguard.StreamEvent)
	// Metrics count deliveries; nil counts nothing.
	Metrics *Metrics
	// GroupWait is how long concurrent deliveries gather into one
	// transaction (default 500 µs: on the 2-core benchmark machine longer
	// waits lowered throughput, see docs/benchmarks.md); GroupEvents commits a batch that large at
	// once (default 1000).
	GroupWait   time.Duration
	GroupEvents int
}

// Sink receives Event Streams deliveries.
type Sink struct {
	o SinkOptions
	c *committer
}

// NewSink returns the sink handler.
func NewSink(o SinkOptions) *Sink {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 4 * time.Second
	}
	if o.GroupWait <= 0 {
		o.GroupWait = 500 * time.Microsecond
	}
	if o.GroupEvents <= 0 {
		o.GroupEvents = 1000
	}
	return &Sink{o: o, c: newCommitter(o.Store, o.GroupWait, o.GroupEvents, o.Timeout)}
}

// ServeHTTP answers 401 for a bad signature, 413 for a body over MaxBody,
// 400 for a malformed delivery (none of them stores anything), 503 when the
// store fails (Twilio retries), and 200 only once every event is durable.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if r.ContentLength > s.o.MaxBody {
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		s.o.Metrics.reject("too_large")
		return
	}
	start := time.Now()
	body, err := readBody(w, r, s.o.MaxBody)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		s.o.Metrics.reject("too_large")
		return
	case err != nil:
		reply(w, http.StatusBadRequest, "reading body failed")
		s.o.Metrics.reject("malformed")
		return
	}
	now := s.o.Now()
	if !verify(s.tokens(r), now, s.fullURL(r), r.Header.Get("X-Twilio-Signature"), body) {
		s.o.Logger.Warn("event delivery rejected: bad signature", "remote", r.RemoteAddr)
		reply(w, http.StatusUnauthorized, "invalid signature")
		s.o.Metrics.reject("signature")
		return
	}
	events, err := ParseEvents(body, now)
	if err != nil {
		s.o.Logger.Warn("event delivery rejected: malformed", "err", err.Error())
		reply(w, http.StatusBadRequest, "malformed CloudEvents: "+err.Error())
		s.o.Metrics.reject("malformed")
		return
	}
	if sid := r.URL.Query().Get("account"); len(sid) == 34 && accountSIDRe.MatchString(sid) {
		for i := range events {
			if events[i].AccountSID == "" { // test events name no account: the signed URL does
				events[i].AccountSID = sid
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.o.Timeout)
	defer cancel()
	added, err := s.c.put(ctx, events)
	if err != nil {
		s.o.Logger.Error("storing events failed", "err", err.Error(), "events", len(events))
		reply(w, http.StatusServiceUnavailable, "not stored; retry")
		s.o.Metrics.reject("store_unavailable")
		return
	}
	s.logTests(events)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]int{"received": len(events), "new": added})
	s.o.Metrics.acked(len(events), added, time.Since(start))
	if s.o.Stored != nil {
		s.o.Stored(events)
	}
}

// tokens are the tokens a delivery may be signed with.
func (s *Sink) tokens(r *http.Request) []Token {
	tokens := s.o.Tokens()
	if s.o.AccountTokens == nil {
		return tokens
	}
	if sid := r.URL.Query().Get("account"); len(sid) == 34 && accountSIDRe.MatchString(sid) {
		tokens = append(slices.Clip(tokens), s.o.AccountTokens(r.Context(), sid)...)
	}
	return tokens
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	defer rd.Close()
	return io.ReadAll(rd)
}

// fullURL is the URL Twilio signed: the public base and the request's path
// and query as received.
func (s *Sink) fullURL(r *http.Request) string {
	base := strings.TrimRight(s.o.PublicURL, "/")
	if base == "" {
		base = "http://" + r.Host
	}
	return base + r.URL.RequestURI()
}

// logTests notes sink test events: `serve setup` validates the sink with
// their test_id, which the store now holds.
func (s *Sink) logTests(events []atoguard.StreamEvent) {
	for _, e := range events {
		if e.Type == TestEventType {
			s.o.Logger.Info("Event Streams sink test event received", "id", e.ID)
		}
	}
}

// reply answers {"status":"ok"} for a 2xx, else {"error": msg}.
func reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if code < 300 {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
