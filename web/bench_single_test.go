package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/pgtest"
	"github.com/atoguard/atoguard/store/postgres"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

// pg is the PostgreSQL of this test binary, started by the first benchmark
// that needs it (tests do not) and stopped by TestMain.
var pg struct {
	once sync.Once
	s    *pgtest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.s != nil {
		pg.s.Stop()
	}
	os.Exit(code)
}

// BenchmarkSinkSQLiteSingle64: single-event signed deliveries from 64
// concurrent clients over HTTP on 127.0.0.1 into SQLite (WAL, synchronous
// FULL, group commit); events/s and p99 acknowledgement latency.
func BenchmarkSinkSQLiteSingle64(b *testing.B) {
	st, err := sqlite.Open(b.Context(), b.TempDir(), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchSingle(b, st)
}

// BenchmarkSinkPostgresSingle64: the same into PostgreSQL (internal/pgtest;
// note it runs with fsync off, so this measures everything but the disk).
func BenchmarkSinkPostgresSingle64(b *testing.B) {
	pg.once.Do(func() { pg.s, pg.err = pgtest.Start() })
	if errors.Is(pg.err, pgtest.ErrNotInstalled) {
		b.Skip(pg.err)
	} else if pg.err != nil {
		b.Fatal(pg.err)
	}
	st, err := postgres.Open(b.Context(), pg.s.NewDatabase(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchSingle(b, st)
}

func benchSingle(b *testing.B, st web.EventStore) {
	const clients = 64
	srv := httptest.NewServer(web.NewSink(web.SinkOptions{Store: st, Tokens: func() []web.Token { return []web.Token{{Secret: tokenNew}} }}))
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := range clients {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				body := []byte(event(fmt.Sprintf("EZ%d", i)))
				signed := web.SignedURL(srv.URL+"/", body)
				req, _ := http.NewRequest(http.MethodPost, signed, bytes.NewReader(body))
				req.Header.Set("X-Twilio-Signature", web.Sign(tokenNew, signed))
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body) // so the connection is reused
				res.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if res.StatusCode != http.StatusOK {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
