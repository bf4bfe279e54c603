package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
	"golang.org/x/crypto/bcrypt"
)

// recorder is a Data that records every change asked of it.
type recorder struct{ changes []string }

func (r *recorder) Accounts(context.Context) ([]AccountRow, error) { return nil, nil }
func (r *recorder) Alerts(context.Context, store.AlertQuery) ([]atoguard.Alert, error) {
	return []atoguard.Alert{{Key: "contain/ACx/automatic/delete-keys/x", State: atoguard.AlertOpen, Title: "containment record"},
		{Key: "event.x/ACx", State: atoguard.AlertOpen, Title: "detector alert"}}, nil
}
func (r *recorder) SetAlertState(_ context.Context, key string, _ atoguard.AlertState) error {
	r.changes = append(r.changes, "state "+key)
	return nil
}
func (r *recorder) Account(context.Context, string) (AccountView, error) { return AccountView{}, nil }
func (r *recorder) Plan(context.Context, string) (*playbook.Plan, error) {
	return &playbook.Plan{}, nil
}
func (r *recorder) Apply(_ context.Context, sid string) (*playbook.Result, error) {
	r.changes = append(r.changes, "apply "+sid)
	return &playbook.Result{}, nil
}
func (r *recorder) Containment(context.Context) ([]contain.Entry, error) { return nil, nil }
func (r *recorder) StopContainment(_ context.Context, sid string) error {
	r.changes = append(r.changes, "stop "+sid)
	return nil
}

const testSID = "AC0123456789abcdef0123456789abcdef"

func newTestHandler(t *testing.T) (*Handler, *recorder) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	h, err := New(Options{Data: rec, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return h, rec
}

func do(h http.Handler, method, path, remote string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.RemoteAddr = remote
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func cookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login logs in from remote and returns the session cookie and its CSRF token.
func login(t *testing.T, h *Handler, remote string) (*http.Cookie, string) {
	t.Helper()
	pre := cookie(do(h, "GET", "/ui/login", remote, nil), PreCookie)
	w := do(h, "POST", "/ui/login", remote, url.Values{"csrf": {pre.Value}, "password": {"correct horse"}}, pre)
	sess := cookie(w, SessionCookie)
	if w.Code != http.StatusSeeOther || sess == nil {
		t.Fatalf("login: %d %s", w.Code, w.Body.String())
	}
	s, ok := h.sessions.get(sess.Value)
	if !ok {
		t.Fatal("no session")
	}
	return sess, s.csrf
}

// TestSecurityHeaders: every answer — login page, pages, errors, the
// stylesheet — carries each security header; the CSP allows no script.
func TestSecurityHeaders(t *testing.T) {
	h, _ := newTestHandler(t)
	sess, _ := login(t, h, "192.0.2.1:1000")
	for _, path := range []string{"/ui/login", "/ui/", "/ui/alerts", "/ui/containment", "/ui/static/style.css", "/ui/nope", "/ui/accounts/bad"} {
		w := do(h, "GET", path, "192.0.2.1:1000", nil, sess)
		hd := w.Header()
		csp := hd.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q allows scripts", path, csp)
		}
		for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
			if hd.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, hd.Get(k), v)
			}
		}
		if strings.Contains(w.Body.String(), "<script") {
			t.Errorf("%s: the page has a script element", path)
		}
	}
}

// TestSessionCookieFlags: the session and login cookies are __Host-,
// Secure, HttpOnly, SameSite=Strict, Path=/ and without Domain.
func TestSessionCookieFlags(t *testing.T) {
	h, _ := newTestHandler(t)
	pre := cookie(do(h, "GET", "/ui/login", "192.0.2.2:1", nil), PreCookie)
	w := do(h, "POST", "/ui/login", "192.0.2.2:1", url.Values{"csrf": {pre.Value}, "password": {"correct horse"}}, pre)
	for _, c := range []*http.Cookie{pre, cookie(w, SessionCookie)} {
		if c == nil {
			t.Fatal("cookie missing")
		}
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s: %+v", c.Name, c)
		}
	}
}

// TestCSRFOnEveryChange: every state-changing route refuses a POST without
// the session's token, or with another session's, and changes nothing; with
// it, the change happens. Login refuses a missing pre-login token.
func TestCSRFOnEveryChange(t *testing.T) {
	h, rec := newTestHandler(t)
	sess, tok := login(t, h, "192.0.2.3:1")
	_, other := login(t, h, "192.0.2.4:1")
	routes := []struct {
		path string
		form url.Values
	}{
		{"/ui/alerts/ack", url.Values{"key": {"event.x/ACx"}}},
		{"/ui/alerts/resolve", url.Values{"key": {"event.x/ACx"}}},
		{"/ui/accounts/" + testSID + "/apply", url.Values{"confirm": {"yes"}}},
		{"/ui/containment/stop", url.Values{"sid": {testSID}}},
		{"/ui/logout", url.Values{}},
	}
	for _, r := range routes {
		for _, bad := range []string{"", other, "forged"} {
			f := url.Values{}
			for k, v := range r.form {
				f[k] = v
			}
			if bad != "" {
				f.Set("csrf", bad)
			}
			if w := do(h, "POST", r.path, "192.0.2.3:1", f, sess); w.Code != http.StatusForbidden {
				t.Errorf("%s with csrf %q: %d, want 403", r.path, bad, w.Code)
			}
		}
		if w := do(h, "POST", r.path, "192.0.2.3:1", r.form); w.Code != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d, want 401", r.path, w.Code)
		}
	}
	if len(rec.changes) > 0 {
		t.Fatalf("changes without a valid token: %v", rec.changes)
	}
	for _, r := range routes[:4] {
		f := url.Values{"csrf": {tok}}
		for k, v := range r.form {
			f[k] = v
		}
		if w := do(h, "POST", r.path, "192.0.2.3:1", f, sess); w.Code != http.StatusSeeOther && w.Code != http.StatusOK {
			t.Errorf("%s with the token: %d %s", r.path, w.Code, w.Body.String())
		}
	}
	if len(rec.changes) != 4 {
		t.Errorf("changes with the token: %v", rec.changes)
	}
	if w := do(h, "POST", "/ui/login", "192.0.2.5:1", url.Values{"password": {"correct horse"}}); w.Code != http.StatusForbidden || cookie(w, SessionCookie) != nil {
		t.Errorf("login without the pre-login token: %d", w.Code)
	}
}

// TestLoginRateLimit: five attempts from one address, then 429 with
// Retry-After even for the right password; another address is not held
// back; the allowance comes back over time (5 a minute).
func TestLoginRateLimit(t *testing.T) {
	h, _ := newTestHandler(t)
	try := func(remote, pw string) int {
		pre := cookie(do(h, "GET", "/ui/login", remote, nil), PreCookie)
		return do(h, "POST", "/ui/login", remote, url.Values{"csrf": {pre.Value}, "password": {pw}}, pre).Code
	}
	for i := range 5 {
		if c := try("198.51.100.1:5", "wrong"); c != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, c)
		}
	}
	if c := try("198.51.100.1:6", "correct horse"); c != http.StatusTooManyRequests {
		t.Fatalf("6th attempt (right password, other port): %d, want 429", c)
	}
	if c := try("198.51.100.2:5", "correct horse"); c != http.StatusSeeOther {
		t.Fatalf("another address: %d, want 303", c)
	}
	// The limiter refills at one attempt per 12 s: ask it about a later time.
	lim := h.limit.per["198.51.100.1"]
	if lim.TokensAt(time.Now().Add(13*time.Second)) < 1 {
		t.Fatal("no attempt allowed 13 s later")
	}
}

// TestContainmentRecordsNotAmongAlerts: the alerts page lists detector
// alerts only; containment records are in the containment log.
func TestContainmentRecordsNotAmongAlerts(t *testing.T) {
	h, _ := newTestHandler(t)
	sess, _ := login(t, h, "192.0.2.9:1")
	body := do(h, "GET", "/ui/alerts", "192.0.2.9:1", nil, sess).Body.String()
	if strings.Contains(body, "containment record") || !strings.Contains(body, "detector alert") {
		t.Fatalf("alerts page:\n%s", body)
	}
}
