// Command shoal-benchmark is a memtier_benchmark-like load generator for
// Shoal, Valkey and Redis, standalone or in cluster mode:
//
//	shoal-benchmark -s HOST -p PORT [--cluster-mode] --ratio 1:10 --data-size N \
//	    --key-maximum N --test-time SECONDS [--rate OPS] [--out DIR] [--events FILE]
//
// It prints a memtier-style summary and, with --out, writes a per-second
// timeline (CSV) and charts (PNG, SVG). The engine is internal/loadgen.
package main

import (
	"os"

	"github.com/shoal-db/shoal/internal/loadgen"
)

func main() {
	os.Exit(loadgen.Main(os.Args[1:], os.Stdout, os.Stderr))
}
