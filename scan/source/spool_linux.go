package source

import (
	"os"

	"golang.org/x/sys/unix"
)

// spoolFile returns a read-write file in dir ("" is the system's) that has
// no name (O_TMPFILE), so nothing is left behind whatever kills the process,
// and the cleanup that closes it. Where the file system cannot do that, a
// named file unlinked at once.
func spoolFile(dir string) (*os.File, func(), error) {
	if dir == "" {
		dir = os.TempDir()
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return unlinkedTemp(dir)
	}
	f := os.NewFile(uintptr(fd), dir+"/(unnamed spool)")
	return f, func() { f.Close() }, nil
}
