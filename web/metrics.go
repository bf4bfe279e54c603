package web

import (
	"net/http"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are serve's Prometheus metrics, in a registry of their own (no
// global state). They observe the sink, the pollers (monitor.Observer) and
// alert deliveries (alert.Observer). A nil *Metrics records nothing.
type Metrics struct {
	reg                         *prometheus.Registry
	received, stored, duplicate prometheus.Counter
	rejected                    *prometheus.CounterVec
	ack                         prometheus.Histogram
	pollSeconds                 *prometheus.HistogramVec
	pollErrors                  *prometheus.CounterVec
	alerts                      *prometheus.CounterVec
	deliveries                  *prometheus.CounterVec
}

// NewMetrics registers every metric (and the Go and process collectors).
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.received = prometheus.NewCounter(prometheus.CounterOpts{Name: "atoguard_stream_events_received_total", Help: "Event Streams events in signed, well-formed deliveries."})
	m.stored = prometheus.NewCounter(prometheus.CounterOpts{Name: "atoguard_stream_events_stored_total", Help: "Events stored (new ids)."})
	m.duplicate = prometheus.NewCounter(prometheus.CounterOpts{Name: "atoguard_stream_events_duplicate_total", Help: "Events received again (id already stored)."})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atoguard_stream_deliveries_rejected_total", Help: "Deliveries refused, by reason."}, []string{"reason"})
	m.ack = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "atoguard_stream_ack_seconds", Help: "Time from request to acknowledgement of stored deliveries.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}})
	m.pollSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "atoguard_poll_seconds", Help: "Duration of a poll round over every account.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"poller"})
	m.pollErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atoguard_poll_errors_total", Help: "Poll rounds with an error."}, []string{"poller"})
	m.alerts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atoguard_alerts_total", Help: "Alerts notified, by severity and reason (new, escalated, resolved…)."}, []string{"severity", "reason"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atoguard_alert_deliveries_total", Help: "Alert deliveries by channel and outcome."}, []string{"channel", "outcome"})
	for _, c := range []prometheus.Collector{m.received, m.stored, m.duplicate, m.rejected, m.ack, m.pollSeconds, m.pollErrors, m.alerts, m.deliveries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	for _, r := range []string{"signature", "too_large", "malformed", "store_unavailable"} {
		m.rejected.WithLabelValues(r) // present at 0 from the start
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *Metrics) reject(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) acked(events, added int, took time.Duration) {
	if m != nil {
		m.received.Add(float64(events))
		m.stored.Add(float64(added))
		m.duplicate.Add(float64(events - added))
		m.ack.Observe(took.Seconds())
	}
}

// Polled implements monitor.Observer.
func (m *Metrics) Polled(poller string, d time.Duration, err error) {
	m.pollSeconds.WithLabelValues(poller).Observe(d.Seconds())
	if err != nil {
		m.pollErrors.WithLabelValues(poller).Inc()
	}
}

// Alerted implements monitor.Observer.
func (m *Metrics) Alerted(a atoguard.Alert, reason string) {
	m.alerts.WithLabelValues(string(a.Severity), reason).Inc()
}

// Delivered implements alert.Observer.
func (m *Metrics) Delivered(channel string, _ int, err error) {
	outcome := "delivered"
	if err != nil {
		outcome = "failed"
	}
	m.deliveries.WithLabelValues(channel, outcome).Inc()
}
