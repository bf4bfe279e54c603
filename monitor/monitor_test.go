package monitor_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/monitor"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/twilio"
)

func openSQLite(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestEventsCursorAcrossRestarts: a poll that dies mid-listing stores
// nothing and moves no cursor; a first engine polls up to ten days ago; a
// second one, on the reopened store, starts at the stored cursor (less the
// overlap). The store then holds exactly the emulator's events, once each.
func TestEventsCursorAcrossRestarts(t *testing.T) {
	_, c := emulated(t, "webhook-hijack")
	ctx := t.Context()
	const lookback = 30 * 24 * time.Hour
	var want []string
	for e, err := range c.ListEvents(ctx, twilio.EventFilter{Start: testNow.Add(-10*24*time.Hour - lookback), End: testNow}) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e.SID)
	}
	if len(want) < 10 {
		t.Fatalf("the world has %d events; the test needs more", len(want))
	}
	dir := t.TempDir()
	poll := func(src *clientSource, now time.Time) error {
		st := openSQLite(t, dir)
		defer st.Close()
		e, err := monitor.New(monitor.Options{Store: st, Source: src, Holder: "t", Lookback: lookback, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.PollOnce(ctx, monitor.PollerEvents)
		return err
	}
	if err := poll(&clientSource{c: c, failAfter: 3}, testNow.Add(-10*24*time.Hour)); err == nil {
		t.Fatal("a broken listing succeeded")
	}
	if n := storedEvents(t, dir); len(n) != 0 {
		t.Fatalf("a failed poll stored %d events", len(n))
	}
	if err := poll(&clientSource{c: c}, testNow.Add(-10*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	first := len(storedEvents(t, dir))
	src := &clientSource{c: c}
	if err := poll(src, testNow); err != nil {
		t.Fatal(err)
	}
	if wantFrom := testNow.Add(-10*24*time.Hour - 5*time.Minute); !src.windows[0][0].Equal(wantFrom) {
		t.Errorf("after restart the poll read from %s, want the cursor less the overlap %s", src.windows[0][0], wantFrom)
	}
	got := storedEvents(t, dir)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored %d events (first engine %d), emulator has %d", len(got), first, len(want))
	}
	if first == 0 || first == len(want) {
		t.Errorf("the first engine stored %d of %d: the restart split nothing", first, len(want))
	}
}

func storedEvents(t *testing.T, dir string) []string {
	t.Helper()
	st := openSQLite(t, dir)
	defer st.Close()
	evs, err := st.MonitorEvents(t.Context(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var sids []string
	for _, e := range evs {
		sids = append(sids, e.SID)
	}
	return sids
}

// TestDetectRaisesAndResolves: after the pollers store an attacked
// account's data, detection raises the scenario's signals as alerts, once
// (a second run notifies nothing new), with the respond command and no
// token; when the attack leaves the window the alerts resolve.
func TestDetectRaisesAndResolves(t *testing.T) {
	w, c := emulated(t, "webhook-hijack")
	ctx := t.Context()
	st := openSQLite(t, t.TempDir())
	defer st.Close()
	now := testNow
	rec := &recorder{}
	e, err := monitor.New(monitor.Options{Store: st, Source: &clientSource{c: c}, Holder: "t", Notifier: rec, Observer: rec,
		Now: func() time.Time { return now }, MinSeverity: atoguard.SeverityLow,
		Secrets: func() []atoguard.Secret { return []atoguard.Secret{c.Credential().Secret} }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range monitor.Pollers() {
		if _, err := e.PollOnce(ctx, p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	sid := c.AccountSID()
	for range 2 {
		if err := e.DetectAccount(ctx, sid); err != nil {
			t.Fatal(err)
		}
	}
	raised := rec.got()
	var ids []string
	for _, a := range raised {
		ids = append(ids, strings.TrimPrefix(a.Key, "signal/"+sid+"/"))
		if a.State != atoguard.AlertOpen {
			t.Errorf("alert %s is %s", a.Key, a.State)
		}
		var d monitor.AlertDetail
		if err := json.Unmarshal(a.Detail, &d); err != nil || d.Respond != monitor.RespondCommand(sid) || len(d.Signals) == 0 {
			t.Errorf("alert %s detail %s (%v)", a.Key, a.Detail, err)
		}
		if tok := c.Credential().Secret.Reveal(); strings.Contains(a.Title, tok) || strings.Contains(string(a.Detail), tok) {
			t.Errorf("alert %s carries the auth token", a.Key)
		}
	}
	for _, id := range w.Expect.Signals {
		if slices.Contains(ids, id) {
			goto found
		}
	}
	t.Fatalf("alerts %v carry none of the scenario's signals %v", ids, w.Expect.Signals)
found:
	t.Logf("alerts: %v", ids) // e.g. event.webhook-changed (critical)
	if len(ids) != len(slicesCompact(ids)) {
		t.Errorf("an alert was notified twice: %v", ids)
	}
	now = testNow.Add(20 * 24 * time.Hour) // the attack is out of the window
	if err := e.DetectAccount(ctx, sid); err != nil {
		t.Fatal(err)
	}
	resolved := rec.got()[len(raised):]
	if len(resolved) != len(raised) {
		t.Fatalf("%d alerts resolved, want %d", len(resolved), len(raised))
	}
	for _, a := range resolved {
		if a.State != atoguard.AlertResolved {
			t.Errorf("alert %s: %s, want resolved", a.Key, a.State)
		}
	}
	open, _ := st.Alerts(ctx, store.AlertQuery{State: atoguard.AlertOpen})
	if len(open) != 0 {
		t.Errorf("%d alerts still open", len(open))
	}
}

func slicesCompact(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestScrub: no token-shaped string or URL password survives; SIDs do.
func TestScrub(t *testing.T) {
	in := `token 0123456789abcdef0123456789abcdef on AC0123456789abcdef0123456789abcdef, hook https://u:hunter2@x.example/h, known s3cr3t-value`
	got := monitor.Scrub(in, []atoguard.Secret{atoguard.NewSecret("s3cr3t-value")})
	for _, bad := range []string{"0123456789abcdef0123456789abcdef ", "hunter2", "s3cr3t-value"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q survived: %s", bad, got)
		}
	}
	if !strings.Contains(got, "AC0123456789abcdef0123456789abcdef") {
		t.Errorf("the SID was scrubbed: %s", got)
	}
}
