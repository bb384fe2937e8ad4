package clustertest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Atomic slot migration across a network partition between the source
// and the target (issue 7). The target announces a proxy's port, so the
// source's migration link (and its questions after a grant) go through
// testutil.Proxy; the cluster bus does not. The nodes are in-process.

// asmPartition is a two-node cluster whose node 1 (the target) is seen
// through a proxy.
type asmPartition struct {
	t       *testing.T
	c       *testutil.Cluster
	px      *testutil.Proxy
	lo, hi  int
	w       *asmCounters
	job     string
	granted time.Time // when the source was seen in failover-granted
}

func newASMPartition(t *testing.T) *asmPartition {
	c := testutil.StartCluster(t, 2, "--enable-debug-command", "yes", "--repl-timeout", "2",
		"--cluster-manual-failover-timeout", strconv.Itoa(asmFailoverTimeoutMs))
	f := &asmPartition{t: t, c: c, lo: 0, hi: 4095}
	f.px = testutil.StartProxy(t, c.Addr(1))
	c.Do(1, "CONFIG", "SET", "cluster-announce-port", f.px.Port())
	ctx := context.Background()
	want := fmt.Sprintf("127.0.0.1:%d@", f.px.Port())
	testutil.WaitFor(t, 20*time.Second, "the source sees the target at the proxy", func() bool {
		return strings.Contains(c.Client(0).ClusterNodes(ctx).Val(), want)
	})
	// A test that fails while the source holds a grant would leave its
	// writers paused and its Close waiting for them: cancel first.
	t.Cleanup(func() { c.Client(0).Do(ctx, "CLUSTER", "CANCELSLOTMIGRATIONS") })
	f.w = newASMCounters(c.Addr(0), f.lo, f.hi, 64)
	f.w.start(3)
	t.Cleanup(f.w.halt)
	f.w.waitAcks(t, 100)
	return f
}

func (f *asmPartition) clients() []*redis.Client {
	return []*redis.Client{f.c.Client(0), f.c.Client(1)}
}

// migrate starts the migration of lo..hi to node 1 and holds it in ph
// (phaseStreaming or phaseGranted).
func (f *asmPartition) migrate(ph asmPhase) {
	f.t.Helper()
	if ph == phaseGranted {
		f.c.Do(1, "DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 1)
	} else {
		f.c.Do(0, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1)
	}
	f.c.Do(0, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", f.lo, f.hi, "NODE", f.c.NodeID(1))
	jobs, err := asmJobsOn(f.c.Client(0))
	if err != nil || len(jobs) == 0 {
		f.t.Fatalf("no job after MIGRATESLOTS: %v", err)
	}
	f.job = fmt.Sprint(jobs[0]["name"])
	src, tgt := "waiting-to-pause", "waiting-for-paused"
	if ph == phaseGranted {
		src, tgt = "failover-granted", "failover-granted"
	}
	f.wait(0, src)
	f.wait(1, tgt)
	f.granted = time.Now()
}

// pastPauseDeadline waits until the source's write pause, 2 ×
// cluster-manual-failover-timeout from the grant, is over for sure: the
// moment Valkey would resume writes.
func (f *asmPartition) pastPauseDeadline() {
	time.Sleep(time.Until(f.granted.Add(asmPauseLength + 500*time.Millisecond)))
}

func (f *asmPartition) wait(i int, state string) map[string]any {
	f.t.Helper()
	return waitJobNamed(f.t, f.c.Client(i), f.job, state, 20*time.Second)
}

// end checks what every fault test ends with: the source owns the slots
// (every node agrees), the target holds nothing of them, and no
// acknowledged write is lost.
func (f *asmPartition) end() {
	f.t.Helper()
	f.c.Do(0, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 0)
	f.c.Do(1, "DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 0)
	f.w.waitAcks(f.t, 100) // the source serves the slots again
	waitOneOwner(f.t, f.clients(), f.lo, f.hi, f.c.NodeID(0))
	waitNoKeys(f.t, f.c.Client(1), f.lo, f.hi)
	f.w.check(f.t, false)
}

// TestASMPartitionBlackhole: the link is blackholed (nothing arrives,
// nothing is closed) while the source streams, for longer than
// repl-timeout: both ends time out with Valkey's message, the target
// drops its staging, and the source keeps its slots and every write.
func TestASMPartitionBlackhole(t *testing.T) {
	f := newASMPartition(t)
	f.migrate(phaseStreaming)
	f.px.Block()
	expectMessage(t, f.wait(0, "failed"), asmTimedOut)
	expectMessage(t, f.wait(1, "failed"), asmTimedOut)
	f.px.Heal()
	f.end()
}

// TestASMPartitionCut: the link is cut while the source streams: both
// ends see the connection lost.
func TestASMPartitionCut(t *testing.T) {
	f := newASMPartition(t)
	f.migrate(phaseStreaming)
	f.px.Cut()
	expectMessage(t, f.wait(0, "failed"), asmLostTarget)
	expectMessage(t, f.wait(1, "failed"), asmLostSource)
	f.end()
}

// TestASMPartitionCutAfterGrant: the link is cut after the source granted
// the failover and before the target claimed. The target fails its
// import (the link is gone); the source, which must not resume writes
// while the target might claim, asks it, learns that it will not, and
// only then fails the job and resumes.
func TestASMPartitionCutAfterGrant(t *testing.T) {
	f := newASMPartition(t)
	f.migrate(phaseGranted)
	f.px.Cut()
	expectMessage(t, f.wait(1, "failed"), asmLostSource)
	expectMessage(t, f.wait(0, "failed"), asmLostTarget)
	f.end()
}

// TestASMPartitionBlackholeAfterGrant: the link is blackholed after the
// grant, past the source's pause deadline and the target's repl-timeout.
// Valkey would resume writes at the deadline, not knowing whether the
// target claimed; Shoal calls the hand-over off then too (same state and
// message) but keeps the writes paused, acknowledging none, until the
// partition heals and the target, asked, says it gave up.
func TestASMPartitionBlackholeAfterGrant(t *testing.T) {
	f := newASMPartition(t)
	f.migrate(phaseGranted)
	f.px.Block()
	expectMessage(t, f.wait(1, "failed"), asmTimedOut) // no ACK through the partition
	f.pastPauseDeadline()
	if job := f.wait(0, "failover-granted"); f.w.ackedSentAfter(f.granted) {
		t.Fatalf("the source acknowledged writes to slots it granted away: %v", job)
	}
	f.px.Heal()
	expectMessage(t, f.wait(0, "failed"), asmPauseLapsed)
	f.end()
}

// TestASMPartitionCancelDuringHandshake: CANCELSLOTMIGRATIONS while the
// source waits for the partitioned target's reply to ESTABLISH ends the
// job at once, cancelled, instead of after repl-timeout as a failure.
func TestASMPartitionCancelDuringHandshake(t *testing.T) {
	f := newASMPartition(t)
	f.px.Block()
	f.c.Do(0, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", f.lo, f.hi, "NODE", f.c.NodeID(1))
	jobs, err := asmJobsOn(f.c.Client(0))
	if err != nil || len(jobs) == 0 {
		t.Fatalf("no job after MIGRATESLOTS: %v", err)
	}
	f.job = fmt.Sprint(jobs[0]["name"])
	f.wait(0, "reading-establish-response")
	start := time.Now()
	f.c.Do(0, "CLUSTER", "CANCELSLOTMIGRATIONS")
	job := waitJobNamed(t, f.c.Client(0), f.job, "cancelled", time.Second) // repl-timeout is 2 s
	if job["message"] != "" {
		t.Errorf("cancelled job's message %q, want none", job["message"])
	}
	t.Logf("cancelled in %v", time.Since(start).Round(time.Millisecond))
	f.px.Heal()
	f.end()
}

// TestASMCloseWhileGrantUnresolved: a source whose hand-over is still
// unresolved (granted, the target gone) keeps its writers paused; its
// Server.Close must not wait for them, nor acknowledge their writes.
func TestASMCloseWhileGrantUnresolved(t *testing.T) {
	c := testutil.StartCluster(t, 2, "--enable-debug-command", "yes", "--repl-timeout", "2",
		"--cluster-manual-failover-timeout", strconv.Itoa(asmFailoverTimeoutMs))
	ctx := context.Background()
	c.Do(1, "DEBUG", "SLOTMIGRATION", "PREVENT-FAILOVER", 1)
	c.Do(0, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", 0, 100, "NODE", c.NodeID(1))
	testutil.WaitFor(t, 10*time.Second, "source in failover-granted", func() bool {
		j, _ := asmJobsOn(c.Client(0))
		return len(j) > 0 && j[0]["state"] == "failover-granted"
	})
	paused, marker := "paused", "marker"
	for slotOf(paused) > 100 {
		paused += "x"
	}
	for s := slotOf(marker); s <= 100 || s > 8191; s = slotOf(marker) {
		marker += "x"
	}
	// One connection: the marker's SET, then the INCR, which waits on
	// the pause once the SET is done.
	raw := dialRaw(t, c.Addr(0))
	raw.send("SET", marker, "1")
	raw.send("INCR", paused)
	testutil.WaitFor(t, 10*time.Second, "the SET before the paused INCR", func() bool {
		return c.Client(0).Get(ctx, marker).Val() == "1"
	})
	c.Kill(1)
	closed := make(chan struct{})
	go func() { c.Kill(0); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Server.Close of the source waits for its paused writer")
	}
	_ = raw.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, _ := io.ReadAll(raw.rd)
	if strings.Contains(string(rest), ":") { // the SET's +OK may not be flushed
		t.Fatalf("the paused INCR was answered by a closing source: %q", rest)
	}
}
