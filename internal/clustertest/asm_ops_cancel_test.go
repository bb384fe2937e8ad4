package clustertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/testutil"
)

// CLUSTER CANCELSLOTMIGRATIONS at the phases the streaming and paused
// tests of asm_failure_test.go do not cover: the snapshot and the
// failover-granted hand-over; and on the target, where Valkey refuses it
// (imports are cancelled from their source).

// TestASMOpsCancelSnapshot: a cancel while the snapshot is being sent
// (slowed down with MIGRATESLOTS's RATE) ends the job "cancelled" on the
// source and "failed" on the target, which drops what it and its replica
// staged. CANCELSLOTMIGRATIONS on the target answers "No migrations
// ongoing" and leaves the import alone.
func TestASMOpsCancelSnapshot(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	ctx := context.Background()
	rc := o.clusterClient()
	defer rc.Close()
	for _, k := range opsKeys("seed:", 400, inRange(0, 2730)) {
		if err := rc.Set(ctx, k, strings.Repeat("s", 1000), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	// About 500 KB at 50 KB/s: the snapshot lasts some 10 s.
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1], "RATE", 50000)
	o.waitJob(0, name, "snapshotting")
	o.waitJob(1, name, "receiving-snapshot")
	testutil.WaitFor(t, 10*time.Second, "the target's replica stages keys", func() bool { return o.stagedKeys(3, 0, 2730) > 0 })

	err := o.c.Client(1).Do(ctx, "CLUSTER", "CANCELSLOTMIGRATIONS").Err()
	if err == nil || err.Error() != "ERR No migrations ongoing" {
		t.Fatalf("CANCELSLOTMIGRATIONS on the target: %v", err)
	}
	if j := o.job(1, name); j["state"] != "receiving-snapshot" {
		t.Fatalf("the target's cancel touched the import: %v", j)
	}
	o.do(0, "CLUSTER", "CANCELSLOTMIGRATIONS")
	o.waitEnded(0, name, "cancelled", "")
	o.waitEnded(1, name, "failed", migration.MsgConnLostSource)
	o.waitEnded(3, name, "failed", migration.MsgConnLostSource)
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(3, 0, 2730)
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)
	l.finish(o)
}

// grantedHold starts a migration that reaches failover-granted on both
// ends and stays there: the target holds (PREVENT-FAILOVER) while the
// source keeps writes to the slots paused.
func grantedHold(o *opsCluster) string {
	o.t.Helper()
	o.debug(1, "PREVENT-FAILOVER", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(0, name, "failover-granted")
	o.waitJob(1, name, "failover-granted")
	return name
}

// writeReturns checks that a write to a migrating slot, sent straight to
// the source, is answered: the pause is over.
func writeReturns(o *opsCluster) {
	o.t.Helper()
	k := opsKeys("unpaused:", 1, inRange(0, 2730))[0]
	done := make(chan error, 1)
	go func() { done <- o.c.Client(0).Set(context.Background(), k, "v", 0).Err() }()
	select {
	case err := <-done:
		if err != nil {
			o.t.Fatalf("write on the source after the hand-over was called off: %v", err)
		}
	case <-time.After(5 * time.Second):
		o.t.Fatal("write on the source still paused")
	}
}

// TestASMOpsCancelFailoverGranted: a cancel after the source granted the
// failover (Valkey's "Export unpauses when cancelled"): the source
// unpauses at once and keeps the slots, the target drops its staging.
func TestASMOpsCancelFailoverGranted(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	name := grantedHold(o)
	o.do(0, "CLUSTER", "CANCELSLOTMIGRATIONS")
	o.waitEnded(0, name, "cancelled", "")
	writeReturns(o)
	o.waitEnded(1, name, "failed", migration.MsgConnLostSource)
	o.waitEnded(3, name, "failed", migration.MsgConnLostSource)
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(3, 0, 2730)
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)
	l.finish(o)
}

// TestASMOpsGrantedPauseLapses: the target never takes the slots after
// the grant (Valkey's "Export unpauses itself even if slot failover
// doesn't occur"): at the pause deadline (2 × cluster-manual-failover-
// timeout) the source fails the job with the possible-lost-writes
// message, unpauses and keeps the slots; the target drops its staging.
func TestASMOpsGrantedPauseLapses(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	o.do(0, "CONFIG", "SET", "cluster-manual-failover-timeout", 500)
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	name := grantedHold(o)
	o.waitEnded(0, name, "failed", migration.MsgWriteLossRisk)
	writeReturns(o)
	o.waitEnded(1, name, "failed", migration.MsgConnLostSource)
	o.waitEnded(3, name, "failed", migration.MsgConnLostSource)
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(3, 0, 2730)
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)
	l.finish(o)
}
