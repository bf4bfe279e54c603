package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/credstore"
)

// TestRespondSymlinkedEnvSink: --credential-sink env:link.env, where
// link.env → real/app.env, puts the new token in real/app.env — the file
// applications read — and leaves the link a link. Before the fix link.env
// became a new 0600 file and real/app.env kept the revoked token, exit 0.
func TestRespondSymlinkedEnvSink(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	real := filepath.Join(rc.dir, "real", "app.env")
	if err := os.Mkdir(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("DATABASE_URL=postgres://db\nTWILIO_AUTH_TOKEN="+m.main().AuthToken+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(rc.dir, "link.env")
	if err := os.Symlink(filepath.Join("real", "app.env"), link); err != nil {
		t.Fatal(err)
	}
	args := append(rc.args("apply", "--yes", "--only", "rotate-tokens"), "--credential-sink", "env:"+link)
	if code := rc.run(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, rc.stderr.String())
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link.env is no longer a link (%v)", err)
	}
	// Read the real file directly, as an application that never heard of
	// the link would.
	direct, err := credstore.Parse("env:"+real, m.main().SID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.world.Accounts {
		tok, err := direct.Load(t.Context(), a.SID)
		if err != nil {
			t.Fatalf("%s: real/app.env: %v", a.SID, err)
		}
		if !m.works(t, a.SID, tok.Reveal()) || m.works(t, a.SID, a.AuthToken) {
			t.Errorf("%s: real/app.env does not hold the only working token", a.SID)
		}
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o640 {
		t.Errorf("real/app.env mode %v, want 0640 kept", st.Mode().Perm())
	}
}

// TestRespondRefusesDanglingSink: a dangling or looping link as the sink is
// refused with exit 2 before anything changes in Twilio.
func TestRespondRefusesDanglingSink(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	dangling := filepath.Join(rc.dir, "dangling.env")
	os.Symlink(filepath.Join(rc.dir, "gone", "app.env"), dangling)
	loop := filepath.Join(rc.dir, "loop.env")
	os.Symlink(loop, loop)
	for _, spec := range []string{"env:" + dangling, "file:" + dangling, "env:" + loop, "file:" + loop} {
		args := append(rc.args("apply", "--yes", "--only", "rotate-tokens"), "--credential-sink", spec)
		if code := rc.run(t, args...); code != ExitError {
			t.Fatalf("%s: exit %d, want %d", spec, code, ExitError)
		}
		if msg := rc.stderr.String(); !strings.Contains(msg, "leads to no file") || !strings.Contains(msg, "credential sink") {
			t.Errorf("%s: message %q does not say what is wrong", spec, msg)
		}
	}
	for _, a := range m.world.Accounts {
		if !m.works(t, a.SID, a.AuthToken) {
			t.Errorf("%s: a refused run changed the token", a.SID)
		}
	}
	if _, err := os.Lstat(filepath.Join(rc.dir, "gone")); err == nil {
		t.Error("a refused run created the link's directory")
	}
}

// TestRespondCommandSinkTimeout: a cmd: sink that never finishes a store is
// killed after --credential-sink-timeout; each account's rotation fails
// cleanly (exit 2, the reason named), nothing is promoted, and every
// account keeps a working stored credential — its configured token. Before
// the fix `cmd:sleep 1000` hung respond.
func TestRespondCommandSinkTimeout(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	// Load answers "cannot read back" at once; store hangs in a child.
	hook := `in=$(cat); case "$in" in *'"load"'*) exit 3;; esac; sleep 1000 & wait`
	args := append(rc.args("apply", "--yes", "--only", "rotate-tokens"), "--credential-sink", "cmd:"+hook, "--credential-sink-timeout", "300ms")
	if code := rc.run(t, args...); code != ExitError {
		t.Fatalf("exit %d, want %d: %s", code, ExitError, rc.stderr.String())
	}
	if msg := rc.stderr.String(); !strings.Contains(msg, "timed out after 300ms") || !strings.Contains(msg, "old token still works") {
		t.Errorf("stderr does not explain the failure:\n%s", msg)
	}
	for _, a := range m.world.Accounts {
		if !m.works(t, a.SID, a.AuthToken) {
			t.Errorf("%s: the configured token no longer works after a failed store", a.SID)
		}
	}
	for _, bad := range []string{"0s", "50ms", "2h", "soon"} {
		args := append(rc.args("plan"), "--credential-sink", "cmd:true", "--credential-sink-timeout", bad)
		if code := rc.run(t, args...); code != ExitError || !strings.Contains(rc.stderr.String(), "--credential-sink-timeout") {
			t.Errorf("--credential-sink-timeout %s: exit %d, %s", bad, code, rc.stderr.String())
		}
	}
}

// TestRespondJournalRefusesOtherFiles: --journal naming a file that is not
// a journal this tool wrote — a minified credentials JSON, one or two lines
// without a final newline — is refused with exit 2 by apply, plan and
// report, and the file keeps every byte. Before the fix apply cut such a
// file to 0 bytes.
func TestRespondJournalRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	creds := `{"` + m.main().SID + `":{"auth_token":"` + strings.Repeat("0", 32) + `","fingerprint":"x"}}`
	for _, content := range []string{creds, "{\"a\":1}\n{\"b\":2}"} {
		path := filepath.Join(rc.dir, "credentials.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"apply", "plan", "report"} {
			args := append(rc.args(sub, "--yes", "--only", "rotate-tokens"), "--journal", path)
			if code := rc.run(t, args...); code != ExitError {
				t.Fatalf("%s: exit %d, want %d", sub, code, ExitError)
			}
			if !strings.Contains(rc.stderr.String(), "not an atoguard respond journal") {
				t.Errorf("%s: stderr %q", sub, rc.stderr.String())
			}
			if after, _ := os.ReadFile(path); string(after) != content {
				t.Fatalf("%s rewrote %s: %d bytes → %d", sub, path, len(content), len(after))
			}
		}
	}
	if !m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("a refused apply changed the token")
	}
}

// TestRespondAllowCountries: --allow-countries and respond.allow-countries
// take ISO 3166-1 alpha-2 codes only (the validator audit uses): USA and XX
// exit 2 naming the setting, before anything is read or changed. A list
// that turns off every country an account sent to in its baseline is
// refused unless --force-countries. Before the fix "USA,CA" planned to turn
// the US off and XX was accepted.
func TestRespondAllowCountries(t *testing.T) {
	t.Parallel()
	m := startEmulator(t, respondWorld(t, 2))
	rc := newRespondCase(t, m)
	for _, bad := range []string{"USA,CA", "XX", "US,GB,IE,CA,U1"} {
		for _, sub := range []string{"plan", "apply"} {
			if code := rc.run(t, rc.args(sub, "--yes", "--allow-countries", bad)...); code != ExitError {
				t.Fatalf("%s --allow-countries %s: exit %d", sub, bad, code)
			}
			if msg := rc.stderr.String(); !strings.Contains(msg, "--allow-countries") || !strings.Contains(msg, "ISO 3166-1 alpha-2") {
				t.Errorf("%s --allow-countries %s: %s", sub, bad, msg)
			}
		}
	}
	cfg := filepath.Join(rc.dir, "atoguard.toml")
	if err := os.WriteFile(cfg, []byte("[respond]\nallow-countries = [\"US\", \"XX\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := rc.run(t, append(rc.args("plan"), "--config", cfg)...); code != ExitError || !strings.Contains(rc.stderr.String(), "respond.allow-countries") {
		t.Errorf("config XX: exit %d: %s", code, rc.stderr.String())
	}

	// A subaccount sent only to GB and IE before the incident.
	if code := rc.run(t, rc.args("apply", "--yes", "--allow-countries", "CA,US")...); code != ExitError {
		t.Fatalf("a lockout allowlist: exit %d", code)
	}
	if msg := rc.stderr.String(); !strings.Contains(msg, "--force-countries") || !strings.Contains(msg, "(GB, IE)") {
		t.Errorf("lockout message: %s", msg)
	}
	if !m.works(t, m.main().SID, m.main().AuthToken) {
		t.Fatal("a refused apply changed something")
	}
	if code := rc.run(t, rc.args("plan", "--json", "--allow-countries", "CA,US", "--force-countries")...); code != 0 {
		t.Fatalf("forced: exit %d: %s", code, rc.stderr.String())
	}
	if code := rc.run(t, rc.args("plan", "--json", "--allow-countries", "us,gb,ie")...); code != 0 {
		t.Fatalf("a list keeping the baseline: exit %d: %s", code, rc.stderr.String())
	}
}
