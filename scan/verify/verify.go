// Package verify tells whether leaked Twilio credentials still work, with
// one read-only request per distinct credential. It never reports a
// credential as revoked unless Twilio itself said so (HTTP 401): a timeout,
// a DNS failure, a 5xx or a 429 leaves it "unknown".
package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Response is what the HTTP side returns for one GET.
type Response struct {
	Status     int
	Body       []byte
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
}

// Fetcher performs one GET on Twilio's 2010-04-01 API host with HTTP Basic
// authentication as cred. path starts with "/2010-04-01/". internal/cli
// implements it with net/http; tests use httptest or the emulator.
type Fetcher interface {
	Get(ctx context.Context, path string, cred atoguard.Credential) (Response, error)
}

// Options tune a Verifier. The zero value is usable.
type Options struct {
	Concurrency int           // requests in flight; default 4
	Retries     int           // extra attempts after 429, 5xx or a transport error; default 2
	Backoff     time.Duration // first retry delay, doubled each time; default 500ms
	Timeout     time.Duration // per attempt; default 10s
	// Sleep waits d or until ctx ends; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is the outcome for one credential.
type Result struct {
	Status string // atoguard.Live, Revoked or Unknown
	Detail string
}

// Verifier checks credentials and remembers the answers.
type Verifier struct {
	f     Fetcher
	opts  Options
	mu    sync.Mutex
	cache map[string]Result
}

// New returns a Verifier that talks through f.
func New(f Fetcher, opts Options) *Verifier {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	} else if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = atoguard.Sleep
	}
	return &Verifier{f: f, opts: opts, cache: map[string]Result{}}
}

// Credential returns the credential a finding carries, if it can be verified.
func Credential(f atoguard.Finding) (atoguard.Credential, bool) {
	if f.Secret.IsZero() {
		return atoguard.Credential{}, false
	}
	switch f.Rule {
	case "twilio-auth-token":
		if f.AccountSID == "" {
			return atoguard.Credential{}, false
		}
		return atoguard.Credential{AccountSID: f.AccountSID, Secret: f.Secret}, true
	case "twilio-api-key":
		if f.KeySID == "" {
			return atoguard.Credential{}, false
		}
		return atoguard.Credential{AccountSID: f.AccountSID, KeySID: f.KeySID, Secret: f.Secret}, true
	}
	return atoguard.Credential{}, false
}

func key(c atoguard.Credential) string {
	return c.AccountSID + "|" + c.KeySID + "|" + c.Secret.Fingerprint()
}

// Findings verifies every distinct credential among fs, concurrently and at
// most once each, and records the outcome in each finding. Findings without
// a verifiable credential keep their state.
func (v *Verifier) Findings(ctx context.Context, fs []atoguard.Finding) {
	distinct := map[string]atoguard.Credential{}
	for _, f := range fs {
		if c, ok := Credential(f); ok {
			distinct[key(c)] = c
		}
	}
	sem := make(chan struct{}, v.opts.Concurrency)
	var wg sync.WaitGroup
	for _, c := range distinct {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v.Verify(ctx, c)
		}()
	}
	wg.Wait()
	for i := range fs {
		c, ok := Credential(fs[i])
		if !ok {
			continue
		}
		r := v.Verify(ctx, c) // cached
		fs[i].Verification = r.Status
		fs[i].VerificationDetail = r.Detail
	}
}

// Verify checks one credential, from the cache when it was checked before.
func (v *Verifier) Verify(ctx context.Context, c atoguard.Credential) Result {
	k := key(c)
	v.mu.Lock()
	r, ok := v.cache[k]
	v.mu.Unlock()
	if ok {
		return r
	}
	r = v.check(ctx, c)
	v.mu.Lock()
	if prev, ok := v.cache[k]; ok {
		r = prev // another goroutine won; keep one answer
	} else {
		v.cache[k] = r
	}
	v.mu.Unlock()
	return r
}

// check makes the read-only request for c: the account itself for an auth
// token; for an API key a read a Standard key may make (Standard keys get
// 401 on /Accounts, so that request could not tell revoked from Standard).
func (v *Verifier) check(ctx context.Context, c atoguard.Credential) Result {
	var path string
	switch {
	case c.KeySID == "":
		path = "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID) + ".json"
	case c.AccountSID != "":
		path = "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID) + "/Messages.json?PageSize=1"
	default:
		return Result{Status: atoguard.Unknown, Detail: "API key found without its Account SID; cannot verify"}
	}
	resp, err := v.get(ctx, path, c)
	if err != nil {
		return Result{Status: atoguard.Unknown, Detail: "no answer from Twilio: " + err.Error()}
	}
	tw := parseError(resp.Body)
	switch {
	case resp.Status == 200 && c.KeySID == "":
		return Result{Status: atoguard.Live, Detail: accountDetail(resp.Body)}
	case resp.Status == 200:
		return Result{Status: atoguard.Live, Detail: "API key can read messages of account " + c.AccountSID}
	case resp.Status == 401:
		return Result{Status: atoguard.Revoked, Detail: "Twilio rejected the credential" + tw.suffix()}
	case resp.Status == 403:
		return Result{Status: atoguard.Unknown, Detail: "credential accepted but access denied (suspended account, test credentials or restricted key)" + tw.suffix()}
	case resp.Status == 404:
		return Result{Status: atoguard.Unknown, Detail: "account not found" + tw.suffix()}
	case resp.Status == 429:
		return Result{Status: atoguard.Unknown, Detail: "rate limited by Twilio, retries exhausted" + tw.suffix()}
	case resp.Status >= 500:
		return Result{Status: atoguard.Unknown, Detail: fmt.Sprintf("Twilio error HTTP %d, retries exhausted", resp.Status)}
	}
	return Result{Status: atoguard.Unknown, Detail: fmt.Sprintf("unexpected HTTP %d", resp.Status) + tw.suffix()}
}

// get retries 429, 5xx and transport errors with exponential backoff and
// jitter, honouring Retry-After.
func (v *Verifier) get(ctx context.Context, path string, c atoguard.Credential) (Response, error) {
	delay := v.opts.Backoff
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, v.opts.Timeout)
		resp, err := v.f.Get(actx, path, c)
		cancel()
		retryable := err != nil || resp.Status == 429 || resp.Status >= 500
		if !retryable || attempt >= v.opts.Retries || ctx.Err() != nil {
			if err != nil && ctx.Err() != nil {
				return resp, ctx.Err()
			}
			return resp, err
		}
		wait := delay + rand.N(delay/2+1)
		if resp.RetryAfter > 0 {
			wait = min(resp.RetryAfter, 30*time.Second)
		}
		if err := v.opts.Sleep(ctx, wait); err != nil {
			return Response{}, err
		}
		delay *= 2
	}
}

type twilioError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func parseError(body []byte) twilioError {
	var e twilioError
	_ = json.Unmarshal(body, &e)
	return e
}

func (e twilioError) suffix() string {
	if e.Code == 0 {
		return ""
	}
	return fmt.Sprintf(" (code %d)", e.Code)
}

// accountDetail describes an account from GET /Accounts/{Sid}.json, e.g.
// "Full main account 'Acme', active".
func accountDetail(body []byte) string {
	var a struct {
		SID             string `json:"sid"`
		OwnerAccountSID string `json:"owner_account_sid"`
		FriendlyName    string `json:"friendly_name"`
		Status          string `json:"status"`
		Type            string `json:"type"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return "credential works (account details unreadable)"
	}
	kind := "main account"
	if a.OwnerAccountSID != "" && a.OwnerAccountSID != a.SID {
		kind = "subaccount of " + a.OwnerAccountSID
	}
	var b strings.Builder
	if a.Type != "" {
		b.WriteString(a.Type + " ")
	}
	b.WriteString(kind)
	if a.FriendlyName != "" {
		fmt.Fprintf(&b, " '%s'", atoguard.Clip(atoguard.Printable(a.FriendlyName), 64))
	}
	if a.Status != "" {
		b.WriteString(", " + a.Status)
	}
	return b.String()
}
