package clustertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// asmFixture is a 3-node cluster with keys in node 0's lower slots and a
// client workload keeping an exact ledger.
type asmFixture struct {
	t    *testing.T
	c    *testutil.Cluster
	rc   *redis.ClusterClient
	l    *asmLedger
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newASMFixture(t *testing.T, directives ...string) *asmFixture {
	c := testutil.StartCluster(t, 3, append([]string{"--enable-debug-command", "yes"}, directives...)...)
	f := &asmFixture{t: t, c: c, l: &asmLedger{},
		rc: redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRedirects: 16})}
	t.Cleanup(func() { f.rc.Close() })
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		if err := f.rc.Set(ctx, fmt.Sprintf("pre:%d", i), strings.Repeat("x", i%300), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *asmFixture) startLoad() {
	ctx, stop := context.WithCancel(context.Background())
	f.stop = stop
	for w := 0; w < 3; w++ {
		f.wg.Add(1)
		go func(w int) { defer f.wg.Done(); asmWorkload(ctx, f.rc, w, f.l) }(w)
	}
}

// finish stops the load and checks that the clients saw no error and
// that every acknowledged write is present exactly once.
func (f *asmFixture) finish() {
	f.t.Helper()
	if f.stop != nil {
		f.stop()
		f.wg.Wait()
	}
	if n := f.l.errs.Load(); n > 0 {
		f.t.Fatalf("%d client errors, first: %v", n, f.l.first.Load())
	}
	checkLedger(f.t, f.rc, f.l)
}

func (f *asmFixture) migrate(args ...string) {
	f.t.Helper()
	cmd := append([]any{"CLUSTER", "MIGRATESLOTS"}, toAny(args)...)
	if err := f.c.Client(0).Do(context.Background(), cmd...).Err(); err != nil {
		f.t.Fatal(err)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// waitJob waits until node i's newest job is in state want and returns it.
func (f *asmFixture) waitJob(i int, want string) map[string]any {
	f.t.Helper()
	return f.waitJobOn(i, want, 30*time.Second)
}

func (f *asmFixture) waitJobOn(i int, want string, timeout time.Duration) map[string]any {
	f.t.Helper()
	var job map[string]any
	testutil.WaitFor(f.t, timeout, fmt.Sprintf("node %d job %s", i, want), func() bool {
		jobs := asmJobs(f.t, f.c, i)
		if len(jobs) == 0 {
			return false
		}
		job = jobs[0]
		return fmt.Sprint(job["state"]) == want
	})
	return job
}

func (f *asmFixture) debug(i int, args ...string) {
	f.t.Helper()
	cmd := append([]any{"DEBUG", "SLOTMIGRATION"}, toAny(args)...)
	if err := f.c.Client(i).Do(context.Background(), cmd...).Err(); err != nil {
		f.t.Fatal(err)
	}
}

// stagedGone waits until the target holds no key of slots lo..hi (staged
// or live) and the source still owns them.
func (f *asmFixture) rolledBack(target int, lo, hi int) {
	f.t.Helper()
	ctx := context.Background()
	testutil.WaitFor(f.t, 10*time.Second, "target dropped its staging", func() bool {
		for s := lo; s <= hi; s += 53 {
			n, err := f.c.Client(target).ClusterCountKeysInSlot(ctx, s).Result()
			if err != nil || n != 0 {
				return false
			}
		}
		return true
	})
	slots, err := f.c.Client(0).ClusterSlots(ctx).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range slots {
		if s.Start <= lo && lo <= s.End && s.Nodes[0].ID != f.c.NodeID(0) {
			f.t.Fatalf("slot %d moved to %s after a failed migration", lo, s.Nodes[0].ID)
		}
	}
}

// TestASMCancelWhileStreaming: CANCELSLOTMIGRATIONS while the source
// streams; the source keeps the slots, the target drops what it staged.
func TestASMCancelWhileStreaming(t *testing.T) {
	f := newASMFixture(t)
	f.debug(0, "PREVENT-PAUSE", "1")
	f.startLoad()
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(0, "waiting-to-pause")
	imp := f.waitJob(1, "waiting-for-paused")
	if err := f.c.Client(0).Do(context.Background(), "CLUSTER", "CANCELSLOTMIGRATIONS").Err(); err != nil {
		t.Fatal(err)
	}
	f.waitJob(0, "cancelled")
	job := f.waitJob(1, "failed")
	if !strings.HasPrefix(fmt.Sprint(job["message"]), "Connection lost to source") || job["name"] != imp["name"] {
		t.Fatalf("target job: %v", job)
	}
	f.rolledBack(1, 0, 2730)
	err := f.c.Client(0).Do(context.Background(), "CLUSTER", "CANCELSLOTMIGRATIONS").Err()
	if err == nil || err.Error() != "ERR No migrations ongoing" {
		t.Fatalf("second cancel: %v", err)
	}
	f.finish()
}

// TestASMCancelWhilePaused: a cancel during the finalization's write
// pause releases the paused writers on the source.
func TestASMCancelWhilePaused(t *testing.T) {
	f := newASMFixture(t)
	f.debug(0, "PREVENT-FAILOVER", "1")
	f.startLoad()
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(0, "failover-paused")
	if err := f.c.Client(0).Do(context.Background(), "CLUSTER", "CANCELSLOTMIGRATIONS").Err(); err != nil {
		t.Fatal(err)
	}
	f.waitJob(0, "cancelled")
	f.waitJob(1, "failed")
	f.rolledBack(1, 0, 2730)
	f.finish()
}

// TestASMTargetKilled: the target dies while streaming; the source fails
// the job, unpauses nothing it had not paused, and keeps serving.
func TestASMTargetKilled(t *testing.T) {
	f := newASMFixture(t)
	f.debug(0, "PREVENT-PAUSE", "1")
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(0, "waiting-to-pause")
	f.c.Kill(1)
	job := f.waitJob(0, "failed")
	if !strings.HasPrefix(fmt.Sprint(job["message"]), "Connection lost to target") {
		t.Fatalf("source job: %v", job)
	}
	ctx := context.Background()
	for i := 0; i < 2000; i += 7 {
		k := fmt.Sprintf("pre:%d", i)
		if slotOf(k) > 2730 {
			continue
		}
		if v, err := f.c.Client(0).Get(ctx, k).Result(); err != nil || len(v) != i%300 {
			t.Fatalf("source lost %s: %v", k, err)
		}
	}
}

// TestASMSourceFlushed: FLUSHALL on the source fails the job with Valkey's
// message, and the target drops its staging.
func TestASMSourceFlushed(t *testing.T) {
	f := newASMFixture(t)
	f.debug(0, "PREVENT-PAUSE", "1")
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(0, "waiting-to-pause")
	if err := f.c.Client(0).FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if job := f.waitJob(0, "failed"); job["message"] != "Data was flushed" {
		t.Fatalf("source job: %v", job)
	}
	f.waitJob(1, "failed")
	f.rolledBack(1, 0, 2730)
}

// TestASMTwoTargetsAndDatabases: one MIGRATESLOTS with two blocks starts
// two jobs; keys of numbered databases move with their slots.
func TestASMTwoTargetsAndDatabases(t *testing.T) {
	f := newASMFixture(t, "--cluster-databases", "16")
	ctx := context.Background()
	// Keys in database 5 of node 0's slots, through a plain connection.
	var keys []string
	for i := 0; len(keys) < 200; i++ {
		k := fmt.Sprintf("db5:%d", i)
		if slotOf(k) <= 4000 {
			keys = append(keys, k)
		}
	}
	raw := redis.NewClient(&redis.Options{Addr: f.c.Addr(0), DB: 5})
	defer raw.Close()
	for _, k := range keys {
		if err := raw.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	f.startLoad()
	f.migrate("SLOTSRANGE", "0", "1999", "NODE", f.c.NodeID(1), "SLOTSRANGE", "2000", "4000", "NODE", f.c.NodeID(2))
	jobs := asmJobs(t, f.c, 0)
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(jobs))
	}
	f.waitJob(1, "success")
	f.waitJob(2, "success")
	testutil.WaitFor(t, 10*time.Second, "both exports succeed", func() bool {
		for _, j := range asmJobs(t, f.c, 0) {
			if j["state"] != "success" {
				return false
			}
		}
		return true
	})
	for _, k := range keys {
		owner := 1
		if slotOf(k) >= 2000 {
			owner = 2
		}
		c := redis.NewClient(&redis.Options{Addr: f.c.Addr(owner), DB: 5})
		v, err := c.Get(ctx, k).Result()
		c.Close()
		if err != nil || v != k {
			t.Fatalf("%s on node %d db 5: %q %v", k, owner, v, err)
		}
	}
	f.finish()
}

// TestASMTargetNoRoom: the pre-flight check refuses a migration the
// target's maxmemory cannot hold, with a clear message, before any data
// moves.
func TestASMTargetNoRoom(t *testing.T) {
	f := newASMFixture(t)
	ctx := context.Background()
	if err := f.c.Client(1).ConfigSet(ctx, "maxmemory", "1mb").Err(); err != nil {
		t.Fatal(err)
	}
	f.migrate("SLOTSRANGE", "0", "5000", "NODE", f.c.NodeID(1))
	job := f.waitJob(0, "failed")
	msg := fmt.Sprint(job["message"])
	if !strings.Contains(msg, "Received error during handshake to target: ERR Target node does not have enough memory") {
		t.Fatalf("source job: %v", job)
	}
	if jobs := asmJobs(t, f.c, 1); len(jobs) != 0 {
		t.Fatalf("target started an import: %v", jobs)
	}
	info, err := f.c.Client(0).Info(ctx, "slotmigrations").Result()
	if err != nil || !strings.Contains(info, "slot_migrations_failed:1") {
		t.Fatalf("INFO slotmigrations: %q %v", info, err)
	}
}

// TestASMSourceKilled: the source dies while streaming; the target fails
// its import and drops what it staged.
func TestASMSourceKilled(t *testing.T) {
	f := newASMFixture(t)
	f.debug(0, "PREVENT-PAUSE", "1")
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(1, "waiting-for-paused")
	f.c.Kill(0)
	job := f.waitJob(1, "failed")
	if !strings.HasPrefix(fmt.Sprint(job["message"]), "Connection lost to source") {
		t.Fatalf("target job: %v", job)
	}
	ctx := context.Background()
	testutil.WaitFor(t, 10*time.Second, "target dropped its staging", func() bool {
		for s := 0; s <= 2730; s += 53 {
			if n, err := f.c.Client(1).ClusterCountKeysInSlot(ctx, s).Result(); err != nil || n != 0 {
				return false
			}
		}
		return true
	})
}

// TestASMBlockedClientsMoved: a client blocked (BLPOP) on a key of a
// migrating slot is answered -MOVED to the target once the slots move,
// and a paused writer is too.
func TestASMBlockedClientsMoved(t *testing.T) {
	f := newASMFixture(t)
	ctx := context.Background()
	key := "blocked-list"
	for i := 0; slotOf(key) > 2730; i++ {
		key = fmt.Sprintf("blocked-list-%d", i)
	}
	node0 := redis.NewClient(&redis.Options{Addr: f.c.Addr(0), MaxRetries: -1})
	defer node0.Close()
	res := make(chan error, 1)
	go func() { res <- node0.BLPop(ctx, 0, key).Err() }()
	testutil.WaitFor(t, 5*time.Second, "client blocked", func() bool {
		info, _ := f.c.Client(0).Info(ctx, "clients").Result()
		return strings.Contains(info, "blocked_clients:1")
	})
	f.migrate("SLOTSRANGE", "0", "2730", "NODE", f.c.NodeID(1))
	f.waitJob(0, "success")
	select {
	case err := <-res:
		if err == nil || !strings.HasPrefix(err.Error(), "MOVED ") {
			t.Fatalf("blocked client got %v, want -MOVED", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("blocked client never answered")
	}
}
