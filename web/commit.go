package web

import (
	"context"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// committer commits concurrent deliveries in one transaction (group commit).
// Every transaction costs an fsync, so one transaction per delivery caps
// ingest at the disk's fsyncs per second; a batch costs one for all. Each
// delivery still waits for its batch's commit before it is acknowledged.
type committer struct {
	store     EventStore
	wait      time.Duration // how long a batch gathers deliveries
	maxEvents int           // a batch this large commits without waiting
	timeout   time.Duration // for one batch's transaction

	mu       sync.Mutex
	pending  []*delivery
	nPending int
	running  bool          // a run goroutine exists; it exits when idle
	full     chan struct{} // cuts the gathering short at maxEvents
}

type delivery struct {
	events []atoguard.StreamEvent
	added  int
	err    error
	done   chan struct{}
}

func newCommitter(st EventStore, wait time.Duration, maxEvents int, timeout time.Duration) *committer {
	return &committer{store: st, wait: wait, maxEvents: maxEvents, timeout: timeout, full: make(chan struct{}, 1)}
}

// put queues events for the next batch and returns once that batch is
// durable (or failed, or ctx ended: then the caller must not acknowledge;
// the batch may still commit, which a redelivery's dedup absorbs).
func (c *committer) put(ctx context.Context, events []atoguard.StreamEvent) (int, error) {
	d := &delivery{events: events, done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, d)
	c.nPending += len(events)
	if !c.running {
		c.running = true
		go c.run()
	} else if c.nPending >= c.maxEvents {
		select {
		case c.full <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	select {
	case <-d.done:
		return d.added, d.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run commits batches until none is pending; the goroutine then exits, so
// an idle sink holds none and needs no Close.
func (c *committer) run() {
	for {
		c.gather()
		c.mu.Lock()
		batch := c.pending
		c.pending, c.nPending = nil, 0
		if len(batch) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.commit(batch)
	}
}

// gather waits up to c.wait for more deliveries, less once maxEvents are in.
func (c *committer) gather() {
	c.mu.Lock()
	n := c.nPending
	c.mu.Unlock()
	if n >= c.maxEvents || c.wait <= 0 {
		return
	}
	t := time.NewTimer(c.wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.full:
	}
}

// commit stores a batch in one transaction and answers each delivery with
// its own count of new events; a failure fails every delivery of the batch.
func (c *committer) commit(batch []*delivery) {
	var all []atoguard.StreamEvent
	for _, d := range batch {
		all = append(all, d.events...)
	}
	// Not a waiter's context: one client hanging up must not fail the others.
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	isNew, err := c.store.PutStreamEventsEach(ctx, all)
	cancel()
	i := 0
	for _, d := range batch {
		d.err = err
		for range d.events {
			if err == nil && isNew[i] {
				d.added++
			}
			i++
		}
		close(d.done)
	}
}
