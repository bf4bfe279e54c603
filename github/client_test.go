package github_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/github"
	"github.com/atoguard/atoguard/github/githubtest"
)

const sid = "AC0123456789abcdef0123456789abcdef"

// fakeClock records waits instead of sleeping and advances time by them.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func newClient(t *testing.T, srv *githubtest.Server, clk *fakeClock, mod ...func(*github.Options)) *github.Client {
	t.Helper()
	opts := github.Options{BaseURL: srv.URL, Token: atoguard.NewSecret("ghp_testtoken"), Now: clk.Now, Sleep: clk.Sleep}
	for _, m := range mod {
		m(&opts)
	}
	c, err := github.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newServer(t *testing.T, clk *fakeClock) *githubtest.Server {
	srv := githubtest.New()
	srv.Token = "ghp_testtoken"
	srv.Now = clk.Now
	t.Cleanup(srv.Close)
	return srv
}

func TestSearchCodePagination(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	for i := range 250 {
		srv.AddFile(fmt.Sprintf("owner%03d/repo", i), "config.py", "ACCOUNT_SID = '"+sid+"'\n")
	}
	srv.AddFile("other/repo", "x.txt", "nothing here")
	c := newClient(t, srv, clk)
	res, err := c.SearchCode(context.Background(), sid, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.TotalCount != 250 || len(res.Items) != 250 {
		t.Fatalf("total %d, items %d", res.TotalCount, len(res.Items))
	}
	if got := len(srv.Requests()); got != 3 {
		t.Errorf("requests = %d, want 3 pages of 100", got)
	}
	it := res.Items[0]
	if it.Repository.FullName != "owner000/repo" || it.Path != "config.py" || it.Repository.Owner.Login != "owner000" ||
		!strings.HasPrefix(it.HTMLURL, "https://github.com/owner000/repo/blob/") || it.SHA == "" || it.GitURL == "" {
		t.Errorf("item = %+v", it)
	}
	// max stops early, with a page size to match.
	res, err = c.SearchCode(context.Background(), sid, 5)
	if err != nil || len(res.Items) != 5 || res.TotalCount != 250 {
		t.Fatalf("max 5: %d items, total %d, %v", len(res.Items), res.TotalCount, err)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if !strings.Contains(last, "per_page=5") {
		t.Errorf("max 5 request %q", last)
	}
	for _, a := range srv.AuthHeaders() {
		if a != "Bearer ghp_testtoken" {
			t.Errorf("auth header %q", a)
		}
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name      string
		failures  []githubtest.Failure
		wantWaits []time.Duration
		wantCode  atoguard.ErrorCode // "" = success
	}{
		{"secondary 403 with Retry-After", []githubtest.Failure{{Status: 403, Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", RetryAfter: "7"}},
			[]time.Duration{7 * time.Second}, ""},
		{"secondary 403 without headers waits a minute then backs off", []githubtest.Failure{
			{Status: 403, Message: "You have exceeded a secondary rate limit"}, {Status: 403, Message: "You have exceeded a secondary rate limit"}},
			[]time.Duration{time.Minute, 2 * time.Minute}, ""},
		{"primary exhausted waits until reset", []githubtest.Failure{{Status: 403, Message: "API rate limit exceeded for user ID 1.", Exhausted: true, ResetIn: 30 * time.Second}},
			[]time.Duration{31 * time.Second}, ""},
		{"429 with Retry-After", []githubtest.Failure{{Status: 429, Message: "Too Many Requests", RetryAfter: "2"}},
			[]time.Duration{2 * time.Second}, ""},
		{"5xx backs off", []githubtest.Failure{{Status: 502, Message: "Bad Gateway"}, {Status: 503, Message: "busy"}},
			[]time.Duration{time.Second, 2 * time.Second}, ""},
		{"reset too far: error, no wait", []githubtest.Failure{{Status: 403, Message: "API rate limit exceeded", Exhausted: true, ResetIn: time.Hour}},
			nil, atoguard.ERATELIMITED},
		{"retries bounded", []githubtest.Failure{
			{Status: 429, RetryAfter: "1"}, {Status: 429, RetryAfter: "1"}, {Status: 429, RetryAfter: "1"}, {Status: 429, RetryAfter: "1"}, {Status: 429, RetryAfter: "1"}},
			[]time.Duration{time.Second, time.Second, time.Second, time.Second}, atoguard.ERATELIMITED},
		{"plain 403 is not a rate limit", []githubtest.Failure{{Status: 403, Message: "Resource not accessible by personal access token"}},
			nil, atoguard.EUNAUTHORIZED},
		{"422 invalid query", []githubtest.Failure{{Status: 422, Message: "Validation Failed"}}, nil, atoguard.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			srv := newServer(t, clk)
			srv.AddFile("a/b", "x.env", "TWILIO_ACCOUNT_SID="+sid)
			srv.Fail("search", tt.failures...)
			c := newClient(t, srv, clk)
			res, err := c.SearchCode(context.Background(), sid, 0)
			if tt.wantCode == "" {
				if err != nil || len(res.Items) != 1 {
					t.Fatalf("err %v, items %d", err, len(res.Items))
				}
			} else if atoguard.CodeOf(err) != tt.wantCode {
				t.Fatalf("err %v (code %q), want code %q", err, atoguard.CodeOf(err), tt.wantCode)
			}
			if fmt.Sprint(clk.waits) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits %v, want %v", clk.waits, tt.wantWaits)
			}
		})
	}
}

// After a response that exhausts the primary limit, the next request waits
// for the reset instead of being refused.
func TestProactiveWaitOnExhaustedLimit(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	srv.AddFile("a/b", "x.env", "TWILIO_ACCOUNT_SID="+sid, githubtest.Commit{SHA: "c1", Name: "A", Email: "a@example.com", Date: clk.now})
	srv.RemainingAfter = 1
	srv.ResetIn = 10 * time.Second
	c := newClient(t, srv, clk)
	if _, err := c.SearchCode(context.Background(), sid, 0); err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 0 {
		t.Fatalf("waited before the limit was known: %v", clk.waits)
	}
	// Another bucket (core) is not held up by the exhausted search limit.
	if _, _, _, err := c.PathCommits(context.Background(), "a/b", "x.env"); err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 0 {
		t.Fatalf("core request waited for the search limit: %v", clk.waits)
	}
	if _, err := c.SearchCode(context.Background(), sid, 0); err != nil {
		t.Fatal(err)
	}
	if len(clk.waits) != 1 || clk.waits[0] != 11*time.Second {
		t.Errorf("waits %v, want [11s]", clk.waits)
	}
}

func TestFileContent(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	body := strings.Repeat("line of text\n", 50) + "sid = \"" + sid + "\"\n"
	srv.AddFile("a/b", "dir/app config.py", body)
	c := newClient(t, srv, clk)
	res, err := c.SearchCode(context.Background(), sid, 0)
	if err != nil || len(res.Items) != 1 {
		t.Fatal(err)
	}
	got, err := c.FileContent(context.Background(), res.Items[0])
	if err != nil || string(got) != body {
		t.Fatalf("content %q, %v", got, err)
	}
	// Over the inline limit: the blob API is used.
	srv.InlineLimit = 10
	got, err = c.FileContent(context.Background(), res.Items[0])
	if err != nil || string(got) != body {
		t.Fatalf("blob content %q, %v", got, err)
	}
	if r := srv.Requests(); !strings.Contains(r[len(r)-1], "/git/blobs/") {
		t.Errorf("blob not fetched: %v", r)
	}
	// Missing file.
	it := res.Items[0]
	it.URL = srv.URL + "/repositories/1000/contents/nope?ref=x"
	if _, err := c.FileContent(context.Background(), it); atoguard.CodeOf(err) != atoguard.ENOTFOUND {
		t.Errorf("missing file: %v", err)
	}
}

func TestTokenOnlyToAPIHost(t *testing.T) {
	elsewhere := githubtest.New()
	defer elsewhere.Close()
	elsewhere.AddFile("a/b", "x", "TWILIO "+sid)
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	c := newClient(t, srv, clk)
	res, err := github.New(github.Options{BaseURL: elsewhere.URL})
	if err != nil {
		t.Fatal(err)
	}
	items, err := res.SearchCode(context.Background(), sid, 0)
	if err != nil || len(items.Items) != 1 {
		t.Fatal(err)
	}
	// The item's URL points at another host: the token must not follow it.
	if _, err := c.FileContent(context.Background(), items.Items[0]); err != nil {
		t.Fatal(err)
	}
	for _, a := range elsewhere.AuthHeaders() {
		if a != "" {
			t.Errorf("token sent to a foreign host: %q", a)
		}
	}
}

func TestPathCommits(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	var commits []githubtest.Commit
	for i := 250; i >= 1; i-- { // newest first
		commits = append(commits, githubtest.Commit{SHA: fmt.Sprintf("%040d", i), Name: fmt.Sprintf("Dev %d", i),
			Email: "dev@example.com", Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)})
	}
	commits[len(commits)-1].Login = "first-dev"
	srv.AddFile("a/b", "app.py", "x", commits...)
	c := newClient(t, srv, clk)
	first, last, oldest, err := c.PathCommits(context.Background(), "a/b", "app.py")
	if err != nil {
		t.Fatal(err)
	}
	if !oldest || first.SHA != fmt.Sprintf("%040d", 1) || first.Commit.Author.Name != "Dev 1" || first.Author == nil || first.Author.Login != "first-dev" {
		t.Errorf("first = %+v (oldest %v)", first, oldest)
	}
	if last.SHA != fmt.Sprintf("%040d", 250) || last.Author != nil {
		t.Errorf("last = %+v", last)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("requests = %d, want 2 (first page, last page)", n)
	}
	// The last page fails: the newest is reported, flagged as not the oldest.
	srv.Fail("commits", githubtest.Failure{Skip: 1, Status: 404, Message: "Not Found"})
	first, last, oldest, err = c.PathCommits(context.Background(), "a/b", "app.py")
	if err != nil || oldest || first.SHA != last.SHA || last.SHA != fmt.Sprintf("%040d", 250) {
		t.Errorf("degraded: first %s last %s oldest %v err %v", first.SHA, last.SHA, oldest, err)
	}
	if _, _, _, err := c.PathCommits(context.Background(), "a/b", "missing.py"); atoguard.CodeOf(err) != atoguard.ENOTFOUND {
		t.Errorf("no commits: %v", err)
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, u := range []string{"ftp://x", "::", "http://"} {
		if _, err := github.New(github.Options{BaseURL: u}); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("New(%q) = %v", u, err)
		}
	}
}

func TestUnauthenticated(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	c := newClient(t, srv, clk, func(o *github.Options) { o.Token = atoguard.Secret{} })
	_, err := c.SearchCode(context.Background(), sid, 0)
	if atoguard.CodeOf(err) != atoguard.EUNAUTHORIZED || !strings.Contains(err.Error(), "Requires authentication") {
		t.Errorf("err = %v", err)
	}
}

func TestPathHistoryAndFileAt(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	srv := newServer(t, clk)
	var commits []githubtest.Commit
	for i := 150; i >= 1; i-- {
		commits = append(commits, githubtest.Commit{SHA: fmt.Sprintf("%040d", i), Name: "d", Email: "d@example.com",
			Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour), Content: fmt.Sprintf("version %d", i)})
	}
	srv.AddFile("a/b", "dir/app.py", "current", commits...)
	c := newClient(t, srv, clk)
	all, complete, err := c.PathHistory(context.Background(), "a/b", "dir/app.py", 0)
	if err != nil || !complete || len(all) != 150 || all[0].SHA != fmt.Sprintf("%040d", 150) || all[149].SHA != fmt.Sprintf("%040d", 1) {
		t.Fatalf("history: %d commits, complete %v, %v", len(all), complete, err)
	}
	cut, complete, err := c.PathHistory(context.Background(), "a/b", "dir/app.py", 120)
	if err != nil || complete || len(cut) != 120 {
		t.Fatalf("cut history: %d commits, complete %v, %v", len(cut), complete, err)
	}
	got, err := c.FileAt(context.Background(), "a/b", "dir/app.py", fmt.Sprintf("%040d", 7))
	if err != nil || string(got) != "version 7" {
		t.Fatalf("FileAt = %q, %v", got, err)
	}
	if _, err := c.FileAt(context.Background(), "a/b", "nope.py", "x"); atoguard.CodeOf(err) != atoguard.ENOTFOUND {
		t.Errorf("FileAt missing: %v", err)
	}
}
