package clustertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/testutil"
)

// TestASMOpsTargetOOM: the target's maxmemory leaves room for what the
// slots hold when the migration starts (the pre-flight check passes), but
// not for what the source's clients write meanwhile. As in Valkey 9.0 the
// import fails with "Ran out of memory (OOM) during slot import" and drops
// what it staged on the target and its replica, the source records the
// lost link, keeps the slots and serves; the target evicts nothing (its
// policy is noeviction) and takes writes again once the staging is gone.
// Like Valkey, staged keys count toward used_memory, so the target's own
// clients may be refused with -OOM while the import is over the limit:
// that is the only error the workload may see, and only on the target's
// keys.
func TestASMOpsTargetOOM(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	ctx := context.Background()
	rc := o.clusterClient()
	defer rc.Close()
	// 400 KB in the migrating slots before the migration starts.
	for _, k := range opsKeys("seed:", 200, inRange(0, 2730)) {
		if err := rc.Set(ctx, k, strings.Repeat("s", 2000), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	used := o.infoInt(1, "memory", "used_memory")
	limit := used + 3<<20
	o.do(1, "CONFIG", "SET", "maxmemory", limit)
	l := o.startOpsLoad(nil, inRange(0, opsTgtHi))
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(3, name, "occurring-on-primary")

	// The source's clients write 6 MB more into the migrating slots.
	big := opsKeys("big:", 100, inRange(0, 2730))
	for _, k := range big {
		if err := rc.Set(ctx, k, strings.Repeat("b", 64<<10), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	o.waitEnded(1, name, "failed", migration.MsgOOM)
	o.waitEnded(0, name, "failed", migration.MsgConnLostTarget)
	o.waitEnded(3, name, "failed", migration.MsgOOM)
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(3, 0, 2730)
	if n := o.infoInt(1, "stats", "evicted_keys"); n != 0 {
		t.Fatalf("the target evicted %d keys", n)
	}
	if u := o.infoInt(1, "memory", "used_memory"); u > limit {
		t.Fatalf("used_memory %d over maxmemory %d after the rollback", u, limit)
	}
	// The target takes writes again, the source still has everything.
	k := opsKeys("after:", 1, inRange(opsTgtLo, opsTgtHi))[0]
	if err := rc.Set(ctx, k, "v", 0).Err(); err != nil {
		t.Fatalf("target write after the rollback: %v", err)
	}
	for _, k := range big {
		if n, err := o.c.Client(0).StrLen(ctx, k).Result(); err != nil || n != 64<<10 {
			t.Fatalf("source lost %s: %d %v", k, n, err)
		}
	}
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.finish(o, "OOM")
	for k := range l.oomK {
		if s := slotOf(k); s < opsTgtLo {
			t.Errorf("%s (slot %d, the source's) was refused with -OOM", k, s)
		}
	}
}

// TestASMOpsTargetFlushAll: FLUSHALL on the target mid-import fails the
// job as Valkey does ("Data was flushed" on the target and, through
// FINISH, its replica; the source loses the link); nothing staged is left
// on the target shard, the source keeps the slots, and a retry succeeds.
func TestASMOpsTargetFlushAll(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	// The target's own keys are flushed by the operator: the ledger
	// covers the other shards' keys only.
	l := o.startOpsLoad(nil, func(s int) bool { return s < opsTgtLo || s > opsTgtHi })
	o.debug(0, "PREVENT-PAUSE", 1)
	name := o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitJob(1, name, "waiting-for-paused")
	o.waitJob(3, name, "occurring-on-primary")
	testutil.WaitFor(t, 10*time.Second, "the target's replica stages keys", func() bool { return o.stagedKeys(3, 0, 2730) > 0 })
	l.waitOps(200)
	o.do(1, "FLUSHALL")
	o.waitEnded(1, name, "failed", migration.MsgFlushed)
	o.waitEnded(0, name, "failed", migration.MsgConnLostTarget)
	o.waitEnded(3, name, "failed", migration.MsgFlushed)
	o.waitUnstaged(1, 0, 2730)
	o.waitUnstaged(3, 0, 2730)
	o.waitOwners(0, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)

	// "The operator should retry": the next attempt succeeds.
	o.debug(0, "PREVENT-PAUSE", 0)
	name = o.migrate(0, "SLOTSRANGE", 0, 2730, "NODE", o.ids[1])
	o.waitEnded(0, name, "success", "")
	o.waitEnded(1, name, "success", "")
	o.waitOwners(0, 2730, o.ids[1], 2731, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
	l.waitOps(200)
	l.finish(o, "MOVED")
}

// emptySlot is a slot in lo..hi holding no pre: key (so that moving it by
// hand loses no data) and not in avoid.
func emptySlot(lo, hi int) int {
	used := map[int]bool{}
	for i := 0; i < 2000; i++ {
		used[slotOf(fmt.Sprintf("pre:%d", i))] = true
	}
	for s := lo; s <= hi; s++ {
		if !used[s] {
			return s
		}
	}
	panic("no empty slot")
}

// TestASMOpsSetSlotNode: CLUSTER SETSLOT <slot> NODE <other> mid-import
// fails the job with Valkey's messages, whichever node it is sent to (a
// third node claiming a slot, the target claiming one, the source giving
// one away); every node agrees on one owner per slot afterwards and the
// target shard keeps nothing staged. The slots moved by hand are empty,
// so the ledger covers every other key exactly.
func TestASMOpsSetSlotNode(t *testing.T) {
	o := newOpsCluster(t, []int{1})
	moved := []int{emptySlot(100, 999), emptySlot(1100, 1999), emptySlot(2100, 2999)}
	l := o.startOpsLoad(nil, func(s int) bool {
		return s != moved[0] && s != moved[1] && s != moved[2]
	})
	o.debug(0, "PREVENT-PAUSE", 1)
	cases := []struct {
		lo, hi         int
		run            func(s int)
		newOwner       int
		source, target []string
	}{
		{0, 999, func(s int) {
			// A third node takes the slot (Valkey's "Slots split across
			// shards during import").
			o.do(2, "CLUSTER", "BUMPEPOCH")
			o.do(2, "CLUSTER", "SETSLOT", s, "NODE", o.ids[2])
		}, 2, []string{migration.MsgNotOwnedMyself, migration.MsgConnLostTarget},
			[]string{migration.MsgNotOwnedSource, migration.MsgConnLostSource}},
		{1000, 1999, func(s int) {
			// The target assigns the slot to itself.
			o.do(1, "CLUSTER", "BUMPEPOCH")
			o.do(1, "CLUSTER", "SETSLOT", s, "NODE", o.ids[1])
		}, 1, []string{migration.MsgNotOwnedMyself, migration.MsgConnLostTarget},
			[]string{migration.MsgAssignedMyself}},
		{2000, 2999, func(s int) {
			// The source gives the slot away, then the new owner claims
			// it (the two SETSLOT NODE of a legacy hand-over).
			o.do(0, "CLUSTER", "SETSLOT", s, "NODE", o.ids[2])
			o.do(2, "CLUSTER", "BUMPEPOCH")
			o.do(2, "CLUSTER", "SETSLOT", s, "NODE", o.ids[2])
		}, 2, []string{migration.MsgNotOwnedMyself},
			[]string{migration.MsgNotOwnedSource, migration.MsgConnLostSource}},
	}
	for i, tc := range cases {
		t.Logf("SETSLOT %d NODE %s mid-import of %d-%d", moved[i], o.ids[tc.newOwner], tc.lo, tc.hi)
		name := o.migrate(0, "SLOTSRANGE", tc.lo, tc.hi, "NODE", o.ids[1])
		o.waitJob(1, name, "waiting-for-paused")
		o.waitJob(3, name, "occurring-on-primary")
		tc.run(moved[i])
		o.waitEnded(0, name, "failed", tc.source...)
		o.waitEnded(1, name, "failed", tc.target...)
		o.waitJob(3, name, "failed")
		for _, n := range []int{1, 3} {
			o.waitUnstaged(n, tc.lo, moved[i]-1)
			o.waitUnstaged(n, moved[i]+1, tc.hi)
		}
		o.waitOwners(tc.lo, moved[i]-1, o.ids[0], moved[i], moved[i], o.ids[tc.newOwner],
			moved[i]+1, opsSrcHi, o.ids[0], opsTgtLo, opsTgtHi, o.ids[1])
		l.waitOps(100)
	}
	l.finish(o)
}
