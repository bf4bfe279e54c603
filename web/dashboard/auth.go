package dashboard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"
)

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/
// and no Domain, so a sibling host cannot plant one.
const (
	SessionCookie = "__Host-atoguard-session"
	PreCookie     = "__Host-atoguard-login"
)

type session struct {
	csrf    string
	expires time.Time
}

// sessions are kept in memory: a restart logs people out, and each replica
// has its own (a sticky load balancer, or log in again).
type sessions struct {
	mu  sync.Mutex
	m   map[string]session
	ttl time.Duration
	now func() time.Time
}

func randToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create() (id string, sess session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	id, sess = randToken(), session{csrf: randToken(), expires: now.Add(s.ttl)}
	s.m[id] = sess
	return id, sess
}

func (s *sessions) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[id]
	if !ok || s.now().After(v.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return v, true
}

func (s *sessions) drop(id string) { s.mu.Lock(); delete(s.m, id); s.mu.Unlock() }

// limiter allows a few login attempts per client address, and a global cap
// so that many addresses cannot brute-force together.
type limiter struct {
	mu     sync.Mutex
	per    map[string]*rate.Limiter
	global *rate.Limiter
}

func newLimiter() *limiter {
	return &limiter{per: map[string]*rate.Limiter{}, global: rate.NewLimiter(rate.Every(time.Second), 20)}
}

func (l *limiter) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	l.mu.Lock()
	lim := l.per[host]
	if lim == nil {
		if len(l.per) > 10000 {
			l.per = map[string]*rate.Limiter{} // bound memory under a spray
		}
		lim = rate.NewLimiter(rate.Every(12*time.Second), 5) // 5 at once, then 5 a minute
		l.per[host] = lim
	}
	l.mu.Unlock()
	return lim.Allow() && l.global.Allow()
}

// checkPassword compares against the bcrypt hash; a missing hash never matches.
func checkPassword(hash []byte, password string) bool {
	return len(hash) > 0 && bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// HashPassword returns a bcrypt hash for serve.dashboard-password-hash.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// securityHeaders go on every dashboard answer: no script at all, no
// framing, no sniffing, no referrer, no caching of account data.
func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
