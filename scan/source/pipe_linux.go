package source

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// bigPipe returns a pipe for a child's output that Go reads with plain
// blocking reads, not through the network poller, and whose kernel buffer
// is 1 MiB instead of 64 KiB: reading git's stream then costs a few large
// reads instead of a park/wake cycle every 64 KiB.
func bigPipe() (r, w *os.File, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	_, _ = unix.FcntlInt(uintptr(p[0]), unix.F_SETPIPE_SZ, 1<<20) // best effort
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}
