package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// move is what one scaling event measured.
type move struct {
	Name        string
	Duration    time.Duration
	Keys        int64 // keys that changed owner
	Bytes       int64 // bytes sent (ASM) or keys × value size (legacy)
	PauseMaxUs  int64 // longest write pause of a job (ASM)
	SourcePeak  int64 // peak RSS growth of a source during the move
	Queued      int64 // ASM: sum of the jobs' peak output queues
	MigratedPer float64
	CPU         cpuUse // CPU time of each node over the whole event
}

// rssWatch samples the sources' RSS while a move runs and keeps, per
// node, the growth over its level at the start.
type rssWatch struct {
	stop chan struct{}
	done sync.WaitGroup
	peak int64
}

func watchRSS(nodes []*node) *rssWatch {
	w := &rssWatch{stop: make(chan struct{})}
	base := make([]int64, len(nodes))
	for i, n := range nodes {
		base[i] = n.rss()
	}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			for i, n := range nodes {
				if d := n.rss() - base[i]; d > w.peak {
					w.peak = d
				}
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) end() int64 {
	close(w.stop)
	w.done.Wait()
	return w.peak
}

// ranges compresses ascending slots into "lo hi" pairs.
func ranges(slots []int) []string {
	var out []string
	for i := 0; i < len(slots); {
		j := i
		for j+1 < len(slots) && slots[j+1] == slots[j]+1 {
			j++
		}
		out = append(out, strconv.Itoa(slots[i]), strconv.Itoa(slots[j]))
		i = j + 1
	}
	return out
}

func dbsize(ctx context.Context, n *node) int64 {
	v, _ := n.rc.DBSize(ctx).Result()
	return v
}

// asmOut moves a quarter of the slots to the new node: one MIGRATESLOTS per
// source, each giving the top quarter of what it owns.
func asmOut(ctx context.Context, nodes []*node, value int) (move, error) {
	own, err := owned(ctx, nodes[0])
	if err != nil {
		return move{}, err
	}
	target := nodes[len(nodes)-1]
	plans := map[*node][]int{}
	for _, n := range nodes[:len(nodes)-1] {
		s := own[n.id]
		plans[n] = s[len(s)-len(s)/4:]
	}
	return asmRun(ctx, nodes, target, plans, "asm 3→4")
}

// asmIn moves the new node's slots back, split evenly over the others, in
// one MIGRATESLOTS with one block per target.
func asmIn(ctx context.Context, nodes []*node, value int) (move, error) {
	own, err := owned(ctx, nodes[0])
	if err != nil {
		return move{}, err
	}
	src := nodes[len(nodes)-1]
	s := own[src.id]
	rest := nodes[:len(nodes)-1]
	args := []any{"CLUSTER", "MIGRATESLOTS"}
	per := (len(s) + len(rest) - 1) / len(rest)
	for i, n := range rest {
		part := s[min(i*per, len(s)):min((i+1)*per, len(s))]
		if len(part) == 0 {
			continue
		}
		args = append(args, "SLOTSRANGE")
		for _, r := range ranges(part) {
			args = append(args, r)
		}
		args = append(args, "NODE", n.id)
	}
	old := jobNames(ctx, []*node{src})
	w := watchRSS([]*node{src})
	start := time.Now()
	if err := src.rc.Do(ctx, args...).Err(); err != nil {
		w.end()
		return move{}, err
	}
	m, err := waitJobs(ctx, []*node{src}, old)
	m.Duration = time.Since(start)
	m.SourcePeak = w.end()
	m.Name = "asm 4→3"
	if err == nil {
		err = agree(ctx, nodes, time.Minute)
	}
	return m, err
}

func asmRun(ctx context.Context, nodes []*node, target *node, plans map[*node][]int, name string) (move, error) {
	var sources []*node
	for n := range plans {
		sources = append(sources, n)
	}
	old := jobNames(ctx, sources)
	w := watchRSS(sources)
	start := time.Now()
	for n, slots := range plans {
		args := []any{"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE"}
		for _, r := range ranges(slots) {
			args = append(args, r)
		}
		args = append(args, "NODE", target.id)
		if err := n.rc.Do(ctx, args...).Err(); err != nil {
			w.end()
			return move{}, fmt.Errorf("MIGRATESLOTS on %s: %w", n.addr(), err)
		}
	}
	m, err := waitJobs(ctx, sources, old)
	m.Duration = time.Since(start)
	m.SourcePeak = w.end()
	m.Name = name
	if err == nil {
		err = agree(ctx, nodes, time.Minute)
	}
	return m, err
}

// jobNames lists the jobs already in the nodes' migration logs, so that
// waitJobs counts only the event's own.
func jobNames(ctx context.Context, nodes []*node) map[string]bool {
	seen := map[string]bool{}
	for _, n := range nodes {
		res, _ := n.rc.Do(ctx, "CLUSTER", "GETSLOTMIGRATIONS").Slice()
		for _, j := range res {
			seen[toMap(j)["name"]] = true
		}
	}
	return seen
}

// waitJobs waits until every active job on the nodes ended, and sums what
// the jobs not in old report.
func waitJobs(ctx context.Context, nodes []*node, old map[string]bool) (move, error) {
	var m move
	for {
		active, failed := 0, ""
		m = move{}
		for _, n := range nodes {
			res, err := n.rc.Do(ctx, "CLUSTER", "GETSLOTMIGRATIONS").Slice()
			if err != nil {
				return m, err
			}
			for _, j := range res {
				job := toMap(j)
				if old[job["name"]] {
					continue
				}
				st := job["state"]
				if st == "success" || st == "failed" || st == "cancelled" {
					if st != "success" && failed == "" {
						failed = fmt.Sprintf("%s: %s %s", n.addr(), st, job["message"])
					}
				} else {
					active++
				}
				p := parseProgress(job["progress"])
				m.Bytes += p["bytes"]
				m.Keys += p["keys"]
				m.Queued += p["peak_buffer"]
				m.PauseMaxUs = max(m.PauseMaxUs, p["write_pause_us"])
			}
		}
		if active == 0 {
			if failed != "" {
				return m, fmt.Errorf("migration failed: %s", failed)
			}
			return m, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func toMap(v any) map[string]string {
	out := map[string]string{}
	switch j := v.(type) {
	case map[any]any:
		for k, val := range j {
			out[fmt.Sprint(k)] = fmt.Sprint(val)
		}
	case map[string]any:
		for k, val := range j {
			out[k] = fmt.Sprint(val)
		}
	case []any:
		for i := 0; i+1 < len(j); i += 2 {
			out[fmt.Sprint(j[i])] = fmt.Sprint(j[i+1])
		}
	}
	return out
}

func parseProgress(s string) map[string]int64 {
	out := map[string]int64{}
	for _, kv := range strings.Fields(s) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k], _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return out
}

// legacyOut rebalances onto the empty node with redis-cli (SETSLOT +
// MIGRATE, key by key), as existing tooling does.
func legacyOut(ctx context.Context, nodes []*node, value int, cli string) (move, error) {
	target := nodes[len(nodes)-1]
	return legacyRun(ctx, nodes, nodes[:len(nodes)-1], value, cli, "legacy 3→4", func() int64 { return dbsize(ctx, target) },
		"--cluster", "rebalance", nodes[0].addr(), "--cluster-use-empty-masters", "--cluster-yes")
}

// legacyIn empties the fourth node with a zero weight.
func legacyIn(ctx context.Context, nodes []*node, value int, cli string) (move, error) {
	src := nodes[len(nodes)-1]
	return legacyRun(ctx, nodes, []*node{src}, value, cli, "legacy 4→3", func() int64 { return -dbsize(ctx, src) },
		"--cluster", "rebalance", nodes[0].addr(), "--cluster-weight", src.id+"=0", "--cluster-yes")
}

func legacyRun(ctx context.Context, nodes, sources []*node, value int, cli, name string, count func() int64, args ...string) (move, error) {
	w := watchRSS(sources)
	before := count()
	start := time.Now()
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	m := move{Name: name, Duration: time.Since(start), SourcePeak: w.end()}
	if err != nil {
		return m, fmt.Errorf("redis-cli %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	m.Keys = count() - before
	m.Bytes = m.Keys * int64(value)
	return m, agree(ctx, nodes, time.Minute)
}
