package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/pgtest"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/postgres"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

const serveTestToken = "0123456789abcdef0123456789abcdef" // fabricated

// startServe runs `atoguard serve args…` and returns its base URL once it
// listens, the exit channel and a cancel that stands for SIGTERM.
func startServe(t *testing.T, env map[string]string, args ...string) (base string, exit <-chan int, stop func()) {
	t.Helper()
	return startServeAt(t, nil, env, args...)
}

// startServeAt is startServe with serve's clock set (nil: the wall clock).
func startServeAt(t *testing.T, now func() time.Time, env map[string]string, args ...string) (base string, exit <-chan int, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- Run(ctx, append([]string{"serve"}, args...), IO{Out: &stdout, Err: &stderr, Getenv: getenv, Now: now})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, line := range strings.Split(stderr.String(), "\n") {
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				t.Cleanup(cancel)
				return rec.URL, done, cancel
			}
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d early: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not listen: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// postSigned POSTs body to url signed as Twilio would sign signedBody.
func postSigned(t *testing.T, url string, body, signedBody []byte) int {
	t.Helper()
	signed := web.SignedURL(url, signedBody)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, signed, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", web.Sign(atoguard.NewSecret(serveTestToken), signed))
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func cloudEvent(id string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"com.twilio.messaging.message.sent","source":"/x","id":%q,"data":{"accountSid":"AC0123456789abcdef0123456789abcdef"}}`, id)
}

// TestServeEndToEnd: serve on 127.0.0.1 receives signed batches with
// duplicates, refuses a forged body and an oversized one, stops on SIGTERM,
// and the store holds each good event once.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TWILIO_AUTH_TOKEN": serveTestToken, "HOME": t.TempDir()}
	base, exit, stop := startServe(t, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--max-body", "2048", "--events-path", "/hooks/twilio", "--no-poll")
	url := base + "/hooks/twilio"
	batch1 := []byte("[" + cloudEvent("EZ1") + "," + cloudEvent("EZ2") + "," + cloudEvent("EZ1") + "]")
	batch2 := []byte("[" + cloudEvent("EZ2") + "," + cloudEvent("EZ3") + "]")
	forged := []byte("[" + cloudEvent("EZ666") + "]")
	oversized := []byte("[" + strings.Repeat(cloudEvent("EZ4")+",", 20) + cloudEvent("EZ4") + "]")
	steps := []struct {
		name             string
		body, signedBody []byte
		want             int
	}{
		{"batch with a duplicate", batch1, batch1, http.StatusOK},
		{"redelivery", batch1, batch1, http.StatusOK},
		{"overlapping batch", batch2, batch2, http.StatusOK},
		{"forged body, valid URL signature", forged, batch1, http.StatusUnauthorized},
		{"oversized", oversized, oversized, http.StatusRequestEntityTooLarge},
		{"malformed", []byte(`[{"id":`), []byte(`[{"id":`), http.StatusBadRequest},
	}
	for _, s := range steps {
		if got := postSigned(t, url, s.body, s.signedBody); got != s.want {
			t.Errorf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(base + path)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %v %v", path, res, err)
		} else {
			res.Body.Close()
		}
	}
	stop()
	if code := <-exit; code != ExitClean {
		t.Fatalf("serve exited %d after SIGTERM, want 0", code)
	}
	st, err := sqlite.Open(t.Context(), dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.StreamEvents(t.Context(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	if fmt.Sprint(ids) != "[EZ1 EZ2 EZ3]" {
		t.Errorf("stored %v, want EZ1 EZ2 EZ3 once each", ids)
	}
}

func TestServeBadSettings(t *testing.T) {
	tok := map[string]string{"TWILIO_AUTH_TOKEN": serveTestToken, "HOME": t.TempDir()}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no token", map[string]string{"HOME": t.TempDir()}, nil, "TWILIO_AUTH_TOKEN"},
		{"max body too small", tok, []string{"--max-body", "10"}, "--max-body 10: want a number of bytes from 1024"},
		{"max body too large", tok, []string{"--max-body", "999999999999"}, "--max-body"},
		{"events path", tok, []string{"--events-path", "events"}, "--events-path"},
		{"events path taken", tok, []string{"--events-path", "/healthz"}, "taken by serve"},
		{"public url", tok, []string{"--public-url", "ftp://x"}, "--public-url"},
		{"database url", tok, []string{"--database-url", "mysql://u:hunter2@h/d"}, "--database-url: want postgres://"},
		{"addr", tok, []string{"--addr", "nope"}, "--addr"},
		{"previous token without end", tok, []string{"--config", writeServeConfig(t, `previous-auth-token = "fedcba9876543210fedcba9876543210"`)},
			"serve.previous-auth-token and serve.previous-token-until go together"},
		{"grace end not a time", tok, []string{"--config", writeServeConfig(t, `previous-auth-token = "fedcba9876543210fedcba9876543210"`+"\n"+`previous-token-until = "tomorrow"`)},
			"serve.previous-token-until \"tomorrow\": want an RFC 3339 time"},
		{"config max body", tok, []string{"--config", writeServeConfig(t, `max-body = "lots"`)}, "serve.max-body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...),
				IO{Err: &stderr, Getenv: func(k string) string { return tc.env[k] }})
			if code != ExitError || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
			if strings.Contains(stderr.String(), "hunter2") || strings.Contains(stderr.String(), serveTestToken) ||
				strings.Contains(stderr.String(), "fedcba98") {
				t.Errorf("a secret reached stderr: %q", stderr.String())
			}
		})
	}
}

func writeServeConfig(t *testing.T, serveTable string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "atoguard.toml")
	if err := os.WriteFile(p, []byte("[serve]\n"+serveTable+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServePostgres: --database-url switches serve to PostgreSQL (a
// throwaway server; under CI=true a missing PostgreSQL fails the test).
func TestServePostgres(t *testing.T) {
	srv, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	dsn := srv.NewDatabase(t)
	env := map[string]string{"TWILIO_AUTH_TOKEN": serveTestToken, "ATOGUARD_DATABASE_URL": dsn}
	base, exit, stop := startServe(t, env, "--addr", "127.0.0.1:0", "--no-poll")
	batch := []byte("[" + cloudEvent("EZ1") + "," + cloudEvent("EZ1") + "," + cloudEvent("EZ2") + "]")
	for range 2 {
		if code := postSigned(t, base+"/v1/twilio/events", batch, batch); code != http.StatusOK {
			t.Fatalf("status %d, want 200", code)
		}
	}
	stop()
	if code := <-exit; code != ExitClean {
		t.Fatalf("exit %d", code)
	}
	st, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.StreamEvents(t.Context(), store.EventQuery{})
	if err != nil || len(evs) != 2 {
		t.Errorf("stored %d events (err %v), want 2", len(evs), err)
	}
}
