// Package hostile starts misbehaving HTTP servers on 127.0.0.1 for tests of
// deadlines: one that accepts connections and never answers, one that sends
// the headers of a reply and then trickles its body, and a proxy that stops
// answering after a number of requests. Each stops when the test ends.
package hostile

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Silent returns the URL of a server that accepts connections, reads what
// is sent and never answers.
func Silent(t testing.TB) string {
	return serve(t, func(c net.Conn, done <-chan struct{}) {
		go func() { _, _ = io.Copy(io.Discard, c) }()
		<-done
	})
}

// Trickle returns the URL of a server that answers every request with the
// headers of a large 200 reply and then one byte of body every 50 ms.
func Trickle(t testing.TB) string {
	return serve(t, func(c net.Conn, done <-chan struct{}) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		_, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{")
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for err == nil {
			select {
			case <-done:
				return
			case <-tick.C:
				_, err = c.Write([]byte(" "))
			}
		}
	})
}

// serve runs handle for every connection to a 127.0.0.1 listener until the
// test ends; then it closes the listener and every connection.
func serve(t testing.TB, handle func(c net.Conn, done <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				go func() { <-done; c.Close() }()
				handle(c, done)
			})
		}
	})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// StallAfter returns the URL of a proxy to target that forwards the first n
// requests as they are; request n+1 reaches target but its reply is never
// delivered, and later requests are held unanswered. It stands for a Twilio
// that applied a change and then went silent. count reports how many
// requests arrived.
func StallAfter(t testing.TB, target string, n int) (url string, count func() int) {
	t.Helper()
	u, err := neturl.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	done := make(chan struct{})
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := seen.Add(1)
		switch {
		case k <= int64(n):
			proxy.ServeHTTP(w, r)
			return
		case k == int64(n)+1:
			proxy.ServeHTTP(httptest.NewRecorder(), r) // applied, never answered
		}
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: frees the held handlers
	return srv.URL, func() int { return int(seen.Load()) }
}
