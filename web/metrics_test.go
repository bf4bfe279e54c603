package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

// TestMetrics: /metrics counts received, stored, duplicate events and
// rejections by reason, polls and alerts.
func TestMetrics(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := web.NewMetrics()
	sink := web.NewSink(web.SinkOptions{Store: st, Tokens: func() []web.Token { return []web.Token{{Secret: tokenNew}} }, Metrics: m})
	srv := httptest.NewServer(web.NewHandler(web.HandlerOptions{EventsPath: "/e", Sink: sink, Metrics: m}))
	defer srv.Close()
	post := func(body []byte, sig string) {
		u := web.SignedURL(srv.URL+"/e", body)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, u, bytes.NewReader(body))
		req.Header.Set("X-Twilio-Signature", sig)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	body := []byte(`[{"specversion":"1.0","type":"t","source":"/s","id":"a"},{"specversion":"1.0","type":"t","source":"/s","id":"a"}]`)
	post(body, web.Sign(tokenNew, web.SignedURL(srv.URL+"/e", body)))
	post(body, "forged")
	m.Polled("monitor-events", time.Second, nil)
	m.Alerted(atoguard.Alert{Severity: atoguard.SeverityHigh}, "new")
	m.Delivered("slack", 2, nil)
	res, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		"atoguard_stream_events_received_total 2", "atoguard_stream_events_stored_total 1", "atoguard_stream_events_duplicate_total 1",
		`atoguard_stream_deliveries_rejected_total{reason="signature"} 1`, `atoguard_stream_deliveries_rejected_total{reason="too_large"} 0`,
		"atoguard_stream_ack_seconds_count 1", `atoguard_poll_seconds_count{poller="monitor-events"} 1`,
		`atoguard_alerts_total{reason="new",severity="high"} 1`, `atoguard_alert_deliveries_total{channel="slack",outcome="delivered"} 1`,
	} {
		if !strings.Contains(string(text), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
