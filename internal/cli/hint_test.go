package cli

import (
	"net"
	"strings"
	"testing"
)

// A rejected credential names the variables to check; a closed port asks
// whether the emulator is running. Both exit 2.
func TestTwilioErrorHints(t *testing.T) {
	_, url, env := emulatedSized(t, "baseline", smallWorld)
	env["TWILIO_AUTH_TOKEN"] = strings.Repeat("0", 32)
	code, _, stderr := cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--twilio-api-url", url)
	if code != ExitError || !strings.Contains(stderr, "hint: Twilio rejected the credential: check TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN") {
		t.Errorf("401: exit %d\n%s", code, stderr)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	code, _, stderr = cli{sub: "audit", env: env, now: investigateNow}.run(t, "--twilio-api-url", closed)
	if code != ExitError || !strings.Contains(stderr, "is the emulator running? check --twilio-api-url") {
		t.Errorf("connection refused: exit %d\n%s", code, stderr)
	}

	// No hint for errors a hint cannot help with.
	code, _, stderr = cli{sub: "investigate", env: env, now: investigateNow}.run(t, "--since", "yesterday")
	if code != ExitError || strings.Contains(stderr, "hint:") {
		t.Errorf("usage error: exit %d\n%s", code, stderr)
	}
}
