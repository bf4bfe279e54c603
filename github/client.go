// Package github is atoguard's GitHub REST client for `atoguard exposure`:
// code search, file contents and the commits that touched a path. It honours
// GitHub's rate limits (X-RateLimit-Remaining/Reset, Retry-After, secondary
// limits signalled by 403 or 429) by waiting and retrying, within bounds.
//
// The base URL is configurable for GitHub Enterprise Server
// (https://HOST/api/v3) and for tests.
package github

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// DefaultBaseURL is github.com's REST API.
const DefaultBaseURL = "https://api.github.com"

// Defaults for zero Options fields.
const (
	DefaultMaxRetries = 4
	DefaultMaxWait    = 2 * time.Minute
	// secondaryWait is what GitHub's docs ask for after a secondary rate
	// limit without Retry-After: "wait for at least one minute".
	secondaryWait   = time.Minute
	maxFileBytes    = 10 << 20
	maxErrorBody    = 64 << 10
	apiVersion      = "2022-11-28"
	searchPageLimit = 100
)

// Options configure a Client.
type Options struct {
	BaseURL string          // "" = DefaultBaseURL
	Token   atoguard.Secret // sent only to BaseURL's host
	// HTTPClient sends requests; nil uses one with a 30 s timeout.
	HTTPClient *http.Client
	// MaxRetries bounds retries after rate limits and 5xx (default DefaultMaxRetries).
	MaxRetries int
	// MaxWait is the longest single wait for a rate limit; a longer one is
	// returned as an ERATELIMITED error (default DefaultMaxWait).
	MaxWait time.Duration
	// Now and Sleep are the clock (tests inject them).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// OnWait is told about every rate-limit wait (for progress on stderr).
	OnWait    func(d time.Duration, reason string)
	UserAgent string
}

// Client talks to one GitHub API. It is safe for concurrent use.
type Client struct {
	base *url.URL
	opts Options
	http *http.Client

	link *regexp.Regexp // one entry of an RFC 8288 Link header

	mu           sync.Mutex
	blockedUntil map[string]time.Time // per limit bucket: exhausted until then
}

// New returns a Client; the base URL must be absolute http(s).
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "github", "bad API URL %q: want http(s)://host[/path]", opts.BaseURL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxWait == 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = atoguard.Sleep
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "atoguard"
	}
	return &Client{base: u, opts: opts, http: opts.HTTPClient, blockedUntil: map[string]time.Time{},
		link: regexp.MustCompile(`<([^>]*)>\s*;[^,]*?\brel="?([^",]*)"?`)}, nil
}

// Repository is the part of GitHub's repository object atoguard uses.
type Repository struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
	Private  bool   `json:"private"`
	Owner    struct {
		Login string `json:"login"`
	} `json:"owner"`
}

// CodeItem is one code-search hit (GitHub's "code-search-result-item").
type CodeItem struct {
	Name       string     `json:"name"`
	Path       string     `json:"path"`
	SHA        string     `json:"sha"`
	URL        string     `json:"url"` // contents API URL of the file at SHA
	GitURL     string     `json:"git_url"`
	HTMLURL    string     `json:"html_url"`
	Repository Repository `json:"repository"`
}

// CodeSearch is one page of results.
type CodeSearch struct {
	TotalCount        int        `json:"total_count"`
	IncompleteResults bool       `json:"incomplete_results"`
	Items             []CodeItem `json:"items"`
}

// SearchCode runs GET /search/code?q=query and pages through the results
// (Link rel="next") until max items (≤ 0: all GitHub returns, at most 1000).
// It returns the total count GitHub reports and the items read.
func (c *Client) SearchCode(ctx context.Context, query string, max int) (CodeSearch, error) {
	per := searchPageLimit
	if max > 0 && max < per {
		per = max
	}
	q := url.Values{"q": {query}, "per_page": {strconv.Itoa(per)}}
	next := c.endpoint("/search/code") + "?" + q.Encode()
	var out CodeSearch
	for next != "" {
		var page CodeSearch
		h, err := c.getJSON(ctx, next, &page)
		if err != nil {
			return out, err
		}
		out.TotalCount = page.TotalCount
		out.IncompleteResults = out.IncompleteResults || page.IncompleteResults
		for _, it := range page.Items {
			if max > 0 && len(out.Items) >= max {
				return out, nil
			}
			out.Items = append(out.Items, it)
		}
		if len(page.Items) == 0 || max > 0 && len(out.Items) >= max {
			break
		}
		next = c.linkRel(h.Get("Link"), "next")
	}
	return out, nil
}

// content is GitHub's "content-file" object.
type content struct {
	Type        string `json:"type"`
	Encoding    string `json:"encoding"`
	Size        int64  `json:"size"`
	Content     string `json:"content"`
	DownloadURL string `json:"download_url"`
	GitURL      string `json:"git_url"`
}

// FileContent fetches the file of a search hit: the contents API URL of the
// item (base64 content), falling back to the git blob for files the
// contents API does not inline (over 1 MB).
func (c *Client) FileContent(ctx context.Context, it CodeItem) ([]byte, error) {
	u := it.URL
	if u == "" {
		u = c.endpoint("/repos/"+it.Repository.FullName+"/contents/"+escapePath(it.Path)) + "?ref=" + url.QueryEscape(it.SHA)
	}
	return c.fetchContent(ctx, u, it.Path, it.GitURL)
}

// FileAt fetches path as of ref (a commit SHA, branch or tag) through
// GET /repos/{owner}/{repo}/contents/{path}?ref=….
func (c *Client) FileAt(ctx context.Context, fullName, path, ref string) ([]byte, error) {
	u := c.endpoint("/repos/"+fullName+"/contents/"+escapePath(path)) + "?ref=" + url.QueryEscape(ref)
	return c.fetchContent(ctx, u, path, "")
}

func (c *Client) fetchContent(ctx context.Context, u, path, gitURL string) ([]byte, error) {
	var ct content
	if _, err := c.getJSON(ctx, u, &ct); err != nil {
		return nil, err
	}
	if ct.Type != "" && ct.Type != "file" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "github.contents", "%s is a %s, not a file", path, ct.Type)
	}
	if ct.Content == "" && ct.Size > 0 {
		blob := ct.GitURL
		if blob == "" {
			blob = gitURL
		}
		if blob == "" {
			return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github.contents", "%s: content not inlined and no blob URL", path)
		}
		var b struct {
			Content  string `json:"content"`
			Encoding string `json:"encoding"`
		}
		if _, err := c.getJSON(ctx, blob, &b); err != nil {
			return nil, err
		}
		ct.Content, ct.Encoding = b.Content, b.Encoding
	}
	if ct.Encoding != "" && ct.Encoding != "base64" {
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github.contents", "%s: unsupported encoding %q", path, ct.Encoding)
	}
	data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\n", "", "\r", "").Replace(ct.Content))
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github.contents", "%s: bad base64 content: %v", path, err)
	}
	return data, nil
}

// Commit is the part of a commit object atoguard reports.
type Commit struct {
	SHA     string `json:"sha"`
	HTMLURL string `json:"html_url"`
	Commit  struct {
		Author struct {
			Name  string    `json:"name"`
			Email string    `json:"email"`
			Date  time.Time `json:"date"`
		} `json:"author"`
		Message string `json:"message"`
	} `json:"commit"`
	Author *struct {
		Login string `json:"login"`
	} `json:"author"` // null when the e-mail matches no GitHub user
}

// PathCommits returns the oldest and the newest commit that touched path on
// the default branch (GET /repos/{owner}/{repo}/commits?path=…, newest first;
// the oldest is on the page Link rel="last" names: at most two requests).
// oldest is false when only the newest could be read (the last page failed).
func (c *Client) PathCommits(ctx context.Context, fullName, path string) (first, last Commit, oldest bool, err error) {
	q := url.Values{"path": {path}, "per_page": {"100"}}
	u := c.endpoint("/repos/"+fullName+"/commits") + "?" + q.Encode()
	var page []Commit
	h, err := c.getJSON(ctx, u, &page)
	if err != nil {
		return Commit{}, Commit{}, false, err
	}
	if len(page) == 0 {
		return Commit{}, Commit{}, false, atoguard.Errorf(atoguard.ENOTFOUND, "github.commits", "no commit touches %s in %s", path, fullName)
	}
	last = page[0]
	if lastURL := c.linkRel(h.Get("Link"), "last"); lastURL != "" {
		var tail []Commit
		if _, err := c.getJSON(ctx, lastURL, &tail); err != nil || len(tail) == 0 {
			if ctx.Err() != nil {
				return Commit{}, Commit{}, false, ctx.Err()
			}
			return last, last, false, nil
		}
		return tail[len(tail)-1], last, true, nil
	}
	return page[len(page)-1], last, true, nil
}

// PathHistory lists the commits that touched path on the default branch,
// newest first, following Link rel="next" up to max commits (≤ 0: 300).
// complete is false when the history is longer than max.
func (c *Client) PathHistory(ctx context.Context, fullName, path string, max int) (commits []Commit, complete bool, err error) {
	if max <= 0 {
		max = 300
	}
	q := url.Values{"path": {path}, "per_page": {strconv.Itoa(min(max, 100))}}
	next := c.endpoint("/repos/"+fullName+"/commits") + "?" + q.Encode()
	for next != "" {
		var page []Commit
		h, err := c.getJSON(ctx, next, &page)
		if err != nil {
			return commits, false, err
		}
		for _, cm := range page {
			if len(commits) >= max {
				return commits, false, nil
			}
			commits = append(commits, cm)
		}
		if len(page) == 0 {
			break
		}
		next = c.linkRel(h.Get("Link"), "next")
		if next != "" && len(commits) >= max {
			return commits, false, nil
		}
	}
	return commits, true, nil
}

// endpoint joins the base URL and an API path.
func (c *Client) endpoint(p string) string {
	return c.base.String() + p
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// getJSON GETs u and decodes the JSON body into v, waiting out rate limits.
func (c *Client) getJSON(ctx context.Context, u string, v any) (http.Header, error) {
	resp, err := c.do(ctx, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxFileBytes*2))
	if err := dec.Decode(v); err != nil {
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github", "decoding %s: %v", redactURL(u), err)
	}
	return resp.Header, nil
}

// do sends one GET with retries. Rate limits: a 403 or 429 with
// X-RateLimit-Remaining: 0 waits until X-RateLimit-Reset; with Retry-After
// waits that long; a 403/429 whose message says "secondary rate limit" (or
// "abuse") waits a minute, then backs off exponentially. 5xx and transport
// errors back off from one second. Every wait is bounded by MaxWait and the
// number of retries by MaxRetries.
func (c *Client) do(ctx context.Context, u string) (*http.Response, error) {
	target, err := url.Parse(u)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "github", "bad URL %q: %v", u, err)
	}
	bucket := limitBucket(target)
	for attempt := 0; ; attempt++ {
		if err := c.waitBlocked(ctx, bucket); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, atoguard.Errorf(atoguard.EINVALID, "github", "%v", err)
		}
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", apiVersion)
		req.Header.Set("User-Agent", c.opts.UserAgent)
		// The token goes only to the configured API host, never to a URL a
		// response handed us that points elsewhere.
		if !c.opts.Token.IsZero() && sameHost(target, c.base) {
			req.Header.Set("Authorization", "Bearer "+c.opts.Token.Reveal())
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, atoguard.Errorf(atoguard.ECANCELED, "github", "%v", ctx.Err())
			}
			if attempt >= c.opts.MaxRetries {
				return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github", "GET %s: %v", redactURL(u), err)
			}
			if err := c.wait(ctx, backoff(attempt), "network error"); err != nil {
				return nil, err
			}
			continue
		}
		c.noteRemaining(bucket, resp.Header)
		if resp.StatusCode < 300 {
			return resp, nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		msg := apiMessage(body)
		wait, limited := c.rateLimitWait(resp, msg, attempt)
		switch {
		case limited:
			if attempt >= c.opts.MaxRetries {
				return nil, atoguard.Errorf(atoguard.ERATELIMITED, "github", "GET %s: rate limited after %d retries: %s", redactURL(u), attempt, msg)
			}
			if wait > c.opts.MaxWait {
				return nil, atoguard.Errorf(atoguard.ERATELIMITED, "github", "GET %s: rate limited for %s (more than the %s allowed to wait): %s",
					redactURL(u), wait.Round(time.Second), c.opts.MaxWait, msg)
			}
			if err := c.wait(ctx, wait, "rate limit: "+msg); err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode >= 500:
			if attempt >= c.opts.MaxRetries {
				return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "github", "GET %s: %s: %s", redactURL(u), resp.Status, msg)
			}
			if err := c.wait(ctx, backoff(attempt), resp.Status); err != nil {
				return nil, err
			}
			continue
		}
		code := atoguard.EUNAVAILABLE
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			code = atoguard.EUNAUTHORIZED
		case http.StatusForbidden:
			code = atoguard.EUNAUTHORIZED
		case http.StatusNotFound:
			code = atoguard.ENOTFOUND
		case http.StatusUnprocessableEntity, http.StatusBadRequest:
			code = atoguard.EINVALID
		}
		return nil, atoguard.Errorf(code, "github", "GET %s: %s: %s", redactURL(u), resp.Status, msg)
	}
}

func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// rateLimitWait decides whether a failed response is a rate limit and how
// long to wait before the next attempt.
func (c *Client) rateLimitWait(resp *http.Response, msg string, attempt int) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(0, t.Sub(c.opts.Now())), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := resetTime(resp.Header); ok {
			return max(time.Second, reset.Sub(c.opts.Now())+time.Second), true
		}
		return secondaryWait, true
	}
	lower := strings.ToLower(msg)
	if resp.StatusCode == http.StatusTooManyRequests || strings.Contains(lower, "secondary rate limit") ||
		strings.Contains(lower, "rate limit") || strings.Contains(lower, "abuse") {
		return secondaryWait << min(attempt, 4), true
	}
	return 0, false
}

// limitBucket names the rate limit a request counts against: search has its
// own (30 a minute; code search 10) apart from the core limit (5000 an hour).
func limitBucket(u *url.URL) string {
	if strings.Contains(u.Path, "/search/") {
		return "search"
	}
	return "core"
}

// noteRemaining remembers an exhausted limit so that the next request of
// the same bucket waits for the reset instead of being refused.
func (c *Client) noteRemaining(bucket string, h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	if reset, ok := resetTime(h); ok {
		c.mu.Lock()
		if reset.After(c.blockedUntil[bucket]) {
			c.blockedUntil[bucket] = reset
		}
		c.mu.Unlock()
	}
}

func (c *Client) waitBlocked(ctx context.Context, bucket string) error {
	c.mu.Lock()
	until := c.blockedUntil[bucket]
	c.mu.Unlock()
	d := until.Sub(c.opts.Now())
	if d <= 0 {
		return nil
	}
	d += time.Second // the reset instant itself may still be refused
	if d > c.opts.MaxWait {
		return atoguard.Errorf(atoguard.ERATELIMITED, "github", "rate limit exhausted until %s (more than the %s allowed to wait)",
			until.UTC().Format(time.RFC3339), c.opts.MaxWait)
	}
	return c.wait(ctx, d, "rate limit exhausted")
}

func (c *Client) wait(ctx context.Context, d time.Duration, reason string) error {
	if c.opts.OnWait != nil {
		c.opts.OnWait(d, reason)
	}
	if err := c.opts.Sleep(ctx, d); err != nil {
		return atoguard.Errorf(atoguard.ECANCELED, "github", "%v", err)
	}
	return nil
}

func resetTime(h http.Header) (time.Time, bool) {
	s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

func backoff(attempt int) time.Duration {
	return time.Second << min(attempt, 5)
}

// apiMessage extracts GitHub's {"message": …} from an error body.
func apiMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// linkRel returns the URL of the Link header entry with relation rel.
func (c *Client) linkRel(header, rel string) string {
	for _, m := range c.link.FindAllStringSubmatch(header, -1) {
		for r := range strings.FieldsSeq(m[2]) {
			if r == rel {
				return m[1]
			}
		}
	}
	return ""
}

// redactURL drops the query string (it may hold the searched SID; not a
// secret, but logs need not repeat it) from URLs in error messages.
func redactURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
