package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
)

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	testSID   = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	testToken = "daf7b3d34b9787f1212316eea62ba186"
)

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"leaky/.env":     "TWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n",
		"clean/main.go":  "package main\n",
		"notreport.json": `{"hello": 1}`,
	})
	leaky, clean := filepath.Join(dir, "leaky"), filepath.Join(dir, "clean")
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"findings", "", []string{"scan", leaky}, ExitFindings, ""},
		{"clean", "", []string{"scan", clean}, ExitClean, ""},
		{"stdin findings", "sid " + testSID + " token " + testToken, []string{"scan", "-"}, ExitFindings, ""},
		{"stdin clean", "nothing", []string{"scan", "-"}, ExitClean, ""},
		{"bad flag", "", []string{"scan", "--nope"}, ExitError, "unknown flag: --nope"},
		{"bad format", "", []string{"scan", "--format", "yaml", clean}, ExitError, `unknown format "yaml"`},
		{"missing path", "", []string{"scan", filepath.Join(dir, "nope")}, ExitError, "no such file or directory"},
		{"bad baseline", "", []string{"scan", "--baseline", filepath.Join(dir, "notreport.json"), clean}, ExitError, `no "findings"`},
		{"history outside a repo", "", []string{"scan", "--history", clean}, ExitError, "not a git repository"},
		{"bad concurrency", "", []string{"scan", "--verify", "--verify-concurrency", "0", clean}, ExitError, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli{stdin: tt.stdin}.run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			if tt.stderr == "" && stderr != "" {
				t.Errorf("unexpected stderr %q", stderr)
			}
		})
	}
}

func TestScanArchive(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("app/config/.env")
	fmt.Fprintf(w, "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n", testSID, testToken)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "release.zip")
	if err := os.WriteFile(zipPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := cli{}.run(t, "scan", "--json", dir)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Findings []struct{ Path string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Path != zipPath+"!app/config/.env" {
		t.Errorf("findings %+v", rep.Findings)
	}
}

// fakeTwilioAPI answers GET /2010-04-01/Accounts/{Sid}.json like Twilio:
// live for liveSID/liveToken, 401 code 20003 for anything else.
func fakeTwilioAPI(t *testing.T, prefix, liveSID, liveToken string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		user, pass, _ := r.BasicAuth()
		if r.URL.Path == prefix+"/2010-04-01/Accounts/"+liveSID+".json" && user == liveSID && pass == liveToken {
			fmt.Fprintf(w, `{"sid":%q,"owner_account_sid":%q,"friendly_name":"Acme Prod","status":"active","type":"Full","auth_token":%q}`,
				liveSID, liveSID, liveToken)
			return
		}
		w.WriteHeader(401)
		fmt.Fprint(w, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestScanVerify(t *testing.T) {
	dir := t.TempDir()
	revokedToken := plantHex("revoked")
	writeTree(t, dir, map[string]string{
		"live.env":    "TWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n",
		"again.py":    `Client("` + testSID + `", "` + testToken + `")`,
		"revoked.env": "TWILIO_ACCOUNT_SID=AC598fdd1a56846658f660652ed4810395\nTWILIO_AUTH_TOKEN=" + revokedToken + "\n",
	})
	// The emulator layout: {url}/api/2010-04-01/...
	srv := fakeTwilioAPI(t, "/api", testSID, testToken)
	cfgFile := filepath.Join(t.TempDir(), "atoguard.toml")
	if err := os.WriteFile(cfgFile, []byte("twilio-api-url = \""+srv.URL+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{"flag", "env", "config"} {
		t.Run(how, func(t *testing.T) {
			args := []string{"scan", "--json", "--verify", dir}
			env := map[string]string{}
			switch how {
			case "flag":
				args = append(args, "--twilio-api-url", srv.URL)
			case "env":
				env["ATOGUARD_TWILIO_API_URL"] = srv.URL
			case "config":
				args = append(args, "--config", cfgFile)
			}
			code, out, stderr := cli{env: env}.run(t, args...)
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				Findings []struct{ Path, Verification string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range rep.Findings {
				got[filepath.Base(f.Path)] = f.Verification
			}
			want := map[string]string{"live.env": atoguard.Live, "again.py": atoguard.Live, "revoked.env": atoguard.Revoked}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("verification %v, want %v", got, want)
			}
		})
	}
	// The text format explains a live credential.
	_, out, _ := cli{}.run(t, "scan", "--verify", "--twilio-api-url", srv.URL, filepath.Join(dir, "live.env"))
	if !strings.Contains(out, "verified live - Full main account 'Acme Prod', active") {
		t.Errorf("text output:\n%s", out)
	}
}

// plant fabricates a credential-shaped value from a label: never a real one.
func plantHex(label string) string {
	sum := sha256.Sum256([]byte(label))
	return hex.EncodeToString(sum[:16])
}

func plantAlnum(label string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(label))
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(sum[i%32]+byte(i*7))%len(alphabet)]
	}
	return string(out)
}

// TestScanNeverPrintsSecrets plants fabricated secrets in many contexts
// (files, an archive, stdin, git history) and checks that no 6-character
// piece of any of them appears on stdout or stderr, in any format, with and
// without --verify.
func TestScanNeverPrintsSecrets(t *testing.T) {
	sid := "AC" + plantHex("sid-1")
	sid2 := "AC" + plantHex("sid-2")
	tok1, tok2, tok3 := plantHex("token-1"), plantHex("token-2"), plantHex("token-3")
	keySID := "SK" + plantHex("key-1")
	keySecret := plantAlnum("key-secret-1", 32)
	sendgrid := "SG." + plantAlnum("sg-a", 22) + "." + plantAlnum("sg-b", 43)
	basic := base64.StdEncoding.EncodeToString([]byte(sid2 + ":" + tok3))
	secrets := []string{tok1, tok2, tok3, keySecret, sendgrid, basic}

	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"app/.env":           "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_AUTH_TOKEN=" + tok1 + "\n",
		"app/client.py":      `client = Client("` + sid2 + `", "` + tok2 + `")` + "\n",
		"app/curl.sh":        "curl -u " + sid + ":" + tok2 + " https://api.twilio.com/2010-04-01/Accounts.json\n",
		"app/url.txt":        "https://" + sid2 + ":" + tok1 + "@api.twilio.com/2010-04-01/Accounts\n",
		"app/header.http":    "GET /2010-04-01/Accounts.json\nAuthorization: Basic " + basic + "\n",
		"app/config.json":    `{"account_sid": "` + sid + `", "auth_token": "` + tok3 + `"}`,
		"app/keys.env":       "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_API_KEY=" + keySID + "\nTWILIO_API_SECRET=" + keySecret + "\n",
		"app/sendgrid.yaml":  "sendgrid:\n  api_key: " + sendgrid + "\n",
		"app/notebook.ipynb": `{"cells": [{"source": ["sid = \"` + sid + `\"\n", "token = \"` + tok3 + `\"\n"]}]}`,
	})
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("inner/.env")
	fmt.Fprintf(w, "TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n", sid2, tok1)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "bundle.zip"), zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// A symlink loop makes a warning on stderr: warnings must be clean too.
	if err := os.Symlink("..", filepath.Join(dir, "app", "loop")); err != nil {
		t.Fatal(err)
	}
	stdin := "log line " + sid + " " + tok2 + " auth_token=" + tok2 + "\n"

	// A repository whose history holds a secret that was later deleted.
	repo := filepath.Join(t.TempDir(), "repo")
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	gitEnv := append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	gitRun := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = gitEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	writeTree(t, repo, map[string]string{"deploy.env": "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_AUTH_TOKEN=" + tok3 + "\n"})
	gitRun("init", "-q", "-b", "main")
	gitRun("add", "-A")
	gitRun("commit", "-q", "-m", "add")
	gitRun("rm", "-q", "deploy.env")
	gitRun("commit", "-q", "-m", "remove")

	srv := fakeTwilioAPI(t, "/api", sid, tok1)
	baselineDir := t.TempDir()
	runs := [][]string{
		{"scan", filepath.Join(dir, "app"), "-"},
		{"scan", "--verify", "--twilio-api-url", srv.URL, filepath.Join(dir, "app"), "-"},
		{"scan", "--include-placeholders", "--no-ignore", filepath.Join(dir, "app"), "-"},
		{"scan", "--history", repo},
		{"scan", "--history", "--verify", "--twilio-api-url", srv.URL, repo},
	}
	for _, format := range []string{"text", "json", "sarif"} {
		for i, args := range runs {
			args := append(append([]string{}, args...), "--format", format)
			t.Run(fmt.Sprintf("%s/%d", format, i), func(t *testing.T) {
				code, stdout, stderr := cli{stdin: stdin}.run(t, args...)
				if code != ExitFindings {
					t.Fatalf("exit %d, stderr %s", code, stderr)
				}
				// Non-vacuous: the planted secrets were found.
				if n := strings.Count(stdout, "twilio-auth-token"); n < 1 {
					t.Errorf("no auth-token finding in output:\n%s", stdout)
				}
				assertNoSecret(t, "stdout", stdout, secrets)
				assertNoSecret(t, "stderr", stderr, secrets)
				// --output and --baseline paths too.
				out := filepath.Join(baselineDir, fmt.Sprintf("r-%s-%d", format, i))
				cli{stdin: stdin}.run(t, append(args, "--output", out)...)
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				assertNoSecret(t, "--output file", string(data), secrets)
			})
		}
	}
	// The JSON run finds every kind of planted secret.
	_, stdout, _ := cli{stdin: stdin}.run(t, "scan", "--json", filepath.Join(dir, "app"), "-")
	for _, rule := range []string{"twilio-auth-token", "twilio-api-key", "sendgrid-api-key"} {
		if !strings.Contains(stdout, `"rule": "`+rule+`"`) {
			t.Errorf("rule %s not found", rule)
		}
	}
	if strings.Count(stdout, `"rule": "twilio-auth-token"`) < 6 {
		t.Errorf("expected at least 6 auth-token findings:\n%s", stdout)
	}
}

// assertNoSecret fails if any 6-character piece of a secret appears in s.
func assertNoSecret(t *testing.T, where, s string, secrets []string) {
	t.Helper()
	for _, sec := range secrets {
		for i := 0; i+6 <= len(sec); i++ {
			if piece := sec[i : i+6]; strings.Contains(s, piece) {
				t.Errorf("%s contains %q, a piece of a planted secret", where, piece)
				return
			}
		}
	}
}

func TestScanProgressOnlyOnTerminal(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": strings.Repeat("hello world\n", 1000)})
	tests := []struct {
		name     string
		terminal bool
		env      map[string]string
		args     []string
		want     bool
	}{
		{"terminal", true, nil, nil, true},
		{"not a terminal", false, nil, nil, false},
		{"CI", true, map[string]string{"CI": "true"}, nil, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, nil, false},
		{"quiet", true, nil, []string{"--quiet"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"scan", dir}, tt.args...)
			code := Run(context.Background(), args, IO{
				In: strings.NewReader(""), Out: &out, Err: &errb, IsTerminal: tt.terminal,
				Getenv: func(k string) string { return tt.env[k] },
			})
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if got := errb.Len() > 0; got != tt.want {
				t.Errorf("progress on stderr = %v (%q), want %v", got, errb.String(), tt.want)
			}
		})
	}
}
