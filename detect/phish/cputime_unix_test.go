//go:build unix

package phish

import "syscall"

// cpuSeconds is the process's user+system CPU time: benchmarks report
// messages per CPU-second beside wall-clock rates because the machine is
// shared while measuring.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
