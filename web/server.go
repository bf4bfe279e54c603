package web

import (
	"context"
	"net/http"
	"time"
)

// Pinger is a store that can say whether it answers (readiness).
type Pinger interface {
	Ping(ctx context.Context) error
}

// HandlerOptions configures the whole HTTP surface of serve.
type HandlerOptions struct {
	EventsPath string // where the sink listens, e.g. /v1/twilio/events
	Sink       *Sink
	Ready      Pinger   // nil: always ready
	Metrics    *Metrics // nil: no /metrics
}

// NewHandler routes the sink, /metrics, /healthz (the process answers) and /readyz
// (the store answers too).
func NewHandler(o HandlerOptions) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(o.EventsPath, o.Sink)
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics.Handler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, "")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if o.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := o.Ready.Ping(ctx); err != nil {
				reply(w, http.StatusServiceUnavailable, "store unavailable")
				return
			}
		}
		reply(w, http.StatusOK, "")
	})
	return mux
}
