package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfiles honours SHOAL_CPUPROFILE and SHOAL_MEMPROFILE (file
// paths), for performance work: the CPU profile covers the server's whole
// life and the heap profile is written at exit. SHOAL_TRACE writes an
// execution trace of the whole life to that path plus ".PID" (benchmarks
// start several servers with one environment). The returned function
// stops and writes them.
func startProfiles() (func(), error) {
	stopTrace, err := startTrace()
	if err != nil {
		return nil, err
	}
	stop := stopTrace
	if path := os.Getenv("SHOAL_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		stop = func() {
			pprof.StopCPUProfile()
			f.Close()
			stopTrace()
		}
	}
	memPath := os.Getenv("SHOAL_MEMPROFILE")
	if memPath != "" {
		runtime.MemProfileRate = 64 << 10
	}
	return func() {
		stop()
		if memPath == "" {
			return
		}
		f, err := os.Create(memPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "shoal-server: heap profile: %v\n", err)
			return
		}
		defer f.Close()
		// The profile reflects the last completed collection: without
		// one here, what was allocated since (a whole migration on an
		// idle node) is missing from it.
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "shoal-server: heap profile: %v\n", err)
		}
	}, nil
}

func startTrace() (func(), error) {
	path := os.Getenv("SHOAL_TRACE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("execution trace: %w", err)
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("execution trace: %w", err)
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}
