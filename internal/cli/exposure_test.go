package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/github/githubtest"
)

// Public test values (issue 3): never real credentials.
const (
	expSID   = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	expToken = "daf7b3d34b9787f1212316eea62ba186"
)

func exposureServer(t *testing.T) *githubtest.Server {
	t.Helper()
	srv := githubtest.New()
	srv.Token = "ghp_exposuretest"
	t.Cleanup(srv.Close)
	when := time.Date(2023, 9, 14, 8, 30, 0, 0, time.UTC)
	// History, newest first: the token is added last, the SID the commit
	// before, and the file was created without either.
	srv.AddFile("mallory/sms-bot", "bot/config.py",
		"TWILIO_ACCOUNT_SID = \""+expSID+"\"\nTWILIO_AUTH_TOKEN = \""+expToken+"\"\n",
		githubtest.Commit{SHA: "4444444444444444444444444444444444444444", Name: "Mallory", Email: "mallory@example.com", Date: when.Add(72 * time.Hour)},
		githubtest.Commit{SHA: "2222222222222222222222222222222222222222", Name: "Mallory", Email: "mallory@example.com", Date: when.Add(48 * time.Hour),
			Content: "TWILIO_ACCOUNT_SID = \"" + expSID + "\"\n"},
		githubtest.Commit{SHA: "1111111111111111111111111111111111111111", Name: "Mallory", Email: "mallory@example.com", Login: "mallory", Date: when,
			Content: "# settings\n"})
	srv.AddFile("alice/docs", "README.md", "Our Twilio account is "+expSID+".\n",
		githubtest.Commit{SHA: "3333333333333333333333333333333333333333", Name: "Alice", Email: "alice@example.com", Date: when.Add(-24 * time.Hour)})
	return srv
}

func TestExposureCommand(t *testing.T) {
	srv := exposureServer(t)
	env := map[string]string{"GITHUB_TOKEN": "ghp_exposuretest", "ATOGUARD_GITHUB_API_URL": srv.URL, "TWILIO_ACCOUNT_SID": expSID}

	code, out, errs := cli{sub: "exposure", env: env}.run(t, "--json")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var rep struct {
		AccountSID string `json:"account_sid"`
		TotalCount int    `json:"total_count"`
		Hits       []struct {
			Repository   string `json:"repository"`
			Path         string `json:"path"`
			URL          string `json:"url"`
			TokenPresent bool   `json:"token_present"`
			KeyPresent   bool   `json:"key_present"`
			Credentials  []struct {
				Rule        string `json:"rule"`
				Fingerprint string `json:"fingerprint"`
			} `json:"credentials"`
			CommittedAt  *time.Time `json:"committed_at"`
			CommittedBy  string     `json:"committed_by"`
			Commit       string     `json:"commit"`
			CommitOldest bool       `json:"commit_oldest"`
			CommitKind   string     `json:"commit_kind"`
			TokenCommit  string     `json:"token_commit"`
			TokenKind    string     `json:"token_commit_kind"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.AccountSID != expSID || rep.TotalCount != 2 || len(rep.Hits) != 2 {
		t.Fatalf("report %+v", rep)
	}
	h := rep.Hits[0] // the token hit comes first
	if h.Repository != "mallory/sms-bot" || h.Path != "bot/config.py" || !h.TokenPresent || h.KeyPresent ||
		len(h.Credentials) != 1 || h.Credentials[0].Rule != "twilio-auth-token" || h.Credentials[0].Fingerprint != atoguard.Fingerprint(expToken) ||
		h.Commit != "2222222222222222222222222222222222222222" || !h.CommitOldest || h.CommitKind != "introduced" ||
		h.TokenCommit != "4444444444444444444444444444444444444444" || h.TokenKind != "introduced" ||
		h.CommittedBy != "Mallory <mallory@example.com>" || h.CommittedAt == nil || !h.CommittedAt.Equal(time.Date(2023, 9, 16, 8, 30, 0, 0, time.UTC)) ||
		!strings.HasPrefix(h.URL, "https://github.com/mallory/sms-bot/blob/") {
		t.Errorf("token hit = %+v", h)
	}
	h = rep.Hits[1]
	if h.Repository != "alice/docs" || h.TokenPresent || h.KeyPresent || len(h.Credentials) != 0 || h.Commit != "3333333333333333333333333333333333333333" ||
		h.CommitKind != "introduced" || h.CommittedBy != "Alice <alice@example.com>" {
		t.Errorf("SID-only hit = %+v", h)
	}
	if strings.Contains(out+errs, expToken) {
		t.Fatal("the auth token was printed")
	}
	for _, k := range []string{`"account_sid"`, `"total_count"`, `"hits"`, `"repository"`, `"path"`, `"url"`, `"token_present"`,
		`"key_present"`, `"credentials"`, `"rule"`, `"fingerprint"`, `"committed_at"`, `"committed_by"`, `"commit"`} {
		if !strings.Contains(out, k) {
			t.Errorf("JSON lacks %s", k)
		}
	}

	// Text for people.
	code, out, _ = cli{sub: "exposure", env: env}.run(t)
	if code != 1 || !strings.Contains(out, "AUTH TOKEN beside the SID") || !strings.Contains(out, "the SID alone") ||
		!strings.Contains(out, "committed 2023-09-16 08:30 UTC by Mallory <mallory@example.com> in 222222222222 (the commit that added the SID)") ||
		!strings.Contains(out, "auth token public since 2023-09-17 08:30 UTC, by Mallory <mallory@example.com> in 444444444444 (the commit that added it)") || !strings.Contains(out, "fingerprint "+atoguard.Fingerprint(expToken)) {
		t.Errorf("text output:\n%s", out)
	}
	if strings.Contains(out, expToken) {
		t.Fatal("the auth token was printed")
	}
	for _, a := range srv.AuthHeaders() {
		if a != "Bearer ghp_exposuretest" {
			t.Errorf("auth header %q", a)
		}
	}
}

func TestExposureNoHitsAndFlags(t *testing.T) {
	srv := exposureServer(t)
	env := map[string]string{"GITHUB_TOKEN": "ghp_exposuretest"}
	other := "AC" + strings.Repeat("0f", 16)
	code, out, errs := cli{sub: "exposure", env: env}.run(t, "--github-api-url", srv.URL, "--account-sid", other)
	if code != 0 || !strings.Contains(out, "not found in public code") {
		t.Errorf("no hits: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = cli{sub: "exposure", env: env}.run(t, "--github-api-url", srv.URL, "--account-sid", other, "--json")
	if code != 0 || !strings.Contains(out, `"hits": []`) {
		t.Errorf("no hits JSON: %d %s", code, out)
	}
	// --max-results bounds the examined hits.
	code, out, _ = cli{sub: "exposure", env: env}.run(t, "--github-api-url", srv.URL, "--account-sid", expSID, "--json", "--max-results", "1")
	if code != 1 || strings.Count(out, `"repository"`) != 1 || !strings.Contains(out, `"total_count": 2`) {
		t.Errorf("max-results 1: %s", out)
	}
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"GITHUB_TOKEN": "x"}, nil, "no Account SID"},
		{map[string]string{"TWILIO_ACCOUNT_SID": expSID}, nil, "needs a token"},
		{env, []string{"--account-sid", "AC123"}, "32 lowercase hex"},
		{env, []string{expSID}, "pass the SID with --account-sid"},
		{env, []string{"--account-sid", expSID, "--max-results", "0"}, "--max-results"},
		{env, []string{"--account-sid", expSID, "--github-api-url", "ftp://x"}, "bad API URL"},
		{map[string]string{"GITHUB_TOKEN": "wrong"}, []string{"--account-sid", expSID, "--github-api-url", srv.URL}, "Requires authentication"},
	} {
		code, _, errs := cli{sub: "exposure", env: tt.env}.run(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v %v: exit %d, stderr %q, want %q", tt.env, tt.args, code, errs, tt.want)
		}
	}
}

// A secondary rate limit on the search is waited out (Retry-After: 1 — a
// real one-second wait) and announced on stderr.
func TestExposureRateLimit(t *testing.T) {
	srv := exposureServer(t)
	srv.Fail("search", githubtest.Failure{Status: 403, Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", RetryAfter: "1"})
	env := map[string]string{"GITHUB_TOKEN": "ghp_exposuretest", "ATOGUARD_GITHUB_API_URL": srv.URL}
	start := time.Now()
	code, out, errs := cli{sub: "exposure", env: env}.run(t, "--account-sid", expSID, "--json")
	if code != 1 || !strings.Contains(errs, "waiting 1s for GitHub (rate limit: You have exceeded a secondary rate limit") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if time.Since(start) < time.Second {
		t.Errorf("did not wait")
	}
	// An exhausted limit resetting far in the future is an error, not a hang.
	srv.Fail("search", githubtest.Failure{Status: 403, Message: "API rate limit exceeded", Exhausted: true, ResetIn: time.Hour})
	code, _, errs = cli{sub: "exposure", env: env}.run(t, "--account-sid", expSID)
	if code != 2 || !strings.Contains(errs, "rate limited") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	// Pagination through the CLI: 120 hits over two search pages.
	for i := range 120 {
		srv.AddFile(fmt.Sprintf("user%03d/app", i), "x.env", "TWILIO_ACCOUNT_SID="+expSID)
	}
	code, out, _ = cli{sub: "exposure", env: env}.run(t, "--account-sid", expSID, "--json", "--max-results", "1000")
	if code != 1 || strings.Count(out, `"repository"`) != 122 {
		t.Errorf("pagination: %d hits", strings.Count(out, `"repository"`))
	}
	pages := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r, "/search/code") && strings.Contains(r, "page=2") {
			pages++
		}
	}
	if pages == 0 {
		t.Errorf("second search page never requested")
	}
}
