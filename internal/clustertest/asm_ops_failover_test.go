package clustertest

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/testutil"
)

// Failover of either shard in the middle of an atomic slot migration
// (Valkey's "Slot export failed on failover", "Partial data in replica
// removed on failover"): the job fails on both ends, the target shard
// drops what it staged, the shard that failed over serves its slots from
// the new primary.
//
// The ledger: a manual failover loses nothing (the replica catches up
// with the paused primary before it takes over), so every acknowledged
// write must be there. When a primary is killed, only the writes a
// replica confirmed (WAIT 1) must survive, as in Valkey; the workload
// acknowledges writes to the killed shard's slots only after WAIT 1.

// TestASMOpsSourceManualFailover: CLUSTER FAILOVER on the source's
// replica mid-migration.
func TestASMOpsSourceManualFailover(t *testing.T) {
	o := newOpsCluster(t, []int{0, 1}) // node 3 replicates the source, 4 the target
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(4, name, "occurring-on-primary")
	l.waitOps(200)
	o.do(3, "CLUSTER", "FAILOVER")
	o.waitOwners(0, opsSrcHi, o.ids[3], opsTgtLo, opsTgtHi, o.ids[1])
	o.waitEnded(0, name, "failed", migration.MsgNotOwnedMyself, migration.MsgConnLostTarget)
	o.waitEnded(1, name, "failed", migration.MsgNotOwnedSource, migration.MsgConnLostSource)
	o.waitJob(4, name, "failed")
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(4, 0, 2730)
	if jobs := asmJobs(t, o.c, 3); len(jobs) != 0 {
		t.Fatalf("the new source primary lists jobs: %v", jobs)
	}
	l.waitOps(200)

	// Nothing is left behind that would refuse a new attempt from the
	// new primary.
	name = o.migrate(3, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitEnded(3, name, "success", "")
	o.waitEnded(1, name, "success", "")
	o.waitOwners(0, 2730, o.ids[1], 2731, opsSrcHi, o.ids[3], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)
	l.finish(o, "MOVED")
}

// TestASMOpsSourceKilled: the source primary dies mid-migration and its
// replica is promoted by the cluster.
func TestASMOpsSourceKilled(t *testing.T) {
	o := newOpsCluster(t, []int{0, 1})
	l := o.startOpsLoad(inRange(0, opsSrcHi), inRange(0, opsTgtHi))
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(4, name, "occurring-on-primary")
	l.waitOps(200)
	o.kill(0)
	o.waitOwners(0, opsSrcHi, o.ids[3], opsTgtLo, opsTgtHi, o.ids[1])
	o.waitEnded(1, name, "failed", migration.MsgConnLostSource, migration.MsgNotOwnedSource)
	o.waitJob(4, name, "failed")
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(4, 0, 2730)
	l.waitOps(50)
	l.finish(o, "*")
}

// TestASMOpsTargetManualFailover: CLUSTER FAILOVER on the target's
// replica mid-import. The promoted replica fails its tracking entry ("A
// failover occurred during slot import"), drops the staged keys and tells
// its own replicas — the demoted primary, which closed the link and kept
// its staging, as Valkey's does — through SYNCSLOTS FINISH.
func TestASMOpsTargetManualFailover(t *testing.T) {
	o := newOpsCluster(t, []int{1}) // node 3 replicates the target
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(3, name, "occurring-on-primary")
	testutil.WaitFor(t, 10*time.Second, "the target's replica stages keys", func() bool { return o.stagedKeys(3, 0, 2730) > 0 })
	l.waitOps(200)
	o.do(3, "CLUSTER", "FAILOVER")
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[3])
	o.waitEnded(0, name, "failed", migration.MsgConnLostTarget)
	o.waitEnded(3, name, "failed", migration.MsgFailoverImport)
	o.waitEnded(1, name, "failed", migration.MsgFailoverImport)
	o.waitUnstaged(3, 0, 2730)
	o.waitUnstaged(1, 0, 2730)
	l.waitOps(200)

	// The new target primary imports the slots on a new attempt.
	o.debug(0, "PREVENT-PAUSE", 0)
	name = o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[3])
	o.waitEnded(0, name, "success", "")
	o.waitEnded(3, name, "success", "")
	o.waitOwners(0, 2730, o.ids[3], 2731, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[3])
	l.waitOps(200)
	l.finish(o, "MOVED")
}

// TestASMOpsTargetKilled: the target primary dies mid-import and its
// replica is promoted by the cluster; the promoted replica drops what it
// staged, the source keeps its slots.
func TestASMOpsTargetKilled(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	l := o.startOpsLoad(inRange(opsTgtLo, opsTgtHi), inRange(0, opsTgtHi))
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(3, name, "occurring-on-primary")
	testutil.WaitFor(t, 10*time.Second, "the target's replica stages keys", func() bool { return o.stagedKeys(3, 0, 2730) > 0 })
	l.waitOps(200)
	o.kill(1)
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[3])
	o.waitEnded(0, name, "failed", migration.MsgConnLostTarget)
	o.waitEnded(3, name, "failed", migration.MsgFailoverImport)
	o.waitUnstaged(3, 0, 2730)
	l.waitOps(50)
	l.finish(o, "*")
}
