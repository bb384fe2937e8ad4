package command

import (
	"syscall"
	"testing"
	"time"
)

// cpuTimer reports the process CPU time (user+system, every thread,
// including the GC's) per benchmark iteration as "cpu-ns/op". On a shared,
// loaded machine wall-clock ns/op swings with other tenants; CPU time is
// a steadier measure of the work done.
type cpuTimer struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPUTimer(b *testing.B) *cpuTimer {
	b.ResetTimer()
	return &cpuTimer{start: processCPU()}
}

func (t *cpuTimer) report(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-t.start)/float64(b.N), "cpu-ns/op")
}
