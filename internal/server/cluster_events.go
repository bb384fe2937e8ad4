package server

import (
	"slices"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/netyield"
	"github.com/shoal-db/shoal/internal/slot"
)

// onOutput handles what the state machine asks of the server. It runs
// under the runner's lock, so it must not block and must not take slot
// locks (see clusterNode): keys are deleted by the slot worker.
func (cn *clusterNode) onOutput(out cluster.Output) {
	node := cn.s.node
	for _, e := range out.Events {
		switch e.Kind {
		case cluster.EventDeleteSlots:
			cn.slots.enqueue(e.Slots)
		case cluster.EventPublish:
			if e.Sharded {
				node.PubSub.PublishShard(e.Channel, e.Payload)
			} else {
				node.PubSub.Publish(e.Channel, e.Payload)
			}
		case cluster.EventStateChanged:
			state := "fail"
			if e.OK {
				state = "ok"
			}
			cn.s.log.Info("Cluster state changed: " + state)
		case cluster.EventNodeFailed:
			cn.s.log.Info("Cluster node marked as failing", "node", e.Node)
		case cluster.EventPromoted, cluster.EventReplicate, cluster.EventPrimaryAddress, cluster.EventMFStart, cluster.EventMFEnd:
			cn.replEvent(e) // repl_cluster.go
		}
	}
	if out.Topology {
		cn.topologyChanged()
	}
}

// topologyChanged compares the new routing snapshot with the previous
// one. Slots my shard stopped serving lose their shard-channel
// subscribers (Valkey's clusterDelSlot → removeChannelsInSlot); when
// ownership or cluster_state changed, blocked clients wake up to check
// whether they must be redirected.
func (cn *clusterNode) topologyChanged() {
	cur := cn.runner.Routes()
	prev := cn.prev
	cn.prev = cur
	if prev == nil {
		return
	}
	node := cn.s.node
	if prev.Owner == cur.Owner && prev.MyPrimary == cur.MyPrimary {
		// The same owner table: no slot changed hands (routes.go).
		if prev.OK != cur.OK {
			node.ClusterWakeBlocked()
		}
		return
	}
	changed := prev.OK != cur.OK
	shards := node.PubSub.NumShardChannels() > 0
	// With the same node indexes, runs of slots whose owners did not
	// change are skipped a block at a time (an array comparison).
	sameIdx := prev.MyPrimary == cur.MyPrimary && slices.EqualFunc(prev.Nodes, cur.Nodes,
		func(a, b cluster.RouteNode) bool { return a.ID == b.ID })
	const block = 128
	for lo := 0; lo < len(cur.Owner); lo += block {
		if sameIdx && *(*[block]int32)(prev.Owner[lo : lo+block]) == *(*[block]int32)(cur.Owner[lo : lo+block]) {
			continue
		}
		for s := lo; s < lo+block; s++ {
			was := prev.MyPrimary >= 0 && prev.Owner[s] == prev.MyPrimary
			is := cur.MyPrimary >= 0 && cur.Owner[s] == cur.MyPrimary
			if was == is {
				continue
			}
			changed = true
			if was && shards {
				node.ClusterDropShardSlot(s)
			}
		}
	}
	if changed {
		node.ClusterWakeBlocked()
	}
}

func routeOwnerID(r *cluster.Routes, i int32) cluster.ID {
	if i < 0 || int(i) >= len(r.Nodes) {
		return ""
	}
	return r.Nodes[i].ID
}

// slotDropper is the goroutine that deletes the keys of slots this node
// lost (EventDeleteSlots). It is owned by the clusterNode and stopped by Server.Close.
type slotDropper struct {
	s     *Server
	y     *netyield.Yielder // the loop's; nil without a descriptor to spare
	mu    sync.Mutex
	slots []int
	// pending counts, per slot, the drops queued or running; progress is
	// closed (and replaced) when one ends while someone waits for it
	// (awaitDropped, waiters). All guarded by mu.
	pending  [slot.Count]uint16
	progress chan struct{}
	waiters  int
	wake     chan struct{}
	done     chan struct{}
	wg       sync.WaitGroup
}

func newSlotDropper(s *Server) *slotDropper {
	d := &slotDropper{s: s, wake: make(chan struct{}, 1), done: make(chan struct{}), progress: make(chan struct{})}
	d.y, _ = netyield.New()
	d.wg.Add(1)
	go d.loop()
	return d
}

func (d *slotDropper) enqueue(slots []int) {
	d.mu.Lock()
	d.slots = append(d.slots, slots...)
	for _, s := range slots {
		d.pending[s]++
	}
	d.mu.Unlock()
	d.signal()
}

// dropped records that a queued drop of slot s ended.
func (d *slotDropper) dropped(s int) {
	d.mu.Lock()
	d.pending[s]--
	if d.waiters > 0 {
		close(d.progress)
		d.progress = make(chan struct{})
	}
	d.mu.Unlock()
}

// awaitDropped returns once no drop of slot s is queued or running (or
// the server stops). The keys of a lost slot are deleted in the
// background, yet Valkey deletes them at once: before this node lets the
// slot be written again (CLUSTER SETSLOT IMPORTING, an atomic slot
// migration's import) or counts its keys, their deletion must be over —
// otherwise the dropper could delete keys a legacy migration had just
// brought back, and SETSLOT would see keys the node no longer owns.
func (d *slotDropper) awaitDropped(s int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pending[s] == 0 {
		return
	}
	d.waiters++
	defer func() { d.waiters-- }()
	for d.pending[s] > 0 {
		ch := d.progress
		d.mu.Unlock()
		select {
		case <-ch:
		case <-d.done:
			d.mu.Lock()
			return
		}
		d.mu.Lock()
	}
}

func (d *slotDropper) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *slotDropper) stop() {
	close(d.done)
	d.wg.Wait()
}

func (d *slotDropper) loop() {
	defer d.wg.Done()
	defer d.y.Close()
	for {
		select {
		case <-d.done:
			return
		case <-d.wake:
		}
		d.mu.Lock()
		slots := d.slots
		d.slots = nil
		d.mu.Unlock()
		d.drop(slots)
	}
}

// dropSlice is how long the dropper runs before it lets the network in:
// the drop of a migrated quarter of the slots takes milliseconds, and
// it starts just as a slot migration's source waits for its other jobs'
// hand-over messages (a 1.4 ms drop measured in a 2.5 ms write pause).
const dropSlice = 100 * time.Microsecond

// drop deletes the keys of each slot that my shard still does not serve:
// a slot that came back since the event keeps its (new) keys. Ownership is
// checked per slot under its lock, with the routes of that moment: the
// drop yields, and a slot can come back meanwhile.
func (d *slotDropper) drop(slots []int) {
	total := 0
	from := time.Now()
	for _, s := range slots {
		total += d.s.ks.DeleteSlot(s, func() bool { return d.servedAgain(s) })
		d.dropped(s)
		if time.Since(from) >= dropSlice {
			d.y.Yield()
			from = time.Now()
		}
	}
	if total > 0 {
		d.s.log.Info("deleted the keys of slots this node no longer serves", "slots", len(slots), "keys", total)
	}
}

// servedAgain reports whether my shard serves slot s (again).
func (d *slotDropper) servedAgain(s int) bool {
	r := d.s.node.Cluster.Routes()
	mine := routeOwnerID(r, r.MyPrimary)
	return mine != "" && routeOwnerID(r, r.Owner[s]) == mine
}
