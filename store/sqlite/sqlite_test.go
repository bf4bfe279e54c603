package sqlite_test

import (
	"testing"
	"time"

	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		dir := t.TempDir()
		return func(t *testing.T, now func() time.Time) store.Store {
			s, err := sqlite.Open(t.Context(), dir, sqlite.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

// TestWAL: the file is in WAL mode with full sync, as the durability promise needs.
func TestWAL(t *testing.T) {
	s, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	var sync int
	if err := s.SQL().QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.SQL().QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Errorf("journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)
	}
}
