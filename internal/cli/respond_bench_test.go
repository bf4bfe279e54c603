package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
	"golang.org/x/time/rate"
)

// limitedTransport holds every request to one global rate: the benchmark's
// "rate limit set to 100 requests/s" across all accounts.
type limitedTransport struct {
	lim  *rate.Limiter
	next http.RoundTripper
}

func (l limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := l.lim.Wait(r.Context()); err != nil {
		return nil, err
	}
	return l.next.RoundTrip(r)
}

// BenchmarkRespondApply rotates the tokens (or runs every step, with
// ATOGUARD_BENCH_STEPS=all) of a main account and N subaccounts
// (ATOGUARD_BENCH_SUBACCOUNTS, default 1000) against the emulator
// with 50 ms injected latency and a global limit of 100 requests/s, and
// reports wall time against the floor set by the limit: requests ÷ 100/s.
// Run it with -benchtime=1x.
func BenchmarkRespondApply(b *testing.B) {
	subs := 1000
	if v, err := strconv.Atoi(os.Getenv("ATOGUARD_BENCH_SUBACCOUNTS")); err == nil && v > 0 {
		subs = v
	}
	const rps = 100.0
	conc := "32"
	if v := os.Getenv("ATOGUARD_BENCH_CONCURRENCY"); v != "" {
		conc = v
	}
	// ATOGUARD_BENCH_STEPS: the --only list, or "all" for every step.
	steps := "rotate-tokens"
	if v := os.Getenv("ATOGUARD_BENCH_STEPS"); v != "" {
		steps = v
	}
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 2, Subaccounts: subs, MessagesPerDay: 20, Days: 10})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		e, err := emulator.New(emulator.Options{World: w, Seed: 2, Faults: []emulator.FaultRule{
			{Kind: emulator.FaultLatency, Probability: 1, Latency: emulator.Duration(50 * time.Millisecond)}}})
		if err != nil {
			b.Fatal(err)
		}
		var requests atomic.Int64
		h := e.Handler()
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			h.ServeHTTP(rw, r)
		}))
		m := &emu{e: e, url: srv.URL, world: w}
		rc := newRespondCase(b, m)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		hooks := respondHooks{httpClient: &http.Client{Transport: limitedTransport{lim: rate.NewLimiter(rps, 1), next: tr}}}
		args := rc.args("apply", "--yes", "--concurrency", conc)
		if steps != "all" {
			args = append(args, "--only", steps)
		}
		b.StartTimer()
		start := time.Now()
		code := rc.runWith(b, hooks, args...)
		wall := time.Since(start)
		b.StopTimer()
		if code != 0 {
			b.Fatalf("apply exit %d: %s", code, rc.stderr.String())
		}
		floor := time.Duration(float64(requests.Load()) / rps * float64(time.Second))
		b.ReportMetric(float64(requests.Load()), "requests")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		fmt.Fprintf(os.Stderr, "respond apply: %d accounts, %d requests, wall %s, floor %s (requests ÷ %.0f/s), ratio %.3f\n",
			len(w.Accounts), requests.Load(), wall.Round(time.Millisecond), floor.Round(time.Millisecond), rps, wall.Seconds()/floor.Seconds())
		srv.Close()
		_ = os.RemoveAll(filepath.Dir(rc.journal))
		_ = context.Background()
		b.StartTimer()
	}
}
