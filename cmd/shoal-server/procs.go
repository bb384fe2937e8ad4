package main

import (
	"log/slog"
	"os"
	"runtime"

	"github.com/shoal-db/shoal/internal/config"
)

// setParallelism chooses how many goroutines execute Go code at once
// (GOMAXPROCS): the environment's GOMAXPROCS when set; else io-threads
// when it asks for more than one thread; else every CPU the runtime would
// use but one.
//
// Why not every CPU: a network server shares its machine with the
// kernel's network processing and usually with other processes. With a
// P for every core, the runtime's idle Ps spin looking for work and its
// threads take the core those need; on a 2-core machine running
// redis-benchmark beside the server, GOMAXPROCS=2 made 0.71–0.90 of
// Valkey's throughput with 1.5× its CPU per request, GOMAXPROCS=1 made
// 0.97–1.12 with 0.9× (bench/single-node.sh, docs/design/0011). Valkey
// itself executes commands on one thread; io-threads is its knob for more,
// and here it sets how many.
func setParallelism(cfg *config.Config, logger *slog.Logger) {
	n, why := chooseProcs(os.Getenv("GOMAXPROCS") != "", int(cfg.Int("io-threads")), runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(n)
	logger.Info("parallelism", "gomaxprocs", n, "from", why)
}

// chooseProcs is setParallelism's rule; runtimeProcs is the runtime's own
// choice (the CPUs it may use, cgroup limits included).
func chooseProcs(envSet bool, ioThreads, runtimeProcs int) (int, string) {
	switch {
	case envSet:
		return runtimeProcs, "GOMAXPROCS"
	case ioThreads > 1:
		return ioThreads, "io-threads"
	default:
		return max(1, runtimeProcs-1), "cpus-1"
	}
}
