package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/atoguard/atoguard/sink"
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
	hooks := respondHooks{afterJournal: func(k int) {
		if k == n {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // never return: nothing after record N may happen
		}
	}}
	streams := StdIO()
	streams.IsTerminal = false
	fillDefaults(&streams)
	cmd := newRespondCommandWith(streams, hooks)
	cmd.SetArgs(args[1:]) // args[0] is "respond"
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		os.Exit(exitStatus(err, streams.Err))
	}
	os.Exit(0)
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		n++
	}
	return n
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
	total := countLines(t, rc.journal)
	if total < 20 {
		t.Fatalf("only %d journal records", total)
	}
	step := 1 // every record; -short and the race detector sample every third
	if testing.Short() || raceEnabled {
		step = 3
	}
	for n := 1; n < total; n += step {
		m := startEmulator(t, world)
		rc := newRespondCase(t, m)
		args := rc.args("apply", extra...)
		child := exec.Command(os.Args[0], "-test.run=^TestRespondCrashChild$", "-test.count=1")
		child.Env = append(os.Environ(),
			"ATOGUARD_RESPOND_CRASH_CHILD=1",
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
			t.Fatalf("kill after record %d: child was not killed (err %v):\n%s", n, err, out.String())
		}
		// Other workers may have written a record or two more before the kill.
		if got := countLines(t, rc.journal); got < n {
			t.Fatalf("kill after record %d: journal has %d records", n, got)
		}

		// At the kill point every account has a stored working credential:
		// the sink's token works, or nothing is stored yet and the original does.
		fs := &sink.File{Path: rc.sinkPath}
		for _, a := range m.world.Accounts {
			tok, err := fs.Load(context.Background(), a.SID)
			switch {
			case err == nil:
				if !m.works(t, a.SID, tok.Reveal()) {
					t.Fatalf("kill after record %d: %s: the stored token does not work", n, a.SID)
				}
			case errors.Is(err, sink.ErrNotStored):
				if !m.works(t, a.SID, a.AuthToken) {
					t.Fatalf("kill after record %d: %s: nothing stored and the original token is dead", n, a.SID)
				}
			default:
				t.Fatalf("kill after record %d: reading the sink: %v", n, err)
			}
		}

		// Resume (the configured token may be dead by now).
		if code := rc.run(t, rc.args("apply", append(extra, "--resume")...)...); code != 0 {
			t.Fatalf("kill after record %d: resume exit %d:\n%s", n, code, rc.stderr.String())
		}
		rc.assertContained(t, strings.Split(allow, ","))
		if t.Failed() {
			t.Fatalf("kill after record %d: wrong final state", n)
		}
	}
}
