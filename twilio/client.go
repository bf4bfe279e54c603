// Package twilio is atoguard's Twilio REST client: a thin layer on net/http
// covering the endpoints atoguard needs, with paging exposed as Go iterators,
// a rate limiter per account, retries with backoff for requests that are safe
// to retry, typed errors and base URLs that can point at the emulator.
//
// Hosts. Options.BaseURL "" talks to https://<product>.twilio.com; a base URL
// such as http://127.0.0.1:8080 uses the emulator layout
// {base}/api/2010-04-01/…, {base}/accounts/v1/…, {base}/monitor/v1/…;
// Options.HostURLs overrides single products. Paging links returned by the
// server are mapped back onto these bases and followed only to them.
//
// Credentials. One Client acts with one atoguard.Credential (account SID and
// auth token, or API key SID and secret); Client.As derives a client acting
// with another (a subaccount's token) that shares the HTTP client and the
// per-account limiters (Options.RPS, Options.Concurrency).
//
// Lists. List methods return iter.Seq2[T, error] and page at PageSize
// (default 1000, Twilio's maximum); the next page is fetched while the current
// one is consumed. Iteration ends at the first error, yielded once; breaking
// out of the loop cancels the prefetch.
//
// Retries. 429 (Twilio 20429: never processed) is retried for every method;
// 5xx replies and transport failures only for requests that are safe to
// repeat — reads, deletes (a retried delete that finds the resource gone
// succeeded) and updates that set absolute state. Creates (secondary token,
// promote, keys, subaccounts, triggers, messages, sinks, subscriptions) are
// retried only when the request certainly never reached the server.
// Backoff is exponential with jitter, at least the server's Retry-After, and
// every wait ends with the context.
//
// Errors. Failures are *atoguard.Error with a code (EUNAUTHORIZED for 401 /
// 20003 / 403, ENOTFOUND for 404, ERATELIMITED, EUNAVAILABLE for 5xx,
// transport errors and deadlines, EINVALID for other 4xx, ECANCELED) wrapping
// *APIError for Twilio's error replies; see IsUnauthorized, IsNotFound,
// IsRateLimited and CodeOf.
//
// Secrets stay in atoguard.Secret; debug logs (Options.Logger) show method,
// host, path, status, duration and attempt, never credentials, query strings
// or bodies.
//
// twilio-go is not used: its generated clients neither take a context on
// every call nor let one client target several hosts under one base URL, and
// paging through it cannot be cancelled between pages.
package twilio

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"golang.org/x/time/rate"
)

// Products are the Twilio hosts the client talks to, by first host label.
const (
	ProductAPI       = "api"
	ProductAccounts  = "accounts"
	ProductMonitor   = "monitor"
	ProductVoice     = "voice"
	ProductMessaging = "messaging"
	ProductIAM       = "iam"
	ProductEvents    = "events"
)

// Products lists every product host the client uses.
func Products() []string {
	return []string{ProductAPI, ProductAccounts, ProductMonitor, ProductVoice, ProductMessaging, ProductIAM, ProductEvents}
}

// Defaults applied by New for zero Options fields.
const (
	DefaultRPS         = 100
	DefaultConcurrency = 16
	DefaultMaxRetries  = 5
	DefaultPageSize    = 1000
	// DefaultRequestTimeout bounds one attempt, reply body included: a
	// 1000-record page is about 1 MB, so two minutes is generous, and a
	// server that stalls or trickles cannot hold a request for longer.
	DefaultRequestTimeout = 2 * time.Minute
	// MaxPageSize is Twilio's largest PageSize.
	MaxPageSize = 1000

	defaultBaseDelay  = 250 * time.Millisecond
	defaultMaxDelay   = 20 * time.Second
	maxRetryAfter     = 5 * time.Minute
	defaultUserAgent  = "atoguard"
	maxErrorBodyBytes = 64 << 10
)

// Options configure a Client. Zero values select the defaults.
type Options struct {
	// BaseURL "" targets the real Twilio hosts (https://api.twilio.com, …).
	// Otherwise it is the emulator layout: {BaseURL}/api/2010-04-01/...,
	// {BaseURL}/accounts/v1/..., i.e. the path prefix is the host's first label.
	BaseURL string
	// HostURLs overrides the base URL per product (key "api", "monitor", …);
	// the value replaces "https://<product>.twilio.com".
	HostURLs map[string]string
	// Credential authenticates every request.
	Credential atoguard.Credential
	// HTTPClient sends requests; nil uses a client with sane timeouts.
	HTTPClient *http.Client
	// RPS limits requests per second per account (default DefaultRPS; < 0 = unlimited).
	RPS float64
	// Concurrency limits in-flight requests per account (default DefaultConcurrency; < 0 = unlimited).
	Concurrency int
	// MaxRetries is the number of retries after the first attempt (default
	// DefaultMaxRetries; < 0 = none).
	MaxRetries int
	// PageSize for lists (default and maximum 1000).
	PageSize int
	// RequestTimeout bounds each attempt from sending the request to the
	// last byte of the reply (default DefaultRequestTimeout; < 0 = none, for
	// callers whose context carries the deadline).
	RequestTimeout time.Duration
	// BaseDelay and MaxDelay shape the exponential backoff (defaults 250ms, 20s).
	BaseDelay, MaxDelay time.Duration
	// Logger receives debug request logs; nil discards them.
	Logger *slog.Logger
	// Now is the wall clock against which a Retry-After HTTP date is read
	// when the reply carries no Date header (default time.Now). Durations in
	// logs use the monotonic clock, so a scenario clock passed here is harmless.
	Now func() time.Time
	// Sleep is the backoff wait (a test hook); it must return ctx.Err() when
	// the context ends first.
	Sleep func(ctx context.Context, d time.Duration) error
	// UserAgent is sent with every request (default "atoguard").
	UserAgent string
}

// Client calls Twilio with one credential. It is safe for concurrent use.
// Clients derived with As share the HTTP client and the per-account limiters.
type Client struct {
	sh   *shared
	cred atoguard.Credential
}

// shared is what every Client derived from one New has in common.
type shared struct {
	opts     Options
	hc       *http.Client
	bases    map[string]string // product → base URL without trailing slash
	log      *slog.Logger
	limiters *limiterRegistry
	bufs     sync.Pool // *bytes.Buffer for reply bodies
}

// New validates opts and builds a Client.
func New(opts Options) (*Client, error) {
	opts = opts.withDefaults()
	bases, err := baseURLs(opts)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sh := &shared{opts: opts, hc: noRedirects(opts.HTTPClient), bases: bases, log: log,
		limiters: &limiterRegistry{rps: opts.RPS, conc: opts.Concurrency, m: map[string]*accountLimiter{}}}
	return &Client{sh: sh, cred: opts.Credential}, nil
}

// withDefaults fills in the options left zero.
func (opts Options) withDefaults() Options {
	if opts.RPS == 0 {
		opts.RPS = DefaultRPS
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.PageSize <= 0 || opts.PageSize > MaxPageSize {
		opts.PageSize = DefaultPageSize
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = defaultBaseDelay
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = defaultMaxDelay
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = atoguard.Sleep
	}
	opts.UserAgent = cmp.Or(opts.UserAgent, defaultUserAgent)
	return opts
}

// noRedirects is a copy of hc (default: a tuned copy of the default
// transport) that never follows redirects: Twilio does not redirect API
// calls, and a redirect could carry the Authorization header elsewhere.
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		tr.ResponseHeaderTimeout = 2 * time.Minute
		hc = &http.Client{Transport: tr}
	}
	hcCopy := *hc
	hcCopy.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hcCopy
}

// baseURLs maps each product to its base URL: Twilio's host, under
// BaseURL, or the product's HostURLs entry.
func baseURLs(opts Options) (map[string]string, error) {
	bases := make(map[string]string, 7)
	for _, p := range Products() {
		base := "https://" + p + ".twilio.com"
		if opts.BaseURL != "" {
			base = strings.TrimRight(opts.BaseURL, "/") + "/" + p
		}
		if u, ok := opts.HostURLs[p]; ok && u != "" {
			base = strings.TrimRight(u, "/")
		}
		pu, err := url.Parse(base)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, atoguard.Errorf(atoguard.EINVALID, "twilio.new", "bad base URL %q for %s", redactURL(base), p)
		}
		if pu.User != nil || pu.RawQuery != "" || pu.Fragment != "" {
			// Credentials belong in Options.Credential, where they stay redacted.
			return nil, atoguard.Errorf(atoguard.EINVALID, "twilio.new", "base URL for %s must not carry user info, a query or a fragment", p)
		}
		bases[p] = base
	}
	for p := range opts.HostURLs {
		if _, ok := bases[p]; !ok {
			return nil, atoguard.Errorf(atoguard.EINVALID, "twilio.new", "unknown Twilio product %q in HostURLs", p)
		}
	}
	return bases, nil
}

// As returns a client acting with another credential (e.g. a subaccount's
// token). It shares the HTTP client and the per-account rate limiters.
func (c *Client) As(cred atoguard.Credential) *Client {
	return &Client{sh: c.sh, cred: cred}
}

// Credential returns the credential the client authenticates with.
func (c *Client) Credential() atoguard.Credential { return c.cred }

// AccountSID is the account the client acts for.
func (c *Client) AccountSID() string { return c.cred.AccountSID }

// BaseURL returns the base URL used for a product ("api", "monitor", …).
func (c *Client) BaseURL(product string) string { return c.sh.bases[product] }

// serverNow is the server's time from the Date header, the right base for a
// Retry-After date; otherwise the configured clock.
func serverNow(resp *http.Response, now func() time.Time) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return now()
}

// redactURL hides user info in a URL that failed to parse well enough to
// be shown.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return "…@" + s[i+1:]
	}
	return s
}

// ---- rate limiting ----

// limiterRegistry holds one limiter per account SID, shared by every Client
// derived from one New: Twilio's concurrency limit is per account.
type limiterRegistry struct {
	rps  float64
	conc int
	mu   sync.Mutex
	m    map[string]*accountLimiter
}

type accountLimiter struct {
	rate *rate.Limiter // nil: unlimited
	sem  chan struct{} // nil: unlimited
}

func (r *limiterRegistry) get(account string) *accountLimiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.m[account]; ok {
		return l
	}
	l := &accountLimiter{}
	if r.rps > 0 {
		burst := int(r.rps)
		if burst < 1 {
			burst = 1
		}
		l.rate = rate.NewLimiter(rate.Limit(r.rps), burst)
	}
	if r.conc > 0 {
		l.sem = make(chan struct{}, r.conc)
	}
	r.m[account] = l
	return l
}

// acquire waits for a rate token and a concurrency slot; release frees the slot.
func (l *accountLimiter) acquire(ctx context.Context) (release func(), err error) {
	if l.rate != nil {
		if err := l.rate.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
	}
	if l.sem == nil {
		return func() {}, nil
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ---- requests ----

// request describes one API call.
type request struct {
	op      string // atoguard.Error Op, e.g. "twilio.list_messages"
	method  string
	product string
	path    string // under the product base, e.g. /2010-04-01/Accounts/AC…/Messages.json
	rawURL  string // absolute URL (next page); overrides product+path+query
	query   url.Values
	form    url.Values
	// retrySafe: the request may be repeated after it may have been applied
	// (reads, deletes, updates that set absolute state). Create-type POSTs
	// are retried only when the server certainly did not process them.
	retrySafe bool
	// gone404OK: a DELETE retried after an ambiguous failure that then gets
	// 404 succeeded the first time.
	gone404OK bool
}

// response is a successful (2xx) reply.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) url(r *request) string {
	if r.rawURL != "" {
		return r.rawURL
	}
	u := c.sh.bases[r.product] + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	return u
}

// do sends r with rate limiting and retries and returns the 2xx response or
// an *atoguard.Error (wrapping *APIError for Twilio error replies).
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrapCtx(r.op, err)
	}
	target := c.url(r)
	var body []byte
	if r.form != nil {
		body = []byte(r.form.Encode())
	}
	lim := c.sh.limiters.get(c.cred.AccountSID)
	var (
		lastErr   error
		ambiguous bool // an earlier attempt may have been applied
	)
	for attempt := 1; ; attempt++ {
		resp, written, err := c.attempt(ctx, lim, r, target, body, attempt)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, wrapCtx(r.op, ctx.Err())
		}
		var apiErr *APIError
		isAPI := errors.As(err, &apiErr)
		if isAPI && apiErr.Status == http.StatusNotFound && r.gone404OK && ambiguous {
			return &response{status: http.StatusNoContent}, nil
		}
		retry, wait, maybeApplied := c.classify(r, err, written)
		if maybeApplied {
			ambiguous = true
		}
		lastErr = err
		if !retry || attempt > c.sh.opts.MaxRetries {
			break
		}
		d := c.backoff(attempt)
		if wait > d {
			d = wait
		}
		c.sh.log.LogAttrs(ctx, slog.LevelDebug, "twilio retry",
			slog.String("op", r.op), slog.Int("attempt", attempt), slog.Duration("wait", d), slog.String("reason", reason(err)))
		if err := c.sh.opts.Sleep(ctx, d); err != nil {
			return nil, wrapCtx(r.op, err)
		}
	}
	return nil, wrapErr(r.op, lastErr)
}

// attempt sends one HTTP request. written reports whether any of the request
// reached the server (false means it certainly was not processed).
func (c *Client) attempt(ctx context.Context, lim *accountLimiter, r *request, target string, body []byte, attempt int) (*response, bool, error) {
	release, err := lim.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer release()
	parent := ctx
	// The deadline covers the body too: a server that sends headers and then
	// trickles the reply must not hold the request forever.
	if t := c.sh.opts.RequestTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	timedOut := func(err error) error {
		if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no complete reply within %s: %w", c.sh.opts.RequestTimeout, err)
		}
		return err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	// The trace callback runs on the transport's goroutine.
	var (
		mu      sync.Mutex
		written bool
	)
	trace := &httptrace.ClientTrace{WroteHeaders: func() { mu.Lock(); written = true; mu.Unlock() }}
	wasWritten := func() bool { mu.Lock(); defer mu.Unlock(); return written }
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), r.method, target, rd)
	if err != nil {
		return nil, false, atoguard.Errorf(atoguard.EINVALID, r.op, "build request: %v", err)
	}
	req.SetBasicAuth(c.cred.Username(), c.cred.Secret.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.sh.opts.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := c.sh.hc.Do(req)
	if err != nil {
		c.logRequest(ctx, r, req, 0, start, attempt, err)
		return nil, wasWritten(), &transportError{err: timedOut(err)}
	}
	data, rerr := c.readBody(resp)
	c.logRequest(ctx, r, req, resp.StatusCode, start, attempt, rerr)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if rerr != nil {
			return nil, true, &transportError{err: timedOut(fmt.Errorf("read response body: %w", rerr)), afterStatus: resp.StatusCode}
		}
		return &response{status: resp.StatusCode, header: resp.Header, body: data}, true, nil
	}
	return nil, true, parseAPIError(resp, data, serverNow(resp, c.sh.opts.Now))
}

// readBody reads a reply into a buffer from the shared pool; list pages
// give it back once decoded (decoders copy what they keep), so a long
// listing reuses a few page-sized buffers instead of allocating one per page.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	buf, _ := c.sh.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if resp.ContentLength > 0 && resp.ContentLength < 64<<20 {
		buf.Grow(int(resp.ContentLength) + 1)
	} else {
		buf.Grow(64 << 10)
	}
	limit := int64(1 << 30)
	if resp.StatusCode >= 300 {
		limit = maxErrorBodyBytes
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit))
	return buf.Bytes(), err
}

// release returns a decoded body's buffer to the pool.
func (c *Client) release(r *response) {
	if r == nil || cap(r.body) == 0 || cap(r.body) > 8<<20 {
		return
	}
	c.sh.bufs.Put(bytes.NewBuffer(r.body[:0]))
}

func (c *Client) logRequest(ctx context.Context, r *request, req *http.Request, status int, start time.Time, attempt int, err error) {
	if !c.sh.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", r.op),
		slog.String("method", req.Method),
		slog.String("host", req.URL.Host),
		slog.String("path", req.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int("attempt", attempt),
		slog.String("account", c.cred.AccountSID),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", errText(err)))
	}
	c.sh.log.LogAttrs(ctx, slog.LevelDebug, "twilio request", attrs...)
}

// transportError is a failure below HTTP (connection refused/reset, timeout,
// truncated body).
type transportError struct {
	err         error
	afterStatus int // a 2xx arrived but its body failed
}

func (e *transportError) Error() string { return "transport: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// classify decides whether a failed attempt is retried, the minimum wait
// (Retry-After), and whether the request may have been applied.
func (c *Client) classify(r *request, err error, written bool) (retry bool, wait time.Duration, maybeApplied bool) {
	var apiErr *APIError
	var te *transportError
	switch {
	case errors.As(err, &apiErr):
		switch {
		case apiErr.Status == http.StatusTooManyRequests:
			// 20429 (and 429 generally) is rejected before processing:
			// safe to retry for every method.
			return true, apiErr.retryAfter, false
		case apiErr.Status >= 500:
			return r.retrySafe, apiErr.retryAfter, true
		}
		return false, 0, false
	case errors.As(err, &te):
		if !written {
			return true, 0, false // never reached the server
		}
		return r.retrySafe, 0, true
	}
	return false, 0, false
}

// backoff is exponential with equal jitter: half fixed, half random.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.sh.opts.BaseDelay << (attempt - 1)
	if d <= 0 || d > c.sh.opts.MaxDelay {
		d = c.sh.opts.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func reason(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return strconv.Itoa(apiErr.Status) + "/" + strconv.Itoa(apiErr.Code)
	}
	return errText(err)
}

// errText renders an error for logs without the request URL (net/http puts
// it, query string included, into *url.Error).
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err == nil {
		d = time.Duration(s * float64(time.Second))
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}
