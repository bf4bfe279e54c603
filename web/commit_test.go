package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

// recordingStore records which events have committed and how many
// transactions ran; fail makes every transaction fail.
type recordingStore struct {
	store.Store
	mu        sync.Mutex
	committed map[string]bool
	txs       int
	fail      bool
}

func (r *recordingStore) PutStreamEventsEach(ctx context.Context, events []atoguard.StreamEvent) ([]bool, error) {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail {
		return nil, errors.New("disk full")
	}
	isNew, err := r.Store.PutStreamEventsEach(ctx, events)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.txs++
	for _, e := range events {
		if err == nil {
			r.committed[e.ID] = true
		}
	}
	return isNew, err
}

func (r *recordingStore) isCommitted(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.committed[id]
}

// groupServer serves a sink over rec that commits once n events are pending
// (GroupWait is long so the batch is deterministic).
func groupServer(t *testing.T, rec *recordingStore, n int) *httptest.Server {
	t.Helper()
	sink := web.NewSink(web.SinkOptions{Store: rec, Tokens: func() []web.Token { return []web.Token{{Secret: tokenNew}} },
		GroupWait: time.Minute, GroupEvents: n, Timeout: 30 * time.Second})
	srv := httptest.NewServer(sink)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	code      int
	new       int
	committed bool // the event was durable when the 2xx arrived
}

// deliver posts one event per goroutine concurrently and collects the answers.
func deliver(t *testing.T, srv *httptest.Server, rec *recordingStore, ids []string) []answer {
	t.Helper()
	out := make([]answer, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			body := []byte(event(id))
			signed := web.SignedURL(srv.URL+"/", body)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, signed, bytes.NewReader(body))
			req.Header.Set("X-Twilio-Signature", web.Sign(tokenNew, signed))
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			out[i] = answer{code: res.StatusCode, committed: rec.isCommitted(id)}
			var got struct{ New int }
			_ = json.NewDecoder(res.Body).Decode(&got)
			out[i].new = got.New
		})
	}
	wg.Wait()
	return out
}

func openRecording(t *testing.T) *recordingStore {
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &recordingStore{Store: st, committed: map[string]bool{}}
}

// TestSinkGroupCommit: concurrent single-event deliveries share one
// transaction, each is answered 200 only once its event committed, a
// duplicate inside the batch is stored once and counted new once.
func TestSinkGroupCommit(t *testing.T) {
	rec := openRecording(t)
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("EZ%d", i%(n-1)) // the last repeats EZ0
	}
	answers := deliver(t, groupServer(t, rec, n), rec, ids)
	newTotal := 0
	for i, a := range answers {
		if a.code != http.StatusOK || !a.committed {
			t.Errorf("delivery %d (%s): status %d, committed when answered %v; want 200 after commit", i, ids[i], a.code, a.committed)
		}
		newTotal += a.new
	}
	if newTotal != n-1 {
		t.Errorf("deliveries counted %d new events, want %d", newTotal, n-1)
	}
	if rec.txs != 1 {
		t.Errorf("%d transactions for %d concurrent deliveries, want 1", rec.txs, n)
	}
	evs, err := rec.StreamEvents(t.Context(), store.EventQuery{})
	if err != nil || len(evs) != n-1 {
		t.Fatalf("stored %d events (err %v), want %d", len(evs), err, n-1)
	}
}

// TestSinkGroupCommitFailure: a failed batch answers every delivery in it 503.
func TestSinkGroupCommitFailure(t *testing.T) {
	rec := openRecording(t)
	rec.fail = true
	const n = 8
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("EZ%d", i)
	}
	for i, a := range deliver(t, groupServer(t, rec, n), rec, ids) {
		if a.code != http.StatusServiceUnavailable {
			t.Errorf("delivery %d: status %d, want 503", i, a.code)
		}
	}
	if evs, _ := rec.StreamEvents(t.Context(), store.EventQuery{}); len(evs) != 0 {
		t.Errorf("stored %d events after a failed commit", len(evs))
	}
}
