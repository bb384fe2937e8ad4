package clustertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// asmJobs returns CLUSTER GETSLOTMIGRATIONS of node i as maps.
func asmJobs(t *testing.T, c *testutil.Cluster, i int) []map[string]any {
	t.Helper()
	res, err := c.Client(i).Do(context.Background(), "CLUSTER", "GETSLOTMIGRATIONS").Result()
	if err != nil {
		t.Fatalf("GETSLOTMIGRATIONS: %v", err)
	}
	var out []map[string]any
	for _, j := range res.([]any) {
		m := map[string]any{}
		switch v := j.(type) {
		case map[any]any:
			for k, val := range v {
				m[fmt.Sprint(k)] = val
			}
		case []any:
			for k := 0; k+1 < len(v); k += 2 {
				m[fmt.Sprint(v[k])] = v[k+1]
			}
		}
		out = append(out, m)
	}
	return out
}

// asmLedger is what a client was told: acknowledged INCRs and RPUSHes per
// key, so that the data after the migration can be checked exactly.
type asmLedger struct {
	incr   sync.Map // key -> *atomic.Int64
	pushes sync.Map
	errs   atomic.Int64
	first  atomic.Value
}

func (l *asmLedger) count(m *sync.Map, k string) {
	v, _ := m.LoadOrStore(k, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (l *asmLedger) fail(err error) {
	if l.errs.Add(1) == 1 {
		l.first.Store(err.Error())
	}
}

// asmWorkload writes counters and lists across every slot (hash tags
// included) until ctx ends.
func asmWorkload(ctx context.Context, rc *redis.ClusterClient, worker int, l *asmLedger) {
	for i := 0; ctx.Err() == nil; i++ {
		k := fmt.Sprintf("ctr:%d:%d", worker, i%400)
		if err := rc.Incr(ctx, k).Err(); err != nil {
			if ctx.Err() == nil {
				l.fail(err)
			}
			continue
		}
		l.count(&l.incr, k)
		lk := fmt.Sprintf("{lst%d}:%d", i%50, worker)
		if err := rc.RPush(ctx, lk, i).Err(); err != nil {
			if ctx.Err() == nil {
				l.fail(err)
			}
			continue
		}
		l.count(&l.pushes, lk)
		if _, err := rc.Get(ctx, fmt.Sprintf("pre:%d", i%2000)).Result(); err != nil && err != redis.Nil && ctx.Err() == nil {
			l.fail(err)
		}
	}
}

// TestASMUnderLoad moves half of a primary's slots with CLUSTER
// MIGRATESLOTS while clients write: no client error, every acknowledged
// write present exactly once afterwards, the source keeps nothing.
func TestASMUnderLoad(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	ctx := context.Background()
	rc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRedirects: 16})
	defer rc.Close()
	for i := 0; i < 2000; i++ {
		if err := rc.Set(ctx, fmt.Sprintf("pre:%d", i), strings.Repeat("x", i%300), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]any, 0, 5000)
	for i := 0; i < 5000; i++ {
		big = append(big, fmt.Sprintf("f%d", i), i)
	}
	if err := rc.HSet(ctx, "{a}bighash", big...).Err(); err != nil {
		t.Fatal(err)
	}

	l := &asmLedger{}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) { defer wg.Done(); asmWorkload(wctx, rc, w, l) }(w)
	}
	// Let the workload run before, during and after the migration.
	testutil.WaitFor(t, 10*time.Second, "workload warm", func() bool {
		n := 0
		l.incr.Range(func(_, _ any) bool { n++; return n < 500 })
		return n >= 500
	})

	target := c.NodeID(1)
	// Node 0 owns 0-5461: move the lower half.
	if err := c.Client(0).Do(ctx, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "0", "2730", "NODE", target).Err(); err != nil {
		t.Fatal(err)
	}
	var job map[string]any
	last := ""
	testutil.WaitFor(t, 60*time.Second, "export job success", func() bool {
		jobs := asmJobs(t, c, 0)
		if len(jobs) == 0 {
			return false
		}
		job = jobs[0]
		st := fmt.Sprint(job["state"])
		if st != last {
			last = st
			imp := asmJobs(t, c, 1)
			if len(imp) > 0 {
				t.Logf("source %s (%v); target %v %v", st, job["progress"], imp[0]["state"], imp[0]["message"])
			}
		}
		if st == "failed" || st == "cancelled" {
			t.Fatalf("job ended %s: %v", st, job)
		}
		return st == "success"
	})
	t.Logf("export job: %v", job)
	testutil.WaitFor(t, 10*time.Second, "every node sees node 1 own slot 0", func() bool {
		for i := range c.Nodes {
			slots, err := c.Client(i).ClusterSlots(ctx).Result()
			if err != nil {
				return false
			}
			ok := false
			for _, s := range slots {
				if s.Start <= 0 && s.End >= 0 && len(s.Nodes) > 0 && s.Nodes[0].ID == target {
					ok = true
				}
			}
			if !ok {
				return false
			}
		}
		return true
	})
	// More writes after the hand-over, then stop.
	time.Sleep(200 * time.Millisecond)
	stop()
	wg.Wait()
	if n := l.errs.Load(); n > 0 {
		t.Fatalf("%d client errors, first: %v", n, l.first.Load())
	}
	checkLedger(t, rc, l)
	for i := 0; i < 2000; i++ {
		k := fmt.Sprintf("pre:%d", i)
		if v, err := rc.Get(ctx, k).Result(); err != nil || len(v) != i%300 {
			t.Fatalf("%s: %d bytes, %v", k, len(v), err)
		}
	}
	if n, err := rc.HLen(ctx, "{a}bighash").Result(); err != nil || n != 5000 {
		t.Fatalf("bighash: %d fields, %v", n, err)
	}
	testutil.WaitFor(t, 10*time.Second, "source dropped the migrated slots", func() bool {
		for s := 0; s <= 2730; s += 97 {
			n, err := c.Client(0).ClusterCountKeysInSlot(ctx, s).Result()
			if err != nil || n != 0 {
				return false
			}
		}
		return true
	})
}

func checkLedger(t *testing.T, rc *redis.ClusterClient, l *asmLedger) {
	t.Helper()
	ctx := context.Background()
	keys := 0
	l.incr.Range(func(k, v any) bool {
		keys++
		got, err := rc.Get(ctx, k.(string)).Int64()
		if want := v.(*atomic.Int64).Load(); err != nil || got != want {
			t.Errorf("%s = %d (%v), acknowledged %d INCRs", k, got, err, want)
			return false
		}
		return true
	})
	l.pushes.Range(func(k, v any) bool {
		got, err := rc.LLen(ctx, k.(string)).Result()
		if want := v.(*atomic.Int64).Load(); err != nil || got != want {
			t.Errorf("%s has %d elements (%v), acknowledged %d RPUSHes", k, got, err, want)
			return false
		}
		return true
	})
	t.Logf("ledger: %d counters checked", keys)
}
