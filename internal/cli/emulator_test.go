package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEmulatorCommand runs `atoguard emulator args…` until the test ends
// and returns what it printed once it printed a line.
func startEmulatorCommand(t *testing.T, args ...string) (out string, exit <-chan int, cancel func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"emulator"}, args...), IO{Out: &stdout, Err: &stderr})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "\n") {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("emulator exited %d early: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("emulator printed nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(cancel)
	return stdout.String(), done, cancel
}

func TestEmulatorCommandJSON(t *testing.T) {
	out, exit, cancel := startEmulatorCommand(t, "--scenario", "baseline", "--seed", "3", "--json", "--fault", "latency,latency=1ms")
	var v struct {
		URL        string `json:"url"`
		AccountSID string `json:"account_sid"`
		AuthToken  string `json:"auth_token"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if !strings.HasPrefix(v.URL, "http://127.0.0.1:") || len(v.AccountSID) != 34 || len(v.AuthToken) != 32 {
		t.Fatalf("output %q", out)
	}
	req, _ := http.NewRequest("GET", v.URL+"/api/2010-04-01/Accounts/"+v.AccountSID+".json", nil)
	req.SetBasicAuth(v.AccountSID, v.AuthToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("the printed credentials do not work: %d", res.StatusCode)
	}
	cancel()
	select {
	case code := <-exit:
		if code != ExitClean {
			t.Fatalf("exit %d after interrupt", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulator did not stop")
	}
	// Same seed, same credentials.
	out2, _, cancel2 := startEmulatorCommand(t, "--scenario", "baseline", "--seed", "3", "--json")
	defer cancel2()
	if !strings.Contains(out2, v.AuthToken) || !strings.Contains(out2, v.AccountSID) {
		t.Fatalf("seed 3 twice, different credentials:\n%s\n%s", out, out2)
	}
}

func TestEmulatorCommandText(t *testing.T) {
	out, _, cancel := startEmulatorCommand(t, "--scenario", "token-rotation")
	defer cancel()
	// The first line names the scenario and URL; wait for the rest.
	if !strings.Contains(out, `"token-rotation"`) || !strings.Contains(out, "http://127.0.0.1:") {
		t.Fatalf("output %q", out)
	}
}

func TestEmulatorCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "no-such-scenario"},
		{"--fault", "teapot"},
		{"--faults", "/nonexistent/faults.toml"},
		{"--now", "yesterday"},
		{"--addr", "256.0.0.1:99999"},
		{"--concurrency-limit", "-1"},
		{"extra-arg"},
	} {
		var stderr bytes.Buffer
		code := Run(context.Background(), append([]string{"emulator"}, args...), IO{Err: &stderr})
		if code != ExitError || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}

func TestEmulatorCommandScenarioFile(t *testing.T) {
	path := t.TempDir() + "/drill.yaml"
	if err := os.WriteFile(path, []byte("base: token-rotation\nname: drill\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, cancel := startEmulatorCommand(t, "--scenario-file", path, "--json")
	defer cancel()
	var v struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	res, err := http.Get(v.URL + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st struct {
		World string `json:"world"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || st.World != "drill" {
		t.Fatalf("state world %q, %v", st.World, err)
	}
}
