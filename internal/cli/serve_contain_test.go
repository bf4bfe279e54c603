package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// containAlerts splits what the webhook receiver got into detector alerts
// and containment records.
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

func emulatorState(t *testing.T, apiURL string) emulator.State {
	t.Helper()
	resp, err := http.Get(apiURL + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s emulator.State
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// recentTakeover is the full takeover's attack within serve's 48 h
// detection window: an API key, geo widening, hijacked webhooks on the main
// account, SMS pumping from a subaccount.
const recentTakeover = `{"base":"baseline","seed":7,"subaccounts":2,"messages_per_day":%d,"days":30,"now":"2026-11-25T12:00:00Z",
 "overlays":[{"kind":"api-key-created","at":"-20h","account":"main","name":"backup"},
  {"kind":"geo-widening","at":"-19h","account":"main","countries":["UZ","KG","ID","SO"]},
  {"kind":"geo-widening","at":"-19h","account":"sub:2","countries":["UZ","KG"]},
  {"kind":"webhook-hijack","at":"-18h","account":"main","count":2},
  {"kind":"sms-pumping","at":"-16h","account":"sub:2","countries":["UZ","KG"],"count":1500,"duration":"8h"}]}`

// recentWorld serves "takeover" (recentTakeover) or a named world.
func recentWorld(t *testing.T, name string) (*scenario.World, string, map[string]string) {
	t.Helper()
	if name != "takeover" {
		return emulated(t, name)
	}
	w, err := scenario.Parse([]byte(fmt.Sprintf(recentTakeover, 40)), scenario.JSON)
	if err != nil {
		t.Fatal(err)
	}
	m := startEmulatorClock(t, w, emulator.NewFrozenClock(investigateNow))
	return w, m.url, map[string]string{"TWILIO_ACCOUNT_SID": m.main().SID, "TWILIO_AUTH_TOKEN": m.main().AuthToken}
}

func startEmulatorClock(t *testing.T, w *scenario.World, clock *emulator.Clock) *emu {
	t.Helper()
	e, err := emulator.New(emulator.Options{World: w, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return &emu{e: e, url: srv.URL, world: w}
}

// TestServeContainment: the emulator's takeover makes the accounts
// compromised. With serve.contain = on, the emulator's own state shows the
// containment within 10 s of the first alert (geo permissions tightened,
// the attacker's key deleted, webhooks restored, a subaccount suspended,
// never the main account). In dry-run entries are recorded and the
// emulator's state does not change at all; by default nothing changes and
// nothing is recorded. The benign world triggers nothing even when on.
func TestServeContainment(t *testing.T) {
	// The subaccount abused for traffic is "suspicious" on its own: its
	// signals alert only when alerts start at that verdict.
	const rules = `contain-rules = ["compromised: delete-keys geo-permissions webhooks", "traffic.cost-spike: suspend-subaccounts"]` + "\ncontain-interval = \"200ms\"\nalert-min-verdict = \"suspicious\"\n"
	for _, tc := range []struct {
		name, world, mode string
		want              string // status of the entries; "" none
	}{
		{"on", "takeover", "on", atoguard.ActionDone},
		{"dry-run", "takeover", "dry-run", "dry-run"},
		{"default", "takeover", "", ""},
		{"benign", "baseline", "on", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, apiURL, env := recentWorld(t, tc.world)
			env["HOME"] = t.TempDir()
			before := emulatorState(t, apiURL)
			hook, hookURL := newHookRecorder(t)
			extra := "webhook-url = \"" + hookURL + "\"\nwebhook-secret = \"whsec-fabricated-0123456789\"\n"
			if tc.mode != "" {
				extra += "contain = \"" + tc.mode + "\"\n" + rules
			}
			dataDir := t.TempDir()
			_, _, stop := startServeAt(t, func() time.Time { return investigateNow }, env, "--addr", "127.0.0.1:0",
				"--data-dir", dataDir, "--config", writeServeConfig(t, extra), "--twilio-api-url", apiURL,
				"--events-interval", "200ms", "--usage-interval", "200ms", "--config-interval", "200ms")
			defer stop()
			check := func() []string { return nil }
			if tc.mode == "on" && tc.world != "baseline" {
				check = func() []string { return containedProblems(w, before, emulatorState(t, apiURL)) }
			}
			checkContainment(t, hook, tc.world != "baseline", tc.want, check)
			if tc.mode == "on" {
				return
			}
			// Dry-run, default and benign: the emulator is exactly as it was.
			if diff := stateChanges(before, emulatorState(t, apiURL)); len(diff) > 0 {
				t.Errorf("the emulator's state changed: %s", strings.Join(diff, "; "))
			}
			jpath := filepath.Join(dataDir, "respond-journal.jsonl")
			if _, err := os.Stat(jpath); err == nil && countRecords(t, jpath) > 0 {
				t.Errorf("the respond journal has %d records", countRecords(t, jpath))
			} else if tc.mode == "" && err == nil {
				t.Errorf("default mode opened a journal at %s", jpath)
			}
		})
	}
}

// checkContainment waits for the first alert and then, within 10 s, for the
// containment entries (status want) and for check to report no problem.
func checkContainment(t *testing.T, hook *hookRecorder, attack bool, want string, check func() []string) {
	t.Helper()
	var alertAt time.Time
	deadline := time.Now().Add(40 * time.Second)
	if !attack {
		deadline = time.Now().Add(5 * time.Second) // the world is polled and judged many times over
	}
	var problems []string
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
		if want == "" || len(entries) == 0 {
			continue
		}
		if problems = check(); len(problems) > 0 {
			continue
		}
		t.Logf("containment recorded and visible in the emulator %v after the alert", time.Since(alertAt))
		for _, e := range entries {
			var en contain.Entry
			if err := json.Unmarshal(e.Detail, &en); err != nil || en.Status != want || en.Reverse == "" && en.Step != "circuit-breaker" {
				t.Errorf("entry %s: %+v (%v), want status %s with a reverse command", e.Key, en, err, want)
			}
		}
		return
	}
	signal, entries := containAlerts(hook)
	switch {
	case attack && len(signal) == 0:
		t.Fatal("no alert within 40s")
	case want != "" && len(entries) == 0:
		t.Fatalf("no containment within 10s of the alert")
	case want != "":
		for _, e := range entries {
			t.Log(e.Title)
		}
		for _, a := range signal {
			t.Log("alert: ", a.AccountSID, " ", a.Title)
		}
		t.Fatalf("containment recorded, but the emulator's state 10s after the alert shows:\n%s", strings.Join(problems, "\n"))
	case len(entries) > 0:
		t.Fatalf("containment happened without opt-in or on a benign world: %s", entries[0].Title)
	case !attack && len(signal) > 0:
		t.Fatalf("the baseline world raised %s", signal[0].Title)
	}
}

// containedProblems checks, in the emulator's state, what containment of
// the full takeover must have done: the main account active, the attacker's
// key gone, no geo permission the attack widened, webhooks back to the
// known-good snapshot, a subaccount suspended.
func containedProblems(w *scenario.World, before, now emulator.State) []string {
	var out []string
	was := map[string]emulator.AccountState{}
	for _, a := range before.Accounts {
		was[a.SID] = a
	}
	suspended := 0
	for _, a := range now.Accounts {
		if !a.IsSubaccount() {
			if a.Status != "active" {
				out = append(out, "the main account is "+a.Status)
			}
			out = append(out, mainContained(w, was[a.SID], a)...)
		} else if a.Status == "suspended" {
			suspended++
		}
	}
	if suspended == 0 {
		out = append(out, "no subaccount suspended")
	}
	return out
}

func mainContained(w *scenario.World, before, a emulator.AccountState) []string {
	var out []string
	var snap atoguard.Configuration
	for _, s := range w.Snapshot {
		if s.AccountSID == a.SID {
			snap = s
		}
	}
	good := map[string]bool{}
	for _, k := range snap.APIKeys {
		good[k.SID] = true
	}
	for _, k := range a.Keys {
		if !good[k.SID] {
			out = append(out, fmt.Sprintf("key %s (%s) created by the attacker is still there", k.SID, k.FriendlyName))
		}
	}
	for _, k := range before.Keys {
		if good[k.SID] && !slices.ContainsFunc(a.Keys, func(n emulator.KeyState) bool { return n.SID == k.SID }) {
			out = append(out, fmt.Sprintf("key %s (%s) from before the attack was deleted", k.SID, k.FriendlyName))
		}
	}
	if len(a.Keys) >= len(before.Keys) {
		out = append(out, "no key deleted")
	}
	for _, p := range a.SMSPermissions {
		if slices.Contains([]string{"UZ", "KG", "ID", "SO"}, p.CountryCode) && !p.HighRisk {
			out = append(out, "SMS to "+p.CountryCode+" still enabled")
		}
	}
	if len(a.SMSPermissions) >= len(before.SMSPermissions) {
		out = append(out, "SMS geo permissions not tightened")
	}
	for _, want := range snap.PhoneNumbers {
		for _, got := range a.PhoneNumbers {
			for f, v := range want.Webhooks {
				if got.SID == want.SID && got.Webhooks[f] != v {
					out = append(out, fmt.Sprintf("number %s %s = %q, known-good %q", got.PhoneNumber, f, got.Webhooks[f], v))
				}
			}
		}
	}
	return out
}

// stateChanges lists what differs between two emulator states in what
// containment could change.
func stateChanges(a, b emulator.State) []string {
	view := func(s emulator.State) map[string]string {
		out := map[string]string{}
		for _, as := range s.Accounts {
			as.Counts = nil
			j, _ := json.Marshal(as)
			out[as.SID] = string(j)
		}
		return out
	}
	va, vb := view(a), view(b)
	var out []string
	for sid, j := range va {
		if vb[sid] != j {
			out = append(out, sid+" changed")
		}
	}
	if len(vb) != len(va) {
		out = append(out, fmt.Sprintf("%d accounts, was %d", len(vb), len(va)))
	}
	return out
}
