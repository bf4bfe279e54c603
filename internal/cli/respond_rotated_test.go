package cli

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// withoutSink drops --credential-sink and its value from respond args.
func withoutSink(args []string) []string {
	i := slices.Index(args, "--credential-sink")
	if i < 0 {
		return args
	}
	return slices.Delete(slices.Clone(args), i, i+2)
}

// TestRespondAfterRotationUsesNewToken: after an apply rotated the tokens,
// the next command run with the old, now revoked token in the environment
// and no --credential-sink (the README's next step, `respond report`)
// reads the new token from the sink the journal names, uses it and says
// what to update. Before, report said "Twilio unreachable (… rejected)"
// and built the report from the journal alone.
func TestRespondAfterRotationUsesNewToken(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	if code := rc.run(t, rc.args("apply", "--yes", "--allow-countries", "CA,GB,IE,US")...); code != 0 {
		t.Fatalf("apply exit %d: %s", code, rc.stderr.String())
	}
	if m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("apply did not rotate the main token")
	}
	for _, sub := range []string{"report", "plan"} {
		code := rc.run(t, withoutSink(rc.args(sub, "--allow-countries", "CA,GB,IE,US"))...)
		stderr := rc.stderr.String()
		if code != 0 || !strings.Contains(stderr, "respond apply rotated it") || !strings.Contains(stderr, "stored in file:"+rc.sinkPath+"); using the token found there") ||
			!strings.Contains(stderr, "Update TWILIO_AUTH_TOKEN") || strings.Contains(stderr, "journal alone") {
			t.Fatalf("%s after rotation: exit %d, stderr:\n%s", sub, code, stderr)

		}
	}
	// The sink is gone: the error says what happened and what to do.
	if err := os.Rename(rc.sinkPath, rc.sinkPath+".moved"); err != nil {
		t.Fatal(err)
	}
	code := rc.run(t, withoutSink(rc.args("report"))...)
	if stderr := rc.stderr.String(); code != ExitError || !strings.Contains(stderr, "respond apply rotated it") ||
		!strings.Contains(stderr, "set TWILIO_AUTH_TOKEN to the new token") {
		t.Fatalf("report without the sink: exit %d, stderr:\n%s", code, stderr)
	}
}
