package emulator

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseFaultSpec(t *testing.T) {
	tests := []struct {
		spec string
		want FaultRule
		err  bool
	}{
		{spec: "429,p=0.3,product=api,retry_after=2s", want: FaultRule{Kind: FaultStatus, Status: 429, Probability: 0.3, Product: "api", RetryAfter: Duration(2 * time.Second)}},
		{spec: "503,path=/2010-04-01/Accounts/*/Messages.json,method=get", want: FaultRule{Kind: FaultStatus, Status: 503, Probability: 1, Path: "/2010-04-01/Accounts/*/Messages.json", Method: "GET"}},
		{spec: "latency,latency=50ms,jitter=10ms,dist=exp,limit=3", want: FaultRule{Kind: FaultLatency, Probability: 1, Latency: Duration(50 * time.Millisecond), Jitter: Duration(10 * time.Millisecond), Dist: "exp", Limit: 3}},
		{spec: "reset,p=0.05", want: FaultRule{Kind: FaultReset, Probability: 0.05}},
		{spec: "truncate", want: FaultRule{Kind: FaultTruncate, Probability: 1}},
		{spec: "slow,latency=1s", want: FaultRule{Kind: FaultSlow, Probability: 1, Latency: Duration(time.Second)}},
		{spec: "418", err: true},
		{spec: "status,status=404", err: true},
		{spec: "429,p=2", err: true},
		{spec: "429,p", err: true},
		{spec: "429,product=lookups", err: true},
		{spec: "429,colour=red", err: true},
		{spec: "latency,latency=-1s", err: true},
		{spec: "latency,dist=normal", err: true},
		{spec: "teleport", err: true},
		{spec: "500,path=[", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFaultSpec(tt.spec)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if !tt.err && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFaultInjection(t *testing.T) {
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	t.Run("429 with Retry-After", func(t *testing.T) {
		te := newEnv(t, testWorld(3), FaultRule{Kind: FaultStatus, Status: 429, Probability: 1, Product: "api", RetryAfter: Duration(2 * time.Second)})
		r := te.do("GET", msgs, mainSID, mainTok, nil)
		if r.status != 429 || r.code() != 20429 || r.header.Get("Retry-After") != "2" || r.header.Get("X-Emulator-Fault") == "" {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		// Other products are untouched.
		if r := te.do("GET", "/monitor/v1/Events", mainSID, mainTok, nil); r.status != 200 {
			t.Fatalf("monitor: %d", r.status)
		}
	})
	for _, status := range []int{500, 502, 503} {
		te := newEnv(t, testWorld(3), FaultRule{Kind: FaultStatus, Status: status, Probability: 1, Path: "/2010-04-01/Accounts/*/Messages.json"})
		if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != status || r.code() != 20000+status {
			t.Fatalf("%d: got %d %s", status, r.status, r.body)
		}
		if r := te.do("GET", "/api/2010-04-01/Accounts/"+mainSID+".json", mainSID, mainTok, nil); r.status != 200 {
			t.Fatalf("path glob matched another route: %d", r.status)
		}
	}
	t.Run("reset", func(t *testing.T) {
		te := newEnv(t, testWorld(3), FaultRule{Kind: FaultReset, Probability: 1})
		req, _ := http.NewRequest("GET", te.srv.URL+msgs, nil)
		req.SetBasicAuth(mainSID, mainTok)
		if res, err := te.srv.Client().Do(req); err == nil {
			res.Body.Close()
			t.Fatalf("no transport error: %d", res.StatusCode)
		}
	})
	t.Run("truncate applies then breaks the body", func(t *testing.T) {
		te := newEnv(t, testWorld(3), FaultRule{Kind: FaultTruncate, Probability: 1, Method: "POST"})
		req, _ := http.NewRequest("POST", te.srv.URL+"/api/2010-04-01/Accounts/"+mainSID+"/Messages.json",
			strings.NewReader("To=%2B14155550188&From=%2B15005550006&Body=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(mainSID, mainTok)
		res, err := te.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("read error %v, want unexpected EOF", err)
		}
		// The message was sent even though the client never saw the reply.
		r := te.do("GET", msgs+"?To=%2B14155550188", mainSID, mainTok, nil)
		if len(r.list("messages")) != 1 {
			t.Fatalf("message not applied: %s", r.body)
		}
	})
	t.Run("slow and latency", func(t *testing.T) {
		te := newEnv(t, testWorld(3),
			FaultRule{Kind: FaultLatency, Probability: 1, Latency: Duration(30 * time.Millisecond), Jitter: Duration(10 * time.Millisecond)},
			FaultRule{Kind: FaultSlow, Probability: 1, Latency: Duration(100 * time.Millisecond)})
		start := time.Now()
		r := te.do("GET", msgs, mainSID, mainTok, nil)
		if d := time.Since(start); r.status != 200 || d < 120*time.Millisecond {
			t.Fatalf("status %d after %v", r.status, d)
		}
		if len(r.list("messages")) != 3 {
			t.Fatalf("slow body incomplete: %s", r.body)
		}
	})
	t.Run("limit", func(t *testing.T) {
		te := newEnv(t, testWorld(3), FaultRule{Kind: FaultStatus, Status: 503, Probability: 1, Limit: 2})
		var got []int
		for range 4 {
			got = append(got, te.do("GET", msgs, mainSID, mainTok, nil).status)
		}
		if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFaultsDeterministic: the same seed and requests give the same faults.
func TestFaultsDeterministic(t *testing.T) {
	run := func(seed int64) []int {
		e, err := New(Options{World: testWorld(3), Seed: seed, Clock: NewFrozenClock(testNow),
			Faults: []FaultRule{{Kind: FaultStatus, Status: 503, Probability: 0.3}}})
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for range 40 {
			req, _ := http.NewRequest("GET", "/api/2010-04-01/Accounts/"+mainSID+".json", nil)
			req.SetBasicAuth(mainSID, mainTok)
			rec := newRecorder()
			e.Handler().ServeHTTP(rec, req)
			out = append(out, rec.status)
		}
		return out
	}
	a, b, c := run(1), run(1), run(2)
	if !equalInts(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if equalInts(a, c) {
		t.Fatalf("different seeds, same faults: %v", a)
	}
	n := 0
	for _, s := range a {
		if s == 503 {
			n++
		}
	}
	if n < 4 || n > 22 {
		t.Fatalf("%d of 40 faulted at p=0.3", n)
	}
}

type recorder struct {
	h      http.Header
	status int
	body   strings.Builder
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(b)
}

func TestLoadFaults(t *testing.T) {
	toml, err := LoadFaults("testdata/faults.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(toml) != 3 || toml[0].Status != 429 || time.Duration(toml[0].RetryAfter) != time.Second ||
		time.Duration(toml[1].Jitter) != 50*time.Millisecond || toml[2].Kind != FaultReset {
		t.Fatalf("toml: %+v", toml)
	}
	js, err := LoadFaults("testdata/faults.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 3 || js[0].Status != 503 || time.Duration(js[1].Latency) != 200*time.Millisecond || js[2].Kind != FaultTruncate {
		t.Fatalf("json: %+v", js)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"bare.json": `[{"kind":"reset","probability":0.5}]`,
		"bad.json":  `{"rules":[{"kind":"status","status":201}]}`,
		"bad.toml":  `specs = ["bogus"]`,
		"junk.json": `{{`,
	} {
		path := dir + "/" + name
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		rules, err := LoadFaults(path)
		if strings.HasPrefix(name, "bare") {
			if err != nil || len(rules) != 1 {
				t.Errorf("%s: %v %v", name, rules, err)
			}
		} else if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := LoadFaults(dir + "/missing.json"); err == nil {
		t.Error("missing file: no error")
	}
}

// TestConcurrencyLimit: one request more than the limit in flight for an
// account is refused with 429/20429; other accounts are unaffected.
func TestConcurrencyLimit(t *testing.T) {
	msgs := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"
	// The first request is slowed (once) and so stays in flight.
	e, err := New(Options{World: testWorld(3), Clock: NewFrozenClock(testNow), ConcurrencyLimit: 1,
		Faults: []FaultRule{{Kind: FaultLatency, Probability: 1, Latency: Duration(2 * time.Second), Limit: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	te := &testEnv{t: t, e: e, srv: srv}
	done := make(chan resp)
	go func() { done <- te.do("GET", msgs, mainSID, mainTok, nil) }()
	for deadline := time.Now().Add(5 * time.Second); ; {
		e.flightMu.Lock()
		n := e.inflight[mainSID]
		e.flightMu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first request never in flight")
		}
		time.Sleep(time.Millisecond)
	}
	// The same account through one of its keys is refused; another account is not.
	if r := te.do("GET", msgs, mainKey, keySecret, nil); r.status != 429 || r.code() != 20429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("second request: %d %s", r.status, r.body)
	}
	if r := te.do("GET", "/api/2010-04-01/Accounts/"+otherSID+".json", otherSID, otherTok, nil); r.status != 200 {
		t.Fatalf("other account: %d", r.status)
	}
	if r := <-done; r.status != 200 || r.header.Get("Twilio-Concurrent-Requests") != "1" {
		t.Fatalf("first request: %d %v", r.status, r.header)
	}
	if r := te.do("GET", msgs, mainSID, mainTok, nil); r.status != 200 {
		t.Fatalf("after release: %d", r.status)
	}
}
