package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
)

const alertColumns = `dedup_key, account_sid, severity, state, title, detail, count, first_seen, last_seen, notified_at, resolved_at`

func scanAlert(row interface{ Scan(...any) error }) (atoguard.Alert, error) {
	var a atoguard.Alert
	var first, last, notified, resolved int64
	var detail []byte
	err := row.Scan(&a.Key, &a.AccountSID, &a.Severity, &a.State, &a.Title, &detail, &a.Count, &first, &last, &notified, &resolved)
	if len(detail) > 0 {
		a.Detail = detail
	}
	a.FirstSeen, a.LastSeen, a.NotifiedAt, a.ResolvedAt = i2t(first), i2t(last), i2t(notified), i2t(resolved)
	return a, err
}

func (s *DB) RaiseAlert(ctx context.Context, a atoguard.Alert, cooldown time.Duration) (store.AlertDecision, error) {
	const op = "raise_alert"
	if a.Key == "" || a.Severity.Rank() == 0 && a.Severity != atoguard.SeverityInfo {
		return store.AlertDecision{}, atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "an alert needs a key and a severity (info, low, medium, high, critical)")
	}
	now := s.now()
	var dec store.AlertDecision
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		// Insert-or-nothing first: of two replicas raising the same new
		// alert, exactly one inserts it and so exactly one notifies.
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO alerts (`+alertColumns+`) VALUES (?, ?, ?, 'open', ?, ?, 1, ?, ?, ?, 0)
			ON CONFLICT (dedup_key) DO NOTHING`), a.Key, a.AccountSID, string(a.Severity), a.Title, []byte(a.Detail), t2i(now), t2i(now), t2i(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			a.State, a.Count, a.FirstSeen, a.LastSeen, a.NotifiedAt, a.ResolvedAt = atoguard.AlertOpen, 1, now, now, now, time.Time{}
			dec = store.AlertDecision{Notify: true, Reason: "new", Alert: a}
			return nil
		}
		cur, err := scanAlert(tx.QueryRowContext(ctx, s.q(`SELECT `+alertColumns+` FROM alerts WHERE dedup_key = ?`+s.d.ForUpdate), a.Key))
		if err != nil {
			return err
		}
		dec = decide(cur, a, now, cooldown)
		n := dec.Alert
		_, err = tx.ExecContext(ctx, s.q(`UPDATE alerts SET severity = ?, state = ?, title = ?, detail = ?, count = ?, last_seen = ?,
			notified_at = ?, resolved_at = ? WHERE dedup_key = ?`), string(n.Severity), string(n.State), n.Title, []byte(n.Detail), n.Count,
			t2i(n.LastSeen), t2i(n.NotifiedAt), t2i(n.ResolvedAt), n.Key)
		return err
	})
	return dec, err
}

// decide is the alert policy for a condition seen again: a resolved alert
// reopens, a worse severity escalates (even an acknowledged alert), an
// acknowledged one stays quiet, an open one repeats once cooldown has
// passed since it was last sent (cooldown 0: never repeats).
func decide(cur, seen atoguard.Alert, now time.Time, cooldown time.Duration) store.AlertDecision {
	n := cur
	n.Count++
	n.LastSeen = now
	if seen.Title != "" {
		n.Title = seen.Title
	}
	if len(seen.Detail) > 0 {
		n.Detail = seen.Detail
	}
	notify := func(reason string) store.AlertDecision {
		n.State, n.NotifiedAt, n.ResolvedAt = atoguard.AlertOpen, now, time.Time{}
		return store.AlertDecision{Notify: true, Reason: reason, Alert: n}
	}
	switch {
	case cur.State == atoguard.AlertResolved:
		n.Severity = seen.Severity
		return notify("reopened")
	case seen.Severity.Rank() > cur.Severity.Rank():
		n.Severity = seen.Severity
		return notify("escalated")
	case cur.State == atoguard.AlertAcked:
		return store.AlertDecision{Reason: "acked", Alert: n}
	case cooldown > 0 && now.Sub(cur.NotifiedAt) >= cooldown:
		return notify("repeat")
	}
	return store.AlertDecision{Reason: "cooldown", Alert: n}
}

func (s *DB) SetAlertState(ctx context.Context, key string, state atoguard.AlertState) (bool, error) {
	const op = "set_alert_state"
	if !state.Valid() {
		return false, atoguard.Errorf(atoguard.EINVALID, "store."+s.d.Name+"."+op, "alert state %q: want open, acked or resolved", state)
	}
	var resolved int64
	if state == atoguard.AlertResolved {
		resolved = t2i(s.now())
	}
	// One conditional UPDATE: of two replicas resolving the same alert,
	// exactly one changes the row and so sends "resolved".
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alerts SET state = ?, resolved_at = ? WHERE dedup_key = ? AND state <> ?`),
		string(state), resolved, key, string(state))
	if err != nil {
		return false, s.fail(op, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	var one int
	switch err := s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM alerts WHERE dedup_key = ?`), key).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, atoguard.Errorf(atoguard.ENOTFOUND, "store."+s.d.Name+"."+op, "no alert with key %q", key)
	case err != nil:
		return false, s.fail(op, err)
	}
	return false, nil
}

func (s *DB) Alerts(ctx context.Context, q store.AlertQuery) ([]atoguard.Alert, error) {
	query := `SELECT ` + alertColumns + ` FROM alerts WHERE state <> ''`
	var args []any
	query, args = filterAccount(query, args, q.AccountSID)
	if q.State != "" {
		query += ` AND state = ?`
		args = append(args, string(q.State))
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY first_seen, dedup_key`), args...)
	if err != nil {
		return nil, s.fail("alerts", err)
	}
	defer rows.Close()
	var out []atoguard.Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, s.fail("alerts", err)
		}
		out = append(out, a)
	}
	return out, s.fail("alerts", rows.Err())
}
