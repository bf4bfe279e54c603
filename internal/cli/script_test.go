package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xeipuuv/gojsonschema"
)

// TestMain lets testscript run the atoguard binary in-process: scripts call
// `atoguard ...` and get cli.Run with the process's real streams.
func TestMain(m *testing.M) {
	// The crash test's child kills itself with SIGKILL: testscript.Main's
	// temporary directory would survive it, so the child goes without.
	if os.Getenv("ATOGUARD_RESPOND_CRASH_CHILD") == "1" {
		os.Exit(m.Run())
	}
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
			// Scripts that run the repository's own files (the GitHub
			// Action's script) find them here.
			root, err := filepath.Abs(filepath.Join("..", ".."))
			env.Setenv("REPO_ROOT", root)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sarif-valid":    sarifValid,
			"emulator-start": emulatorStart,
		},
	})
}

// sarifValid FILE checks FILE against the SARIF 2.1.0 schema vendored in
// report/testdata.
func sarifValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sarif-valid FILE")
	}
	schema := gojsonschema.NewReferenceLoader("file://" + filepath.Join(ts.Getenv("REPO_ROOT"), "report", "testdata", "sarif-schema-2.1.0.json"))
	doc := gojsonschema.NewStringLoader(ts.ReadFile(args[0]))
	r, err := gojsonschema.Validate(schema, doc)
	ts.Check(err)
	if r.Valid() == neg {
		var errs []string
		for _, e := range r.Errors() {
			errs = append(errs, e.String())
		}
		ts.Fatalf("%s: valid=%v, want %v: %s", args[0], r.Valid(), !neg, strings.Join(errs, "; "))
	}
}

// emulatorStart SCENARIO starts an in-process Twilio emulator on 127.0.0.1
// with a small world of that scenario, its clock at the wall clock (so the
// commands' default windows cover the attack), and stops it when the script
// ends. It sets TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (the ISV's, fabricated)
// and ATOGUARD_TWILIO_API_URL, plus INCIDENT_START (an hour before the
// attack, RFC 3339; the world's start for benign worlds) and writes the
// known-good configuration to $WORK/snapshot.json.
func emulatorStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emulator-start SCENARIO")
	}
	now := time.Now().UTC().Truncate(time.Second)
	w, err := scenario.BuildWith(args[0], scenario.Options{Seed: 7, Now: now, Subaccounts: 2, MessagesPerDay: 40, Days: 37})
	ts.Check(err)
	e, err := emulator.New(emulator.Options{World: w, Seed: 7})
	ts.Check(err)
	url, stop, err := e.Start("127.0.0.1:0")
	ts.Check(err)
	ts.Defer(stop)
	for _, a := range w.Accounts {
		if !a.IsSubaccount() {
			ts.Setenv("TWILIO_ACCOUNT_SID", a.SID)
			ts.Setenv("TWILIO_AUTH_TOKEN", a.AuthToken)
		}
	}
	ts.Setenv("ATOGUARD_TWILIO_API_URL", url)
	start := now.Add(-scenario.Window)
	if !w.AttackStart.IsZero() {
		start = w.AttackStart.Add(-time.Hour)
	}
	ts.Setenv("INCIDENT_START", start.Format(time.RFC3339))
	snap, err := json.Marshal(w.Snapshot)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs("snapshot.json"), snap, 0o600))
}
