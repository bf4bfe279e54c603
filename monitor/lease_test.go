package monitor_test

import (
	"context"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/pgtest"
	"github.com/atoguard/atoguard/monitor"
	"github.com/atoguard/atoguard/store/postgres"
)

// TestLeaseTakeover: two replicas share one PostgreSQL store. The first owns
// every poller and the second polls nothing while it lives; once the first
// dies (its context cancelled, leases not released) the second owns every
// poller, within about one interval of the last renewal.
func TestLeaseTakeover(t *testing.T) {
	pgtest.Require(t, pg)
	_, c := emulated(t, "baseline")
	dsn := pg.NewDatabase(t)
	const every = 300 * time.Millisecond
	start := func(holder string) (*recorder, context.CancelFunc, <-chan struct{}) {
		st, err := postgres.Open(t.Context(), dsn, postgres.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		rec := &recorder{}
		e, err := monitor.New(monitor.Options{Store: st, Source: &clientSource{c: c}, Holder: holder, Observer: rec,
			EventsInterval: every, UsageInterval: every, ConfigInterval: every, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		return rec, cancel, done
	}
	waitFor := func(what string, cond func() bool) time.Duration {
		t.Helper()
		begin := time.Now()
		for !cond() {
			if time.Since(begin) > 30*time.Second {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(begin)
	}
	allPolled := func(r *recorder, n int) func() bool {
		return func() bool {
			for _, p := range monitor.Pollers() {
				if r.pollCount(p) < n {
					return false
				}
			}
			return true
		}
	}
	a, killA, doneA := start("replica-a")
	waitFor("replica a to poll", allPolled(a, 1))
	b, _, _ := start("replica-b")
	before := a.pollCount(monitor.PollerEvents)
	waitFor("replica a to poll twice more", func() bool { return a.pollCount(monitor.PollerEvents) >= before+2 })
	for _, p := range monitor.Pollers() {
		if n := b.pollCount(p); n != 0 {
			t.Fatalf("replica b polled %s %d times while a held it", p, n)
		}
	}
	killA()
	<-doneA
	took := waitFor("replica b to take over", allPolled(b, 1))
	t.Logf("takeover %v after the kill (interval %v)", took, every)
}
