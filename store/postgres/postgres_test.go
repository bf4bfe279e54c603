package postgres_test

import (
	"os"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/pgtest"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/postgres"
	"github.com/atoguard/atoguard/store/storetest"
)

// server is the one PostgreSQL of this test binary (started in TestMain).
var server *pgtest.Server

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(s *pgtest.Server) { server = s }))
}

func TestStore(t *testing.T) {
	pgtest.Require(t, server)
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		dsn := server.NewDatabase(t)
		return func(t *testing.T, now func() time.Time) store.Store {
			s, err := postgres.Open(t.Context(), dsn, postgres.Options{Now: now, MaxConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

// TestOpenBadURL: an unreachable server is an error naming the problem, quickly.
func TestOpenBadURL(t *testing.T) {
	ctx := t.Context()
	_, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5", postgres.Options{})
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
}
