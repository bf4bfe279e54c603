package cli

import (
	"strings"
	"testing"
	"time"
)

// The plan ends with the apply command that carries it out; that command,
// pasted into a shell (backslash continuations joined), plans the same thing.
func TestRespondPlanEndsWithApplyCommand(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	start := m.world.AttackStart.Add(-time.Hour).Format(time.RFC3339)
	if code := rc.run(t, "respond", "plan", "--only", "webhooks", "--journal", rc.journal, "--incident-start", start,
		"--safe-webhook-url", "https://example.org/it's"); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	out := rc.stdout.String()
	i := strings.Index(out, "To apply this plan")
	if i < 0 {
		t.Fatalf("no apply command:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("line of %d columns: %q", len([]rune(line)), line)
		}
	}
	// --only webhooks leaves geo permissions alone: no countries line.
	if strings.Contains(out, "Allowed countries") {
		t.Errorf("countries shown for a plan without geo-permissions:\n%s", out)
	}
	if strings.Contains(out, " 1 changes") || !strings.Contains(out, " changes planned.") && !strings.Contains(out, "1 change planned.") {
		t.Errorf("change count:\n%s", out)
	}
	cmd := strings.Join(strings.Fields(strings.ReplaceAll(out[i:], "\\\n", " ")), " ")
	want := `atoguard respond apply --incident-start ` + start + ` --journal ` + rc.journal + ` --only webhooks --safe-webhook-url 'https://example.org/it'\''s'`
	if !strings.HasSuffix(cmd, want) {
		t.Errorf("apply command\n%s\nwant suffix\n%s", cmd, want)
	}
	// A webhook change shows the current value as now and the restored one
	// as target, not the change twice.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "now:") && strings.Contains(line, "→") {
			t.Errorf("now line shows the target: %q", line)
		}
	}
}
