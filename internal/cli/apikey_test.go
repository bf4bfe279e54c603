package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// keyWorld serves the baseline world with a Main key added to the main
// account and returns the URL, the main account and its keys by type.
func keyWorld(t *testing.T) (string, scenario.Account, map[string]scenario.Key) {
	t.Helper()
	w, err := scenario.BuildWith("baseline", scenario.Options{Seed: 1, Now: investigateNow, MessagesPerDay: smallWorld})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]scenario.Key{}
	var main scenario.Account
	for i := range w.Accounts {
		a := &w.Accounts[i]
		if a.IsSubaccount() {
			continue
		}
		a.Keys = append(a.Keys, scenario.Key{SID: "SK" + strings.Repeat("ab", 16), FriendlyName: "ops-main", Secret: strings.Repeat("5e", 16),
			Type: "main", DateCreated: investigateNow.AddDate(0, -1, 0)})
		for _, k := range a.Keys {
			keys[k.Type] = k
		}
		main = *a
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, main, keys
}

func runWithEnv(env map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, IO{Out: &out, Err: &errb, Now: func() time.Time { return investigateNow },
		Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// TestAPIKeyCredentials: API key credentials are understood. The account
// SID a key needs is asked for by name; a Standard key investigates and
// audits what it may read (its own account) instead of failing on the
// account list with a bare 401, and says what it could not read; respond
// says that rotating an auth token needs the auth token.
func TestAPIKeyCredentials(t *testing.T) {
	url, main, keys := keyWorld(t)
	dir := t.TempDir()
	keyEnv := func(typ string) map[string]string {
		k := keys[typ]
		return map[string]string{"TWILIO_ACCOUNT_SID": main.SID, "TWILIO_API_KEY": k.SID, "TWILIO_API_SECRET": k.Secret,
			"ATOGUARD_TWILIO_API_URL": url, "ATOGUARD_CONFIG": os.DevNull}
	}
	noSID := keyEnv("standard")
	delete(noSID, "TWILIO_ACCOUNT_SID")
	noSecret := keyEnv("standard")
	delete(noSecret, "TWILIO_API_SECRET")
	journal := func(name string) string { return filepath.Join(dir, name+".journal") }
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		notInAny []string
	}{
		{name: "key without account SID", env: noSID, args: []string{"investigate"}, code: ExitError,
			stderr: []string{"an API key also needs the SID of the account it belongs to: set TWILIO_ACCOUNT_SID"}},
		{name: "key without secret", env: noSecret, args: []string{"audit"}, code: ExitError,
			stderr: []string{"set TWILIO_API_SECRET too"}},
		{name: "standard key investigate", env: keyEnv("standard"), args: []string{"investigate", "--json"}, code: ExitError,
			stdout:   []string{`"verdict": "incomplete"`, "subaccounts: not listed (the API key", "needs a Main key or the auth token", `"messages": 6`},
			stderr:   []string{"verdict incomplete, not clean", main.SID + ": configuration, subaccounts"},
			notInAny: []string{"atoguard: twilio.list_accounts"}},
		{name: "standard key audit", env: keyEnv("standard"), args: []string{"audit"}, code: ExitFindings,
			stdout: []string{"may not list accounts", "sms-countries"}, notInAny: []string{"atoguard: twilio.list_accounts"}},
		{name: "main key investigate", env: keyEnv("main"), args: []string{"investigate", "--json"}, code: ExitError,
			stdout: []string{"reading this subaccount needs the main account's auth token"}},
		{name: "key respond plan", env: keyEnv("main"), args: []string{"respond", "plan", "--journal", journal("a")}, code: ExitError,
			stderr: []string{"rotating an auth token needs the auth token"}, notInAny: []string{"is rejected"}},
		{name: "standard key respond without rotation", env: keyEnv("standard"),
			args: []string{"respond", "plan", "--skip", "rotate-tokens", "--allow-countries", "US", "--journal", journal("b")}, code: ExitError,
			stderr: []string{"may not read account " + main.SID, "respond needs the account's auth token"}, notInAny: []string{"is rejected"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runWithEnv(c.env, c.args...)
			bad := code != c.code
			for _, w := range c.stdout {
				bad = bad || !strings.Contains(out, w)
			}
			for _, w := range c.stderr {
				bad = bad || !strings.Contains(stderr, w)
			}
			for _, w := range c.notInAny {
				bad = bad || strings.Contains(out+stderr, w)
			}
			if bad {
				t.Fatalf("exit %d (want %d)\nstdout: %.1500s\nstderr: %s", code, c.code, out, stderr)
			}
		})
	}
}
