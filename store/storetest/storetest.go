// Package storetest is the one test suite every store engine passes: the
// engines' tests call Run with a way to make a fresh database.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
)

// Opener opens the same database again each time it is called (a restart),
// with the given clock. The engine's test closes what it opened.
type Opener func(t *testing.T, now func() time.Time) store.Store

// Factory makes a fresh, empty database for one test.
type Factory func(t *testing.T) Opener

// Clock is a settable clock for the suite (no test waits on real time).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Run runs every test of the suite against the engine.
func Run(t *testing.T, f Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"StreamEventsDedup", testStreamEvents},
		{"StreamEventsNeedID", testStreamEventsNeedID},
		{"MonitorCursor", testMonitorCursor},
		{"Snapshots", testSnapshots},
		{"AlertLifecycle", testAlertLifecycle},
		{"AlertRaisedOnceConcurrently", testAlertConcurrent},
		{"DetectorState", testDetectorState},
		{"Leases", testLeases},
		{"LeaseOneWinner", testLeaseConcurrent},
		{"Prune", testPrune},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, f(t))
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func streamEvent(id, account string, at time.Time) atoguard.StreamEvent {
	raw := fmt.Sprintf(`{"specversion":"1.0","id":%q,"type":"com.twilio.messaging.message.sent","source":"/x","data":{"accountSid":%q}}`, id, account)
	return atoguard.StreamEvent{ID: id, Type: "com.twilio.messaging.message.sent", Source: "/x", AccountSID: account, Time: at, Raw: []byte(raw)}
}

func testStreamEvents(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	at := clock.Now().Add(-time.Minute)
	a, b, c := streamEvent("e1", "AC1", at), streamEvent("e2", "AC2", at), streamEvent("e3", "AC1", time.Time{})
	n, err := s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{a, b, a})
	mustNil(t, err)
	if n != 2 {
		t.Errorf("first batch (one duplicate inside): added %d, want 2", n)
	}
	clock.Advance(time.Second)
	n, err = s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{b, c})
	mustNil(t, err)
	if n != 1 {
		t.Errorf("second batch (one redelivered): added %d, want 1", n)
	}
	// A restart sees the same events; a redelivery after it is still a duplicate.
	s = open(t, clock.Now)
	n, err = s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{a})
	mustNil(t, err)
	if n != 0 {
		t.Errorf("redelivery after restart: added %d, want 0", n)
	}
	d := streamEvent("e4", "AC1", at)
	each, err := s.PutStreamEventsEach(ctx(t), []atoguard.StreamEvent{a, d, d})
	mustNil(t, err)
	if fmt.Sprint(each) != "[false true false]" {
		t.Errorf("PutStreamEventsEach(old, new, new again) = %v, want [false true false]", each)
	}
	got, err := s.StreamEvents(ctx(t), store.EventQuery{})
	mustNil(t, err)
	if len(got) != 4 || got[0].ID != "e1" || got[1].ID != "e2" || got[2].ID != "e3" || got[3].ID != "e4" {
		t.Fatalf("events = %v, want e1 e2 e3 e4 in arrival order", ids(got))
	}
	if !bytes.Equal(got[0].Raw, a.Raw) || !got[0].Time.Equal(at) || !got[2].Time.IsZero() {
		t.Errorf("event e1 not stored as received: raw %s time %v", got[0].Raw, got[0].Time)
	}
	if !got[0].ReceivedAt.Equal(clock.Now().Add(-time.Second)) {
		t.Errorf("received_at = %v, want the store's clock at arrival", got[0].ReceivedAt)
	}
	got, err = s.StreamEvents(ctx(t), store.EventQuery{AccountSID: "AC1", Limit: 1})
	mustNil(t, err)
	if len(got) != 1 || got[0].ID != "e1" {
		t.Errorf("account AC1, limit 1: %v, want e1", ids(got))
	}
}

func ids(evs []atoguard.StreamEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func testStreamEventsNeedID(t *testing.T, open Opener) {
	s := open(t, NewClock().Now)
	_, err := s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{streamEvent("ok", "AC1", time.Time{}), {Raw: []byte(`{}`)}})
	if atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Fatalf("event without id: err = %v, want invalid", err)
	}
	got, _ := s.StreamEvents(ctx(t), store.EventQuery{})
	if len(got) != 0 {
		t.Errorf("a rejected batch stored %d events, want none (all or nothing)", len(got))
	}
}

func monitorEvent(sid string, at time.Time) atoguard.Event {
	return atoguard.Event{SID: sid, AccountSID: "AC1", EventType: "account-api-keys.created", EventDate: at,
		Data: map[string]any{"key": "SK1"}}
}

func testMonitorCursor(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	if _, found, err := s.Cursor(ctx(t), "AC1", "monitor-events"); err != nil || found {
		t.Fatalf("cursor before the first poll: found=%v err=%v, want none", found, err)
	}
	t0 := clock.Now().Add(-time.Hour)
	cur := store.Cursor{AccountSID: "AC1", Poller: "monitor-events", Position: t0.Add(time.Minute).Format(time.RFC3339Nano)}
	n, err := s.PutMonitorEvents(ctx(t), cur, []atoguard.Event{monitorEvent("AE1", t0), monitorEvent("AE2", t0.Add(time.Minute))})
	mustNil(t, err)
	if n != 2 {
		t.Errorf("first poll added %d, want 2", n)
	}
	// After a restart the poller resumes at its cursor; the overlap it
	// re-reads (AE2) is not stored twice.
	s = open(t, clock.Now)
	got, found, err := s.Cursor(ctx(t), "AC1", "monitor-events")
	mustNil(t, err)
	if !found || got.Position != cur.Position || !got.UpdatedAt.Equal(clock.Now()) {
		t.Fatalf("cursor after restart = %+v found=%v, want position %s", got, found, cur.Position)
	}
	cur.Position = t0.Add(2 * time.Minute).Format(time.RFC3339Nano)
	n, err = s.PutMonitorEvents(ctx(t), cur, []atoguard.Event{monitorEvent("AE2", t0.Add(time.Minute)), monitorEvent("AE3", t0.Add(2*time.Minute))})
	mustNil(t, err)
	if n != 1 {
		t.Errorf("overlapping poll added %d, want 1", n)
	}
	evs, err := s.MonitorEvents(ctx(t), store.EventQuery{AccountSID: "AC1"})
	mustNil(t, err)
	if len(evs) != 3 || evs[0].SID != "AE1" || evs[2].SID != "AE3" || evs[0].Data["key"] != "SK1" || !evs[0].EventDate.Equal(t0) {
		t.Errorf("monitor events = %+v, want AE1..AE3 with their data", evs)
	}
	if _, err := s.PutMonitorEvents(ctx(t), store.Cursor{}, nil); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Errorf("cursor without account: err = %v, want invalid", err)
	}
}

func testSnapshots(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	snap := store.Snapshot{AccountSID: "AC1", Kind: "webhooks", Body: []byte(`{"PN1":"https://a.example"}`)}
	changed, err := s.PutSnapshot(ctx(t), snap)
	mustNil(t, err)
	if !changed {
		t.Error("first snapshot: changed = false")
	}
	clock.Advance(time.Minute)
	changed, err = s.PutSnapshot(ctx(t), snap)
	mustNil(t, err)
	if changed {
		t.Error("identical snapshot: changed = true")
	}
	got, found, err := s.LatestSnapshot(ctx(t), "AC1", "webhooks")
	mustNil(t, err)
	if !found || !got.CheckedAt.Equal(clock.Now()) || got.TakenAt.Equal(got.CheckedAt) || got.Digest == "" {
		t.Errorf("latest = %+v, want taken a minute before it was last checked", got)
	}
	snap.Body = []byte(`{"PN1":"https://evil.example"}`)
	changed, err = s.PutSnapshot(ctx(t), snap)
	mustNil(t, err)
	got, _, _ = s.LatestSnapshot(ctx(t), "AC1", "webhooks")
	if !changed || string(got.Body) != string(snap.Body) {
		t.Errorf("changed snapshot: changed=%v latest=%s", changed, got.Body)
	}
	if _, found, _ := s.LatestSnapshot(ctx(t), "AC1", "keys"); found {
		t.Error("a kind never snapshotted was found")
	}
}

func alert(sev atoguard.Severity) atoguard.Alert {
	return atoguard.Alert{Key: "AC1/new-api-key", AccountSID: "AC1", Severity: sev, Title: "API key created", Detail: []byte(`{"signal":"new-api-key"}`)}
}

func testAlertLifecycle(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	const cooldown = 10 * time.Minute
	steps := []struct {
		advance time.Duration
		sev     atoguard.Severity
		state   atoguard.AlertState // set before raising, if any
		notify  bool
		reason  string
	}{
		{0, atoguard.SeverityMedium, "", true, "new"},
		{time.Minute, atoguard.SeverityMedium, "", false, "cooldown"},
		{cooldown, atoguard.SeverityLow, "", true, "repeat"},
		{time.Minute, atoguard.SeverityHigh, "", true, "escalated"},
		{time.Hour, atoguard.SeverityHigh, atoguard.AlertAcked, false, "acked"},
		{time.Minute, atoguard.SeverityCritical, "", true, "escalated"},
		{time.Minute, atoguard.SeverityLow, atoguard.AlertResolved, true, "reopened"},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		if st.state != "" {
			changed, err := s.SetAlertState(ctx(t), "AC1/new-api-key", st.state)
			mustNil(t, err)
			if !changed {
				t.Errorf("step %d: setting %s changed nothing", i, st.state)
			}
		}
		d, err := s.RaiseAlert(ctx(t), alert(st.sev), cooldown)
		mustNil(t, err)
		if d.Notify != st.notify || d.Reason != st.reason || d.Alert.Count != i+1 {
			t.Errorf("step %d (%s): notify=%v reason=%q count=%d, want %v %q %d", i, st.sev, d.Notify, d.Reason, d.Alert.Count, st.notify, st.reason, i+1)
		}
	}
	got, err := s.Alerts(ctx(t), store.AlertQuery{State: atoguard.AlertOpen})
	mustNil(t, err)
	if len(got) != 1 || got[0].Severity != atoguard.SeverityLow || got[0].Count != len(steps) || !got[0].NotifiedAt.Equal(clock.Now()) ||
		string(got[0].Detail) != `{"signal":"new-api-key"}` {
		t.Errorf("open alerts = %+v", got)
	}
	// Of two replicas resolving one alert, only the first changes it (and
	// so only it sends "resolved").
	first, err := s.SetAlertState(ctx(t), "AC1/new-api-key", atoguard.AlertResolved)
	mustNil(t, err)
	second, err := s.SetAlertState(ctx(t), "AC1/new-api-key", atoguard.AlertResolved)
	mustNil(t, err)
	if !first || second {
		t.Errorf("resolving twice: changed %v then %v, want true then false", first, second)
	}
	if _, err := s.SetAlertState(ctx(t), "nope", atoguard.AlertAcked); atoguard.CodeOf(err) != atoguard.ENOTFOUND {
		t.Errorf("ack of a missing alert: err = %v, want not found", err)
	}
	if _, err := s.SetAlertState(ctx(t), "AC1/new-api-key", "gone"); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Errorf("bad state: err = %v, want invalid", err)
	}
}

// testAlertConcurrent is the replicas' race: many raise the same new alert
// at once; exactly one is told to notify.
func testAlertConcurrent(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	const n = 8
	var wg sync.WaitGroup
	notified := make(chan bool, n)
	for range n {
		wg.Go(func() {
			d, err := s.RaiseAlert(ctx(t), alert(atoguard.SeverityHigh), time.Hour)
			if err != nil {
				t.Error(err)
			}
			notified <- d.Notify
		})
	}
	wg.Wait()
	close(notified)
	count := 0
	for v := range notified {
		if v {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d of %d concurrent raises notified, want exactly 1", count, n)
	}
}

func testDetectorState(t *testing.T, open Opener) {
	s := open(t, NewClock().Now)
	if _, found, err := s.DetectorState(ctx(t), "AC1", "volume"); err != nil || found {
		t.Fatalf("missing state: found=%v err=%v", found, err)
	}
	mustNil(t, s.PutDetectorState(ctx(t), "AC1", "volume", []byte(`{"mean":1}`)))
	mustNil(t, s.PutDetectorState(ctx(t), "AC1", "volume", []byte(`{"mean":2}`)))
	s = open(t, NewClock().Now)
	got, found, err := s.DetectorState(ctx(t), "AC1", "volume")
	mustNil(t, err)
	if !found || string(got) != `{"mean":2}` {
		t.Errorf("state after restart = %s found=%v, want the latest", got, found)
	}
}

func testLeases(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	const ttl = 30 * time.Second
	acquire := func(holder string, want bool) store.Lease {
		t.Helper()
		l, held, err := s.AcquireLease(ctx(t), "monitor/AC1", holder, ttl)
		mustNil(t, err)
		if held != want {
			t.Fatalf("%s acquire at %v: held=%v, want %v (lease %+v)", holder, clock.Now(), held, want, l)
		}
		return l
	}
	l := acquire("a", true)
	if !l.Expires.Equal(clock.Now().Add(ttl)) {
		t.Errorf("expires %v, want now+ttl", l.Expires)
	}
	if l := acquire("b", false); l.Holder != "a" {
		t.Errorf("b sees holder %q, want a", l.Holder)
	}
	clock.Advance(ttl - time.Second)
	acquire("a", true) // renewal
	clock.Advance(ttl - time.Second)
	acquire("b", false) // still within the renewed lease
	clock.Advance(time.Second)
	acquire("b", true) // a died: b takes over once the lease expires
	acquire("a", false)
	mustNil(t, s.ReleaseLease(ctx(t), "monitor/AC1", "a")) // not a's: no effect
	acquire("a", false)
	mustNil(t, s.ReleaseLease(ctx(t), "monitor/AC1", "b"))
	acquire("a", true)
	if _, _, err := s.AcquireLease(ctx(t), "x", "a", 0); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Errorf("zero ttl: err = %v, want invalid", err)
	}
}

func testLeaseConcurrent(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	const n = 8
	var wg sync.WaitGroup
	won := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			holder := fmt.Sprintf("replica-%d", i)
			_, held, err := s.AcquireLease(ctx(t), "poller", holder, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if held {
				won <- holder
			}
		})
	}
	wg.Wait()
	close(won)
	var winners []string
	for w := range won {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Errorf("winners = %v, want exactly one", winners)
	}
}

func testPrune(t *testing.T, open Opener) {
	clock := NewClock()
	s := open(t, clock.Now)
	old := clock.Now()
	_, err := s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{streamEvent("old", "AC1", old)})
	mustNil(t, err)
	_, err = s.PutMonitorEvents(ctx(t), store.Cursor{AccountSID: "AC1", Poller: "m", Position: "p"}, []atoguard.Event{monitorEvent("AE-old", old)})
	mustNil(t, err)
	for _, body := range []string{`{"v":1}`, `{"v":2}`} {
		_, err = s.PutSnapshot(ctx(t), store.Snapshot{AccountSID: "AC1", Kind: "keys", Body: []byte(body)})
		mustNil(t, err)
	}
	a, b := alert(atoguard.SeverityHigh), alert(atoguard.SeverityHigh)
	b.Key = "AC1/other"
	for _, x := range []atoguard.Alert{a, b} {
		_, err = s.RaiseAlert(ctx(t), x, 0)
		mustNil(t, err)
	}
	_, err = s.SetAlertState(ctx(t), a.Key, atoguard.AlertResolved)
	mustNil(t, err)
	clock.Advance(48 * time.Hour)
	_, err = s.PutStreamEvents(ctx(t), []atoguard.StreamEvent{streamEvent("new", "AC1", clock.Now())})
	mustNil(t, err)
	_, err = s.PutMonitorEvents(ctx(t), store.Cursor{AccountSID: "AC1", Poller: "m", Position: "q"}, []atoguard.Event{monitorEvent("AE-new", clock.Now())})
	mustNil(t, err)

	p, err := s.Prune(ctx(t), store.Retention{StreamEvents: 24 * time.Hour, MonitorEvents: 24 * time.Hour, Snapshots: 24 * time.Hour, ResolvedAlerts: 24 * time.Hour})
	mustNil(t, err)
	want := store.Pruned{StreamEvents: 1, MonitorEvents: 1, Snapshots: 1, ResolvedAlerts: 1}
	if p != want {
		t.Errorf("pruned %+v, want %+v", p, want)
	}
	snap, found, _ := s.LatestSnapshot(ctx(t), "AC1", "keys")
	if !found || string(snap.Body) != `{"v":2}` {
		t.Errorf("the latest snapshot was pruned: %+v", snap)
	}
	if al, _ := s.Alerts(ctx(t), store.AlertQuery{}); len(al) != 1 || al[0].Key != "AC1/other" {
		t.Errorf("alerts after prune = %+v, want the open one only", al)
	}
	if p, _ := s.Prune(ctx(t), store.Retention{}); p != (store.Pruned{}) {
		t.Errorf("zero retention pruned %+v, want nothing", p)
	}
}
