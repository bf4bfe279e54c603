package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/oaitest"
)

// fakeMessages serves n messages of testAccount, newest first, 2010-style
// paging; dates are one minute apart ending at end.
type fakeMessages struct {
	n        int
	end      time.Time
	requests atomic.Int64
	// hook runs before each page is served (nil: none); returning false
	// means the hook wrote the reply itself.
	hook func(w http.ResponseWriter, r *http.Request, page int) bool
}

func msgDate(end time.Time, i int) time.Time { return end.Add(-time.Duration(i) * time.Minute) }

func (f *fakeMessages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	if size <= 0 {
		size = 50
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	if f.hook != nil && !f.hook(w, r, page) {
		return
	}
	start := page * size
	endIdx := min(start+size, f.n)
	type msg struct {
		SID         string  `json:"sid"`
		AccountSID  string  `json:"account_sid"`
		From        string  `json:"from"`
		To          string  `json:"to"`
		Body        string  `json:"body"`
		Direction   string  `json:"direction"`
		Status      string  `json:"status"`
		NumSegments string  `json:"num_segments"`
		Price       *string `json:"price"`
		PriceUnit   string  `json:"price_unit"`
		ErrorCode   *int    `json:"error_code"`
		DateCreated string  `json:"date_created"`
		DateSent    string  `json:"date_sent"`
		DateUpdated string  `json:"date_updated"`
		URI         string  `json:"uri"`
	}
	msgs := make([]msg, 0, max(0, endIdx-start))
	for i := start; i < endIdx; i++ {
		d := msgDate(f.end, i).Format(time.RFC1123Z)
		price := "-0.00750"
		m := msg{SID: fmt.Sprintf("SM%032x", i), AccountSID: testAccount, From: "+15017122661", To: fmt.Sprintf("+4420%08d", i),
			Body: "hello " + strconv.Itoa(i), Direction: "outbound-api", Status: "delivered", NumSegments: "1", Price: &price,
			PriceUnit: "USD", DateCreated: d, DateSent: d, DateUpdated: d, URI: "/2010-04-01/Accounts/" + testAccount + "/Messages/x.json"}
		if i%7 == 0 {
			m.Price = nil // price not yet known
		}
		msgs = append(msgs, m)
	}
	base := "/2010-04-01/Accounts/" + testAccount + "/Messages.json"
	var next *string
	if endIdx < f.n {
		nq := url.Values{"PageSize": {strconv.Itoa(size)}, "Page": {strconv.Itoa(page + 1)}, "PageToken": {"PASM" + strconv.Itoa(endIdx)}}
		s := base + "?" + nq.Encode()
		next = &s
	}
	body := map[string]any{
		"messages": msgs, "next_page_uri": next, "first_page_uri": base + "?PageSize=" + strconv.Itoa(size) + "&Page=0",
		"previous_page_uri": nil, "page": page, "page_size": size, "start": start, "end": max(start, endIdx-1), "uri": r.URL.RequestURI(),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func TestPaging2010(t *testing.T) {
	end := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := &fakeMessages{n: 234, end: end}
	h := newHarness(t, f, func(o *Options) { o.PageSize = 100 })
	var got []atoguard.Message
	for m, err := range h.c.ListMessages(context.Background(), testAccount, MessageFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != f.n {
		t.Fatalf("got %d messages, want %d", len(got), f.n)
	}
	if n := f.requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3 pages of 100", n)
	}
	for i, m := range got {
		if want := fmt.Sprintf("SM%032x", i); m.SID != want {
			t.Fatalf("message %d is %s, want %s", i, m.SID, want)
		}
	}
	if got[1].Price != 0.0075 || got[0].Price != 0 || !got[5].DateSent.Equal(msgDate(end, 5)) || got[5].NumSegments != 1 {
		t.Errorf("decoding: %+v / %+v", got[0], got[5])
	}
}

// Sub-day date bounds are applied client-side: Twilio may treat them as days.
func TestMessagesDateFilter(t *testing.T) {
	end := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := &fakeMessages{n: 300, end: end}
	var seen atomic.Value
	f.hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		seen.Store(r.URL.RawQuery)
		return true
	}
	h := newHarness(t, f, nil)
	after, before := msgDate(end, 100), msgDate(end, 50).Add(-time.Millisecond)
	msgs, err := atoguard.Collect(h.c.ListMessages(context.Background(), testAccount, MessageFilter{SentAfter: after, SentBefore: before}))
	if err != nil {
		t.Fatal(err)
	}
	// Messages 51..100 are in [after, before).
	if len(msgs) != 50 || msgs[0].SID != fmt.Sprintf("SM%032x", 51) || msgs[49].SID != fmt.Sprintf("SM%032x", 100) {
		t.Fatalf("got %d messages (%v … )", len(msgs), msgs[0].SID)
	}
	q, _ := url.ParseQuery(seen.Load().(string))
	if q.Get("DateSent>") != after.Format(time.RFC3339) || q.Get("DateSent<") != msgDate(end, 50).Format(time.RFC3339) {
		t.Errorf("date params %v", q)
	}
}

// fakeEvents serves Monitor events with v1 paging: absolute next_page_url on
// https://monitor.twilio.com, which the client must map onto the test server.
func fakeEvents(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		size, _ := strconv.Atoi(q.Get("PageSize"))
		page, _ := strconv.Atoi(q.Get("Page"))
		start, endIdx := page*size, min(page*size+size, n)
		evs := []map[string]any{}
		for i := start; i < endIdx; i++ {
			evs = append(evs, map[string]any{
				"sid": fmt.Sprintf("AE%032x", i), "account_sid": testAccount, "actor_sid": fmt.Sprintf("US%032x", 1), "actor_type": "user",
				"description": nil, "event_data": map[string]any{"friendly_name": map[string]any{"previous": "a", "updated": "b"}},
				"event_date": time.Date(2026, 3, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339), "event_type": "account.updated",
				"resource_sid": testAccount, "resource_type": "account", "source": "web", "source_ip_address": "203.0.113.7",
				"url": "https://monitor.twilio.com/v1/Events/x", "links": map[string]any{},
			})
		}
		var next *string
		if endIdx < n {
			s := fmt.Sprintf("https://monitor.twilio.com/v1/Events?PageSize=%d&Page=%d&PageToken=PAAE%d", size, page+1, endIdx)
			next = &s
		}
		body := map[string]any{"events": evs, "meta": map[string]any{
			"first_page_url": "https://monitor.twilio.com/v1/Events?PageSize=" + strconv.Itoa(size) + "&Page=0", "key": "events",
			"next_page_url": next, "page": page, "page_size": size, "previous_page_url": nil,
			"url": "https://monitor.twilio.com" + r.URL.RequestURI()}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}
}

func TestPagingV1(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	inner := fakeEvents(25)
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		inner(w, r)
	}), func(o *Options) { o.PageSize = 10 })
	evs, err := atoguard.Collect(h.c.ListEvents(context.Background(), EventFilter{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 25 || len(paths) != 3 {
		t.Fatalf("%d events in %d requests, want 25 in 3", len(evs), len(paths))
	}
	for _, p := range paths {
		if p != "/monitor/v1/Events" {
			t.Errorf("request to %s", p)
		}
	}
	if evs[3].Data["friendly_name"] == nil || evs[3].SourceIP != "203.0.113.7" || evs[3].EventDate.Second() != 3 {
		t.Errorf("event decoded %+v", evs[3])
	}
}

func TestBaseURLs(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		product string
		want    string
	}{
		{"real hosts", Options{}, ProductMonitor, "https://monitor.twilio.com"},
		{"real api", Options{}, ProductAPI, "https://api.twilio.com"},
		{"emulator layout", Options{BaseURL: "http://127.0.0.1:8080/"}, ProductAPI, "http://127.0.0.1:8080/api"},
		{"emulator accounts", Options{BaseURL: "http://127.0.0.1:8080"}, ProductAccounts, "http://127.0.0.1:8080/accounts"},
		{"per-host override", Options{BaseURL: "http://e", HostURLs: map[string]string{"voice": "http://voice.local/"}}, ProductVoice, "http://voice.local"},
		{"override keeps others", Options{HostURLs: map[string]string{"voice": "http://voice.local"}}, ProductIAM, "https://iam.twilio.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(tc.product); got != tc.want {
				t.Errorf("BaseURL(%s) = %s, want %s", tc.product, got, tc.want)
			}
		})
	}
	for _, bad := range []Options{{BaseURL: "ftp://x"}, {BaseURL: "::"}, {HostURLs: map[string]string{"lookups": "http://x"}},
		{BaseURL: "http://AC1:hunter2@127.0.0.1:9"}, {BaseURL: "http://127.0.0.1:9?x=1"}} {
		_, err := New(bad)
		if atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("New(%+v) = %v, want EINVALID", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestMapNext(t *testing.T) {
	emu, _ := New(Options{BaseURL: "http://127.0.0.1:9000"})
	real, _ := New(Options{})
	tests := []struct {
		c             *Client
		product, next string
		want          string // "" = error
	}{
		{emu, ProductAPI, "/2010-04-01/Accounts/AC1/Messages.json?PageSize=1000&Page=1&PageToken=PA1", "http://127.0.0.1:9000/api/2010-04-01/Accounts/AC1/Messages.json?PageSize=1000&Page=1&PageToken=PA1"},
		{emu, ProductMonitor, "https://monitor.twilio.com/v1/Events?PageSize=50&Page=1&PageToken=PA", "http://127.0.0.1:9000/monitor/v1/Events?PageSize=50&Page=1&PageToken=PA"},
		{emu, ProductVoice, "https://voice.twilio.com/v1/DialingPermissions/Countries?Page=1", "http://127.0.0.1:9000/voice/v1/DialingPermissions/Countries?Page=1"},
		{emu, ProductMonitor, "http://127.0.0.1:9000/monitor/v1/Events?Page=2", "http://127.0.0.1:9000/monitor/v1/Events?Page=2"},
		{emu, ProductMonitor, "/monitor/v1/Events?Page=2", "http://127.0.0.1:9000/monitor/v1/Events?Page=2"},
		{emu, ProductMonitor, "https://evil.example/v1/Events?Page=2", ""},
		{emu, ProductMonitor, "//evil.example/v1/Events", ""},
		{real, ProductAPI, "/2010-04-01/Accounts.json?Page=1", "https://api.twilio.com/2010-04-01/Accounts.json?Page=1"},
		{real, ProductMonitor, "https://monitor.twilio.com/v1/Events?Page=1", "https://monitor.twilio.com/v1/Events?Page=1"},
		{real, ProductMonitor, "https://lookups.twilio.com/v1/x", ""},
		{real, ProductAPI, "/other/path", ""},
	}
	for _, tc := range tests {
		got, err := tc.c.mapNext(tc.product, tc.next)
		if tc.want == "" {
			if err == nil {
				t.Errorf("mapNext(%s) = %s, want error", tc.next, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("mapNext(%s) = %s, %v; want %s", tc.next, got, err, tc.want)
		}
	}
}

// twilioError writes Twilio's error JSON.
func twilioError(w http.ResponseWriter, status, code int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":"%s","more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`, code, http.StatusText(status), code, status)
}

// resetConn drops the connection without a reply.
func resetConn(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("no hijacker")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = conn.Close()
}

// flaky fails the first n requests with fail, then serves next.
func flaky(n int, fail func(w http.ResponseWriter), next http.Handler) (http.Handler, *atomic.Int64) {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= int64(n) {
			fail(w)
			return
		}
		next.ServeHTTP(w, r)
	}), &count
}

func TestRetries(t *testing.T) {
	examples := specs.Load(t).ExampleHandler()
	ctx := context.Background()
	tests := []struct {
		name      string
		failures  int
		fail      func(t *testing.T) func(w http.ResponseWriter)
		call      func(c *Client) error
		wantCalls int64
		wantCode  atoguard.ErrorCode // "" = success
		minSleep  time.Duration      // the first backoff must be at least this
	}{
		{
			name: "429 with Retry-After on a GET", failures: 2,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 429, CodeTooManyRequests, "3") }
			},
			call:      func(c *Client) error { _, err := c.FetchAccount(ctx, testAccount); return err },
			wantCalls: 3, minSleep: 3 * time.Second,
		},
		{
			name: "500 then success on a GET", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 500, 20500, "") }
			},
			call:      func(c *Client) error { _, err := atoguard.Collect(c.ListKeys(ctx, testAccount)); return err },
			wantCalls: 2,
		},
		{
			name: "connection reset on a GET", failures: 2,
			fail: func(t *testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { resetConn(t, w) }
			},
			call:      func(c *Client) error { _, err := c.FetchAccount(ctx, testAccount); return err },
			wantCalls: 3,
		},
		{
			name: "503 on DELETE is retried", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 503, 20503, "1") }
			},
			call:      func(c *Client) error { return c.DeleteKey(ctx, testAccount, "SK0123456789abcdef0123456789abcdef") },
			wantCalls: 2, minSleep: time.Second,
		},
		{
			name: "absolute-state update is retried after 502", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 502, 20502, "") }
			},
			call:      func(c *Client) error { _, err := c.UpdateAccountStatus(ctx, subAccount, "suspended"); return err },
			wantCalls: 2,
		},
		{
			name: "create after 500 is not retried", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 500, 20500, "") }
			},
			call:      func(c *Client) error { _, err := c.CreateSecondaryAuthToken(ctx); return err },
			wantCalls: 1, wantCode: atoguard.EUNAVAILABLE,
		},
		{
			name: "create after reset is not retried", failures: 1,
			fail: func(t *testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { resetConn(t, w) }
			},
			call: func(c *Client) error {
				_, err := c.CreateUsageTrigger(ctx, testAccount, atoguard.UsageTrigger{UsageCategory: "totalprice", TriggerValue: 10, CallbackURL: "https://example.com/t"})
				return err
			},
			wantCalls: 1, wantCode: atoguard.EUNAVAILABLE,
		},
		{
			name: "promote after 503 is not retried", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 503, 20503, "") }
			},
			call:      func(c *Client) error { return c.PromoteSecondaryAuthToken(ctx) },
			wantCalls: 1, wantCode: atoguard.EUNAVAILABLE,
		},
		{
			name: "create after 20429 is retried (never processed)", failures: 2,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 429, CodeTooManyRequests, "") }
			},
			call:      func(c *Client) error { _, _, err := c.CreateKey(ctx, testAccount, "k"); return err },
			wantCalls: 3,
		},
		{
			name: "429 outlasting the retries", failures: 100,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 429, CodeTooManyRequests, "") }
			},
			call:      func(c *Client) error { _, err := c.FetchAccount(ctx, testAccount); return err },
			wantCalls: 1 + DefaultMaxRetries, wantCode: atoguard.ERATELIMITED,
		},
		{
			name: "401 is not retried", failures: 100,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 401, CodeAuthenticate, "") }
			},
			call:      func(c *Client) error { _, err := c.FetchAccount(ctx, testAccount); return err },
			wantCalls: 1, wantCode: atoguard.EUNAUTHORIZED,
		},
		{
			name: "DELETE retried after 502 finds it gone: success", failures: 1,
			fail: func(*testing.T) func(w http.ResponseWriter) {
				return func(w http.ResponseWriter) { twilioError(w, 502, 20502, "") }
			},
			call:      func(c *Client) error { return c.DeleteCallerID(ctx, testAccount, "PN00000000000000000000000000000404") },
			wantCalls: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := http.Handler(examples)
			if strings.Contains(tc.name, "finds it gone") {
				next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { twilioError(w, 404, CodeNotFound, "") })
			}
			h, count := flaky(tc.failures, tc.fail(t), next)
			hs := newHarness(t, h, nil)
			err := tc.call(hs.c)
			if got := atoguard.CodeOf(err); got != tc.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tc.wantCode)
			}
			if got := count.Load(); got != tc.wantCalls {
				t.Errorf("%d calls, want %d", got, tc.wantCalls)
			}
			sleeps := hs.sleeps.get()
			if int64(len(sleeps)) != min(tc.wantCalls-1, int64(DefaultMaxRetries)) {
				t.Errorf("%d backoff sleeps for %d calls", len(sleeps), tc.wantCalls)
			}
			if tc.minSleep > 0 && (len(sleeps) == 0 || sleeps[0] < tc.minSleep) {
				t.Errorf("sleeps %v, want the first ≥ %v (Retry-After)", sleeps, tc.minSleep)
			}
		})
	}
}

// A request that never reached the server (dial failure) is retried even
// when it is a create.
func TestRetryUnsentCreate(t *testing.T) {
	examples := specs.Load(t).ExampleHandler()
	var calls atomic.Int64
	h := newHarness(t, examples, nil)
	realTr := h.c.sh.hc.Transport
	h.c.sh.hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("dial tcp: connection refused")
		}
		return realTr.RoundTrip(r)
	})
	if _, err := h.c.CreateSecondaryAuthToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d attempts, want 2", calls.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBackoffGrowsAndIsBounded(t *testing.T) {
	c, _ := New(Options{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second})
	for attempt := 1; attempt <= 10; attempt++ {
		d := c.backoff(attempt)
		nominal := min(100*time.Millisecond<<(attempt-1), time.Second)
		if d < nominal/2 || d > nominal {
			t.Errorf("attempt %d: %v outside [%v, %v]", attempt, d, nominal/2, nominal)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"junk":                          0,
		"99999":                         maxRetryAfter,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		status, code int
		body         string
		want         atoguard.ErrorCode
		check        func(error) bool
	}{
		{401, 20003, "", atoguard.EUNAUTHORIZED, IsUnauthorized},
		{403, 20403, "", atoguard.EUNAUTHORIZED, IsUnauthorized},
		{404, 20404, "", atoguard.ENOTFOUND, IsNotFound},
		{400, 21481, "", atoguard.EINVALID, nil},
		{409, 0, "", atoguard.ECONFLICT, nil},
		{503, 0, "<html>maintenance</html>", atoguard.EUNAVAILABLE, nil},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.body != "" {
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte(tc.body))
					return
				}
				twilioError(w, tc.status, tc.code, "")
			}), func(o *Options) { o.MaxRetries = -1; o.HTTPClient = nil })
			_, err := h.c.FetchAccount(context.Background(), testAccount)
			if got := atoguard.CodeOf(err); got != tc.want {
				t.Fatalf("code %q, want %q (%v)", got, tc.want, err)
			}
			if tc.check != nil && !tc.check(err) {
				t.Errorf("helper false for %v", err)
			}
			if CodeOf(err) != tc.code || StatusOf(err) != tc.status {
				t.Errorf("CodeOf=%d StatusOf=%d, want %d %d", CodeOf(err), StatusOf(err), tc.code, tc.status)
			}
			var ae *atoguard.Error
			if !errors.As(err, &ae) || ae.Op != "twilio.fetch_account" {
				t.Errorf("not an atoguard.Error with op: %#v", err)
			}
		})
	}
	if IsRateLimited(nil) || IsNotFound(nil) || CodeOf(nil) != 0 {
		t.Error("helpers true for nil")
	}
}

func TestRateLimitedHelper(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		twilioError(w, 429, CodeTooManyRequests, "")
	}), func(o *Options) { o.MaxRetries = 1 })
	_, err := h.c.FetchAccount(context.Background(), testAccount)
	if !IsRateLimited(err) || CodeOf(err) != CodeTooManyRequests {
		t.Fatalf("got %v", err)
	}
}

func TestCancelMidPage(t *testing.T) {
	f := &fakeMessages{n: 500, end: time.Now()}
	release := make(chan struct{})
	f.hook = func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page == 1 {
			select { // hold the second page until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
		}
		return true
	}
	defer close(release)
	h := newHarness(t, f, func(o *Options) { o.HTTPClient = nil; o.PageSize = 100 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	start := time.Now()
	for _, err := range h.c.ListMessages(ctx, testAccount, MessageFilter{}) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 100 {
			go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		}
	}
	if n != 100 || atoguard.CodeOf(last) != atoguard.ECANCELED || !errors.Is(last, context.Canceled) {
		t.Fatalf("read %d then %v, want 100 then canceled", n, last)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	// A consumer that stops early does not fetch further pages.
	f2 := &fakeMessages{n: 500, end: time.Now()}
	h2 := newHarness(t, f2, func(o *Options) { o.PageSize = 100 })
	for range h2.c.ListMessages(context.Background(), testAccount, MessageFilter{}) {
		break
	}
	// One page, plus at most the prefetch of the next (canceled on break).
	if got := f2.requests.Load(); got > 2 {
		t.Errorf("early break made %d requests, want at most 2", got)
	}
}

func TestDeadlineDuringBackoff(t *testing.T) {
	var calls atomic.Int64
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		twilioError(w, 503, 20503, "30") // asks for a 30 s wait
	}), func(o *Options) { o.Sleep = nil })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.c.FetchAccount(ctx, testAccount)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v; the deadline was 100ms", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) || calls.Load() != 1 {
		t.Errorf("err %v after %d calls", err, calls.Load())
	}
	// An already-canceled context sends nothing.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := h.c.FetchAccount(ctx2, testAccount); atoguard.CodeOf(err) != atoguard.ECANCELED || calls.Load() != 1 {
		t.Errorf("canceled context: %v, %d calls", err, calls.Load())
	}
}

// Debug logs carry method, path, status, attempt — never credentials,
// Authorization headers or token values from bodies.
func TestLogsNeverContainSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	examples := specs.Load(t).ExampleHandler()
	const (
		secondary = "5ec0dary5ec0dary5ec0dary5ec0dary"
		subToken  = "50b70ken50b70ken50b70ken50b70ken"
		keySecret = "KeySecretKeySecretKeySecretKeySe"
		date      = "Thu, 01 Jan 2026 00:00:00 +0000"
	)
	secrets := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/accounts/v1/AuthTokens/Secondary":
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"account_sid":%q,"secondary_auth_token":%q,"date_created":"2026-01-01T00:00:00Z","date_updated":"2026-01-01T00:00:00Z","url":"https://accounts.twilio.com/v1/AuthTokens/Secondary"}`, testAccount, secondary)
		case r.URL.Path == "/api/2010-04-01/Accounts/"+subAccount+".json":
			fmt.Fprintf(w, `{"sid":%q,"owner_account_sid":%q,"auth_token":%q,"friendly_name":"sub","status":"active","type":"Full","date_created":%q}`, subAccount, testAccount, subToken, date)
		case strings.HasSuffix(r.URL.Path, "/Keys.json") && r.Method == "POST":
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"sid":"SK0123456789abcdef0123456789abcdef","friendly_name":"k","date_created":%q,"date_updated":%q,"secret":%q}`, date, date, keySecret)
		default:
			examples.ServeHTTP(w, r)
		}
	})
	h, _ := flaky(1, func(w http.ResponseWriter) { twilioError(w, 500, 20500, "") }, secrets)
	hs := newHarness(t, h, func(o *Options) { o.Logger = logger })
	ctx := context.Background()
	if _, err := hs.c.FetchAccount(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	sec, err := hs.c.CreateSecondaryAuthToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := hs.c.SubaccountAuthToken(ctx, subAccount)
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := hs.c.CreateKey(ctx, testAccount, "k")
	if err != nil {
		t.Fatal(err)
	}
	asKey := hs.c.As(atoguard.Credential{AccountSID: testAccount, KeySID: "SK0123456789abcdef0123456789abcdef", Secret: key})
	if _, err := asKey.FetchAccount(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	if sec.Reveal() != secondary || sub.Reveal() != subToken || key.Reveal() != keySecret {
		t.Fatal("secrets not decoded")
	}
	if _, err := atoguard.Collect(hs.c.ListMessages(ctx, testAccount, MessageFilter{To: "+15558675310"})); err != nil {
		t.Fatal(err)
	}
	hs.c.sh.log.Debug("values", "secret", sec) // a Secret logged by mistake is redacted too
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, `"path":"/api/2010-04-01/Accounts/`+testAccount+`.json"`) || !strings.Contains(out, `"attempt":2`) || !strings.Contains(out, `"status":500`) {
		t.Errorf("log lacks request details:\n%s", out)
	}
	for _, s := range []string{testToken, secondary, subToken, keySecret, "Basic ", "Authorization", "8675310", "?"} {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q:\n%s", s, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// The concurrency limit is per account and shared by clients made with As.
func TestPerAccountConcurrency(t *testing.T) {
	var mu sync.Mutex
	inflight := map[string]int{}
	peak := map[string]int{}
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /api/2010-04-01/Accounts/{AC}.json → account from the path.
		acct := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/2010-04-01/Accounts/"), ".json")
		mu.Lock()
		inflight[acct]++
		peak[acct] = max(peak[acct], inflight[acct])
		mu.Unlock()
		// Hold the request until a second one of the account is in flight
		// (or a while), so overlap does not depend on scheduling luck.
		for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			mu.Lock()
			both := peak[acct] >= 2
			mu.Unlock()
			if both {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inflight[acct]--
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"sid":%q,"owner_account_sid":%q,"friendly_name":"x","status":"active","type":"Full","date_created":"Thu, 01 Jan 2026 00:00:00 +0000"}`, acct, acct)
	}), func(o *Options) { o.Concurrency = 2; o.RPS = -1 })
	main := h.c
	sameAcctKey := main.As(atoguard.Credential{AccountSID: testAccount, KeySID: "SK0123456789abcdef0123456789abcdef", Secret: atoguard.NewSecret("k")})
	other := main.As(atoguard.Credential{AccountSID: subAccount, Secret: atoguard.NewSecret("s")})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		for _, c := range []*Client{main, sameAcctKey, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.FetchAccount(context.Background(), c.AccountSID()); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if peak[testAccount] > 2 || peak[subAccount] > 2 {
		t.Errorf("peak in-flight %v, want ≤ 2 per account", peak)
	}
	if peak[subAccount] < 2 {
		t.Errorf("other account's limiter not independent: peak %v", peak)
	}
}

func TestRateLimitPerAccount(t *testing.T) {
	h := newHarness(t, specs.Load(t).ExampleHandler(), func(o *Options) { o.RPS = 20 })
	start := time.Now()
	for i := 0; i < 30; i++ { // burst of 20, then 10 more at 20/s ≈ 0.5 s
		if _, err := h.c.FetchAccount(context.Background(), testAccount); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("30 requests at 20 rps took only %v", d)
	}
}

func TestPagingLoopAndForeignHost(t *testing.T) {
	for name, next := range map[string]string{
		"loop":    "/2010-04-01/Accounts/" + testAccount + "/Keys.json?Page=1",
		"foreign": "https://attacker.example/2010-04-01/Accounts/" + testAccount + "/Keys.json?Page=1",
	} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int64
			h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"keys":[{"sid":"SK0123456789abcdef0123456789abcdef","friendly_name":"k","date_created":"Mon, 13 Jun 2016 22:50:08 +0000","date_updated":"Mon, 13 Jun 2016 22:50:08 +0000"}],"next_page_uri":%q,"page":0,"page_size":1,"start":0,"end":0,"uri":"/x","first_page_uri":"/x","previous_page_uri":null}`, next)
			}), nil)
			n := 0
			var last error
			for _, err := range h.c.ListKeys(context.Background(), testAccount) {
				if err != nil {
					last = err
					break
				}
				n++
			}
			if last == nil || n > 3 || calls.Load() > 3 {
				t.Errorf("%d keys, %d calls, err %v; want a prompt error", n, calls.Load(), last)
			}
		})
	}
}

// Canceling while a page is being consumed stops within a few items, also
// on the last page.
func TestCancelWithinPage(t *testing.T) {
	f := &fakeMessages{n: 1000, end: time.Now()}
	h := newHarness(t, f, func(o *Options) { o.HTTPClient = nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range h.c.ListMessages(ctx, testAccount, MessageFilter{}) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n > 10+64 {
		t.Fatalf("read %d items then %v; want ≤ 74 then canceled", n, last)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	var calls atomic.Int64
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		twilioError(w, 429, CodeTooManyRequests, "60")
	}), func(o *Options) { o.Sleep = nil })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := h.c.CreateSecondaryAuthToken(ctx)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v", d)
	}
	if atoguard.CodeOf(err) != atoguard.ECANCELED || calls.Load() != 1 {
		t.Errorf("err %v after %d calls, want canceled after 1", err, calls.Load())
	}
}

// Whatever a server puts in a paging link, the client only follows it to a
// configured base URL (credentials never go elsewhere).
func FuzzMapNext(f *testing.F) {
	for _, s := range []string{"/2010-04-01/Accounts.json?Page=1", "https://monitor.twilio.com/v1/Events?Page=1",
		"http://127.0.0.1:9000/api/x", "//evil.example/x", "https://evil.example/v1/x", "https://api.twilio.com.evil.example/x",
		"/api/../../x", "http://127.0.0.1:9000@evil.example/", "HTTPS://MONITOR.TWILIO.COM/v1/Events", "\\\\evil/x"} {
		f.Add(s)
	}
	emu, _ := New(Options{BaseURL: "http://127.0.0.1:9000"})
	real, _ := New(Options{})
	f.Fuzz(func(t *testing.T, next string) {
		for _, c := range []*Client{emu, real} {
			for _, p := range Products() {
				got, err := c.mapNext(p, next)
				if err != nil {
					continue
				}
				u, perr := url.Parse(got)
				if perr != nil {
					t.Fatalf("mapNext(%q) = %q: unparsable: %v", next, got, perr)
				}
				ok := false
				for _, base := range c.sh.bases {
					b, _ := url.Parse(base)
					if strings.EqualFold(u.Scheme, b.Scheme) && strings.EqualFold(u.Host, b.Host) && u.User == nil {
						ok = true
					}
				}
				if !ok {
					t.Fatalf("mapNext(%s, %q) = %q: not a configured host", p, next, got)
				}
			}
		}
	})
}

// Transport errors are logged without the request URL and its query.
func TestErrTextDropsURL(t *testing.T) {
	err := &transportError{err: &url.Error{Op: "Get", URL: "http://127.0.0.1/api/x?To=%2B15558675310", Err: errors.New("connection reset by peer")}}
	got := errText(err)
	if strings.Contains(got, "8675310") || strings.Contains(got, "127.0.0.1") || !strings.Contains(got, "connection reset") {
		t.Errorf("errText = %q", got)
	}
}

// A 200 whose body does not decode (cut short by a proxy) is fetched again;
// one that never decodes ends the listing with EUNAVAILABLE.
func TestUndecodablePageRefetched(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bad      int // undecodable replies before good ones
		wantErr  atoguard.ErrorCode
		wantReqs int64
	}{
		{"once", 1, "", 2},
		{"always", 100, atoguard.EUNAVAILABLE, 1 + DefaultMaxRetries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeMessages{n: 10, end: time.Now()}
			var reqs atomic.Int64
			h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if reqs.Add(1) <= int64(tc.bad) {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set(oaitest.HeaderInvalidExample, "true") // not spec-valid on purpose
					_, _ = w.Write([]byte(`{"messages":[{"sid":"SM1"`))
					return
				}
				f.ServeHTTP(w, r)
			}), nil)
			msgs, err := atoguard.Collect(h.c.ListMessages(context.Background(), testAccount, MessageFilter{}))
			if atoguard.CodeOf(err) != tc.wantErr {
				t.Fatalf("err %v, want code %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && len(msgs) != 10 {
				t.Errorf("%d messages", len(msgs))
			}
			if reqs.Load() != tc.wantReqs {
				t.Errorf("%d requests, want %d", reqs.Load(), tc.wantReqs)
			}
		})
	}
}

func TestAPIErrorDetails(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"code":"20404","message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`))
	}), func(o *Options) { o.HTTPClient = nil })
	_, err := h.c.FetchAccount(context.Background(), testAccount)
	ae, ok := AsAPIError(err)
	if !ok || ae.Code != CodeNotFound || ae.MoreInfo == "" || !IsNotFound(err) {
		t.Fatalf("got %#v", err)
	}
	if got := err.Error(); got != "twilio.fetch_account: twilio 404 (code 20404): The requested resource was not found" {
		t.Errorf("Error() = %q", got)
	}
}
