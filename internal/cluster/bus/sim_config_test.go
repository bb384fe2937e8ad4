package bus

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
)

// Without SET-CONFIG-EPOCH every primary starts at epoch 0; collision
// resolution must spread them to distinct epochs.
func TestSimEpochCollisionResolution(t *testing.T) {
	c := newSim(t, 5, 6, 2*time.Second)
	nodes := c.net.Nodes()
	per := slot.Count / len(nodes)
	for i, n := range nodes {
		end := (i+1)*per - 1
		if i == len(nodes)-1 {
			end = slot.Count - 1
		}
		c.must(n.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.AddSlotsRanges(now, []cluster.Range{{Start: i * per, End: end}})
		}))
	}
	for _, n := range nodes[1:] {
		n.Meet(nodes[0])
	}
	distinct := func() bool {
		seen := map[uint64]bool{}
		for _, n := range nodes {
			e := n.State.Myself().ConfigEpoch
			if seen[e] {
				return false
			}
			seen[e] = true
		}
		return true
	}
	if !c.net.RunFor(60*time.Second, 100*time.Millisecond, func() bool { return c.converged(true) && distinct() }) {
		for _, n := range nodes {
			t.Logf("%s epoch %d", n.Name, n.State.Myself().ConfigEpoch)
		}
		t.Fatal("epochs did not become distinct")
	}
	// The greatest id never moves.
	maxNode := nodes[0]
	for _, n := range nodes {
		if n.ID() > maxNode.ID() {
			maxNode = n
		}
	}
	if e := maxNode.State.Myself().ConfigEpoch; e != 0 {
		t.Fatalf("the greatest id moved to epoch %d", e)
	}
}

// A primary partitioned away while one of its slots moves learns the new
// owner, by UPDATE or a newer claim, when the partition heals, and is told
// to drop the keys of that slot.
func TestSimUpdateAfterSlotMove(t *testing.T) {
	const timeout = 2 * time.Second
	c := newSim(t, 6, 3, timeout)
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	src, dst, other := nodes[0], nodes[1], nodes[2]
	const moved = 100
	if src.State.SlotOwner(moved) != src.ID() {
		t.Fatalf("slot %d owner %s", moved, src.State.SlotOwner(moved))
	}
	c.net.Partition(1, src)
	c.must(dst.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.SetSlot(now, cluster.SetSlotArgs{Slot: moved, Action: cluster.SetSlotImporting, Node: string(src.ID())})
	}))
	c.must(dst.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.SetSlot(now, cluster.SetSlotArgs{Slot: moved, Action: cluster.SetSlotNode, Node: string(dst.ID())})
	}))
	if !c.net.RunFor(time.Second, 10*time.Millisecond, func() bool { return other.State.SlotOwner(moved) == dst.ID() }) {
		t.Fatal("the bumped epoch did not reach the other primary through the PONG broadcast")
	}
	if src.State.SlotOwner(moved) != src.ID() {
		t.Fatal("the partitioned source must still believe it owns the slot")
	}
	c.net.Heal()
	c.waitConverged(5*timeout+10*time.Second, true)
	if src.State.SlotOwner(moved) != dst.ID() {
		t.Fatalf("source still owns slot %d", moved)
	}
	deleted := false
	for _, e := range src.Events {
		if e.Kind == cluster.EventDeleteSlots && len(e.Slots) == 1 && e.Slots[0] == moved {
			deleted = true
		}
	}
	if !deleted {
		t.Fatalf("no delete-slot event on the source: %+v", src.Events)
	}
	sent := dst.State.Info().Sent[cluster.MsgUpdate] + other.State.Info().Sent[cluster.MsgUpdate]
	t.Logf("UPDATE messages: %d sent to the source, %d received", sent, src.State.Info().Received[cluster.MsgUpdate])
	if sent == 0 {
		t.Fatal("nobody told the stale primary with an UPDATE")
	}
}

// The slot move of the legacy path: IMPORTING on the target, MIGRATING on
// the source, SETSLOT NODE on the target then the source.
func TestSimLegacySlotMove(t *testing.T) {
	c := newSim(t, 7, 3, 2*time.Second)
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	src, dst := nodes[0], nodes[1]
	const sl = 42
	set := func(n *SimNode, a cluster.SetSlotArgs) {
		t.Helper()
		c.must(n.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.SetSlot(now, a) }))
	}
	set(dst, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotImporting, Node: string(src.ID())})
	set(src, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotMigrating, Node: string(dst.ID())})
	wantMarker := "[42->-" + string(dst.ID()) + "]"
	if !contains(src.State.ClusterNodes(), wantMarker) {
		t.Fatalf("no migrating marker:\n%s", src.State.ClusterNodes())
	}
	if !contains(dst.State.ClusterNodes(), "[42-<-"+string(src.ID())+"]") {
		t.Fatalf("no importing marker:\n%s", dst.State.ClusterNodes())
	}
	err := src.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.SetSlot(now, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotNode, Node: string(dst.ID()), SlotHasKeys: true})
	})
	if ce, ok := err.(*cluster.Error); !ok || ce.Code != cluster.ErrSlotHasKeys {
		t.Fatalf("SETSLOT NODE with keys left: %v", err)
	}
	set(dst, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotNode, Node: string(dst.ID())})
	set(src, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotNode, Node: string(dst.ID())})
	c.waitConverged(10*time.Second, true)
	for _, n := range nodes {
		if n.State.SlotOwner(sl) != dst.ID() {
			t.Fatalf("%s: owner %s", n.Name, n.State.SlotOwner(sl))
		}
		if len(n.State.Migrating())+len(n.State.Importing()) != 0 {
			t.Fatalf("%s still has markers", n.Name)
		}
	}
	if dst.State.Myself().ConfigEpoch <= 3 {
		t.Fatalf("target epoch not bumped: %d", dst.State.Myself().ConfigEpoch)
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// FORGET spreads through the forgotten-node extension, and the ban keeps
// gossip from bringing the node back.
func TestSimForget(t *testing.T) {
	c := newSim(t, 8, 4, 2*time.Second)
	c.create(3) // node 3 is an empty primary
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	gone := nodes[3]
	gone.Kill()
	c.must(nodes[0].Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Forget(now, string(gone.ID()))
	}))
	if !c.net.RunFor(10*time.Second, 100*time.Millisecond, func() bool {
		for _, n := range nodes[:3] {
			if _, ok := n.State.Node(gone.ID()); ok {
				return false
			}
		}
		return true
	}) {
		t.Fatal("the forget did not spread")
	}
	// A second FORGET of a banned node succeeds.
	c.must(nodes[1].Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Forget(now, string(gone.ID()))
	}))
	c.net.Run(70 * time.Second)
	for _, n := range nodes[:3] {
		if _, ok := n.State.Node(gone.ID()); ok {
			t.Fatalf("%s re-added the forgotten node", n.Name)
		}
		if n.State.Info().KnownNodes != 3 {
			t.Fatalf("%s knows %d nodes", n.Name, n.State.Info().KnownNodes)
		}
	}
}
