// Package postgres is the store of `atoguard serve` for several replicas
// sharing one PostgreSQL database (pgx v5).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store/internal/sqlstore"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configures Open.
type Options struct {
	Now      func() time.Time // clock; time.Now if nil
	MaxConns int              // pool size; 0 = 16
}

// Open connects to dsn (postgres://…) and migrates the database. Replicas
// starting together migrate once: goose holds a session advisory lock.
func Open(ctx context.Context, dsn string, o Options) (*sqlstore.DB, error) {
	const op = "store.postgres.open"
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "database URL: %v", err)
	}
	n := o.MaxConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, op, "connecting: %v", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, op, "migrating: %v", err)
	}
	return sqlstore.New(db, sqlstore.Dialect{Name: "postgres", Numbered: true, ForUpdate: " FOR UPDATE"}, o.Now), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
