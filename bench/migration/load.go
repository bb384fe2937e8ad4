package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/loadgen"
)

// keyPrefix is shoal-benchmark's default, so the load reads the dataset.
const keyPrefix = "memtier-"

// loadData writes keys values of size bytes across the cluster.
func loadData(ctx context.Context, nodes []*node, keys int64, size int) error {
	rc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{nodes[0].addr()}, ReadTimeout: time.Minute})
	defer rc.Close()
	val := []byte(strings.Repeat("0123456789abcdef", size/16+1)[:size])
	pipe := rc.Pipeline()
	for i := int64(0); i < keys; i++ {
		pipe.Set(ctx, keyPrefix+strconv.FormatInt(i, 10), val, 0)
		if pipe.Len() == 256 {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// phase is the client's view of one window of an event.
type phase struct {
	OpsPerSec float64
	P99Ms     float64 // worst per-second p99 in the window
}

// row is one scaling event: the move and, under load, what clients saw.
type row struct {
	m                     move
	loaded                bool
	before, during, after phase
	errors                int64
	chart                 string
}

// window is how long the load runs before and after the move.
const window = 5 * time.Second

// underLoad runs do while a 1:10 set:get load runs, and charts it.
func underLoad(ctx context.Context, o options, nodes []*node, keys int64, do func() (move, error)) (row, error) {
	cfg := loadgen.DefaultConfig()
	cfg.Port, cfg.Cluster = nodes[0].port, true
	cfg.Threads, cfg.Clients = 2, max(o.clients/2, 1)
	cfg.Requests, cfg.TestTime = 0, time.Hour
	cfg.DataSize, cfg.KeyPrefix, cfg.KeyMin, cfg.KeyMax = o.value, keyPrefix, 0, keys-1
	b, err := loadgen.New(cfg)
	if err != nil {
		return row{}, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan *loadgen.Result, 1)
	errc := make(chan error, 1)
	go func() {
		res, err := b.Run(runCtx)
		errc <- err
		done <- res
	}()
	for b.Live().Ops == 0 {
		select {
		case err := <-errc:
			cancel()
			return row{}, fmt.Errorf("load: %w", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	time.Sleep(window)
	start := time.Now()
	b.Mark("migration start")
	m, merr := do()
	b.Mark("migration end")
	end := time.Now()
	time.Sleep(window)
	cancel()
	if err := <-errc; err != nil && merr == nil {
		merr = err
	}
	res := <-done
	r := row{m: m, loaded: true}
	if res == nil {
		return r, merr
	}
	r.errors = res.Errors
	r.before = summarize(res.Timeline, start.Add(-window), start)
	r.during = summarize(res.Timeline, start, end)
	r.after = summarize(res.Timeline, end, end.Add(window))
	dir := filepath.Join(o.out, strings.ReplaceAll(strings.ReplaceAll(m.Name, " ", "-"), "→", "to"))
	r.chart = dir
	if err := loadgen.WriteOutputs(dir, res, m.Name+" under 1:10 set:get"); err != nil && merr == nil {
		merr = err
	}
	return r, merr
}

// summarize averages throughput over the timeline's seconds that lie in
// [from, to) — whole seconds only, except that a window shorter than a
// second (a fast migration) takes the seconds it overlaps — and keeps the
// worst p99.
func summarize(tl []loadgen.Second, from, to time.Time) phase {
	var p phase
	var ops float64
	n := 0
	short := to.Sub(from) < 2*time.Second
	for _, s := range tl {
		t := time.UnixMilli(s.UnixMs)
		end := t.Add(time.Duration(s.SpanMs) * time.Millisecond)
		inside := !t.Before(from) && !end.After(to)
		overlaps := t.Before(to) && end.After(from)
		if !(inside || short && overlaps) {
			continue
		}
		ops += s.OpsPerSec()
		n++
		p.P99Ms = max(p.P99Ms, s.P99Ms)
	}
	if n > 0 {
		p.OpsPerSec = ops / float64(n)
	}
	return p
}

// report renders the results as a markdown table.
func report(rows []row, o options, keys int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Slot migration experiment: %d keys × %d B (%s), 3↔4 primaries\n\n", keys, o.value, human(o.size))
	b.WriteString("| event | load | time | keys moved | MB/s | max write pause | source RSS growth | source queue peak | ops/s before | ops/s during | ops/s after | p99 before | p99 during | p99 after | client errors |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		load := "none"
		if r.loaded {
			load = "1:10"
		}
		mbs := float64(r.m.Bytes) / (1 << 20) / r.m.Duration.Seconds()
		pause := "—"
		if strings.HasPrefix(r.m.Name, "asm") {
			pause = fmt.Sprintf("%.1f ms", float64(r.m.PauseMaxUs)/1000)
		}
		queued := "—"
		if strings.HasPrefix(r.m.Name, "asm") {
			queued = human(r.m.Queued)
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f s | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.m.Name, load, r.m.Duration.Seconds(), r.m.Keys, mbs, pause, human(r.m.SourcePeak), queued,
			opt(r.loaded, "%.0f", r.before.OpsPerSec), opt(r.loaded, "%.0f", r.during.OpsPerSec), opt(r.loaded, "%.0f", r.after.OpsPerSec),
			opt(r.loaded, "%.2f ms", r.before.P99Ms), opt(r.loaded, "%.2f ms", r.during.P99Ms), opt(r.loaded, "%.2f ms", r.after.P99Ms),
			opt(r.loaded, "%.0f", float64(r.errors)))
	}
	b.WriteString("\n" + speedups(rows) + "\n")
	var charts []string
	for _, r := range rows {
		if r.chart != "" {
			charts = append(charts, "- "+r.m.Name+": "+filepath.Join(r.chart, "timeline.png"))
		}
	}
	sort.Strings(charts)
	if len(charts) > 0 {
		b.WriteString("Charts (client throughput and latency over time, migration marked):\n" + strings.Join(charts, "\n") + "\n")
	}
	return b.String()
}

func opt(ok bool, format string, v float64) string {
	if !ok {
		return "—"
	}
	return fmt.Sprintf(format, v)
}

// speedups prints legacy time / ASM time for each event and load.
func speedups(rows []row) string {
	times := map[string]time.Duration{}
	for _, r := range rows {
		times[fmt.Sprint(r.m.Name, r.loaded)] = r.m.Duration
	}
	var lines []string
	for _, dir := range []string{"3→4", "4→3"} {
		for _, loaded := range []bool{false, true} {
			a, l := times[fmt.Sprint("asm "+dir, loaded)], times[fmt.Sprint("legacy "+dir, loaded)]
			if a > 0 && l > 0 {
				load := "no load"
				if loaded {
					load = "1:10 load"
				}
				lines = append(lines, fmt.Sprintf("- %s, %s: legacy/ASM = %.1f×", dir, load, l.Seconds()/a.Seconds()))
			}
		}
	}
	return strings.Join(lines, "\n")
}
