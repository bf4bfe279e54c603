package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/atoguard/atoguard/web"
)

// BenchmarkSinkSQLiteBatch100: signed batches of 100 events over HTTP on
// 127.0.0.1 into SQLite (WAL, synchronous FULL) from parallel clients.
func BenchmarkSinkSQLiteBatch100(b *testing.B) {
	f := newFixture(b, "", 4<<20)
	var n atomic.Int64
	const batch = 100
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			first := n.Add(batch)
			var sb strings.Builder
			sb.WriteByte('[')
			for i := range batch {
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(event(fmt.Sprintf("EZ%d", first+int64(i))))
			}
			sb.WriteByte(']')
			body := []byte(sb.String())
			signed := web.SignedURL(f.srv.URL+"/v1/twilio/events", body)
			req, _ := http.NewRequest(http.MethodPost, signed, bytes.NewReader(body))
			req.Header.Set("X-Twilio-Signature", web.Sign(tokenNew, signed))
			res, err := f.srv.Client().Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
