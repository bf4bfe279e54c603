package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/alert"
)

// hookRecorder is a local Slack / webhook receiver that records each request.
type hookRecorder struct {
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	got     chan struct{}
}

func newHookRecorder(t *testing.T) (*hookRecorder, string) {
	r := &hookRecorder{got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.headers = append(r.headers, req.Header.Clone())
		r.mu.Unlock()
		r.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// TestServeAlertsEndToEnd: serve polls an emulator running the
// webhook-hijack attack, detects it and delivers the alert to a local Slack
// receiver and a signed webhook receiver within a bounded time; /metrics
// counts the polls and the alert; no alert carries the auth token.
func TestServeAlertsEndToEnd(t *testing.T) {
	_, apiURL, env := emulated(t, "webhook-hijack")
	slack, slackURL := newHookRecorder(t)
	hook, hookURL := newHookRecorder(t)
	const hookSecret = "whsec-fabricated-0123456789"
	cfg := filepath.Join(t.TempDir(), "atoguard.toml")
	toml := "[serve]\nslack-webhook-url = \"" + slackURL + "\"\nwebhook-url = \"" + hookURL + "\"\nwebhook-secret = \"" + hookSecret + "\"\n"
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	env["HOME"] = t.TempDir()
	start := time.Now()
	base, _, stop := startServeAt(t, func() time.Time { return investigateNow }, env, "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--config", cfg, "--twilio-api-url", apiURL, "--events-interval", "200ms", "--usage-interval", "200ms", "--config-interval", "200ms")
	for _, r := range []*hookRecorder{slack, hook} {
		select {
		case <-r.got:
		case <-time.After(30 * time.Second):
			t.Fatal("no alert delivered within 30s")
		}
	}
	t.Logf("alert delivered %v after serve started", time.Since(start))
	slack.mu.Lock()
	var msg map[string]string
	if err := json.Unmarshal(slack.bodies[0], &msg); err != nil || !strings.Contains(msg["text"], "event.webhook-changed") ||
		!strings.Contains(msg["text"], "atoguard respond apply --accounts "+env["TWILIO_ACCOUNT_SID"]) {
		t.Errorf("slack got %s (%v)", slack.bodies[0], err)
	}
	slack.mu.Unlock()
	hook.mu.Lock()
	h, body := hook.headers[0], hook.bodies[0]
	if h.Get(alert.HeaderSignature) != alert.WebhookSignature(atoguard.NewSecret(hookSecret), h.Get(alert.HeaderTimestamp), body) {
		t.Errorf("webhook signature does not verify")
	}
	if strings.Contains(string(body), env["TWILIO_AUTH_TOKEN"]) {
		t.Error("the alert carries the auth token")
	}
	hook.mu.Unlock()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`atoguard_poll_seconds_count{poller="monitor-events"}`, `atoguard_alerts_total{reason="new",severity="critical"}`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	stop()
}

// TestServeMonitorSettings: bad poller and channel settings are usage errors
// naming the setting, and never echo a secret.
func TestServeMonitorSettings(t *testing.T) {
	env := map[string]string{"TWILIO_AUTH_TOKEN": serveTestToken, "HOME": t.TempDir()}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"interval too short", []string{"--events-interval", "1ms"}, "--events-interval 1ms: want a duration from 100ms to 24h0m0s"},
		{"bad severity", []string{"--alert-min-severity", "loud"}, "--alert-min-severity \"loud\""},
		{"no account sid", nil, "set TWILIO_ACCOUNT_SID"},
		{"webhook without secret", []string{"--config", writeServeConfig(t, `webhook-url = "http://127.0.0.1:1/h"`)}, "serve.webhook-secret"},
		{"slack not a url", []string{"--config", writeServeConfig(t, `slack-webhook-url = "hunter2"`)}, "serve.slack-webhook-url"},
		{"config interval", []string{"--config", writeServeConfig(t, `usage-interval = "soon"`)}, "serve.usage-interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr syncBuffer
			code := Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, tc.args...),
				IO{Out: io.Discard, Err: &stderr, Getenv: func(k string) string { return env[k] }})
			if code != ExitError || !strings.Contains(stderr.String(), tc.want) || strings.Contains(stderr.String(), "hunter2") {
				t.Errorf("exit %d, stderr %s; want %d and %q", code, stderr.String(), ExitError, tc.want)
			}
		})
	}
}
