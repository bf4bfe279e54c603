// Package sqlstore implements store.Store over database/sql for both
// engines. SQLite and PostgreSQL share the SQL used here (ON CONFLICT,
// RETURNING, integer times); the engines differ only in placeholders, row
// locks and their migrations, which each engine package owns.
package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
)

// Dialect is what differs between the engines.
type Dialect struct {
	Name         string // for error operations: "sqlite", "postgres"
	Numbered     bool   // placeholders $1, $2 (PostgreSQL) instead of ?
	ForUpdate    string // row lock suffix for a SELECT in a transaction ("" on SQLite, whose write transactions are exclusive)
	BeginOptions *sql.TxOptions
}

// DB is a store.Store over one database.
type DB struct {
	db  *sql.DB
	d   Dialect
	now func() time.Time
}

// New wraps an open, migrated database. now is the clock (time.Now if nil).
func New(db *sql.DB, d Dialect, now func() time.Time) *DB {
	if now == nil {
		now = time.Now
	}
	return &DB{db: db, d: d, now: now}
}

var _ store.Store = (*DB)(nil)

// SQL returns the database, for engine-specific needs (tests, metrics).
func (s *DB) SQL() *sql.DB { return s.db }

func (s *DB) Close() error { return s.db.Close() }

// q rewrites ? placeholders for the dialect. Queries here hold no literal ?.
func (s *DB) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *DB) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	code := atoguard.EUNAVAILABLE
	if errors.Is(err, context.Canceled) {
		code = atoguard.ECANCELED
	}
	return &atoguard.Error{Code: code, Op: "store." + s.d.Name + "." + op, Err: err}
}

// tx runs fn in one transaction and commits it.
func (s *DB) tx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, s.d.BeginOptions)
	if err != nil {
		return s.fail(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		var ae *atoguard.Error
		if errors.As(err, &ae) {
			return err
		}
		return s.fail(op, err)
	}
	return s.fail(op, tx.Commit())
}

// Times are stored as Unix microseconds (0 = none) so both engines share
// the SQL and order and compare them as integers.
func t2i(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func i2t(i int64) time.Time {
	if i == 0 {
		return time.Time{}
	}
	return time.UnixMicro(i).UTC()
}

func (s *DB) PutStreamEvents(ctx context.Context, events []atoguard.StreamEvent) (int, error) {
	isNew, err := s.PutStreamEventsEach(ctx, events)
	added := 0
	for _, n := range isNew {
		if n {
			added++
		}
	}
	return added, err
}

func (s *DB) PutStreamEventsEach(ctx context.Context, events []atoguard.StreamEvent) ([]bool, error) {
	const op = "put_stream_events"
	isNew := make([]bool, len(events))
	now := s.now()
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO stream_events (id, type, source, account_sid, event_time, received_at, raw)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer st.Close()
		for i, e := range events {
			if e.ID == "" {
				return atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "an event without an id cannot be deduplicated")
			}
			rec := e.ReceivedAt
			if rec.IsZero() {
				rec = now
			}
			res, err := st.ExecContext(ctx, e.ID, e.Type, e.Source, e.AccountSID, t2i(e.Time), t2i(rec), e.Raw)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			isNew[i] = n > 0
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return isNew, nil
}

func (s *DB) StreamEvents(ctx context.Context, q store.EventQuery) ([]atoguard.StreamEvent, error) {
	query := `SELECT id, type, source, account_sid, event_time, received_at, raw FROM stream_events WHERE received_at >= ?`
	args := []any{t2i(q.Since)}
	query, args = filterAccount(query, args, q.AccountSID)
	query += ` ORDER BY seq` + limit(q.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.fail("stream_events", err)
	}
	defer rows.Close()
	var out []atoguard.StreamEvent
	for rows.Next() {
		var e atoguard.StreamEvent
		var t, r int64
		if err := rows.Scan(&e.ID, &e.Type, &e.Source, &e.AccountSID, &t, &r, &e.Raw); err != nil {
			return nil, s.fail("stream_events", err)
		}
		e.Time, e.ReceivedAt = i2t(t), i2t(r)
		out = append(out, e)
	}
	return out, s.fail("stream_events", rows.Err())
}

func filterAccount(query string, args []any, account string) (string, []any) {
	if account == "" {
		return query, args
	}
	return query + ` AND account_sid = ?`, append(args, account)
}

func limit(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(n)
}

func (s *DB) PutMonitorEvents(ctx context.Context, c store.Cursor, events []atoguard.Event) (int, error) {
	const op = "put_monitor_events"
	if c.AccountSID == "" || c.Poller == "" {
		return 0, atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "a cursor needs an account and a poller")
	}
	added := 0
	now := s.now()
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		for _, e := range events {
			body, err := json.Marshal(e)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO monitor_events (sid, account_sid, event_type, event_date, received_at, body)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sid) DO NOTHING`),
				e.SID, e.AccountSID, e.EventType, t2i(e.EventDate), t2i(now), body)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO cursors (account_sid, poller, position, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_sid, poller) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`),
			c.AccountSID, c.Poller, c.Position, t2i(now))
		return err
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

func (s *DB) MonitorEvents(ctx context.Context, q store.EventQuery) ([]atoguard.Event, error) {
	query := `SELECT body FROM monitor_events WHERE event_date >= ?`
	args := []any{t2i(q.Since)}
	query, args = filterAccount(query, args, q.AccountSID)
	query += ` ORDER BY event_date, sid` + limit(q.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.fail("monitor_events", err)
	}
	defer rows.Close()
	var out []atoguard.Event
	for rows.Next() {
		var body []byte
		var e atoguard.Event
		if err := rows.Scan(&body); err != nil {
			return nil, s.fail("monitor_events", err)
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, s.fail("monitor_events", err)
		}
		out = append(out, e)
	}
	return out, s.fail("monitor_events", rows.Err())
}

func (s *DB) Cursor(ctx context.Context, account, poller string) (store.Cursor, bool, error) {
	c := store.Cursor{AccountSID: account, Poller: poller}
	var at int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT position, updated_at FROM cursors WHERE account_sid = ? AND poller = ?`),
		account, poller).Scan(&c.Position, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, s.fail("cursor", err)
	}
	c.UpdatedAt = i2t(at)
	return c, true, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *DB) PutSnapshot(ctx context.Context, snap store.Snapshot) (bool, error) {
	const op = "put_snapshot"
	if snap.AccountSID == "" || snap.Kind == "" {
		return false, atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "a snapshot needs an account and a kind")
	}
	now := s.now()
	if snap.TakenAt.IsZero() {
		snap.TakenAt = now
	}
	d := digest(snap.Body)
	changed := false
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		var seq int64
		var last string
		err := tx.QueryRowContext(ctx, s.q(`SELECT seq, digest FROM snapshots WHERE account_sid = ? AND kind = ?
			ORDER BY seq DESC LIMIT 1`+s.d.ForUpdate), snap.AccountSID, snap.Kind).Scan(&seq, &last)
		switch {
		case err == nil && last == d:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE snapshots SET checked_at = ? WHERE seq = ?`), t2i(snap.TakenAt), seq)
			return err
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		changed = true
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO snapshots (account_sid, kind, taken_at, checked_at, digest, body) VALUES (?, ?, ?, ?, ?, ?)`),
			snap.AccountSID, snap.Kind, t2i(snap.TakenAt), t2i(snap.TakenAt), d, snap.Body)
		return err
	})
	return changed, err
}

func (s *DB) LatestSnapshot(ctx context.Context, account, kind string) (store.Snapshot, bool, error) {
	snap := store.Snapshot{AccountSID: account, Kind: kind}
	var taken, checked int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT taken_at, checked_at, digest, body FROM snapshots
		WHERE account_sid = ? AND kind = ? ORDER BY seq DESC LIMIT 1`), account, kind).Scan(&taken, &checked, &snap.Digest, &snap.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return snap, false, nil
	}
	if err != nil {
		return snap, false, s.fail("latest_snapshot", err)
	}
	snap.TakenAt, snap.CheckedAt = i2t(taken), i2t(checked)
	return snap, true, nil
}

func (s *DB) DetectorState(ctx context.Context, account, detector string) ([]byte, bool, error) {
	var state []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT state FROM detector_state WHERE account_sid = ? AND detector = ?`),
		account, detector).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail("detector_state", err)
	}
	return state, true, nil
}

func (s *DB) PutDetectorState(ctx context.Context, account, detector string, state []byte) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO detector_state (account_sid, detector, state, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_sid, detector) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
		account, detector, state, t2i(s.now()))
	return s.fail("put_detector_state", err)
}

func (s *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (store.Lease, bool, error) {
	const op = "acquire_lease"
	if name == "" || holder == "" || ttl <= 0 {
		return store.Lease{}, false, atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "a lease needs a name, a holder and a positive duration")
	}
	now := s.now()
	l := store.Lease{Name: name}
	var exp int64
	// One statement is the compare-and-set: the row lock the upsert takes
	// makes two replicas racing for a free or expired lease see one winner.
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
		RETURNING holder, expires_at`), name, holder, t2i(now.Add(ttl)), t2i(now)).Scan(&l.Holder, &exp)
	if err == nil {
		l.Expires = i2t(exp)
		return l, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return l, false, s.fail(op, err)
	}
	err = s.db.QueryRowContext(ctx, s.q(`SELECT holder, expires_at FROM leases WHERE name = ?`), name).Scan(&l.Holder, &exp)
	if err != nil {
		return l, false, s.fail(op, err)
	}
	l.Expires = i2t(exp)
	return l, false, nil
}

func (s *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder)
	return s.fail("release_lease", err)
}

func (s *DB) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	now := s.now()
	var p store.Pruned
	steps := []struct {
		keep  time.Duration
		query string
		n     *int64
	}{
		{r.StreamEvents, `DELETE FROM stream_events WHERE received_at < ?`, &p.StreamEvents},
		{r.MonitorEvents, `DELETE FROM monitor_events WHERE event_date < ?`, &p.MonitorEvents},
		// The latest snapshot of each account and kind is the present: kept.
		{r.Snapshots, `DELETE FROM snapshots WHERE checked_at < ? AND seq NOT IN
			(SELECT MAX(seq) FROM snapshots GROUP BY account_sid, kind)`, &p.Snapshots},
		{r.ResolvedAlerts, `DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ?`, &p.ResolvedAlerts},
	}
	for _, st := range steps {
		if st.keep <= 0 {
			continue
		}
		res, err := s.db.ExecContext(ctx, s.q(st.query), t2i(now.Add(-st.keep)))
		if err != nil {
			return p, s.fail("prune", err)
		}
		*st.n, _ = res.RowsAffected()
	}
	return p, nil
}

func (s *DB) String() string { return fmt.Sprintf("%s store", s.d.Name) }

// Ping checks that the database answers (readiness).
func (s *DB) Ping(ctx context.Context) error { return s.fail("ping", s.db.PingContext(ctx)) }
