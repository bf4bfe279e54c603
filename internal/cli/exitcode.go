package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// exitCodeFlag is the --exit-code of commands that report findings: the
// status to use when something was found, so a pipeline can run report-only
// (--exit-code 0). Errors keep ExitError whatever it says, which is why 2 is
// refused: a pipeline could not tell findings from failure.
type exitCodeFlag int

func (e *exitCodeFlag) String() string { return strconv.Itoa(int(*e)) }
func (e *exitCodeFlag) Type() string   { return "int" }

func (e *exitCodeFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 125 || n == ExitError {
		return fmt.Errorf("want a whole number from 0 to 125 other than %d, which errors keep", ExitError)
	}
	*e = exitCodeFlag(n)
	return nil
}

const exitCodeFlagName = "exit-code"

// addExitCodeFlag gives cmd --exit-code; commandExitStatus reads it.
func addExitCodeFlag(cmd *cobra.Command) {
	v := exitCodeFlag(ExitFindings)
	cmd.Flags().Var(&v, exitCodeFlagName, "exit status when findings exist (0 reports only; errors still exit 2)")
}

// findingsStatus is the exit status for findings of cmd: its --exit-code if
// it has one, else ExitFindings.
func findingsStatus(cmd *cobra.Command) int {
	if cmd == nil {
		return ExitFindings
	}
	if f := cmd.Flags().Lookup(exitCodeFlagName); f != nil {
		if v, ok := f.Value.(*exitCodeFlag); ok {
			return int(*v)
		}
	}
	return ExitFindings
}
