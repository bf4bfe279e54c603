package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// isProduct reports whether label is the first label of a Twilio host the
// emulator serves.
func isProduct(label string) bool {
	switch label {
	case "api", "accounts", "monitor", "voice", "messaging", "iam", "events":
		return true
	}
	return false
}

// apiBodyLimit caps a Twilio API request body: Twilio's own form posts are
// a few KiB (a message body is at most 1,600 characters).
const apiBodyLimit = 1 << 20

// access classifies what a credential needs to reach a route.
type access uint8

const (
	// accessAny: any valid credential of the target account.
	accessAny access = iota
	// accessAdmin: account management (Accounts, Keys, AuthTokens) — auth
	// tokens and Main keys only; Standard and Restricted keys are refused.
	accessAdmin
)

type route struct {
	product string
	method  string
	pattern string // product path, e.g. /2010-04-01/Accounts/{AccountSid}/Messages.json
	access  access
	// perm names the permission a restricted key's policy must allow,
	// e.g. "/twilio/messaging/messages/read"; empty = never for restricted keys.
	perm string
	h    func(*call)
	segs []string
}

// match reports whether path fits the route pattern and returns its parameters.
func (rt *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range rt.segs {
		s := segs[i]
		if !strings.HasPrefix(p, "{") {
			if p != s {
				return nil, false
			}
			continue
		}
		end := strings.IndexByte(p, '}')
		suffix := p[end+1:]
		if !strings.HasSuffix(s, suffix) || len(s) == len(suffix) {
			return nil, false
		}
		if params == nil {
			params = map[string]string{}
		}
		params[p[1:end]] = s[:len(s)-len(suffix)]
	}
	return params, true
}

// principal is who a request authenticated as.
type principal struct {
	acct *account
	key  *apiKey // nil for an auth token
}

func (p principal) actorSID() string {
	if p.key != nil {
		return p.key.SID
	}
	return p.acct.SID
}

func (p principal) actorType() string {
	if p.key != nil {
		return "api-key"
	}
	return "account"
}

// call is one request being served.
type call struct {
	e       *Emulator
	st      *state
	w       http.ResponseWriter
	r       *http.Request
	rt      *route
	params  map[string]string
	p       principal
	acct    *account // the account the request acts on
	now     time.Time
	product string
	path    string // product-relative path
}

// twilioError is Twilio's error body.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	b, _ := json.Marshal(twilioError{Code: code, Message: msg, MoreInfo: "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), Status: status})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (c *call) fail(status, code int, msg string) { writeError(c.w, status, code, msg) }

func (c *call) badParam(msg string) { c.fail(http.StatusBadRequest, 20001, msg) }

func (c *call) notFound() {
	c.fail(http.StatusNotFound, 20404, "The requested resource "+c.r.URL.Path+" was not found")
}

func (c *call) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.fail(http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	c.raw(status, b)
}

func (c *call) raw(status int, b []byte) {
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// v returns a request parameter (query or form body).
func (c *call) v(name string) string { return c.r.Form.Get(name) }

func (c *call) has(name string) bool { _, ok := c.r.Form[name]; return ok }

// sourceIP is the client address recorded in Monitor events; a test or drill
// may set X-Forwarded-For to play an attacker from another address.
func (c *call) sourceIP() string {
	if xff := c.r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return host
}

func (e *Emulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		e.serveAdmin(w, r)
		return
	}
	product, path := splitProduct(r)
	if product == "" {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	start := time.Now()
	// Admission first: a request slowed by an injected fault is in flight.
	inFlight, release, ok := e.admit(r)
	if !ok {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Twilio-Concurrent-Requests", strconv.Itoa(inFlight))
		writeError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		e.logRequest(r, product, path, http.StatusTooManyRequests, start)
		return
	}
	defer release()
	if inFlight > 0 {
		w.Header().Set("Twilio-Concurrent-Requests", strconv.Itoa(inFlight))
	}
	w, done, finish := e.faults.inject(w, r, product, path)
	if done {
		e.logRequest(r, product, path, -1, start)
		return
	}
	if finish != nil {
		defer finish()
	}
	sw := &statusWriter{ResponseWriter: w}
	e.dispatch(sw, r, product, path)
	e.logRequest(r, product, path, sw.status, start)
}

func (e *Emulator) logRequest(r *http.Request, product, path string, status int, start time.Time) {
	e.log.Debug("emulator request", "method", r.Method, "product", product, "path", path,
		"status", status, "duration", time.Since(start))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// splitProduct finds the Twilio product a request is for: by the Host header
// when it names a Twilio host, otherwise by the first path segment
// ({url}/api/2010-04-01/…, {url}/monitor/v1/Events).
func splitProduct(r *http.Request) (product, path string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if label, ok := strings.CutSuffix(strings.ToLower(host), ".twilio.com"); ok && isProduct(label) {
		return label, r.URL.Path
	}
	rest := strings.TrimPrefix(r.URL.Path, "/")
	first, tail, _ := strings.Cut(rest, "/")
	if !isProduct(first) {
		return "", ""
	}
	return first, "/" + tail
}

func (e *Emulator) dispatch(w http.ResponseWriter, r *http.Request, product, path string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var (
		found  *route
		params map[string]string
		other  bool
	)
	for _, rt := range e.routes() {
		if rt.product != product {
			continue
		}
		p, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method != r.Method {
			other = true
			continue
		}
		found, params = rt, p
		break
	}
	if found == nil {
		if other {
			writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
			return
		}
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		r.Body = http.MaxBytesReader(w, r.Body, apiBodyLimit)
	}
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, 20001, fmt.Sprintf("Request body larger than %d KiB", apiBodyLimit>>10))
			return
		}
		writeError(w, http.StatusBadRequest, 20001, "Unable to parse request: invalid form body or query")
		return
	}
	if r.Method == http.MethodGet { // DELETE mutates state: it needs the write lock
		e.mu.RLock()
		defer e.mu.RUnlock()
	} else {
		e.mu.Lock()
		defer e.mu.Unlock()
	}
	c := &call{e: e, st: e.st, w: w, r: r, rt: found, params: params, now: e.clock.Now().UTC(), product: product, path: path}
	p, ok := c.authenticate()
	if !ok {
		c.fail(http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	c.p = p
	if !c.authorize() {
		return
	}
	found.h(c)
}

// authenticate checks HTTP Basic credentials: AccountSid + primary or
// secondary auth token, or API key SID + secret.
func (c *call) authenticate() (principal, bool) {
	user, pass, ok := c.r.BasicAuth()
	if !ok || pass == "" {
		return principal{}, false
	}
	if strings.HasPrefix(user, "SK") {
		k := c.st.keys[user]
		if k == nil || !secretEqual(k.Secret, pass) || k.acct.Status == "closed" {
			return principal{}, false
		}
		return principal{acct: k.acct, key: k}, true
	}
	a := c.st.accounts[user]
	if a == nil || a.Status == "closed" {
		return principal{}, false
	}
	if secretEqual(a.token, pass) || (a.secondary != "" && secretEqual(a.secondary, pass)) {
		return principal{acct: a}, true
	}
	return principal{}, false
}

func secretEqual(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// authorize resolves the account the request acts on and checks the
// credential may act there. It writes the error itself.
func (c *call) authorize() bool {
	if k := c.p.key; k != nil {
		switch {
		case k.Type == "main":
		case c.rt.access == accessAdmin:
			c.fail(http.StatusUnauthorized, 20003, "Authenticate")
			return false
		case k.Type == "restricted" && !policyAllows(k.policy, c.rt.perm):
			c.fail(http.StatusUnauthorized, 20003, "Authenticate")
			return false
		}
	}
	target := c.params["AccountSid"]
	if target == "" && strings.HasPrefix(c.rt.pattern, "/2010-04-01/Accounts/{Sid}") {
		target = c.params["Sid"]
	}
	if target == "" || c.product != "api" {
		c.acct = c.p.acct
		return true
	}
	a := c.st.accounts[target]
	if a == nil {
		c.notFound()
		return false
	}
	switch {
	case a == c.p.acct:
	case a.OwnerSID == c.p.acct.SID && c.p.key == nil:
		// A parent's auth token reaches its subaccounts' 2010-04-01 resources.
	default:
		c.fail(http.StatusUnauthorized, 20003, "Authenticate")
		return false
	}
	c.acct = a
	return true
}

// policyAllows checks a restricted key's policy ({"allow":["/twilio/…",…]}).
func policyAllows(policy, perm string) bool {
	if perm == "" || policy == "" {
		return false
	}
	var p struct {
		Allow []string `json:"allow"`
	}
	if json.Unmarshal([]byte(policy), &p) != nil {
		return false
	}
	for _, a := range p.Allow {
		if a == perm || (strings.HasSuffix(a, "/*") && strings.HasPrefix(perm, strings.TrimSuffix(a, "*"))) {
			return true
		}
	}
	return false
}

// appendJSONString writes s as a JSON string, replacing invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, `\u202`...)
				b = append(b, hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendPathEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return append(b, url.PathEscape(s)...)
		}
	}
	return append(b, s...)
}

const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

// appendRFC2822 formats Unix seconds as Twilio's 2010 dates
// ("Tue, 10 Mar 2026 12:00:00 +0000") without time.Format's parsing.
func appendRFC2822(b []byte, unix int64) []byte {
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	t := time.Unix(unix, 0).UTC()
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	wd := int(t.Weekday())
	b = append(b, days[wd*3:wd*3+3]...)
	b = append(b, ", "...)
	b = append2(b, d)
	b = append(b, ' ')
	b = append(b, months[(m-1)*3:(m-1)*3+3]...)
	b = append(b, ' ')
	if y < 1000 || y > 9999 {
		b = strconv.AppendInt(b, int64(y), 10)
	} else {
		b = append2(append2(b, y/100), y%100)
	}
	b = append(b, ' ')
	b = append2(b, hh)
	b = append(b, ':')
	b = append2(b, mm)
	b = append(b, ':')
	b = append2(b, ss)
	return append(b, " +0000"...)
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func fmt2822(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 +0000")
}

func fmtISO(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// nullable returns nil for an empty string so JSON shows null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
