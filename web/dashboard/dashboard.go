// Package dashboard is the web interface of `atoguard serve`: accounts with
// their verdict, open alerts (acknowledge, resolve), an account's incident
// timeline, traffic and cost by country (SVG drawn on the server), audit
// findings, the respond plan with apply behind a confirmation, and the
// containment log. Pages are html/template with one static stylesheet: no
// JavaScript at all, so the CSP forbids every script.
//
// Every page needs a login (a bcrypt hash from the configuration); sessions
// are Secure, HttpOnly, SameSite=Strict cookies; every POST carries the
// session's CSRF token; login attempts are rate limited.
package dashboard

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Prefix is where the dashboard is mounted.
const Prefix = "/ui/"

// Options configure the dashboard. Data and PasswordHash are required.
type Options struct {
	Data         Data
	PasswordHash []byte // bcrypt
	SessionTTL   time.Duration
	Now          func() time.Time
	Logger       *slog.Logger
	// Timeout bounds the work behind one page (Twilio reads, apply).
	Timeout time.Duration
}

// Handler serves the dashboard under Prefix.
type Handler struct {
	o        Options
	tmpl     map[string]*template.Template
	sessions *sessions
	limit    *limiter
	mux      *http.ServeMux
}

// New checks the options and builds the handler.
func New(o Options) (*Handler, error) {
	if o.Data == nil || len(o.PasswordHash) == 0 {
		return nil, errors.New("dashboard: Data and PasswordHash are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{o: o, tmpl: map[string]*template.Template{}, limit: newLimiter(),
		sessions: &sessions{m: map[string]session{}, ttl: o.SessionTTL, now: o.Now}}
	funcs := template.FuncMap{"printable": atoguard.Printable, "when": when, "chart": trafficChart,
		"pathEscape": url.PathEscape, "lower": strings.ToLower}
	for _, page := range []string{"login", "accounts", "alerts", "account", "plan", "applied", "containment"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		h.tmpl[page] = t
	}
	h.routes()
	return h, nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /ui/static/style.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Write(styleCSS)
	})
	m.HandleFunc("GET /ui/login", h.loginPage)
	m.HandleFunc("POST /ui/login", h.login)
	m.HandleFunc("POST /ui/logout", h.authed(h.logout))
	m.HandleFunc("GET /ui/{$}", h.authed(h.accounts))
	m.HandleFunc("GET /ui/alerts", h.authed(h.alerts))
	m.HandleFunc("POST /ui/alerts/{action}", h.authed(h.alertAction))
	m.HandleFunc("GET /ui/accounts/{sid}", h.authed(h.account))
	m.HandleFunc("GET /ui/accounts/{sid}/plan", h.authed(h.plan))
	m.HandleFunc("POST /ui/accounts/{sid}/apply", h.authed(h.apply))
	m.HandleFunc("GET /ui/containment", h.authed(h.containment))
	m.HandleFunc("POST /ui/containment/stop", h.authed(h.stopContainment))
	h.mux = m
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	h.mux.ServeHTTP(w, r)
}

// authed sends visitors without a session to the login page and, on a
// POST, refuses a request without the session's CSRF token (403).
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		var sess session
		ok := err == nil
		if ok {
			sess, ok = h.sessions.get(c.Value)
		}
		if !ok {
			if r.Method != http.MethodGet {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !sameToken(sess.csrf, r.PostFormValue("csrf")) {
			http.Error(w, "bad or missing CSRF token: reload the page and try again", http.StatusForbidden)
			return
		}
		next(w, r, sess)
	}
}

// page is what every template gets.
type page struct {
	Title string
	CSRF  string
	Error string
	Now   time.Time
	Data  any
}

func (h *Handler) render(w http.ResponseWriter, name string, status int, p page) {
	p.Now = h.o.Now()
	var b strings.Builder
	if err := h.tmpl[name].Execute(&b, p); err != nil {
		h.o.Logger.Error("dashboard template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

func (h *Handler) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.o.Timeout)
}

func (h *Handler) fail(w http.ResponseWriter, sess session, title string, err error) {
	h.o.Logger.Warn("dashboard", "page", title, "err", err)
	h.render(w, "accounts", http.StatusInternalServerError, page{Title: title, CSRF: sess.csrf, Error: atoguard.Printable(err.Error())})
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := randToken()
	setCookie(w, PreCookie, tok, 600)
	h.render(w, "login", http.StatusOK, page{Title: "Log in", CSRF: tok})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.limit.allow(r) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many login attempts: wait a minute", http.StatusTooManyRequests)
		return
	}
	pre, err := r.Cookie(PreCookie)
	if err != nil || !sameToken(pre.Value, r.PostFormValue("csrf")) {
		http.Error(w, "bad or missing CSRF token: reload the login page", http.StatusForbidden)
		return
	}
	if !checkPassword(h.o.PasswordHash, r.PostFormValue("password")) {
		tok := randToken()
		setCookie(w, PreCookie, tok, 600)
		h.render(w, "login", http.StatusUnauthorized, page{Title: "Log in", CSRF: tok, Error: "wrong password"})
		return
	}
	id, _ := h.sessions.create()
	setCookie(w, PreCookie, "", -1)
	setCookie(w, SessionCookie, id, int(h.o.SessionTTL/time.Second))
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, _ session) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		h.sessions.drop(c.Value)
	}
	setCookie(w, SessionCookie, "", -1)
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

func (h *Handler) accounts(w http.ResponseWriter, r *http.Request, sess session) {
	listPage(h, w, r, sess, "accounts", "Accounts", h.o.Data.Accounts)
}

// listPage renders template tmpl with what fetch reads, or the error page.
func listPage[T any](h *Handler, w http.ResponseWriter, r *http.Request, sess session, tmpl, title string, fetch func(context.Context) (T, error)) {
	ctx, cancel := h.ctx(r)
	defer cancel()
	data, err := fetch(ctx)
	if err != nil {
		h.fail(w, sess, title, err)
		return
	}
	h.render(w, tmpl, http.StatusOK, page{Title: title, CSRF: sess.csrf, Data: data})
}

func (h *Handler) alerts(w http.ResponseWriter, r *http.Request, sess session) {
	ctx, cancel := h.ctx(r)
	defer cancel()
	var all []atoguard.Alert
	for _, st := range []atoguard.AlertState{atoguard.AlertOpen, atoguard.AlertAcked} {
		as, err := h.o.Data.Alerts(ctx, store.AlertQuery{State: st})
		if err != nil {
			h.fail(w, sess, "Alerts", err)
			return
		}
		// Containment records are in the containment log, not here: they
		// need no acknowledgement, and acknowledging one stops nothing.
		for _, a := range as {
			if !strings.HasPrefix(a.Key, contain.KeyPrefix) {
				all = append(all, a)
			}
		}
	}
	h.render(w, "alerts", http.StatusOK, page{Title: "Open alerts", CSRF: sess.csrf, Data: all})
}

func (h *Handler) alertAction(w http.ResponseWriter, r *http.Request, sess session) {
	var state atoguard.AlertState
	switch r.PathValue("action") {
	case "ack":
		state = atoguard.AlertAcked
	case "resolve":
		state = atoguard.AlertResolved
	default:
		http.NotFound(w, r)
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.o.Data.SetAlertState(ctx, r.PostFormValue("key"), state); err != nil {
		h.fail(w, sess, "Alerts", err)
		return
	}
	http.Redirect(w, r, "/ui/alerts", http.StatusSeeOther)
}

func validSID(s string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, "AC") {
		return false
	}
	for _, c := range s[2:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request, sess session) {
	sid := r.PathValue("sid")
	if !validSID(sid) {
		http.NotFound(w, r)
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	v, err := h.o.Data.Account(ctx, sid)
	if err != nil {
		h.fail(w, sess, "Account", err)
		return
	}
	h.render(w, "account", http.StatusOK, page{Title: "Account " + sid, CSRF: sess.csrf, Data: v})
}

func (h *Handler) plan(w http.ResponseWriter, r *http.Request, sess session) {
	sid := r.PathValue("sid")
	if !validSID(sid) {
		http.NotFound(w, r)
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	p, err := h.o.Data.Plan(ctx, sid)
	if err != nil {
		h.fail(w, sess, "Plan", err)
		return
	}
	h.render(w, "plan", http.StatusOK, page{Title: "Respond plan for " + sid, CSRF: sess.csrf,
		Data: map[string]any{"SID": sid, "Plan": p}})
}

// apply runs the plan only when the confirmation box was ticked.
func (h *Handler) apply(w http.ResponseWriter, r *http.Request, sess session) {
	sid := r.PathValue("sid")
	if !validSID(sid) {
		http.NotFound(w, r)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		http.Error(w, "tick the confirmation box to apply the plan", http.StatusBadRequest)
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	res, err := h.o.Data.Apply(ctx, sid)
	msg := ""
	if err != nil {
		msg = atoguard.Printable(err.Error())
	}
	if res == nil {
		h.fail(w, sess, "Apply", err)
		return
	}
	h.render(w, "applied", http.StatusOK, page{Title: "Applied to " + sid, CSRF: sess.csrf, Error: msg, Data: res})
}

func (h *Handler) containment(w http.ResponseWriter, r *http.Request, sess session) {
	listPage(h, w, r, sess, "containment", "Containment log", h.o.Data.Containment)
}

// stopContainment stops automatic containment of one account.
func (h *Handler) stopContainment(w http.ResponseWriter, r *http.Request, sess session) {
	sid := r.PostFormValue("sid")
	if !validSID(sid) {
		http.Error(w, "sid: want an account SID (AC followed by 32 hex digits)", http.StatusBadRequest)
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.o.Data.StopContainment(ctx, sid); err != nil {
		h.fail(w, sess, "Containment", err)
		return
	}
	http.Redirect(w, r, "/ui/containment", http.StatusSeeOther)
}
