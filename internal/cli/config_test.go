package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/spf13/cobra"
)

func loadTestConfig(t *testing.T, path string, env map[string]string) (*Config, string, error) {
	t.Helper()
	cmd := &cobra.Command{}
	cmd.Flags().String("config", path, "")
	var errb bytes.Buffer
	cfg, err := loadConfig(cmd, IO{Err: &errb, Getenv: func(k string) string { return env[k] }})
	return cfg, errb.String(), err
}

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "atoguard.toml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask aside
		t.Fatal(err)
	}
	return p
}

// TestConfigUnknownKeys: a misspelt key is an error with the key it meant,
// never silently ignored (a typo of keep-keys used to delete every key).
func TestConfigUnknownKeys(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"respond typo", "[respond]\nkeep-key = [\"SK00000000000000000000000000000001\"]\n", `unknown key "respond.keep-key" (did you mean "respond.keep-keys"?)`},
		{"credential typo", "twilio-auth-tokn = \"x\"\n", `unknown key "twilio-auth-tokn" (did you mean "twilio-auth-token"?)`},
		{"right key, wrong table", "keep-keys = [\"SK1\"]\n", `unknown key "keep-keys" (did you mean "respond.keep-keys"?)`},
		{"table typo", "[respnd]\nallow-countries = [\"US\"]\n", `unknown key "respnd.allow-countries" (did you mean "respond.allow-countries"?)`},
		{"nothing close", "colour = \"blue\"\n", `unknown key "colour";`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadTestConfig(t, writeConfig(t, tt.body, 0o600), nil)
			if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want EINVALID with %q", err, tt.want)
			}
		})
	}
	all := "twilio-account-sid = \"AC1\"\ntwilio-auth-token = \"t\"\ntwilio-api-url = \"http://127.0.0.1:1\"\ngithub-token = \"g\"\n" +
		"[respond]\nonly = [\"webhooks\"]\nkeep-keys = [\"SK1\"]\nallow-countries = \"US,CA\"\ncredential-sink = \"file:x\"\ntrigger-callback-url = \"https://x.example\"\n"
	if _, _, err := loadTestConfig(t, writeConfig(t, all, 0o600), nil); err != nil {
		t.Fatalf("known keys refused: %v", err)
	}
}

// TestRespondConfigTypoExits2: the case end to end; nothing is planned.
func TestRespondConfigTypoExits2(t *testing.T) {
	p := writeConfig(t, "[respond]\nkeep-key = [\"SK00000000000000000000000000000001\"]\n", 0o600)
	env := map[string]string{"TWILIO_ACCOUNT_SID": testSID, "TWILIO_AUTH_TOKEN": testToken, "ATOGUARD_TWILIO_API_URL": "http://127.0.0.1:1"}
	code, out, errs := cli{env: env}.run(t, "respond", "plan", "--config", p)
	if code != ExitError || out != "" || !strings.Contains(errs, `did you mean "respond.keep-keys"?`) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestConfigSizeCap: ATOGUARD_CONFIG=/dev/zero fails at once with a clear
// error instead of reading until the kernel kills the process.
func TestConfigSizeCap(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, _, err := loadTestConfig(t, "", map[string]string{"ATOGUARD_CONFIG": "/dev/zero"})
	if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "/dev/zero: larger than 1 MiB") {
		t.Fatalf("err = %v", err)
	}
	big := writeConfig(t, "# "+strings.Repeat("x", maxConfigBytes)+"\n", 0o600)
	if _, _, err := loadTestConfig(t, big, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a file over the cap: %v", err)
	}
}

// TestConfigTokenPermissions: a config file holding a token that group or
// others may read gets a warning; a private one, or one without a secret,
// does not.
func TestConfigTokenPermissions(t *testing.T) {
	tests := []struct {
		name string
		body string
		mode os.FileMode
		warn bool
	}{
		{"token readable by others", "twilio-auth-token = \"fabricated\"\n", 0o644, true},
		{"API secret readable by group", "twilio-api-secret = \"fabricated\"\n", 0o640, true},
		{"token private", "twilio-auth-token = \"fabricated\"\n", 0o600, false},
		{"no secret", "twilio-api-url = \"http://127.0.0.1:1\"\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := loadTestConfig(t, writeConfig(t, tt.body, tt.mode), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(stderr, "readable by group or others"); got != tt.warn {
				t.Errorf("warning %v, want %v: %q", got, tt.warn, stderr)
			}
			if strings.Contains(stderr, "fabricated") {
				t.Errorf("the warning shows the secret: %q", stderr)
			}
		})
	}
}

// Every key a command reads from the config must be a known key, or a file
// that sets it would be refused as a typo.
func TestConfigKeysCoverKeysRead(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`cfg\.(?:String|Strings|Exists)\("([a-z.-]+)"\)|cfg, "([a-z.-]+)"\)`)
	known := configKeys()
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			key := m[1] + m[2]
			seen++
			if !slices.Contains(known, key) {
				t.Errorf("%s reads config key %q, which configKeys does not list", f, key)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("found only %d config reads: the pattern no longer matches the code", seen)
	}
}
