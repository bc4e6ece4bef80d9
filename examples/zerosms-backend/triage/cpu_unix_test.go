//go:build unix

package triage_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) this process has used. The
// benchmarks report it per message beside the wall time, because on a shared
// machine other processes inflate the wall time but not this.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}

	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
