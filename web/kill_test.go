package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

// TestServeKill9KeepsAcknowledged: `atoguard serve` on SQLite killed with
// SIGKILL in the middle of a load of signed single-event deliveries, then
// restarted on the same data directory: every event that was answered 200
// is in the store.
func TestServeKill9KeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the atoguard binary")
	}
	bin := filepath.Join(t.TempDir(), "atoguard")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/atoguard/atoguard/cmd/atoguard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	srv, url := startBinary(t, bin, data)
	var acked sync.Map
	var nAcked atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second}
			for i := range 5000 { // bounded: the kill comes long before
				id := fmt.Sprintf("EZk%d-%d", g, i)
				if postOne(client, url, id) != http.StatusOK {
					return // killed: no more acknowledgements
				}
				acked.Store(id, true)
				nAcked.Add(1)
			}
		})
	}
	for deadline := time.Now().Add(time.Minute); nAcked.Load() < 500 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	wg.Wait()
	if nAcked.Load() < 500 {
		t.Fatalf("only %d events acknowledged before the kill", nAcked.Load())
	}
	again, _ := startBinary(t, bin, data) // recovers the WAL
	_ = again.Process.Signal(syscall.SIGTERM)
	_ = again.Wait()
	st, err := sqlite.Open(t.Context(), data, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.StreamEvents(t.Context(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, e := range evs {
		stored[e.ID] = true
	}
	missing := 0
	acked.Range(func(id, _ any) bool {
		if !stored[id.(string)] {
			missing++
		}
		return true
	})
	t.Logf("acknowledged %d, stored %d after kill -9 and restart", nAcked.Load(), len(evs))
	if missing > 0 {
		t.Errorf("%d of %d acknowledged events missing after kill -9", missing, nAcked.Load())
	}
}

// startBinary runs `atoguard serve --no-poll` on 127.0.0.1 with data as its
// data directory and returns it with its events URL once it listens.
func startBinary(t *testing.T, bin, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", data, "--no-poll")
	cmd.Dir = t.TempDir() // no atoguard.toml
	cmd.Env = []string{"TWILIO_AUTH_TOKEN=" + tokenNew.Reveal(), "HOME=" + t.TempDir()}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	hung := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() }) // ends the scan below
	defer hung.Stop()
	lines := bufio.NewScanner(stderr)
	var log bytes.Buffer
	for lines.Scan() {
		log.Write(append(lines.Bytes(), '\n'))
		var rec struct {
			Msg, URL   string
			EventsPath string `json:"events_path"`
		}
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "listening" {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return cmd, rec.URL + rec.EventsPath
		}
	}
	t.Fatalf("serve did not listen:\n%s", log.String())
	return nil, ""
}

func postOne(client *http.Client, url, id string) int {
	body := []byte(event(id))
	signed := web.SignedURL(url, body)
	req, _ := http.NewRequest(http.MethodPost, signed, bytes.NewReader(body))
	req.Header.Set("X-Twilio-Signature", web.Sign(tokenNew, signed))
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
