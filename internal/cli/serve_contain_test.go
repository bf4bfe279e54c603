package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/contain"
)

// containAlerts splits what the webhook receiver got into detector alerts
// and containment records, with the time the first of each arrived.
func containAlerts(r *hookRecorder) (signal, entries []atoguard.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		var a atoguard.Alert
		if json.Unmarshal(b, &a) != nil {
			continue
		}
		if strings.HasPrefix(a.Key, contain.KeyPrefix) {
			entries = append(entries, a)
		} else {
			signal = append(signal, a)
		}
	}
	return signal, entries
}

// TestServeContainment: the emulator's webhook-hijack takeover makes the
// account compromised. With serve.contain = on, containment is applied
// (recorded as done) within 10 s of the alert; in dry-run it is recorded as
// what would have been done; by default nothing at all happens. The benign
// baseline world triggers nothing even with containment on.
func TestServeContainment(t *testing.T) {
	const rules = `contain-rules = ["compromised: delete-keys geo-permissions webhooks suspend-subaccounts"]` + "\ncontain-interval = \"200ms\"\n"
	for _, tc := range []struct {
		name, world, mode string
		want              string // status of the entries; "" none
	}{
		{"on", "webhook-hijack", "on", atoguard.ActionDone},
		{"dry-run", "webhook-hijack", "dry-run", "dry-run"},
		{"default", "webhook-hijack", "", ""},
		{"benign", "baseline", "on", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, apiURL, env := emulated(t, tc.world)
			env["HOME"] = t.TempDir()
			hook, hookURL := newHookRecorder(t)
			extra := "webhook-url = \"" + hookURL + "\"\nwebhook-secret = \"whsec-fabricated-0123456789\"\n"
			if tc.mode != "" {
				extra += "contain = \"" + tc.mode + "\"\n" + rules
			}
			_, _, stop := startServeAt(t, func() time.Time { return investigateNow }, env, "--addr", "127.0.0.1:0",
				"--data-dir", t.TempDir(), "--config", writeServeConfig(t, extra), "--twilio-api-url", apiURL,
				"--events-interval", "200ms", "--usage-interval", "200ms", "--config-interval", "200ms")
			defer stop()
			checkContainment(t, hook, tc.world != "baseline", tc.want)
		})
	}
}

func checkContainment(t *testing.T, hook *hookRecorder, attack bool, want string) {
	t.Helper()
	var alertAt time.Time
	deadline := time.Now().Add(40 * time.Second)
	if !attack {
		deadline = time.Now().Add(5 * time.Second) // the world is polled and judged many times over
	}
	for time.Now().Before(deadline) {
		select {
		case <-hook.got:
		case <-time.After(200 * time.Millisecond):
		}
		signal, entries := containAlerts(hook)
		if len(signal) > 0 && alertAt.IsZero() {
			alertAt = time.Now()
			deadline = alertAt.Add(10 * time.Second)
		}
		if want != "" && len(entries) > 0 {
			t.Logf("containment recorded %v after the alert", time.Since(alertAt))
			for _, e := range entries {
				var en contain.Entry
				if err := json.Unmarshal(e.Detail, &en); err != nil || en.Status != want || en.Reverse == "" && en.Step != "circuit-breaker" {
					t.Errorf("entry %s: %+v (%v), want status %s with a reverse command", e.Key, en, err, want)
				}
			}
			return
		}
	}
	signal, entries := containAlerts(hook)
	switch {
	case attack && len(signal) == 0:
		t.Fatal("no alert within 40s")
	case want != "":
		t.Fatalf("no containment within 10s of the alert")
	case len(entries) > 0:
		t.Fatalf("containment happened without opt-in or on a benign world: %s", entries[0].Title)
	case !attack && len(signal) > 0:
		t.Fatalf("the baseline world raised %s", signal[0].Title)
	}
}
