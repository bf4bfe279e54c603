package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// httpFetcher is the same plain net/http call internal/cli makes.
type httpFetcher struct {
	base   string
	client *http.Client
}

func (f httpFetcher) Get(ctx context.Context, path string, c atoguard.Credential) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return Response{}, err
	}
	req.SetBasicAuth(c.Username(), c.Secret.Reveal())
	resp, err := f.client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out := Response{Status: resp.StatusCode, Body: body}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		out.RetryAfter = time.Duration(s) * time.Second
	}
	return out, err
}

const (
	liveSID    = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	liveToken  = "daf7b3d34b9787f1212316eea62ba186"
	subSID     = "AC598fdd1a56846658f660652ed4810395"
	subToken   = "ce2337ad21d390367e018828cef2b0ef"
	keySID     = "SK1fe059e17c773de4c071a57f9f975873"
	keySecret  = "4BDNaWxPP5naXdt54Fb4KwAWkfNohej8"
	flakySID   = "AC00000000000000000000000000000001"
	limitedSID = "AC00000000000000000000000000000002"
	slowSID    = "AC00000000000000000000000000000003"
	goneToken  = "00000000000000000000000000000bad"
)

// fakeTwilio answers like api.twilio.com: JSON bodies, Twilio error objects,
// HTTP Basic auth, and a few accounts that misbehave on purpose.
type fakeTwilio struct {
	mu       sync.Mutex
	requests map[string]int // by user:path
	flaky    int
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	f.mu.Lock()
	f.requests[user+" "+r.URL.Path]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodGet {
		w.WriteHeader(405)
		return
	}
	fail := func(status, code int, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
			"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
	}
	account := func(sid, owner, name string) {
		_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "owner_account_sid": owner,
			"friendly_name": name, "status": "active", "type": "Full", "auth_token": "never-printed",
			"uri": "/2010-04-01/Accounts/" + sid + ".json"})
	}
	switch {
	case r.URL.Path == "/2010-04-01/Accounts/"+liveSID+".json" && user == liveSID && pass == liveToken:
		account(liveSID, liveSID, "Acme Prod")
	case r.URL.Path == "/2010-04-01/Accounts/"+subSID+".json" && user == subSID && pass == subToken:
		account(subSID, liveSID, "Acme \u202ebuS\x1b[2J") // an account name is attacker-chosen
	case r.URL.Path == "/2010-04-01/Accounts/"+liveSID+"/Messages.json" && user == keySID && pass == keySecret:
		if r.URL.Query().Get("PageSize") != "1" {
			fail(400, 20001, "want PageSize=1")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": []any{}, "page_size": 1})
	case user == flakySID:
		f.mu.Lock()
		f.flaky++
		n := f.flaky
		f.mu.Unlock()
		if n <= 2 {
			fail(503, 20500, "Service Unavailable")
			return
		}
		account(flakySID, flakySID, "Flaky")
	case user == limitedSID:
		w.Header().Set("Retry-After", "1")
		fail(429, 20429, "Too Many Requests")
	case user == slowSID:
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		account(slowSID, slowSID, "Slow")
	default:
		fail(401, 20003, "Authenticate")
	}
}

func (f *fakeTwilio) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[key]
}

func (f *fakeTwilio) snapshot() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprint(f.requests)
}

func finding(rule, sid, key, secret string) atoguard.Finding {
	return atoguard.Finding{Rule: rule, AccountSID: sid, KeySID: key, Secret: atoguard.NewSecret(secret),
		Verification: atoguard.Unverified}
}

func TestVerify(t *testing.T) {
	fake := &fakeTwilio{requests: map[string]int{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	var slept []time.Duration
	var sleptMu sync.Mutex
	v := New(httpFetcher{base: srv.URL, client: srv.Client()}, Options{
		Concurrency: 3, Timeout: 200 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error {
			sleptMu.Lock()
			slept = append(slept, d)
			sleptMu.Unlock()
			return nil
		},
	})
	fs := []atoguard.Finding{
		finding("twilio-auth-token", liveSID, "", liveToken),
		finding("twilio-auth-token", liveSID, "", liveToken), // same credential, second place
		finding("twilio-auth-token", subSID, "", subToken),
		finding("twilio-api-key", liveSID, keySID, keySecret),
		finding("twilio-auth-token", liveSID, "", goneToken),
		finding("twilio-auth-token", flakySID, "", liveToken),
		finding("twilio-auth-token", limitedSID, "", liveToken),
		finding("twilio-auth-token", slowSID, "", liveToken),
		finding("twilio-api-key", "", keySID, keySecret),
		{Rule: "twilio-account-sid", AccountSID: liveSID, Verification: atoguard.Unverified},
		finding("sendgrid-api-key", "", "", "SG.x.y"),
	}
	v.Findings(context.Background(), fs)
	want := []struct{ status, detail string }{
		{atoguard.Live, "Full main account 'Acme Prod', active"},
		{atoguard.Live, "Full main account 'Acme Prod', active"},
		{atoguard.Live, "Full subaccount of " + liveSID + " 'Acme \\u202ebuS\\x1b[2J', active"},
		{atoguard.Live, "API key can read messages of account " + liveSID},
		{atoguard.Revoked, "Twilio rejected the credential (code 20003)"},
		{atoguard.Live, "Full main account 'Flaky', active"},
		{atoguard.Unknown, "rate limited by Twilio, retries exhausted (code 20429)"},
		{atoguard.Unknown, "no answer from Twilio: "},
		{atoguard.Unknown, "API key found without its Account SID"},
		{atoguard.Unverified, ""},
		{atoguard.Unverified, ""},
	}
	for i, w := range want {
		if fs[i].Verification != w.status || !strings.HasPrefix(fs[i].VerificationDetail, w.detail) {
			t.Errorf("finding %d (%s %s): %s %q, want %s %q", i, fs[i].Rule, fs[i].AccountSID,
				fs[i].Verification, fs[i].VerificationDetail, w.status, w.detail)
		}
		if strings.Contains(fs[i].VerificationDetail, "never-printed") {
			t.Errorf("detail leaks the account's auth token: %q", fs[i].VerificationDetail)
		}
	}
	// One request per distinct credential, retries aside.
	if n := fake.count(liveSID + " /2010-04-01/Accounts/" + liveSID + ".json"); n != 2 {
		t.Errorf("live SID requests = %d, want 2 (good token, revoked token)", n)
	}
	if n := fake.count(flakySID + " /2010-04-01/Accounts/" + flakySID + ".json"); n != 3 {
		t.Errorf("flaky requests = %d, want 3 (two 503s, then 200)", n)
	}
	if n := fake.count(limitedSID + " /2010-04-01/Accounts/" + limitedSID + ".json"); n != 3 {
		t.Errorf("429 requests = %d, want 3 (1 + 2 retries)", n)
	}
	sawRetryAfter := false
	for _, d := range slept {
		sawRetryAfter = sawRetryAfter || d == time.Second
	}
	if !sawRetryAfter {
		t.Errorf("Retry-After not honoured; slept %v", slept)
	}
	// Cached: a second pass makes no request.
	before := fake.snapshot()
	v.Findings(context.Background(), fs[:5])
	if after := fake.snapshot(); after != before {
		t.Errorf("second pass made requests:\n%s\n%s", before, after)
	}
}

func TestVerifyTransportErrorIsNeverRevoked(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // connection refused
	fetchers := map[string]Fetcher{
		"refused": httpFetcher{base: srv.URL, client: http.DefaultClient},
		"dns":     httpFetcher{base: "http://atoguard-test.invalid", client: http.DefaultClient},
	}
	for name, f := range fetchers {
		v := New(f, Options{Retries: 1, Sleep: func(context.Context, time.Duration) error { return nil }})
		r := v.Verify(context.Background(), atoguard.Credential{AccountSID: liveSID, Secret: atoguard.NewSecret(liveToken)})
		if r.Status != atoguard.Unknown {
			t.Errorf("%s: %s %q, want unknown", name, r.Status, r.Detail)
		}
		if strings.Contains(r.Detail, liveToken) {
			t.Errorf("%s: detail leaks the token", name)
		}
	}
}

func TestVerifyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv := httptest.NewServer(&fakeTwilio{requests: map[string]int{}})
	defer srv.Close()
	v := New(httpFetcher{base: srv.URL, client: srv.Client()}, Options{})
	r := v.Verify(ctx, atoguard.Credential{AccountSID: liveSID, Secret: atoguard.NewSecret(liveToken)})
	if r.Status != atoguard.Unknown {
		t.Errorf("cancelled: %s", r.Status)
	}
}
