//go:build unix

package playbook

import (
	"os"
	"syscall"

	"github.com/atoguard/atoguard"
)

// lockFile takes an exclusive advisory lock on the journal so two applies
// cannot interleave; the kernel drops it when the process dies, so a crash
// never leaves a stale lock behind.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	for err == syscall.EINTR { // a signal (Go's preemption) is not another holder
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		return atoguard.Errorf(atoguard.ECONFLICT, "journal.lock", "%s is in use by another atoguard respond (%v)", f.Name(), err)
	}
	return nil
}
