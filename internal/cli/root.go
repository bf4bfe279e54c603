// Package cli wires atoguard's commands: it parses flags, builds the
// dependencies each command needs and calls the packages that do the work.
// It is the only package that imports adapters and engines together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/spf13/cobra"
)

// Exit statuses: one place maps outcomes to them.
const (
	ExitClean    = 0 // nothing found, clean
	ExitFindings = 1 // findings, suspicious or worse
	ExitError    = 2 // usage or runtime error
)

// ErrFindings is returned by a command that ran fine and found something; it
// maps to ExitFindings without printing an error.
var ErrFindings = errors.New("findings")

// IO is the set of streams and the clock a command uses; tests inject their own.
type IO struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Now    func() time.Time
	Getenv func(string) string
	// IsTerminal reports whether stderr is a terminal (progress bars, colour).
	IsTerminal bool
	// Build is the release stamp; empty fields are read from the binary.
	Build BuildInfo
	// Sleep is the Twilio client's backoff wait (nil: a real timer); tests
	// make retries instant with it. It must return ctx.Err() when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// StdIO returns the process's real streams and the build's stamp.
func StdIO(build BuildInfo) IO {
	return IO{Build: build,
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Now: time.Now, Getenv: os.Getenv,
		IsTerminal: isTerminal(os.Stderr),
	}
}

// Main runs atoguard with args and returns the exit status.
func Main(args []string, streams IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, streams)
}

// Run is Main with a caller-supplied context (tests, the demo).
func Run(ctx context.Context, args []string, streams IO) int {
	fillDefaults(&streams)
	root := newRootCommand(streams)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return commandExitStatus(cmd, err, streams.Err)
}

func fillDefaults(s *IO) {
	if s.In == nil {
		s.In = eofReader{}
	}
	if s.Out == nil {
		s.Out = io.Discard
	}
	if s.Err == nil {
		s.Err = io.Discard
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Getenv == nil {
		s.Getenv = func(string) string { return "" }
	}
	s.Build = s.Build.complete()
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// exitStatus maps an error to an exit status and prints it once.
func exitStatus(err error, stderr io.Writer) int {
	return commandExitStatus(nil, err, stderr)
}

// commandExitStatus is exitStatus for the command that failed: a usage
// error points at that command's help ("atoguard scan --help"); without a
// command, at atoguard's own.
func commandExitStatus(cmd *cobra.Command, err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return ExitClean
	case errors.Is(err, ErrFindings):
		return findingsStatus(cmd)
	}
	// Errors carry file names, URLs and Twilio texts: never raw to a terminal.
	fmt.Fprintf(stderr, "atoguard: %s\n", atoguard.Printable(err.Error()))
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "hint: %s\n", h)
	}
	if atoguard.CodeOf(err) == atoguard.EINVALID {
		path := "atoguard"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
	}
	return ExitError
}

// NewRootCommand is the whole command tree, for tools that document it (man
// pages); Run is the way to execute it.
func NewRootCommand(streams IO) *cobra.Command {
	fillDefaults(&streams)
	return newRootCommand(streams)
}

func newRootCommand(streams IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "atoguard",
		Short: "Defend Twilio accounts against account takeover",
		Long: `atoguard finds leaked Twilio credentials, proves or rules out account takeover,
contains the attacker and keeps watching, following Twilio's guidance for
customers experiencing account takeover.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(flagError)
	root.PersistentFlags().String("config", "", "config file (TOML; default ./atoguard.toml if present, or $ATOGUARD_CONFIG)")
	for _, add := range commandBuilders() {
		root.AddCommand(add(streams))
	}
	return root
}

// commandBuilders lists every subcommand. Each command lives in its own file
// as newXxxCommand(IO) *cobra.Command and is added here.
func commandBuilders() []func(IO) *cobra.Command {
	return []func(IO) *cobra.Command{
		newVersionCommand,
		newScanCommand,
		newRespondCommand,
		newDemoCommand,
		newInvestigateCommand,
		newCheckMessageCommand,
		newExposureCommand,
		newEmulatorCommand,
		newAuditCommand,
		newServeCommand,
	}
}
