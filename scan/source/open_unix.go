//go:build unix

package source

import (
	"io/fs"
	"os"
	"syscall"
)

// openFile opens a file to read it once, start to end. os.Open registers
// every descriptor with the runtime's poller (an epoll_ctl that fails for
// a regular file, and four fcntl calls around it); a directory scan opens
// thousands of small files, and those five system calls were a third of
// the calls per file (docs/benchmarks.md, "Directory scan beside
// ripgrep"). os.NewFile on a blocking descriptor skips the poller.
func openFile(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
