//go:build unix

package command

import "syscall"

// cpuTimes returns the process's system and user CPU time in seconds.
func cpuTimes() (sys, user float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return tvSeconds(ru.Stime), tvSeconds(ru.Utime)
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}
