// Command migration is the migration experiment (issue 8, DESIGN §8): a
// 3-primary Shoal cluster holding SIZE bytes of VALUE-byte values gains a
// 4th primary and gives it back, once with atomic slot migration (CLUSTER
// MIGRATESLOTS, one job per source) and once the legacy way (redis-cli
// --cluster rebalance: SETSLOT + MIGRATE), without load and then under a
// 1:10 set:get load from shoal-benchmark's engine. It prints a markdown
// table (times, speed-up, bytes/s, write pause, source memory overhead,
// client throughput and p99 before/during/after, errors) and writes a
// throughput-over-time chart per scaling event under -out.
//
//	go run ./bench/migration -server ./shoal-server -size 1g
//
// Every process it starts is stopped by its PID before it exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/bench/internal/warm"
)

type options struct {
	server, cli, out string
	size             int64
	value            int
	load, legacy     bool
	clients          int
	warm             int64 // bytes touched and freed before each event
}

func main() {
	var o options
	var size, warm string
	flag.StringVar(&o.server, "server", "./shoal-server", "shoal-server binary")
	flag.StringVar(&o.cli, "redis-cli", "redis-cli", "redis-cli binary (the legacy path)")
	flag.StringVar(&o.out, "out", "", "directory for charts and the table (default bench/results/migration-TIME)")
	flag.StringVar(&size, "size", "1g", "dataset size (k, m, g suffixes)")
	flag.IntVar(&o.value, "value", 16384, "value size in bytes")
	flag.BoolVar(&o.load, "load", true, "repeat every event under a 1:10 set:get load")
	flag.BoolVar(&o.legacy, "legacy", true, "also run the legacy path")
	flag.IntVar(&o.clients, "clients", 20, "load clients")
	flag.StringVar(&warm, "warm", "0", "touch and free this much memory before each event (k, m, g suffixes; see bench/internal/warm)")
	flag.Parse()
	n, err := parseSize(size)
	if err != nil {
		fail(err)
	}
	o.size = n
	if o.warm, err = parseSize(warm); err != nil {
		fail(err)
	}
	if o.out == "" {
		o.out = filepath.Join("bench", "results", "migration-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		fail(err)
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "migration:", err)
	os.Exit(1)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "g"):
		mult, s = 1<<30, strings.TrimSuffix(s, "g")
	case strings.HasSuffix(s, "m"):
		mult, s = 1<<20, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "k"):
		mult, s = 1<<10, strings.TrimSuffix(s, "k")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

func run(o options) error {
	if _, err := exec.LookPath(o.server); err != nil {
		return fmt.Errorf("shoal-server binary: %w (build it: go build -o shoal-server ./cmd/shoal-server)", err)
	}
	root, err := os.MkdirTemp("", "shoal-migration-")
	if err != nil {
		return err
	}
	var nodes []*node
	failed := true
	defer func() {
		if failed || os.Getenv("KEEP_LOGS") != "" {
			log("servers' logs and nodes.conf kept in %s", root)
		} else {
			os.RemoveAll(root)
		}
	}()
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	for i := 0; i < 4; i++ {
		n, err := startNode(o.server, root, i)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
	}
	ctx := context.Background()
	if err := formCluster(ctx, nodes, 3); err != nil {
		return err
	}
	keys := o.size / int64(o.value)
	log("loading %d keys of %d bytes (%s)", keys, o.value, human(o.size))
	if err := loadData(ctx, nodes, keys, o.value); err != nil {
		return err
	}
	var rows []row
	for _, loaded := range loadModes(o.load) {
		for _, mode := range modes(o.legacy) {
			for _, dir := range []string{"out", "in"} {
				r, err := event(ctx, o, nodes, keys, mode, dir, loaded)
				if err != nil {
					return err
				}
				log("%s: %v, %d keys, pause %d µs, source RSS +%s, queue peak %s, node CPU %s", r.m.Name, r.m.Duration.Round(time.Millisecond),
					r.m.Keys, r.m.PauseMaxUs, human(r.m.SourcePeak), human(r.m.Queued), r.m.CPU)
				rows = append(rows, r)
			}
		}
	}
	table := report(rows, o, keys)
	fmt.Print(table)
	failed = false
	return os.WriteFile(filepath.Join(o.out, "results.md"), []byte(table), 0o644)
}

func loadModes(load bool) []bool {
	if load {
		return []bool{false, true}
	}
	return []bool{false}
}

func modes(legacy bool) []string {
	if legacy {
		return []string{"asm", "legacy"}
	}
	return []string{"asm"}
}

// event runs one scaling event, under load when loaded.
func event(ctx context.Context, o options, nodes []*node, keys int64, mode, dir string, loaded bool) (row, error) {
	do := func() (move, error) {
		switch mode + dir {
		case "asmout":
			return asmOut(ctx, nodes, o.value)
		case "asmin":
			return asmIn(ctx, nodes, o.value)
		case "legacyout":
			return legacyOut(ctx, nodes, o.value, o.cli)
		default:
			return legacyIn(ctx, nodes, o.value, o.cli)
		}
	}
	if o.warm > 0 {
		warm.Memory(o.warm)
	}
	before := cpuTimes(nodes)
	var r row
	var err error
	if !loaded {
		r.m, err = do()
	} else {
		r, err = underLoad(ctx, o, nodes, keys, do)
	}
	r.m.CPU = cpuSince(nodes, before)
	return r, err
}

func log(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

func human(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
