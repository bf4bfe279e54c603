package cli

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the atoguard binary in-process: scripts call
// `atoguard ...` and get cli.Run with the process's real streams.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"atoguard": func() {
			streams := StdIO(BuildInfo{})
			streams.IsTerminal = false
			os.Exit(Run(context.Background(), os.Args[1:], streams))
		},
	})
}

// TestScripts runs every acceptance script in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Deterministic git for history scripts, isolated from the host.
			env.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Mallory")
			env.Setenv("GIT_AUTHOR_EMAIL", "mallory@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Mallory")
			env.Setenv("GIT_COMMITTER_EMAIL", "mallory@example.com")
			env.Setenv("GIT_AUTHOR_DATE", "2025-03-01T12:00:00Z")
			env.Setenv("GIT_COMMITTER_DATE", "2025-03-01T12:00:00Z")
			return nil
		},
	})
}
