package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestRespondCrashChild is not a test: TestRespondCrashResume runs the test
// binary again with this test selected to get an apply in a separate
// process, which kills itself with SIGKILL right after journal record N is
// fsynced.
func TestRespondCrashChild(t *testing.T) {
	if os.Getenv("ATOGUARD_RESPOND_CRASH_CHILD") != "1" {
		t.Skip("helper process for TestRespondCrashResume")
	}
	n, _ := strconv.Atoi(os.Getenv("ATOGUARD_RESPOND_CRASH_AFTER"))
	args := strings.Split(os.Getenv("ATOGUARD_RESPOND_ARGS"), "\x1f")
	die := func() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never return: nothing after this point may happen
	}
	var hooks respondHooks
	count := new(atomic.Int64)
	switch os.Getenv("ATOGUARD_RESPOND_CRASH_MODE") {
	case "store": // the token is in the sink, the journal does not say so
		hooks.wrapStore = func(s atoguard.CredentialStore) atoguard.CredentialStore {
			return &crashSink{CredentialStore: s, n: int64(n), count: count, die: die}
		}
	case "promote": // the token is promoted, the journal does not say so
		hooks.wrapDial = func(d playbook.Dial) playbook.Dial {
			return func(c atoguard.Credential) playbook.Twilio {
				return &crashTwilio{Twilio: d(c), n: int64(n), count: count, die: die}
			}
		}
	default:
		hooks.afterJournal = func(k int) {
			if k == n {
				die()
			}
		}
	}
	streams := StdIO(BuildInfo{})
	streams.IsTerminal = false
	fillDefaults(&streams)
	cmd := newRespondCommandWith(streams, hooks)
	cmd.SetArgs(args[1:]) // args[0] is "respond"
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		os.Exit(exitStatus(err, streams.Err))
	}
	os.Exit(0)
}

type crashSink struct {
	atoguard.CredentialStore
	n     int64
	count *atomic.Int64
	die   func()
}

func (c *crashSink) Store(ctx context.Context, account string, tok atoguard.Secret) error {
	err := c.CredentialStore.Store(ctx, account, tok)
	if err == nil && c.count.Add(1) == c.n {
		c.die()
	}
	return err
}

type crashTwilio struct {
	playbook.Twilio
	n     int64
	count *atomic.Int64
	die   func()
}

func (c *crashTwilio) PromoteSecondaryAuthToken(ctx context.Context) error {
	err := c.Twilio.PromoteSecondaryAuthToken(ctx)
	if err == nil && c.count.Add(1) == c.n {
		c.die()
	}
	return err
}

// countRecords counts the journal's records (its header is not one).
func countRecords(t *testing.T, path string) int {
	t.Helper()
	j, err := playbook.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(j.Records())
}

// TestRespondCrashResume kills apply after every journal record in turn,
// checks that every account has a stored working credential at that moment,
// resumes, and checks the final state.
func TestRespondCrashResume(t *testing.T) {
	if os.Getenv("ATOGUARD_RESPOND_CRASH_CHILD") == "1" {
		t.Skip("inside the helper process")
	}
	t.Parallel()
	world := respondWorld(t, 2)
	allow := "CA,GB,IE,US"
	extra := []string{"--yes", "--allow-countries", allow}

	// How many records does an uninterrupted apply write?
	m := startEmulator(t, world)
	rc := newRespondCase(t, m)
	if code := rc.run(t, rc.args("apply", extra...)...); code != 0 {
		t.Fatalf("reference apply: exit %d: %s", code, rc.stderr.String())
	}
	total := countRecords(t, rc.journal)
	if total < 20 {
		t.Fatalf("only %d journal records", total)
	}
	step := 1 // every record; -short and the race detector sample every third
	if testing.Short() || testsupport.Race {
		step = 3
	}
	for n := 1; n < total; n += step {
		crashAndResume(t, world, "journal", n, extra, allow)
	}
}

// crashAndResume runs apply in a child process that dies at point n of
// mode, checks every account has a stored working credential, resumes and
// checks the final state.
func crashAndResume(t *testing.T, world *scenario.World, mode string, n int, extra []string, allow string) {
	t.Helper()
	m := startEmulator(t, world)
	rc := newRespondCase(t, m)
	args := rc.args("apply", extra...)
	child := exec.Command(os.Args[0], "-test.run=^TestRespondCrashChild$", "-test.count=1")
	child.Env = append(os.Environ(),
		"ATOGUARD_RESPOND_CRASH_CHILD=1",
		"ATOGUARD_RESPOND_CRASH_MODE="+mode,
		"ATOGUARD_RESPOND_CRASH_AFTER="+strconv.Itoa(n),
		"ATOGUARD_RESPOND_ARGS="+strings.Join(args, "\x1f"),
		"TWILIO_ACCOUNT_SID="+m.main().SID,
		"TWILIO_AUTH_TOKEN="+m.main().AuthToken,
		"ATOGUARD_TWILIO_API_URL="+m.url,
		"ATOGUARD_CONFIG=/dev/null",
	)
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	err := child.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("%s %d: child was not killed (err %v):\n%s", mode, n, err, out.String())
	}
	if mode == "journal" {
		// Other workers may have written a record or two more before the kill.
		if got := countRecords(t, rc.journal); got < n {
			t.Fatalf("kill after record %d: journal has %d records", n, got)
		}
	}

	// At the kill point every account has a stored working credential.
	assertWorkingCredentials(t, m, rc, fmt.Sprintf("%s %d", mode, n))

	// Resume (the configured token may be dead by now).
	if code := rc.run(t, rc.args("apply", append(extra, "--resume")...)...); code != 0 {
		t.Fatalf("%s %d: resume exit %d:\n%s", mode, n, code, rc.stderr.String())
	}
	rc.assertContained(t, strings.Split(allow, ","))
	if t.Failed() {
		t.Fatalf("%s %d: wrong final state", mode, n)
	}
}

// TestRespondCrashAfterSideEffects kills apply right after a token reached
// the sink, and right after a promotion, before either is journaled.
func TestRespondCrashAfterSideEffects(t *testing.T) {
	if os.Getenv("ATOGUARD_RESPOND_CRASH_CHILD") == "1" {
		t.Skip("inside the helper process")
	}
	t.Parallel()
	world := respondWorld(t, 2)
	extra := []string{"--yes", "--allow-countries", "CA,GB,IE,US", "--concurrency", "1"}
	for _, mode := range []string{"store", "promote"} {
		for n := 1; n <= len(world.Accounts); n++ {
			crashAndResume(t, world, mode, n, extra, "CA,GB,IE,US")
		}
	}
}

// assertWorkingCredentials checks that every account of the world has a
// working credential: the file sink's token works, or nothing is stored yet
// and the original does.
func assertWorkingCredentials(t *testing.T, m *emu, rc *respondCase, label string) {
	t.Helper()
	fs := &credstore.File{Path: rc.sinkPath}
	for _, a := range m.world.Accounts {
		tok, err := fs.Load(context.Background(), a.SID)
		switch {
		case err == nil:
			if !m.works(t, a.SID, tok.Reveal()) {
				t.Fatalf("%s: %s: the stored token does not work", label, a.SID)
			}
		case errors.Is(err, atoguard.ErrNotStored):
			if !m.works(t, a.SID, a.AuthToken) {
				t.Fatalf("%s: %s: nothing stored and the original token is dead", label, a.SID)
			}
		default:
			t.Fatalf("%s: reading the sink: %v", label, err)
		}
	}
}
