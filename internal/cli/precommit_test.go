package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPreCommitHookDefinition checks the hook the pre-commit framework runs
// (.pre-commit-hooks.yaml at the repository top) and then runs its entry the
// way the framework does — in the repository, no file names — against a real
// repository: a staged credential blocks the commit, a clean index passes.
func TestPreCommitHookDefinition(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Name          string `yaml:"name"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		PassFilenames *bool  `yaml:"pass_filenames"`
		AlwaysRun     bool   `yaml:"always_run"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	// The id is what users put in .pre-commit-config.yaml (README); golang
	// makes the framework build cmd/atoguard, which installs as `atoguard`.
	if h.ID != "atoguard" || h.Name == "" || h.Language != "golang" {
		t.Errorf("hook %+v", h)
	}
	// --staged reads the index itself: file names must not be passed, and it
	// must run even when no file matches a filter.
	if h.PassFilenames == nil || *h.PassFilenames || !h.AlwaysRun {
		t.Errorf("pass_filenames must be false and always_run true: %+v", h)
	}
	args := strings.Fields(h.Entry)
	if len(args) < 3 || args[0] != "atoguard" || args[1] != "scan" || !strings.Contains(h.Entry, "--staged") {
		t.Fatalf("entry %q, want atoguard scan --staged", h.Entry)
	}

	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	writeTree(t, repo, map[string]string{
		"app.py":   "print('hello')\n",
		"prod.env": "TWILIO_ACCOUNT_SID=AC598fdd1a56846658f660652ed4810395\nTWILIO_AUTH_TOKEN=ce2337ad21d390367e018828cef2b0ef\n",
	})
	// The hook runs in the repository's top directory; chdir the test
	// process (no parallel tests in this package rely on the directory).
	t.Chdir(repo)
	git("add", "app.py")
	if code, out, errs := (cli{}).run(t, args[1:]...); code != ExitClean {
		t.Errorf("clean index: exit %d\n%s%s", code, out, errs)
	}
	git("add", "prod.env")
	code, out, errs := cli{}.run(t, args[1:]...)
	if code != ExitFindings || !strings.Contains(out, "prod.env:2:19 twilio-auth-token") {
		t.Errorf("staged credential: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out+errs, "ce2337") {
		t.Errorf("secret printed:\n%s%s", out, errs)
	}
}

// The README's pre-commit example pins a revision that exists and carries the
// hook definition, so copying it works.
func TestReadmePreCommitRevExists(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+rev: (\S+)`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no pre-commit rev")
	}
	git := func(args ...string) (string, error) {
		out, err := exec.Command("git", append([]string{"-C", filepath.Join("..", "..")}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if shallow, err := git("rev-parse", "--is-shallow-repository"); err != nil || shallow == "true" {
		t.Skipf("not a full git checkout (%v %s): the revision cannot be looked up", err, shallow)
	}
	if out, err := git("cat-file", "-e", string(m[1])+":.pre-commit-hooks.yaml"); err != nil {
		t.Fatalf("README pins rev %s, which has no .pre-commit-hooks.yaml here: %v %s", m[1], err, out)
	}
}
