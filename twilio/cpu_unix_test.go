//go:build unix

package twilio

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time of the process so far, the fairer
// measure when other builds share the machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
