package twilio

import (
	"bytes"
	"context"
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// messagesPage renders one 2010 Messages page of n realistic messages, with
// next_page_uri set to "%NEXT%" for the server to fill in.
func messagesPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"first_page_uri":"/2010-04-01/Accounts/` + testAccount + `/Messages.json?PageSize=1000&Page=0","end":999,"previous_page_uri":null,"messages":[`)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		d := base.Add(-time.Duration(i) * time.Minute).Format(time.RFC1123Z)
		fmt.Fprintf(&b, `{"body":"Your verification code is %06d. Do not share it.","num_segments":"1","direction":"outbound-api","from":"+15017122661","to":"+4420%08d","date_updated":%q,"price":"-0.04010","error_message":null,"uri":"/2010-04-01/Accounts/%s/Messages/SM%032x.json","account_sid":%q,"num_media":"0","status":"delivered","messaging_service_sid":null,"sid":"SM%032x","date_sent":%q,"date_created":%q,"error_code":null,"price_unit":"USD","api_version":"2010-04-01","subresource_uris":{"media":"/2010-04-01/Accounts/%s/Messages/SM%032x/Media.json","feedback":"/2010-04-01/Accounts/%s/Messages/SM%032x/Feedback.json"}}`,
			i, i, d, testAccount, i, testAccount, i, d, d, testAccount, i, testAccount, i)
	}
	b.WriteString(`],"uri":"/2010-04-01/Accounts/` + testAccount + `/Messages.json?PageSize=1000&Page=0","page_size":1000,"start":0,"next_page_uri":%NEXT%,"page":0}`)
	return b.Bytes()
}

// BenchmarkDecodeMessagesPage measures decoding + conversion alone.
func BenchmarkDecodeMessagesPage(b *testing.B) {
	body := bytes.Replace(messagesPage(1000), []byte("%NEXT%"), []byte("null"), 1)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	buf := make([]atoguard.Message, 0, 1000)
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		msgs, _, err := decodeMessagesPage(body, buf[:0])
		if err != nil || len(msgs) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
	if cpu := testsupport.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*1000)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkDecodeMessagesPageJSON is the encoding/json path, for comparison.
func BenchmarkDecodeMessagesPageJSON(b *testing.B) {
	body := bytes.Replace(messagesPage(1000), []byte("%NEXT%"), []byte("null"), 1)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		if _, _, err := genericMessages(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
	if cpu := testsupport.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N*1000)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkListMessagesFake lists pages from a server that replays a
// pre-rendered page: the client's own cost (HTTP + decode) per record.
func BenchmarkListMessagesFake(b *testing.B) {
	const pages = 20
	tmpl := messagesPage(1000)
	bodies := make([][]byte, pages)
	for p := range bodies {
		next := "null"
		if p < pages-1 {
			next = strconv.Quote("/2010-04-01/Accounts/" + testAccount + "/Messages.json?PageSize=1000&Page=" + strconv.Itoa(p+1) + "&PageToken=PA" + strconv.Itoa(p+1))
		}
		bodies[p] = bytes.Replace(tmpl, []byte("%NEXT%"), []byte(next), 1)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("Page"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(bodies[p])))
		_, _ = w.Write(bodies[p])
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Credential: testCred(), RPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		for m, err := range c.ListMessages(context.Background(), testAccount, MessageFilter{}) {
			if err != nil {
				b.Fatal(err)
			}
			if !strings.HasPrefix(m.SID, "SM") {
				b.Fatal(m.SID)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	if cpu := testsupport.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "records/cpu-s")
	}
}
