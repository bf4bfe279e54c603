package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanHistoryCache: --cache gives the same report on a re-scan, says
// what it reused, and is refused where it cannot apply (exit 2).
func TestScanHistoryCache(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	writeTree(t, repo, map[string]string{"deploy.env": "TWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n",
		"README.md": "hello\n"})
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "add"}} {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cache := filepath.Join(t.TempDir(), "history.cache")
	code1, out1, _ := cli{}.run(t, "scan", "--history", "--json", "--cache", cache, repo)
	code2, out2, err2 := cli{}.run(t, "scan", "--history", "--json", "--cache", cache, repo)
	findings := func(out string) string {
		var rep struct{ Findings json.RawMessage }
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err, out)
		}
		return string(rep.Findings)
	}
	if code1 != 1 || code2 != 1 || findings(out1) != findings(out2) || !strings.Contains(out1, "twilio-auth-token") {
		t.Fatalf("exit %d then %d; reports differ or miss the secret:\n%s\n%s", code1, code2, out1, out2)
	}
	if !strings.Contains(err2, "history cache: 1 blob(s) scanned before") {
		t.Errorf("second run does not say what it reused: %s", err2)
	}
	for _, args := range [][]string{
		{"scan", "--cache", cache, repo},
		{"scan", "--history", "--since-commit", "main", "--cache", cache, repo},
		{"scan", "--history", "--cache", cache, repo, repo},
	} {
		if code, _, errOut := (cli{}).run(t, args...); code != 2 || !strings.Contains(errOut, "--cache") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}
