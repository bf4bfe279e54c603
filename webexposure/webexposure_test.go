package webexposure_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/webtest"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/webexposure"
)

// Fabricated credentials (the emulator tests' main account).
const (
	testSID   = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	testToken = "daf7b3d34b9787f1212316eea62ba186"
)

const ua = "atoguard/test (+exposure web)"

func netFor(tlsRoots *webtest.CA) webexposure.Net {
	n := webexposure.Net{Prober: webexposure.NewHTTPProber(ua, 5*time.Second), Dialer: webexposure.NetDialer{},
		Detector: scan.New(scan.Options{})}
	if tlsRoots != nil {
		n.TLS = webexposure.NetTLS{Roots: tlsRoots.Pool}
	}
	return n
}

// fakeClock runs the rate limit on a clock that only sleeps move, so tests
// wait for nothing and the waits can be counted.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
	waits int
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	c.waits++
	return nil
}

func opts(c *fakeClock, targets ...string) webexposure.Options {
	o := webexposure.Options{Now: c.Now, Sleep: c.Sleep}
	for _, t := range targets {
		o.Targets = append(o.Targets, webexposure.Target{URL: t})
	}
	return o
}

func run(t *testing.T, n webexposure.Net, o webexposure.Options) webexposure.Report {
	t.Helper()
	rep, err := webexposure.Run(context.Background(), n, o)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(rep)
	if strings.Contains(string(js), testToken) {
		t.Fatalf("the report holds the secret: %s", js)
	}
	return rep
}

func ids(rep webexposure.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.ID+" "+strings.TrimPrefix(f.URL, f.Host))
	}
	slices.Sort(out)
	return out
}

func find(rep webexposure.Report, id string) *webexposure.Finding {
	for i := range rep.Findings {
		if rep.Findings[i].ID == id {
			return &rep.Findings[i]
		}
	}
	return nil
}

// TestNginxDeliberatelyBad runs against Debian's nginx serving an .env with
// a fabricated Twilio token, a .git directory, a config backup and
// autoindex on.
func TestNginxDeliberatelyBad(t *testing.T) {
	port := webtest.FreePort(t)
	root := t.TempDir()
	webtest.WriteFiles(t, root, map[string]string{
		".env":               "APP_ENV=production\nTWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n",
		".git/config":        "[core]\n\trepositoryformatversion = 0\n",
		".git/HEAD":          "ref: refs/heads/main\n",
		"wp-config.php.bak":  "<?php\ndefine('DB_PASSWORD', 'fabricated');\n",
		"assets/readme.txt":  "static",
		"public/favicon.txt": "x",
	})
	dir := webtest.Nginx(t, fmt.Sprintf(`server { listen 127.0.0.1:%d; root %s; autoindex on; }`, port, root), port)
	c := &fakeClock{now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	rep := run(t, netFor(nil), opts(c, fmt.Sprintf("http://127.0.0.1:%d/twilio/voice", port)))
	got := ids(rep)
	for _, want := range []string{"env-file /.env", "credential-exposed /.env", "git-exposed /.git/config", "git-exposed /.git/HEAD",
		"config-backup /wp-config.php.bak", "directory-listing /", "plain-http /"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	cred := find(rep, webexposure.CheckCredential)
	if cred == nil || len(cred.Credentials) != 1 || cred.Credentials[0].Fingerprint != atoguard.Fingerprint(testToken) ||
		cred.Credentials[0].AccountSID != testSID || cred.Severity != atoguard.SeverityCritical {
		t.Errorf("credential finding %+v", cred)
	}
	if env := find(rep, webexposure.CheckEnvFile); env == nil || !strings.Contains(env.Evidence, "TWILIO_AUTH_TOKEN") {
		t.Errorf("env evidence %+v", env)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors %q", rep.Errors)
	}
	// nginx's own log: every request was GET or HEAD and named atoguard.
	// nginx writes the log line after the answer: wait for the last one.
	var lines []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log, err := os.ReadFile(filepath.Join(dir, "logs", "access.log"))
		if err != nil {
			t.Fatal(err)
		}
		lines = strings.Split(strings.TrimSpace(string(log)), "\n")
		if len(lines) >= rep.Requests || time.Now().After(deadline) {
			break
		}
	}
	if len(lines) != rep.Requests {
		t.Errorf("nginx logged %d requests, the report says %d", len(lines), rep.Requests)
	}
	for _, l := range lines {
		if !(strings.Contains(l, `"GET `) || strings.Contains(l, `"HEAD `)) || !strings.Contains(l, ua) {
			t.Errorf("request %s", l)
		}
	}
}

// TestNginxWellConfigured: HTTP redirects to HTTPS, a trusted certificate,
// TLS 1.2+, dot files denied, no listing: no finding and nothing unchecked.
func TestNginxWellConfigured(t *testing.T) {
	httpPort, httpsPort := webtest.FreePort(t), webtest.FreePort(t)
	now := time.Now()
	ca := webtest.NewCA(t, now)
	root, certs := t.TempDir(), t.TempDir()
	webtest.WriteFiles(t, root, map[string]string{"index.html": "<!doctype html><html><body>Acme</body></html>",
		".env": "TWILIO_AUTH_TOKEN=" + testToken + "\n", ".git/HEAD": "ref: refs/heads/main\n"})
	webtest.WritePEM(t, ca.Leaf(t, now.AddDate(0, -1, 0), now.AddDate(0, 2, 0), "127.0.0.1"), filepath.Join(certs, "c.pem"), filepath.Join(certs, "k.pem"))
	webtest.Nginx(t, fmt.Sprintf(`
server { listen 127.0.0.1:%[1]d; return 301 https://127.0.0.1:%[2]d$request_uri; }
server {
  listen 127.0.0.1:%[2]d ssl;
  ssl_certificate %[3]s/c.pem; ssl_certificate_key %[3]s/k.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  root %[4]s; autoindex off;
  location ~ /\. { deny all; }
  location ~ ~$ { deny all; }
  location ~ \.(bak|old|save|orig)$ { deny all; }
}`, httpPort, httpsPort, certs, root), httpPort, httpsPort)
	c := &fakeClock{now: now}
	rep := run(t, netFor(ca), opts(c, fmt.Sprintf("http://127.0.0.1:%d/sms", httpPort)))
	if len(rep.Findings) != 0 || len(rep.Errors) != 0 {
		t.Errorf("findings %q errors %q", ids(rep), rep.Errors)
	}
	if rep.Requests < 20 {
		t.Errorf("only %d requests: the paths were not probed over HTTPS", rep.Requests)
	}
}

// frameworkServer answers paths like a framework left in debug mode.
func frameworkServer(t *testing.T, pages map[string]string, headers map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			body, ok = pages["*"]
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(body, "HEAD:") {
			w.Header().Set("Content-Type", strings.TrimPrefix(body, "HEAD:"))
			w.Header().Set("Content-Length", "73400320")
			return
		}
		if r.URL.Path == "/atoguard-check-404" || pages["*"] == body {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFrameworkDebugPages(t *testing.T) {
	cases := []struct {
		name    string
		pages   map[string]string
		headers map[string]string
		want    []string
	}{
		{"laravel", map[string]string{"/_ignition/health-check": `{"can_execute_commands":true}`,
			"*": "<!doctype html><html><title>Whoops! There was an error.</title>Illuminate\\Database\\QueryException</html>"}, nil,
			[]string{"laravel-debug"}},
		{"django", map[string]string{"*": "<!DOCTYPE html><html><body>Page not found (404)<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></body></html>"}, nil,
			[]string{"django-debug"}},
		{"symfony", map[string]string{"/_profiler/": "<!DOCTYPE html><html><title>Symfony Profiler</title></html>"},
			map[string]string{"X-Debug-Token": "abc123"}, []string{"symfony-profiler"}},
		{"rails", map[string]string{"/rails/info/properties": "<html><table><tr><td>Rails version</td><td>7.1.3</td></tr></table></html>",
			"*": "<html><h1>Routing Error</h1></html>"}, nil, []string{"rails-debug"}},
		{"phpinfo", map[string]string{"/info.php": "<!DOCTYPE html><html><head><title>PHP 8.2.7 - phpinfo()</title></head><body><h1>PHP Version 8.2.7</h1>phpinfo()</body></html>"}, nil,
			[]string{"phpinfo"}},
		{"spring", map[string]string{"/actuator/env": `{"activeProfiles":[],"propertySources":[{"name":"systemEnvironment","properties":{"TWILIO_ACCOUNT_SID":{"value":"` + testSID + `"},"TWILIO_AUTH_TOKEN":{"value":"` + testToken + `"}}}]}`,
			"/actuator/heapdump": "HEAD:application/octet-stream"}, nil,
			[]string{"actuator-env", "actuator-heapdump", "credential-exposed"}},
		{"apache", map[string]string{"/server-status": "<html><head><title>Apache Status</title></head><body><h1>Apache Server Status for 127.0.0.1</h1></body></html>"}, nil,
			[]string{"server-status"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := frameworkServer(t, tc.pages, tc.headers)
			rep := run(t, netFor(nil), opts(&fakeClock{}, u))
			var got []string
			for _, f := range rep.Findings {
				if f.ID != webexposure.CheckPlainHTTP && !slices.Contains(got, f.ID) {
					got = append(got, f.ID)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			for _, f := range rep.Findings {
				if f.Fix == "" || f.Summary == "" || f.Evidence == "" || f.Guidance == 0 || f.Severity == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

// tlsServer serves HTTPS on 127.0.0.1 with cert and the given versions.
func tlsServer(t *testing.T, cert tls.Certificate, minV, maxV uint16) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: minV, MaxVersion: maxV}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the legacy-version handshake is refused, by design
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTransport(t *testing.T) {
	now := time.Now()
	ca := webtest.NewCA(t, now)
	good := func() (time.Time, time.Time) { return now.AddDate(0, -1, 0), now.AddDate(0, 1, 0) }
	nb, na := good()
	cases := []struct {
		name       string
		cert       tls.Certificate
		minV, maxV uint16
		want       []string
	}{
		{"expired", ca.Leaf(t, now.AddDate(-1, 0, 0), now.AddDate(0, 0, -3), "127.0.0.1"), tls.VersionTLS12, 0, []string{webexposure.CheckCertExpired}},
		{"mismatch", ca.Leaf(t, nb, na, "www.acme.example"), tls.VersionTLS12, 0, []string{webexposure.CheckCertName}},
		{"tls1.0", ca.Leaf(t, nb, na, "127.0.0.1"), tls.VersionTLS10, 0, []string{webexposure.CheckOldTLS}},
		{"fine", ca.Leaf(t, nb, na, "127.0.0.1"), tls.VersionTLS12, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tlsServer(t, tc.cert, tc.minV, tc.maxV)
			rep := run(t, netFor(ca), opts(&fakeClock{now: now}, u))
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.ID)
			}
			if !slices.Equal(got, tc.want) || len(rep.Errors) != 0 {
				t.Errorf("got %q (errors %q), want %q", got, rep.Errors, tc.want)
			}
		})
	}
	t.Run("untrusted", func(t *testing.T) {
		other := webtest.NewCA(t, now)
		u := tlsServer(t, other.Leaf(t, nb, na, "127.0.0.1"), tls.VersionTLS12, 0)
		rep := run(t, netFor(ca), opts(&fakeClock{now: now}, u))
		if f := find(rep, webexposure.CheckCertUntrusted); f == nil || len(rep.Findings) != 1 {
			t.Errorf("findings %q", ids(rep))
		}
	})
}

func TestPorts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	open := l.Addr().(*net.TCPAddr).Port
	closed := webtest.FreePort(t)
	u := frameworkServer(t, map[string]string{"/": "<!doctype html><html>hi</html>"}, nil)
	o := opts(&fakeClock{}, u)
	o.Ports = []webexposure.Port{{Port: open, Service: "Redis", Severity: atoguard.SeverityHigh}, {Port: closed, Service: "MySQL", Severity: atoguard.SeverityMedium}}
	rep := run(t, netFor(nil), o)
	var ports []string
	for _, f := range rep.Findings {
		if f.ID == webexposure.CheckOpenPort {
			ports = append(ports, f.Summary)
		}
	}
	if want := []string{fmt.Sprintf("Redis port %d reachable", open)}; !slices.Equal(ports, want) {
		t.Errorf("got %q, want %q", ports, want)
	}
}

// countingServer counts requests and answers 404 (or 200 "ok" for /hook).
func countingServer(t *testing.T, hook func(r *http.Request) int) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			t.Errorf("%s %s", r.Method, r.URL)
		}
		if r.URL.Path == "/hook" && hook != nil {
			w.WriteHeader(hook(r))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// TestBudgetAndRateLimit counts requests at the server: the budget is never
// exceeded, and every request after the first waited its turn (2/s → 500ms).
func TestBudgetAndRateLimit(t *testing.T) {
	u, n := countingServer(t, nil)
	c := &fakeClock{now: time.Unix(0, 0)}
	o := opts(c, u)
	o.MaxRequests, o.Rate = 7, 2
	rep := run(t, netFor(nil), o)
	if n.Load() != 7 || rep.Requests != 7 {
		t.Errorf("server saw %d requests, report %d; budget 7", n.Load(), rep.Requests)
	}
	if !rep.Incomplete() || !strings.Contains(strings.Join(rep.Errors, " "), "budget of 7") {
		t.Errorf("errors %q", rep.Errors)
	}
	if c.slept != 6*500*time.Millisecond || c.waits != 6 {
		t.Errorf("waited %v in %d waits, want 3s in 6", c.slept, c.waits)
	}

	// Without a budget problem: one request per path plus the home page.
	u2, n2 := countingServer(t, nil)
	c2 := &fakeClock{now: time.Unix(0, 0)}
	o2 := opts(c2, u2)
	o2.Rate = 10
	rep2 := run(t, netFor(nil), o2)
	if n2.Load() != int64(rep2.Requests) || rep2.Requests > 40 || rep2.Incomplete() {
		t.Errorf("server saw %d, report %d, errors %q", n2.Load(), rep2.Requests, rep2.Errors)
	}
	if want := time.Duration(rep2.Requests-1) * 100 * time.Millisecond; c2.slept != want {
		t.Errorf("waited %v, want %v", c2.slept, want)
	}
}

// TestRedirectOffHostNotFollowed: a redirect to another host is not followed.
func TestRedirectOffHostNotFollowed(t *testing.T) {
	other, hits := countingServer(t, nil)
	otherPort := other[strings.LastIndex(other, ":")+1:]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+otherPort+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	rep := run(t, netFor(nil), opts(&fakeClock{}, srv.URL))
	if hits.Load() != 0 {
		t.Errorf("followed %d redirects off the host", hits.Load())
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors %q", rep.Errors)
	}
}

func TestWebhookSignature(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status func(*http.Request) int
		want   bool
	}{
		{"not validated", func(*http.Request) int { return 200 }, true},
		{"validated", func(r *http.Request) int {
			if r.Header.Get("X-Twilio-Signature") == "" {
				t.Error("no signature header")
			}
			return 403
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := countingServer(t, tc.status)
			o := opts(&fakeClock{})
			o.Targets = []webexposure.Target{{URL: u + "/hook", Webhook: true}}
			o.WebhookSignature = true
			rep := run(t, netFor(nil), o)
			if got := find(rep, webexposure.CheckWebhookSig) != nil; got != tc.want {
				t.Errorf("finding %v, want %v: %q", got, tc.want, ids(rep))
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	cfg := atoguard.Configuration{AccountSID: testSID,
		PhoneNumbers: []atoguard.PhoneNumber{{SID: "PN1", Webhooks: atoguard.Webhooks{"voice_url": "https://app.acme.test.io/voice", "voice_method": "POST",
			"sms_url": "https://handler.twilio.com/twiml/EH1", "status_callback": "https://app.acme.test.io/voice"}}},
		Applications:      []atoguard.Application{{SID: "AP1", Webhooks: atoguard.Webhooks{"voice_url": "http://api.acme.io/x"}}},
		MessagingServices: []atoguard.MessagingService{{SID: "MG1", Webhooks: atoguard.Webhooks{"inbound_request_url": "https://u:p@acme.io/in"}}},
		UsageTriggers:     []atoguard.UsageTrigger{{SID: "UT1", CallbackURL: "https://atoguard.invalid/t"}},
	}
	hooks := append(webexposure.ConfigHooks(cfg), webexposure.Hook{AccountSID: testSID, Resource: "DG1", Field: "destination", URL: "https://sink.acme.io/events"})
	targets, skipped := webexposure.Discover(hooks)
	var got []string
	for _, t := range targets {
		got = append(got, t.URL+" "+strings.Join(t.Sources, ","))
	}
	want := []string{"https://app.acme.test.io/voice PN1 status_callback,PN1 voice_url", "http://api.acme.io/x AP1 voice_url", "https://sink.acme.io/events DG1 destination"}
	if !slices.Equal(got, want) {
		t.Errorf("targets %q\nwant %q", got, want)
	}
	if len(skipped) != 3 {
		t.Errorf("skipped %q", skipped)
	}
}

func TestBadTarget(t *testing.T) {
	for _, u := range []string{"ftp://x", "no-scheme", "https://user:pw@host/"} {
		_, err := webexposure.Run(context.Background(), netFor(nil), opts(&fakeClock{}, u))
		if atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("%s: %v", u, err)
		}
	}
}
