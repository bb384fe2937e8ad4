package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// moveOptions say how slots move.
type moveOptions struct {
	legacy   bool          // SETSLOT/GETKEYSINSLOT/MIGRATE instead of MIGRATESLOTS
	timeout  int           // MIGRATE timeout, ms
	pipeline int           // keys per GETKEYSINSLOT/MIGRATE batch
	replace  bool          // MIGRATE ... REPLACE when the target has the key
	parallel int           // atomic jobs running at once (0: all)
	rate     int64         // atomic: bytes/s per job (Shoal's RATE), 0 for no limit
	cold     bool          // fix: move keys only, no SETSLOT (legacy only)
	poll     time.Duration // GETSLOTMIGRATIONS polling interval
}

func defaultMoveOptions() moveOptions {
	return moveOptions{timeout: 60000, pipeline: 10, poll: 100 * time.Millisecond}
}

// moveJob moves ranges from src to dst.
type moveJob struct {
	src, dst *cnode
	ranges   []slotRange
}

// mergeJobs folds jobs with the same source and target into one, so each
// pair becomes a single MIGRATESLOTS.
func mergeJobs(jobs []moveJob) []moveJob {
	var out []moveJob
	index := map[[2]string]int{}
	for _, j := range jobs {
		k := [2]string{j.src.ID, j.dst.ID}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, moveJob{src: j.src, dst: j.dst, ranges: append([]slotRange(nil), j.ranges...)})
			continue
		}
		var set slotSet
		set.addRanges(out[i].ranges)
		set.addRanges(j.ranges)
		out[i].ranges = set.ranges()
	}
	return out
}

// errMoveFailed reports that at least one job failed (each failure has
// been reported on its own).
var errMoveFailed = errors.New("slot migration failed")

// runJobs moves every job and reports progress. Atomic jobs run
// concurrently (o.parallel at a time), legacy jobs one after the other.
// When ctx is cancelled, atomic jobs are cancelled on their sources and
// legacy jobs stop after the slot in progress; runJobs then returns
// ctx.Err().
func (m *manager) runJobs(ctx context.Context, jobs []moveJob, o moveOptions) error {
	jobs = mergeJobs(jobs)
	if len(jobs) == 0 {
		return nil
	}
	// A node that has just joined may report the cluster down for a moment
	// (and refuse RESTORE-ASKING or ESTABLISH): wait for it, briefly.
	if !m.waitState(ctx, 10*time.Second) && ctx.Err() == nil {
		m.out.warnf("[WARNING] Some nodes do not report cluster_state:ok; moving slots anyway.")
	}
	p := m.newProgress()
	var failed bool
	if o.legacy || o.cold {
		for _, j := range jobs {
			if ctx.Err() != nil {
				break
			}
			if err := m.legacyJob(ctx, p, j, o); err != nil && !errors.Is(err, context.Canceled) {
				failed = true
				break
			}
		}
	} else {
		failed = m.atomicJobs(ctx, p, jobs, o)
	}
	p.close()
	slots, keys, bytes := p.totals()
	m.out.event("moved", map[string]any{"slots": slots, "keys": keys, "bytes": bytes, "failed": failed})
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case failed:
		return errMoveFailed
	}
	return nil
}

// atomicJobs runs the jobs with at most o.parallel at a time; it reports
// whether any failed.
func (m *manager) atomicJobs(ctx context.Context, p *progress, jobs []moveJob, o moveOptions) bool {
	limit := o.parallel
	if limit <= 0 || limit > len(jobs) {
		limit = len(jobs)
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := false
	c := newCanceller(m)
	for _, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(j moveJob) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := m.atomicJob(ctx, p, j, o, c); err != nil && !errors.Is(err, context.Canceled) {
				mu.Lock()
				failed = true
				mu.Unlock()
			}
		}(j)
	}
	wg.Wait()
	return failed
}

// databases is the number of databases slots hold keys in: cluster-databases
// on Valkey 9 and Shoal, 1 where the setting does not exist (Redis).
func databases(c *Conn) int {
	r, err := c.Call("CONFIG", "GET", "cluster-databases")
	if err != nil || len(r.Elems) < 2 {
		return 1
	}
	n, err := strconv.Atoi(r.Elems[1].Text())
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// countKeys sums CLUSTER COUNTKEYSINSLOT over ranges in every database,
// pipelined per database; it leaves the connection in database 0.
func countKeys(c *Conn, ranges []slotRange, dbs int) (int64, error) {
	var total int64
	defer c.Select(0)
	for db := 0; db < dbs; db++ {
		if err := c.Select(db); err != nil {
			return 0, err
		}
		var cmds [][]string
		for _, r := range ranges {
			for s := r.Start; s <= r.End; s++ {
				cmds = append(cmds, []string{"CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(s)})
			}
		}
		replies, err := c.Pipeline(cmds)
		if err != nil {
			return 0, err
		}
		for _, r := range replies {
			if r.IsError() {
				return 0, fmt.Errorf("COUNTKEYSINSLOT on %s: %s", c.Addr(), r.Str)
			}
			total += r.Int
		}
	}
	return total, nil
}
