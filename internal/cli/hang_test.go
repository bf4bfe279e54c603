package cli

import (
	"bytes"
	"context"
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/internal/hostile"
)

// runBounded runs the CLI and fails the test if it has not returned long
// after its --timeout: the point is that it ends, not how fast.
func runBounded(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := Run(context.Background(), args, IO{Out: &out, Err: &errb, Now: time.Now, Getenv: func(k string) string { return env[k] }})
		done <- result{code, errb.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.stderr
	case <-time.After(2 * time.Minute):
		t.Fatalf("%v still running 2 minutes after a 1s --timeout", args)
		return 0, ""
	}
}

// TestTwilioCommandsEndAtTimeout: against a server that accepts and never
// answers, and one that sends headers then trickles the body, every Twilio
// command ends at its --timeout with exit 2 and a message naming it.
// Before, they ran for as long as the server held them.
func TestTwilioCommandsEndAtTimeout(t *testing.T) {
	env := map[string]string{"TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("1", 32), "TWILIO_AUTH_TOKEN": strings.Repeat("2", 32),
		"ATOGUARD_CONFIG": os.DevNull}
	respond := func(t *testing.T, sub string, more ...string) []string {
		dir := t.TempDir()
		journal := filepath.Join(dir, "respond.journal")
		if err := os.WriteFile(journal, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		return append([]string{"respond", sub, "--journal", journal, "--credential-sink", "file:" + filepath.Join(dir, "creds.json"),
			"--allow-countries", "US", "--report", filepath.Join(dir, "incident")}, more...)
	}
	commands := map[string]func(t *testing.T) []string{
		"investigate":     func(*testing.T) []string { return []string{"investigate"} },
		"audit":           func(*testing.T) []string { return []string{"audit"} },
		"audit countries": func(*testing.T) []string { return []string{"audit", "--allow-countries", "US"} },
		"respond plan":    func(t *testing.T) []string { return respond(t, "plan") },
		"respond apply":   func(t *testing.T) []string { return respond(t, "apply", "--yes") },
		"respond report":  func(t *testing.T) []string { return respond(t, "report") },
	}
	for kind, url := range map[string]string{"silent": hostile.Silent(t), "trickle": hostile.Trickle(t)} {
		for name, args := range commands {
			t.Run(kind+"/"+name, func(t *testing.T) {
				t.Parallel()
				args := append(args(t), "--twilio-api-url", url, "--timeout", "1s")
				code, stderr := runBounded(t, env, args...)
				if code != ExitError || !strings.Contains(stderr, "did not answer within --timeout 1s") {
					t.Fatalf("exit %d, stderr:\n%s", code, stderr)
				}
			})
		}
	}
}

// TestRespondApplyStalled: Twilio applies request n of an apply and then
// goes silent. apply ends at its --timeout with exit 2, and every account
// still has a working credential: the new token in the sink, or the
// original when nothing was stored.
func TestRespondApplyStalled(t *testing.T) {
	world := respondWorld(t, 2)
	extra := []string{"--yes", "--allow-countries", "CA,GB,IE,US", "--concurrency", "1"}
	// How many requests does an uninterrupted apply make?
	m := startEmulator(t, world)
	url, count := hostile.StallAfter(t, m.url, 1<<30)
	rc := newRespondCase(t, m)
	if code := rc.run(t, append(rc.args("apply", extra...), "--twilio-api-url", url)...); code != 0 {
		t.Fatalf("reference apply: exit %d: %s", code, rc.stderr.String())
	}
	total := count()
	points := 6
	if testing.Short() || testsupport.Race {
		points = 3
	}
	for i := 1; i <= points; i++ {
		n := total * i / (points + 1)
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			m := startEmulator(t, world)
			url, _ := hostile.StallAfter(t, m.url, n)
			rc := newRespondCase(t, m)
			args := append(rc.args("apply", extra...), "--twilio-api-url", url, "--timeout", "3s")
			code := rc.run(t, args...)
			if code != ExitError || !strings.Contains(rc.stderr.String(), "did not answer within --timeout 3s") ||
				!strings.Contains(rc.stderr.String(), "--resume") {
				t.Fatalf("stall after %d of %d requests: exit %d, stderr:\n%s", n, total, code, rc.stderr.String())
			}
			assertWorkingCredentials(t, m, rc, fmt.Sprintf("stall after %d of %d", n, total))
		})
	}
}
