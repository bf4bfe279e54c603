package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// benchMessages appends n realistic messages to the main account in
// batches: a few senders, 200k distinct recipients, 20 body templates with a
// per-message code (so every body is distinct: the worst case for interning).
func benchMessages(tb testing.TB, e *Emulator, n int) {
	tb.Helper()
	templates := []string{
		"Your verification code is %06d. Do not share it.", "Acme: your order %06d has shipped.",
		"%06d is your login code", "Reminder: appointment ref %06d tomorrow at 10am", "Your one-time passcode: %06d",
	}
	froms := []string{"+15005550006", "+15005550007", "+14155550100", "+447700900001"}
	start := testNow.Add(-time.Duration(n) * time.Second)
	const batch = 10000
	buf := make([]atoguard.Message, 0, batch)
	for i := 0; i < n; i++ {
		t := start.Add(time.Duration(i) * time.Second)
		buf = append(buf, atoguard.Message{
			SID: fmt.Sprintf("SM%032x", i+1), From: froms[i%len(froms)], To: "+1415" + strconv.Itoa(5000000+i%200000),
			Body: fmt.Sprintf(templates[i%len(templates)], i%1000000), Direction: "outbound-api", Status: "delivered",
			NumSegments: 1, Price: 0.0079, PriceUnit: "USD", DateCreated: t, DateSent: t,
		})
		if len(buf) == batch || i == n-1 {
			if err := e.AppendMessages(mainSID, buf); err != nil {
				tb.Fatal(err)
			}
			buf = buf[:0]
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkMemoryPerMessage reports the emulator's heap per stored message
// (target ≤ 1 KB) for 1,000,000 messages (100,000 with -short).
func BenchmarkMemoryPerMessage(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	for b.Loop() {
		before := heapInUse()
		e, err := New(Options{World: testWorld(0), Clock: NewFrozenClock(testNow)})
		if err != nil {
			b.Fatal(err)
		}
		benchMessages(b, e, n)
		after := heapInUse()
		b.ReportMetric(float64(after-before)/float64(n), "B/msg")
		runtime.KeepAlive(e)
	}
}

// BenchmarkListMessagesPage serves 1,000-message pages (the client's page
// size) from 1,000,000 stored messages, following page tokens: server side
// through the handler, and over loopback HTTP with the body read.
func BenchmarkListMessagesPage(b *testing.B) {
	e, err := New(Options{World: testWorld(0), Clock: NewFrozenClock(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	benchMessages(b, e, n)
	first := "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json?PageSize=1000"
	b.Run("handler", func(b *testing.B) {
		h := e.Handler()
		path := first
		records := 0
		for b.Loop() {
			req := httptest.NewRequest("GET", path, nil)
			req.SetBasicAuth(mainSID, mainTok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
			records += 1000
			path = nextPath(rec.Body.Bytes(), first)
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("http", func(b *testing.B) {
		srv := httptest.NewServer(e.Handler())
		defer srv.Close()
		client := srv.Client()
		path := first
		records := 0
		for b.Loop() {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.SetBasicAuth(mainSID, mainTok)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			records += 1000
			path = nextPath(body, first)
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})
}

// nextPath finds next_page_uri without decoding the page (the decoding is
// the client's cost, not the emulator's).
func nextPath(body []byte, first string) string {
	const key = `"next_page_uri":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return first
	}
	rest := body[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	p := string(rest[:j])
	return "/api" + p
}

// BenchmarkMemoryPerMessageScenario loads the scenario package's benchmark
// world (full-takeover, ~1 M messages over 21 accounts and 37 days; a tenth
// with -short), drops the world and reports the emulator's heap per message.
func BenchmarkMemoryPerMessageScenario(b *testing.B) {
	perDay := 31_000
	if testing.Short() {
		perDay = 3_100
	}
	for b.Loop() {
		before := heapInUse()
		w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 1, Now: scenario.DefaultNow(), Subaccounts: 20, MessagesPerDay: perDay, Days: 37})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, a := range w.Accounts {
			n += len(a.Messages)
		}
		e, err := New(Options{World: w})
		if err != nil {
			b.Fatal(err)
		}
		w = nil
		after := heapInUse()
		b.ReportMetric(float64(after-before)/float64(n), "B/msg")
		b.ReportMetric(float64(n), "messages")
		runtime.KeepAlive(e)
	}
}
