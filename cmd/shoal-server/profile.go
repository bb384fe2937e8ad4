package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles honours SHOAL_CPUPROFILE and SHOAL_MEMPROFILE (file
// paths), for performance work: the CPU profile covers the server's whole
// life and the heap profile is written at exit. The returned function
// stops and writes them.
func startProfiles() (func(), error) {
	stop := func() {}
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
