//go:build unix

package site

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// cpuTime returns the CPU time used by this process so far.
func cpuTime() cpuUse {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return cpuUse{}
	}
	return cpuUse{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

// peakRSS returns the peak resident set size of an ended child process in bytes.
func peakRSS(ps *os.ProcessState) uint64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return uint64(ru.Maxrss) // bytes there, KiB elsewhere
	}
	return uint64(ru.Maxrss) << 10
}

// syncDisks flushes dirty pages so that a measured build does not pay for
// writing back files made before it.
func syncDisks() { syscall.Sync() }
