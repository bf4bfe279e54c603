package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// colorOK: colours and progress bars never with NO_COLOR or in CI.
func colorOK(streams IO) bool {
	return streams.Getenv("NO_COLOR") == "" && streams.Getenv("CI") == ""
}
