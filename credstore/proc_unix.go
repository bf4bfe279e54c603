//go:build unix

package credstore

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts the command in a process group of its own and makes
// cancellation kill the whole group: `sh -c` forks, and killing only the
// shell would leave its children running with the token on their stdin.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// keepGroup gives the new file the group of the file it replaces, where the
// process may (it is a member of that group): an application may read the
// credential file through its group. Failure keeps the process's group.
func keepGroup(f *os.File, old os.FileInfo) {
	if old == nil {
		return
	}
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(-1, int(st.Gid))
	}
}
