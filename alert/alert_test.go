package alert_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/alert"
)

const sid = "AC0123456789abcdef0123456789abcdef"

func testAlert(state atoguard.AlertState) atoguard.Alert {
	return atoguard.Alert{Key: "signal/" + sid + "/events.webhook-hijack", AccountSID: sid, Severity: atoguard.SeverityHigh, State: state,
		Title: "events.webhook-hijack on " + sid + ": <webhook> moved to http://x.ngrok.io", Count: 1,
		Detail:    json.RawMessage(`{"signals":[],"respond":"atoguard respond apply --accounts ` + sid + `"}`),
		FirstSeen: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
}

// httpRecorder is a local server that records each request and answers
// with the queued statuses (then 200).
type httpRecorder struct {
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	statuses []int
	url      string
}

func newHTTPRecorder(t *testing.T, statuses ...int) *httpRecorder {
	r := &httpRecorder{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.headers = append(r.headers, req.Header.Clone())
		code := http.StatusOK
		if len(r.statuses) > 0 {
			code, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *httpRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

type delivered struct {
	mu    sync.Mutex
	errs  map[string][]error
	tries map[string]int
}

func (d *delivered) Delivered(ch string, attempts int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.errs == nil {
		d.errs, d.tries = map[string][]error{}, map[string]int{}
	}
	d.errs[ch] = append(d.errs[ch], err)
	d.tries[ch] += attempts
}

func dispatch(t *testing.T, obs alert.Observer, ch alert.Channel, alerts ...atoguard.Alert) {
	t.Helper()
	d := alert.NewDispatcher(alert.Options{Channels: []alert.Channel{ch}, BaseDelay: time.Millisecond, Attempts: 4, Observer: obs, Timeout: 5 * time.Second})
	for _, a := range alerts {
		d.Notify(t.Context(), a)
	}
	d.Close(10 * time.Second)
}

// TestSlack: Slack's incoming-webhook JSON, escaped, with the respond
// command; a 500 then succeeds on retry and both outcomes are recorded.
func TestSlack(t *testing.T) {
	rec := newHTTPRecorder(t, 500)
	obs := &delivered{}
	dispatch(t, obs, &alert.Slack{URL: atoguard.NewSecret(rec.url)}, testAlert(atoguard.AlertOpen))
	if rec.count() != 2 || obs.tries["slack"] != 2 || obs.errs["slack"][0] != nil {
		t.Fatalf("requests %d, attempts %d, errs %v; want a retry that succeeded", rec.count(), obs.tries["slack"], obs.errs["slack"])
	}
	var msg map[string]string
	if err := json.Unmarshal(rec.bodies[1], &msg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg["text"], "&lt;webhook&gt;") || !strings.Contains(msg["text"], "atoguard respond apply --accounts "+sid) ||
		!strings.HasPrefix(msg["text"], "[atoguard HIGH]") {
		t.Errorf("text %q", msg["text"])
	}
}

// TestPermanentFailure: a 404 is not retried; the failure is recorded.
func TestPermanentFailure(t *testing.T) {
	rec := newHTTPRecorder(t, 404, 404, 404)
	obs := &delivered{}
	dispatch(t, obs, &alert.Slack{URL: atoguard.NewSecret(rec.url)}, testAlert(atoguard.AlertOpen))
	if rec.count() != 1 || obs.errs["slack"][0] == nil {
		t.Fatalf("requests %d, errs %v; want one refused attempt, recorded", rec.count(), obs.errs["slack"])
	}
}

// TestPagerDuty: Events v2 trigger then resolve with the routing and dedup keys.
func TestPagerDuty(t *testing.T) {
	rec := newHTTPRecorder(t, 202, 202)
	dispatch(t, nil, &alert.PagerDuty{RoutingKey: atoguard.NewSecret("R0UTINGKEY"), URL: rec.url},
		testAlert(atoguard.AlertOpen), testAlert(atoguard.AlertResolved))
	if rec.count() != 2 {
		t.Fatalf("%d requests", rec.count())
	}
	type event struct {
		RoutingKey, DedupKey, EventAction string
		Payload                           *struct{ Summary, Source, Severity string } `json:"payload"`
	}
	var ev [2]event
	for i := range ev {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(rec.bodies[i], &raw); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(raw["routing_key"], &ev[i].RoutingKey)
		_ = json.Unmarshal(raw["dedup_key"], &ev[i].DedupKey)
		_ = json.Unmarshal(raw["event_action"], &ev[i].EventAction)
		_ = json.Unmarshal(raw["payload"], &ev[i].Payload)
	}
	key := testAlert(atoguard.AlertOpen).Key
	if ev[0].RoutingKey != "R0UTINGKEY" || ev[0].DedupKey != key || ev[0].EventAction != "trigger" || ev[0].Payload == nil ||
		ev[0].Payload.Severity != "error" || ev[0].Payload.Source != sid || ev[0].Payload.Summary == "" {
		t.Errorf("trigger %+v", ev[0])
	}
	if ev[1].DedupKey != key || ev[1].EventAction != "resolve" {
		t.Errorf("resolve %+v", ev[1])
	}
}

// TestWebhookSignature: the receiver can verify the HMAC over
// timestamp.body and see the timestamp; a changed body does not verify.
func TestWebhookSignature(t *testing.T) {
	rec := newHTTPRecorder(t)
	secret := atoguard.NewSecret("whsec-fabricated")
	now := time.Unix(1_790_000_000, 0)
	dispatch(t, nil, &alert.Webhook{URL: rec.url, Secret: secret, Now: func() time.Time { return now }}, testAlert(atoguard.AlertOpen))
	if rec.count() != 1 {
		t.Fatalf("%d requests", rec.count())
	}
	h, body := rec.headers[0], rec.bodies[0]
	ts := h.Get(alert.HeaderTimestamp)
	if ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("timestamp %q", ts)
	}
	if got := h.Get(alert.HeaderSignature); got != alert.WebhookSignature(secret, ts, body) || !strings.HasPrefix(got, "v1=") {
		t.Errorf("signature %q does not verify", got)
	}
	if alert.WebhookSignature(secret, ts, append(body, ' ')) == h.Get(alert.HeaderSignature) {
		t.Error("a changed body verifies")
	}
	var a atoguard.Alert
	if err := json.Unmarshal(body, &a); err != nil || a.Key != testAlert(atoguard.AlertOpen).Key {
		t.Errorf("body %s (%v)", body, err)
	}
}

// TestEmail: a local SMTP server receives one message from, to, with the
// alert's subject and the respond command.
func TestEmail(t *testing.T) {
	srv := newSMTPRecorder(t)
	obs := &delivered{}
	dispatch(t, obs, &alert.Email{Addr: srv.addr, From: "atoguard@example.test", To: []string{"oncall@example.test"}}, testAlert(atoguard.AlertOpen))
	if err := obs.errs["email"]; len(err) != 1 || err[0] != nil {
		t.Fatalf("delivery: %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.msgs) != 1 {
		t.Fatalf("%d messages", len(srv.msgs))
	}
	m := srv.msgs[0]
	if m.from != "<atoguard@example.test>" || len(m.to) != 1 || m.to[0] != "<oncall@example.test>" ||
		!strings.Contains(m.data, "Subject: [atoguard HIGH] events.webhook-hijack") || !strings.Contains(m.data, "atoguard respond apply --accounts "+sid) {
		t.Errorf("message %+v", m)
	}
}

type mail struct {
	from string
	to   []string
	data string
}

// smtpRecorder speaks just enough SMTP on 127.0.0.1 to receive messages.
type smtpRecorder struct {
	addr string
	mu   sync.Mutex
	msgs []mail
}

func newSMTPRecorder(t *testing.T) *smtpRecorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpRecorder{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *smtpRecorder) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = io.WriteString(c, line+"\r\n") }
	say("220 recorder ESMTP")
	var m mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		switch up := strings.ToUpper(cmd); {
		case strings.HasPrefix(up, "EHLO"), strings.HasPrefix(up, "HELO"):
			say("250 recorder")
		case strings.HasPrefix(up, "MAIL FROM:"):
			m.from = strings.TrimSpace(cmd[len("MAIL FROM:"):])
			say("250 ok")
		case strings.HasPrefix(up, "RCPT TO:"):
			m.to = append(m.to, strings.TrimSpace(cmd[len("RCPT TO:"):]))
			say("250 ok")
		case up == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case up == "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}
