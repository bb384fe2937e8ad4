package clustertest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Atomic slot migration against kill -9 (issue 7): the source, the target
// and the target's replica are real processes, killed with SIGKILL at
// each phase of a migration and started again.

// asmProcs is a cluster of processes: a source primary (slots 0-5460), a
// target primary (5461-10922), the target's replica and a bystander
// primary (10923-16383). Three primaries keep a majority when one is
// down, so the others go on serving (cluster-require-full-coverage no);
// no replica fails over (cluster-replica-no-failover yes): a dead node
// stays the owner of its slots until it comes back.
type asmProcs struct {
	t                 *testing.T
	src, tgt, rep, by *procNode
	lo, hi            int // the slots that move
	w                 *asmCounters
	job               string
}

// asmFailoverTimeoutMs is cluster-manual-failover-timeout in the fault
// tests; the source's write pause lasts twice that.
const (
	asmFailoverTimeoutMs = 1000
	asmPauseLength       = 2 * asmFailoverTimeoutMs * time.Millisecond
)

// asmProcDefaults: a short repl-timeout (the link's liveness; the
// primaries ping their replicas within it) and a 2 s write pause.
func asmProcDefaults() map[string]string {
	return map[string]string{
		"enable-debug-command":            "yes",
		"repl-timeout":                    "2",
		"repl-ping-replica-period":        "1",
		"cluster-manual-failover-timeout": strconv.Itoa(asmFailoverTimeoutMs),
		"cluster-require-full-coverage":   "no",
		"cluster-replica-no-failover":     "yes",
	}
}

func newASMProcs(t *testing.T, bin string, overrides map[string]string) *asmProcs {
	conf := asmProcDefaults()
	for k, v := range overrides {
		conf[k] = v
	}
	var args []string
	for k, v := range conf {
		args = append(args, "--"+k, v)
	}
	f := &asmProcs{t: t, lo: 0, hi: 2730}
	f.src = startProcNode(t, bin, args...)
	f.tgt = startProcNode(t, bin, args...)
	f.rep = startProcNode(t, bin, args...)
	f.by = startProcNode(t, bin, args...)
	for i, n := range f.nodes() {
		n.Do("CLUSTER", "SET-CONFIG-EPOCH", i+1)
	}
	for _, n := range f.nodes()[1:] {
		f.src.Do("CLUSTER", "MEET", "127.0.0.1", n.port, n.busPort)
	}
	f.src.Do("CLUSTER", "ADDSLOTSRANGE", 0, 5460)
	f.tgt.Do("CLUSTER", "ADDSLOTSRANGE", 5461, 10922)
	f.by.Do("CLUSTER", "ADDSLOTSRANGE", 10923, 16383)
	ctx := context.Background()
	testutil.WaitFor(t, 20*time.Second, "the replica knows the target", func() bool {
		return strings.Contains(f.rep.Client().ClusterNodes(ctx).Val(), f.tgt.ID())
	})
	f.rep.Do("CLUSTER", "REPLICATE", f.tgt.ID())
	f.waitReplica()
	f.waitOK()
	return f
}

func (f *asmProcs) nodes() []*procNode { return []*procNode{f.src, f.tgt, f.rep, f.by} }

func (f *asmProcs) clients() []*redis.Client {
	return []*redis.Client{f.src.Client(), f.tgt.Client(), f.rep.Client(), f.by.Client()}
}

// waitOK waits for cluster_state:ok on every node.
func (f *asmProcs) waitOK() {
	f.t.Helper()
	ctx := context.Background()
	testutil.WaitFor(f.t, 30*time.Second, "cluster_state:ok on every node", func() bool {
		for _, n := range f.nodes() {
			if in, err := n.Client().ClusterInfo(ctx).Result(); err != nil || !strings.Contains(in, "cluster_state:ok") {
				return false
			}
		}
		return true
	})
}

// waitReplica waits until the replica's link to the target is up.
func (f *asmProcs) waitReplica() {
	f.t.Helper()
	testutil.WaitFor(f.t, 30*time.Second, "replica linked to the target", func() bool {
		info, _ := f.rep.Client().Info(context.Background(), "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
}

// preload writes n keys of size bytes in the moving slots, so that a
// rate-limited snapshot lasts long enough to be killed in.
func (f *asmProcs) preload(n, size int) {
	f.t.Helper()
	ctx := context.Background()
	pipe := f.src.Client().Pipeline()
	val := strings.Repeat("v", size)
	for i, k := 0, 0; k < n; i++ {
		key := fmt.Sprintf("pre:%d", i)
		if s := slotOf(key); s < f.lo || s > f.hi {
			continue
		}
		pipe.Set(ctx, key, val, 0)
		k++
		if pipe.Len() == 500 {
			if _, err := pipe.Exec(ctx); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		f.t.Fatal(err)
	}
}

// startLoad runs the counter workload on the moving slots and waits until
// it is under way.
func (f *asmProcs) startLoad() {
	f.w = newASMCounters(f.src.Addr(), f.lo, f.hi, 64)
	f.w.start(3)
	f.t.Cleanup(f.w.halt)
	f.w.waitAcks(f.t, 100)
}

// migrate starts the migration of lo..hi to the target (args: extra
// options such as RATE) and remembers the job's name.
func (f *asmProcs) migrate(extra ...any) {
	f.t.Helper()
	cmd := append([]any{"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", f.lo, f.hi, "NODE", f.tgt.ID()}, extra...)
	f.src.Do(cmd...)
	jobs, err := asmJobsOn(f.src.Client())
	if err != nil || len(jobs) == 0 {
		f.t.Fatalf("no job after MIGRATESLOTS: %v", err)
	}
	f.job = fmt.Sprint(jobs[0]["name"])
}

// wait waits for the job's state on node n.
func (f *asmProcs) wait(n *procNode, state string) map[string]any {
	f.t.Helper()
	return waitJobNamed(f.t, n.Client(), f.job, state, 20*time.Second)
}

// asmPhase is where a migration is held when the fault strikes.
type asmPhase string

const (
	phaseSnapshot  asmPhase = "snapshot"  // MIGRATESLOTS ... RATE over a preloaded dataset
	phaseStreaming asmPhase = "streaming" // source PREVENT-PAUSE: snapshot sent, writes streaming
	phasePaused    asmPhase = "paused"    // source PREVENT-FAILOVER: writes paused, REQUEST-FAILOVER unanswered
	phaseGranted   asmPhase = "granted"   // target PREVENT-FAILOVER: failover granted, not claimed
)

// hold starts the migration and waits until both ends are in phase ph.
func (f *asmProcs) hold(ph asmPhase) {
	f.t.Helper()
	switch ph {
	case phaseSnapshot:
		f.migrate("RATE", 400_000) // the 2 MB preload takes ~5 s
		f.wait(f.src, "snapshotting")
		f.wait(f.tgt, "receiving-snapshot")
	case phaseStreaming:
		f.src.Do("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1)
		f.migrate()
		f.wait(f.src, "waiting-to-pause")
		f.wait(f.tgt, "waiting-for-paused")
	case phasePaused:
		f.src.Do("DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 1)
		f.migrate()
		f.wait(f.src, "failover-paused")
		f.wait(f.tgt, "failover-requested")
	case phaseGranted:
		f.tgt.Do("DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 1)
		f.migrate()
		f.wait(f.src, "failover-granted")
		f.wait(f.tgt, "failover-granted")
	}
}

// release lifts the hold of phase ph on the nodes that are up.
func (f *asmProcs) release(ph asmPhase) {
	f.t.Helper()
	switch ph {
	case phaseStreaming:
		f.src.Do("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 0)
	case phasePaused:
		f.src.Do("DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 0)
	case phaseGranted:
		f.tgt.Do("DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 0)
	}
}

// logs reports the nodes' logs when the test failed.
func (f *asmProcs) logs() {
	if f.t.Failed() {
		for i, n := range f.nodes() {
			f.t.Logf("node %d (%s) log:\n%s", i, n.Addr(), n.logTail())
		}
	}
}

var asmPhases = []asmPhase{phaseSnapshot, phaseStreaming, phasePaused, phaseGranted}

// newASMProcsHeldAt starts the fixture, loads it, runs the workload and
// holds a migration in phase ph: where every kill test begins.
func newASMProcsHeldAt(t *testing.T, bin string, ph asmPhase) *asmProcs {
	f := newASMProcs(t, bin, nil)
	t.Cleanup(f.logs)
	f.preload(asmPreloadKeys(ph), 1000)
	f.startLoad()
	f.hold(ph)
	return f
}

// TestASMKill9Source: the source dies with SIGKILL at each phase. The
// target fails its import (the link is gone) and drops its staging, and
// so does its replica. The source's data died with it (nothing is
// persisted yet): restarted, it owns its slots again, empty, and no node
// serves a stale copy of them.
func TestASMKill9Source(t *testing.T) {
	bin := buildServer(t)
	for _, ph := range asmPhases {
		t.Run(string(ph), func(t *testing.T) {
			f := newASMProcsHeldAt(t, bin, ph)
			f.src.Kill()
			job := f.wait(f.tgt, "failed")
			expectMessage(t, job, asmLostSource)
			waitNoKeys(t, f.tgt.Client(), f.lo, f.hi)
			rj := waitJobNamed(t, f.rep.Client(), f.job, "failed", 20*time.Second)
			expectMessage(t, rj, asmLostSource)
			waitNoKeys(t, f.rep.Client(), f.lo, f.hi)
			f.w.halt()

			f.src.Restart()
			if ph == phaseGranted {
				f.release(ph) // nothing left to take over
			}
			f.waitOK()
			waitOneOwner(t, f.clients(), f.lo, f.hi, f.src.ID())
			f.w.check(t, true)
			if n, err := f.src.Client().Incr(context.Background(), f.w.keys[0]).Result(); err != nil || n != 1 {
				t.Fatalf("the restarted source does not serve its slots: %d %v", n, err)
			}
		})
	}
}

// TestASMKill9Target: the target dies with SIGKILL at each phase. The
// source fails the job and keeps serving its slots without losing an
// acknowledged write. After the target's restart its replica (which
// tracked the import) holds nothing of the slots either.
//
// In failover-granted the source has already let the target claim the
// slots; it does not know whether it did, so it keeps the writes to them
// paused until the target, back, tells it (docs/design/0008).
func TestASMKill9Target(t *testing.T) {
	bin := buildServer(t)
	for _, ph := range asmPhases {
		t.Run(string(ph), func(t *testing.T) {
			f := newASMProcsHeldAt(t, bin, ph)
			f.tgt.Kill()
			if ph == phaseGranted {
				// The grant is out: the source must neither resume the
				// writes nor end the job before it learns the outcome.
				f.requireFenced()
				f.tgt.Restart()
			}
			job := f.wait(f.src, "failed")
			expectMessage(t, job, asmLostTarget)
			f.release(ph)
			if ph != phaseGranted {
				f.tgt.Restart()
			}
			f.waitReplica()
			f.waitOK()
			f.w.waitAcks(t, 100) // the source serves the slots again
			waitNoKeys(t, f.tgt.Client(), f.lo, f.hi)
			waitNoKeys(t, f.rep.Client(), f.lo, f.hi)
			waitOneOwner(t, f.clients(), f.lo, f.hi, f.src.ID())
			f.w.check(t, false)
		})
	}
}

// requireFenced checks, for a while, that the source keeps the job in
// failover-granted and acknowledges no write to the slots.
func (f *asmProcs) requireFenced() {
	f.t.Helper()
	since := time.Now()
	// Past the write pause, when Valkey would resume writes with a
	// "Write loss risk!" warning.
	time.Sleep(asmPauseLength + 500*time.Millisecond)
	job := waitJobNamed(f.t, f.src.Client(), f.job, "failover-granted", time.Second)
	if f.w.ackedSentAfter(since) {
		f.t.Fatalf("the source acknowledged writes to slots it granted away (job %v)", job)
	}
}

// TestASMKill9TargetReplica: the target's replica dies with SIGKILL at
// each phase. The migration goes on without it (it fails only where the
// hold itself makes it fail: a paused source whose REQUEST-FAILOVER was
// swallowed times out); restarted, the replica resyncs and holds exactly
// what its primary owns.
func TestASMKill9TargetReplica(t *testing.T) {
	bin := buildServer(t)
	for _, ph := range asmPhases {
		t.Run(string(ph), func(t *testing.T) {
			f := newASMProcsHeldAt(t, bin, ph)
			f.rep.Kill()
			f.release(ph)
			owner := f.tgt
			if ph == phasePaused {
				job := f.wait(f.src, "failed")
				expectMessage(t, job, "Timed out before streaming completed")
				expectMessage(t, f.wait(f.tgt, "failed"), asmLostSource)
				owner = f.src
			} else {
				f.wait(f.src, "success")
				f.wait(f.tgt, "success")
			}
			f.rep.Restart()
			f.waitReplica()
			f.waitOK()
			waitOneOwner(t, f.clients(), f.lo, f.hi, owner.ID())
			f.w.waitAcks(t, 100)
			f.w.halt()
			if owner == f.src {
				waitNoKeys(t, f.tgt.Client(), f.lo, f.hi)
				waitNoKeys(t, f.rep.Client(), f.lo, f.hi)
			} else {
				f.waitReplicaMatches()
			}
			f.w.check(t, false)
		})
	}
}

// waitReplicaMatches waits until the replica holds as many keys of the
// moved slots as the target.
func (f *asmProcs) waitReplicaMatches() {
	f.t.Helper()
	asmWait(f.t, 20*time.Second, "the replica holds the moved slots", func() (bool, string) {
		want, got := countKeys(f.tgt.Client(), f.lo, f.hi), countKeys(f.rep.Client(), f.lo, f.hi)
		return want > 0 && got == want, "target " + strconv.FormatInt(want, 10) + ", replica " + strconv.FormatInt(got, 10)
	})
}

// asmPreloadKeys is the dataset: big enough for a rate-limited snapshot
// to last seconds, small elsewhere.
func asmPreloadKeys(ph asmPhase) int {
	if ph == phaseSnapshot {
		return 2000
	}
	return 200
}

// TestASMTargetReplicaResyncMidImport: a target replica that full-syncs
// while its primary imports (here: killed and restarted) must end with
// the primary's data once the import succeeds. The full synchronization
// replays the open import's ESTABLISH before its records and walks the
// staged tables (keyspace/imports.go), as Valkey's RDB carries the
// importing slots; without that the replica applied the rest of the
// import to its live data and, after the hand-over, held a fraction of
// the slots.
func TestASMTargetReplicaResyncMidImport(t *testing.T) {
	f := newASMProcs(t, buildServer(t), nil)
	defer f.logs()
	f.preload(200, 1000)
	f.startLoad()
	f.hold(phaseStreaming)
	f.rep.Kill()
	f.rep.Restart()
	f.waitReplica()
	f.release(phaseStreaming)
	f.wait(f.src, "success")
	f.w.halt()
	f.waitReplicaMatches()
	f.w.check(t, false)
}
