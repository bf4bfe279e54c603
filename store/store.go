// Package store is what `atoguard serve` keeps: Event Streams events, Monitor
// events with their poll cursors, configuration snapshots, alerts, detector
// state and poller leases. Store is the contract; store/sqlite and
// store/postgres implement it, and store/storetest is the one test suite
// both must pass.
package store

import (
	"context"
	"time"

	"github.com/atoguard/atoguard"
)

// Store is the storage of `serve`. Every write is durable when it returns
// without error: the webhook acknowledges Twilio only after that.
type Store interface {
	// PutStreamEvents stores events whose ID is new and ignores the others
	// (Twilio delivers at least once). It returns how many were new.
	PutStreamEvents(ctx context.Context, events []atoguard.StreamEvent) (added int, err error)
	// PutStreamEventsEach is PutStreamEvents reporting, for each event,
	// whether it was new: the sink commits several deliveries in one
	// transaction and answers each with its own count.
	PutStreamEventsEach(ctx context.Context, events []atoguard.StreamEvent) (isNew []bool, err error)
	// StreamEvents lists stored events in order of arrival.
	StreamEvents(ctx context.Context, q EventQuery) ([]atoguard.StreamEvent, error)

	// PutMonitorEvents stores a poll's Monitor events (new SIDs only) and
	// moves the poller's cursor in the same transaction, so a crash leaves
	// either both or neither: no gap and no duplicate across restarts.
	PutMonitorEvents(ctx context.Context, c Cursor, events []atoguard.Event) (added int, err error)
	MonitorEvents(ctx context.Context, q EventQuery) ([]atoguard.Event, error)
	// Cursor returns a poller's cursor; found is false before its first poll.
	Cursor(ctx context.Context, accountSID, poller string) (c Cursor, found bool, err error)

	// PutSnapshot records a configuration snapshot when it differs from the
	// latest of its account and kind; changed reports whether it did.
	PutSnapshot(ctx context.Context, s Snapshot) (changed bool, err error)
	LatestSnapshot(ctx context.Context, accountSID, kind string) (s Snapshot, found bool, err error)

	// RaiseAlert records that the condition a.Key holds now and decides,
	// atomically across replicas, whether people must be told.
	RaiseAlert(ctx context.Context, a atoguard.Alert, cooldown time.Duration) (AlertDecision, error)
	// SetAlertState acknowledges or resolves an alert (ENOTFOUND if none);
	// changed is false when it already was in that state (another replica
	// got there first), so only one replica announces the change.
	SetAlertState(ctx context.Context, key string, state atoguard.AlertState) (changed bool, err error)
	Alerts(ctx context.Context, q AlertQuery) ([]atoguard.Alert, error)

	// DetectorState is a detector's saved state (baselines) for an account.
	DetectorState(ctx context.Context, accountSID, detector string) (state []byte, found bool, err error)
	PutDetectorState(ctx context.Context, accountSID, detector string, state []byte) error

	// AcquireLease takes or renews the lease name for holder until now+ttl.
	// It succeeds when the lease is free, expired or already holder's; else
	// held is false and l names the current holder.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (l Lease, held bool, err error)
	// ReleaseLease gives a lease up if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error

	// Prune deletes records older than their kind's retention.
	Prune(ctx context.Context, r Retention) (Pruned, error)
	Close() error
}

// EventQuery selects stored events. Zero fields select everything.
type EventQuery struct {
	AccountSID string
	Since      time.Time // received (stream events) or happened (Monitor events) at or after
	Limit      int       // 0 = no limit
}

// Cursor is where a poller stopped for one account. Position is the
// poller's own encoding (for Monitor events, the time polled up to).
type Cursor struct {
	AccountSID string
	Poller     string // e.g. "monitor-events"
	Position   string
	UpdatedAt  time.Time
}

// Snapshot is an account's configuration of one kind (webhooks, keys, geo
// permissions, triggers, caller IDs) as JSON.
type Snapshot struct {
	AccountSID string
	Kind       string
	TakenAt    time.Time
	CheckedAt  time.Time // last time a poll found it unchanged
	Digest     string    // SHA-256 of Body, hex; set by the store
	Body       []byte
}

// AlertQuery selects alerts; zero fields select all.
type AlertQuery struct {
	AccountSID string
	State      atoguard.AlertState
}

// AlertDecision says whether a raised alert must be sent, and why.
type AlertDecision struct {
	Notify bool
	Reason string // new | escalated | reopened | repeat (cooldown elapsed) | cooldown | acked
	Alert  atoguard.Alert
}

// Lease is a named ownership (a poller) held by one replica until Expires.
type Lease struct {
	Name    string
	Holder  string
	Expires time.Time
}

// Retention is how long each kind of record is kept; 0 keeps it forever.
// The latest snapshot of each account and kind, open alerts and cursors are
// never pruned: they are the present, not history.
type Retention struct {
	StreamEvents   time.Duration
	MonitorEvents  time.Duration
	Snapshots      time.Duration
	ResolvedAlerts time.Duration
}

// Pruned counts what Prune deleted.
type Pruned struct {
	StreamEvents, MonitorEvents, Snapshots, ResolvedAlerts int64
}
