//go:build unix

package scan

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process used so far; benchmarks report
// throughput per CPU-second too, which a shared machine distorts less than
// wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
