// Package sqlite is the default store of `atoguard serve`: one SQLite file
// in the data directory (pure Go, no setup), in WAL mode.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store/internal/sqlstore"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the data directory.
const FileName = "atoguard.db"

// Options configures Open.
type Options struct {
	Now func() time.Time // clock; time.Now if nil
}

// Open opens (creating if needed) dir/atoguard.db and migrates it.
func Open(ctx context.Context, dir string, o Options) (*sqlstore.DB, error) {
	const op = "store.sqlite.open"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "data directory: %v", err)
	}
	return OpenFile(ctx, filepath.Join(dir, FileName), o)
}

// OpenFile opens the database at path and migrates it.
func OpenFile(ctx context.Context, path string, o Options) (*sqlstore.DB, error) {
	const op = "store.sqlite.open"
	// WAL lets readers run beside the writer; synchronous(FULL) makes a
	// commit survive power loss, as an acknowledgement to Twilio promises;
	// _txlock=immediate takes the write lock at BEGIN, so two writers wait
	// (busy_timeout) instead of failing to upgrade a read lock.
	q := url.Values{"_txlock": {"immediate"}}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, op, "%v", err)
	}
	// One writer at a time is SQLite's rule; a small pool keeps reads going.
	db.SetMaxOpenConns(4)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, op, "%s: %v", path, err)
	}
	return sqlstore.New(db, sqlstore.Dialect{Name: "sqlite"}, o.Now), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
