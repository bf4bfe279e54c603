package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// startLimited serves a small world on a real listener on 127.0.0.1.
func startLimited(t *testing.T, o Options) string {
	t.Helper()
	o.World = testWorld(2)
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := e.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

// TestBodyLimits: an oversized body is refused with 413 before it is held in
// memory: small for the unauthenticated admin endpoints, larger for those
// that load a world or traffic, 1 MiB for the API.
func TestBodyLimits(t *testing.T) {
	base := startLimited(t, Options{})
	client := &http.Client{Timeout: 10 * time.Second}
	tests := []struct {
		name, path string
		size       int
		status     int
	}{
		{"admin faults, oversized", "/_emulator/faults", adminBodyLimit + 1, http.StatusRequestEntityTooLarge},
		{"admin clock, oversized", "/_emulator/clock", adminBodyLimit + 1, http.StatusRequestEntityTooLarge},
		{"admin clock, small", "/_emulator/clock", 10, http.StatusBadRequest}, // read, then refused as bad JSON
		{"admin scenario, oversized", "/_emulator/scenario", adminBulkLimit + 1, http.StatusRequestEntityTooLarge},
		{"admin messages under the bulk limit", "/_emulator/messages", adminBodyLimit + 1, http.StatusBadRequest},
		{"API, oversized", "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json", apiBodyLimit + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("x"), tt.size)
			resp, err := client.Post(base+tt.path, "application/x-www-form-urlencoded", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, msg)
			}
			if tt.status == http.StatusRequestEntityTooLarge && !strings.Contains(string(msg), "larger than") {
				t.Errorf("413 without a reason: %s", msg)
			}
		})
	}
}

// TestTricklingBodyIsCut: a client that sends its body a byte at a time
// cannot hold a connection past ReadTimeout (it once stayed open 50 s at
// 1 byte/s). The body announced would take 100 s to send at this pace;
// the server must end the request long before it is complete.
func TestTricklingBodyIsCut(t *testing.T) {
	for _, path := range []string{"/_emulator/clock", "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"} {
		t.Run(path, func(t *testing.T) {
			base := startLimited(t, Options{ReadTimeout: 300 * time.Millisecond})
			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil { // the test's own bound
				t.Fatal(err)
			}
			const size = 1000
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", path, size)
			ended := make(chan error, 1)
			go func() {
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err == nil {
					resp.Body.Close()
					err = fmt.Errorf("answered %s", resp.Status)
				}
				ended <- err
			}()
			// 150 bytes take 15 s, within the test's own deadline: a timeout
			// seen here is the test's, never the server's doing.
			for sent := 0; sent < 150; sent++ {
				select {
				case err := <-ended:
					if errors.Is(err, os.ErrDeadlineExceeded) {
						t.Fatalf("the server never ended the request: %v", err)
					}
					t.Logf("the server ended the request after %d of %d bytes (%v)", sent, size, err)
					return
				case <-time.After(100 * time.Millisecond):
				}
				if _, err := conn.Write([]byte("x")); err != nil {
					if errors.Is(err, os.ErrDeadlineExceeded) {
						t.Fatalf("the server never ended the request: %v", err)
					}
					t.Logf("the server closed the connection after %d of %d bytes: %v", sent, size, err)
					return
				}
			}
			t.Fatal("the server still waits for the trickled body after 15 s")
		})
	}
}
