package clustertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// The operational failure tests of atomic slot migration (issue 7): OOM on
// the target, failover of either shard, FLUSHALL on the target, SETSLOT
// NODE mid-import and CANCELSLOTMIGRATIONS at each phase. Each ends with
// one owner per slot that every node agrees on, no staged key left on the
// target shard, the source serving, and a ledger showing that no
// acknowledged write was lost.

// Slot layout of an opsCluster: node 0 is the source, node 1 the target,
// node 2 a third primary; nodes 3.. are replicas.
const (
	opsSrcHi = 5460
	opsTgtLo = 5461
	opsTgtHi = 10922
)

// opsCluster is three primaries and the replicas asked for, with 2000
// keys spread over every slot.
type opsCluster struct {
	t   *testing.T
	c   *testutil.Cluster
	ids []string
	// dead marks killed nodes, which the checks skip.
	dead map[int]bool
}

// newOpsCluster starts the cluster; replicaOf[k] is the primary that node
// 3+k replicates.
func newOpsCluster(t *testing.T, replicaOf []int, directives ...string) *opsCluster {
	t.Helper()
	n := 3 + len(replicaOf)
	c := testutil.StartClusterNodes(t, n, append([]string{"--enable-debug-command", "yes",
		"--cluster-allow-replica-migration", "no"}, directives...)...)
	for i := range c.Nodes {
		c.Do(i, "CLUSTER", "SET-CONFIG-EPOCH", i+1)
	}
	for i := 1; i < n; i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, opsSrcHi)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", opsTgtLo, opsTgtHi)
	c.Do(2, "CLUSTER", "ADDSLOTSRANGE", opsTgtHi+1, slot.Count-1)
	o := &opsCluster{t: t, c: c, dead: map[int]bool{}}
	for i := range c.Nodes {
		o.ids = append(o.ids, c.NodeID(i))
	}
	ctx := context.Background()
	for k, p := range replicaOf {
		i := 3 + k
		testutil.WaitFor(t, 20*time.Second, fmt.Sprintf("node %d knows node %d", i, p), func() bool {
			return strings.Contains(c.Client(i).ClusterNodes(ctx).Val(), o.ids[p])
		})
		c.Do(i, "CLUSTER", "REPLICATE", o.ids[p])
	}
	for k := range replicaOf {
		i := 3 + k
		testutil.WaitFor(t, 30*time.Second, fmt.Sprintf("node %d linked to its primary", i), func() bool {
			info, _ := c.Client(i).Info(ctx, "replication").Result()
			return strings.Contains(info, "master_link_status:up")
		})
	}
	c.WaitOK(30 * time.Second)
	rc := o.clusterClient()
	defer rc.Close()
	for i := 0; i < 2000; i++ {
		if err := rc.Set(ctx, fmt.Sprintf("pre:%d", i), strings.Repeat("x", i%300), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// clusterClient is a cluster-aware client that follows redirections; the
// caller closes it.
func (o *opsCluster) clusterClient() *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: o.liveAddrs(), MaxRedirects: 16})
}

func (o *opsCluster) liveAddrs() []string {
	var out []string
	for i := range o.c.Nodes {
		if !o.dead[i] {
			out = append(out, o.c.Addr(i))
		}
	}
	return out
}

func (o *opsCluster) do(i int, args ...any) any {
	o.t.Helper()
	return o.c.Do(i, args...)
}

func (o *opsCluster) kill(i int) {
	o.dead[i] = true
	o.c.Kill(i)
}

// migrate starts CLUSTER MIGRATESLOTS on node src and returns the job name.
func (o *opsCluster) migrate(src int, args ...any) string {
	o.t.Helper()
	o.do(src, append([]any{"CLUSTER", "MIGRATESLOTS"}, args...)...)
	jobs := asmJobs(o.t, o.c, src)
	if len(jobs) == 0 {
		o.t.Fatal("MIGRATESLOTS started no job")
	}
	return fmt.Sprint(jobs[0]["name"])
}

// job is node i's entry for job name, or nil.
func (o *opsCluster) job(i int, name string) map[string]any {
	o.t.Helper()
	for _, j := range asmJobs(o.t, o.c, i) {
		if j["name"] == name {
			return j
		}
	}
	return nil
}

// waitJob waits until node i lists job name in state want.
func (o *opsCluster) waitJob(i int, name, want string) map[string]any {
	o.t.Helper()
	var j map[string]any
	testutil.WaitFor(o.t, 20*time.Second, fmt.Sprintf("node %d job %s", i, want), func() bool {
		j = o.job(i, name)
		return j != nil && j["state"] == want
	})
	return j
}

// waitEnded waits until node i's job name ended in state want with one of
// the messages (exactly), and returns the message.
func (o *opsCluster) waitEnded(i int, name, want string, messages ...string) string {
	o.t.Helper()
	var j map[string]any
	testutil.WaitFor(o.t, 20*time.Second, fmt.Sprintf("node %d job ends %s", i, want), func() bool {
		j = o.job(i, name)
		return j != nil && (j["state"] == "success" || j["state"] == "failed" || j["state"] == "cancelled")
	})
	msg := fmt.Sprint(j["message"])
	if j["state"] != want {
		o.t.Fatalf("node %d job ended %v (%q), want %s", i, j["state"], msg, want)
	}
	for _, m := range messages {
		if msg == m {
			return msg
		}
	}
	o.t.Fatalf("node %d job message %q, want one of %q", i, msg, messages)
	return ""
}

// debug runs DEBUG SLOTMIGRATION on node i.
func (o *opsCluster) debug(i int, args ...any) {
	o.t.Helper()
	o.do(i, append([]any{"DEBUG", "SLOTMIGRATION"}, args...)...)
}

// owners is node i's slot → owner id map (CLUSTER SLOTS).
func (o *opsCluster) owners(i int) (*[slot.Count]string, error) {
	slots, err := o.c.Client(i).ClusterSlots(context.Background()).Result()
	if err != nil {
		return nil, err
	}
	var m [slot.Count]string
	for _, r := range slots {
		if len(r.Nodes) == 0 {
			continue
		}
		for s := r.Start; s <= r.End && s < slot.Count; s++ {
			if m[s] != "" {
				return nil, fmt.Errorf("slot %d listed twice", s)
			}
			m[s] = r.Nodes[0].ID
		}
	}
	return &m, nil
}

// waitOwners waits until every live node sees the same owner for every
// slot, with want[range] = owner for the ranges given (lo, hi, id...).
func (o *opsCluster) waitOwners(want ...any) {
	o.t.Helper()
	last := ""
	testutil.WaitFor(o.t, 20*time.Second, "every node agrees on the slot owners", func() bool {
		var ref *[slot.Count]string
		for i := range o.c.Nodes {
			if o.dead[i] {
				continue
			}
			m, err := o.owners(i)
			if err != nil {
				last = err.Error()
				return false
			}
			if ref == nil {
				ref = m
			} else if *m != *ref {
				last = fmt.Sprintf("node %d disagrees", i)
				return false
			}
		}
		for s := range ref {
			if ref[s] == "" {
				last = fmt.Sprintf("slot %d unowned", s)
				return false
			}
		}
		for k := 0; k+2 < len(want); k += 3 {
			lo, hi, id := want[k].(int), want[k+1].(int), want[k+2].(string)
			for s := lo; s <= hi; s++ {
				if ref[s] != id {
					last = fmt.Sprintf("slot %d owned by %s, want %s", s, ref[s], id)
					return false
				}
			}
		}
		return true
	})
	_ = last
}

// waitUnstaged waits until node i holds no key (staged or live) in slots
// lo..hi and has no active import: its staging is cleaned up.
func (o *opsCluster) waitUnstaged(i, lo, hi int) {
	o.t.Helper()
	ctx := context.Background()
	cl := o.c.Client(i)
	defer func() {
		if o.t.Failed() {
			o.t.Logf("node %d: %d keys in slots %d-%d, jobs %v", i, o.stagedKeys(i, lo, hi), lo, hi, asmJobs(o.t, o.c, i))
		}
	}()
	testutil.WaitFor(o.t, 20*time.Second, fmt.Sprintf("node %d dropped its staging", i), func() bool {
		for _, j := range asmJobs(o.t, o.c, i) {
			if j["operation"] == "IMPORT" && j["state"] != "failed" && j["state"] != "success" {
				return false
			}
		}
		pipe := cl.Pipeline()
		cmds := make([]*redis.IntCmd, 0, hi-lo+1)
		for s := lo; s <= hi; s++ {
			cmds = append(cmds, pipe.ClusterCountKeysInSlot(ctx, s))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return false
		}
		for _, c := range cmds {
			if c.Val() != 0 {
				return false
			}
		}
		return true
	})
}

// stagedKeys counts node i's keys in slots lo..hi (COUNTKEYSINSLOT counts
// staged keys too).
func (o *opsCluster) stagedKeys(i, lo, hi int) int64 {
	ctx := context.Background()
	pipe := o.c.Client(i).Pipeline()
	cmds := make([]*redis.IntCmd, 0, hi-lo+1)
	for s := lo; s <= hi; s++ {
		cmds = append(cmds, pipe.ClusterCountKeysInSlot(ctx, s))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return -1
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n
}

// infoInt reads an integer field of INFO from node i.
func (o *opsCluster) infoInt(i int, section, field string) int64 {
	o.t.Helper()
	s, err := o.c.Client(i).Info(context.Background(), section).Result()
	if err != nil {
		o.t.Fatal(err)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var n int64
			fmt.Sscan(v, &n)
			return n
		}
	}
	o.t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// opsKeys returns n keys with prefix whose slots pass keep.
func opsKeys(prefix string, n int, keep func(s int) bool) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		k := fmt.Sprintf("%s%d", prefix, i)
		if keep(slotOf(k)) {
			out = append(out, k)
		}
	}
	return out
}

// inRange is a slot filter.
func inRange(lo, hi int) func(int) bool { return func(s int) bool { return s >= lo && s <= hi } }

// opsLoad is a write workload with a ledger per key: how many INCRs (or
// RPUSHes) were acknowledged, and how many may have been applied. A write
// the server refused with an error reply was not applied and counts for
// neither; one whose reply was lost (connection closed, timeout) may have
// been. A write to a slot that wait selects is acknowledged only once
// WAIT 1 confirms that a replica has it: the writes that must survive the
// death of their primary (the spec promises nothing for the others).
type opsLoad struct {
	t     *testing.T
	rc    *redis.ClusterClient // no retries: every attempt is counted
	wait  func(s int) bool
	ctrs  []string
	lists []string

	acked, tried sync.Map // key -> *atomic.Int64

	mu   sync.Mutex
	errs map[string]int   // class -> count
	oomK map[string]bool  // keys that got -OOM
	seen map[string]error // first error per class

	stop context.CancelFunc
	wg   sync.WaitGroup
	ops  atomic.Int64
}

// startOpsLoad runs workers writing counters and lists in the slots keep
// selects; wait (or nil) selects the slots whose writes need WAIT 1.
func (o *opsCluster) startOpsLoad(wait, keep func(s int) bool) *opsLoad {
	if wait == nil {
		wait = func(int) bool { return false }
	}
	l := &opsLoad{t: o.t, wait: wait, errs: map[string]int{}, oomK: map[string]bool{}, seen: map[string]error{},
		rc: redis.NewClusterClient(&redis.ClusterOptions{Addrs: o.liveAddrs(), MaxRedirects: -1, MaxRetries: -1, DialerRetries: 1,
			ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})}
	l.ctrs = opsKeys("octr:", 300, keep)
	l.lists = opsKeys("olst:", 60, keep)
	ctx, stop := context.WithCancel(context.Background())
	l.stop = stop
	for w := 0; w < 3; w++ {
		l.wg.Add(1)
		go func(w int) {
			defer l.wg.Done()
			for i := w; ctx.Err() == nil; i += 3 {
				l.write(ctx, l.ctrs[i%len(l.ctrs)], false)
				if i%4 == 0 {
					l.write(ctx, l.lists[i%len(l.lists)], true)
				}
			}
		}(w)
	}
	o.t.Cleanup(l.halt)
	return l
}

func counter(m *sync.Map, k string) *atomic.Int64 {
	v, _ := m.LoadOrStore(k, new(atomic.Int64))
	return v.(*atomic.Int64)
}

func (l *opsLoad) write(ctx context.Context, key string, list bool) {
	counter(&l.tried, key).Add(1)
	cl, err := l.rc.MasterForKey(ctx, key)
	if err != nil {
		counter(&l.tried, key).Add(-1)
		l.note(ctx, key, err, false)
		return
	}
	pipe := cl.Pipeline()
	var write redis.Cmder
	if list {
		write = pipe.RPush(ctx, key, "v")
	} else {
		write = pipe.Incr(ctx, key)
	}
	var wait *redis.Cmd
	waiting := l.wait(slotOf(key))
	if waiting {
		wait = pipe.Do(ctx, "WAIT", 1, 100)
	}
	_, _ = pipe.Exec(ctx)
	l.ops.Add(1)
	err = write.Err()
	var rerr redis.Error
	switch {
	case err == nil:
		if !waiting || wait.Val() == int64(1) {
			counter(&l.acked, key).Add(1)
		}
	case errors.As(err, &rerr):
		counter(&l.tried, key).Add(-1) // refused: not applied
		l.note(ctx, key, err, true)
	default:
		l.note(ctx, key, err, false)
	}
}

// note classifies an error; after a network error or a redirection the
// worker refreshes the slot map and backs off a little, so that a dead
// node is not hammered.
func (l *opsLoad) note(ctx context.Context, key string, err error, reply bool) {
	if ctx.Err() != nil {
		return
	}
	class := "network"
	if reply {
		class = strings.SplitN(err.Error(), " ", 2)[0]
	}
	l.mu.Lock()
	l.errs[class]++
	if _, ok := l.seen[class]; !ok {
		l.seen[class] = err
	}
	if class == "OOM" {
		l.oomK[key] = true
	}
	l.mu.Unlock()
	if class != "OOM" {
		l.rc.ReloadState(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// errCount is how many errors of the classes happened ("network", "MOVED",
// "OOM", ...); no class counts them all.
func (l *opsLoad) errCount(classes ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for c, v := range l.errs {
		if len(classes) == 0 {
			n += v
		}
		for _, want := range classes {
			if c == want {
				n += v
			}
		}
	}
	return n
}

// waitOps waits until the workload made n more writes.
func (l *opsLoad) waitOps(n int64) {
	l.t.Helper()
	target := l.ops.Load() + n
	testutil.WaitFor(l.t, 20*time.Second, "workload progress", func() bool { return l.ops.Load() >= target })
}

func (l *opsLoad) halt() {
	if l.stop != nil {
		l.stop()
		l.wg.Wait()
		l.stop = nil
		l.rc.Close()
	}
}

// finish stops the workload and checks every key: acknowledged ≤ value ≤
// possibly applied. allowed are the error classes the scenario may cause;
// any other error fails the test ("*" allows every class).
func (l *opsLoad) finish(o *opsCluster, allowed ...string) {
	l.t.Helper()
	l.halt()
	l.mu.Lock()
	for class, n := range l.errs {
		ok := false
		for _, a := range allowed {
			ok = ok || a == class || a == "*"
		}
		if !ok {
			l.t.Errorf("%d unexpected %s errors, first: %v", n, class, l.seen[class])
		}
	}
	l.t.Logf("workload: %d writes, errors %v", l.ops.Load(), l.errs)
	l.mu.Unlock()
	rc := o.clusterClient()
	defer rc.Close()
	ctx := context.Background()
	check := func(k string, got int64, err error) {
		acked, tried := counter(&l.acked, k).Load(), counter(&l.tried, k).Load()
		if err != nil && err != redis.Nil {
			l.t.Errorf("%s: %v", k, err)
		} else if got < acked || got > tried {
			l.t.Errorf("%s = %d, acknowledged %d, possibly applied %d", k, got, acked, tried)
		}
	}
	for _, k := range l.ctrs {
		got, err := rc.Get(ctx, k).Int64()
		check(k, got, err)
	}
	for _, k := range l.lists {
		got, err := rc.LLen(ctx, k).Result()
		check(k, got, err)
	}
}
