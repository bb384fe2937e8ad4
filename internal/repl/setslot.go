package repl

import (
	"sort"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/command"
)

// ReplicateAhead appends argv to the replication stream before the
// command runs on this node, as Valkey's clusterCommandSetSlot does with
// forceCommandPropagation: CLUSTER SETSLOT reaches the replicas first, so
// a failover right after the primary answers cannot lose the slot's new
// state. It appends nothing, and returns online 0, on a replica or when no
// replica is online (a replica still synchronizing gets the state later
// with the stream or its snapshot, see queueOpenSlots). Otherwise it
// returns the stream offset just after the command, which the online
// replicas must acknowledge, and asks them to acknowledge promptly
// (REPLCONF GETACK).
//
// While a manual failover holds writes it appends nothing and reports
// paused: the offset the replica must reach is final. The check and the
// append are under mu, which the failover takes to start the pause before
// it reads that offset, so a command is either in it or not appended.
//
// The command may land inside a MULTI/EXEC block another client's
// transaction is propagating (a replica then applies it at EXEC, and
// acknowledges it only after): as with the effects of writes to other
// slots, that is harmless.
func (r *Repl) ReplicateAhead(argv [][]byte) (offset int64, online int, paused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replica || r.bl == nil {
		return 0, 0, false
	}
	if r.mfPaused.Load() {
		return 0, 0, true
	}
	for _, rep := range r.replicas {
		if rep.state.Load() == stateOnline {
			online++
		}
	}
	if online == 0 {
		return 0, 0, false
	}
	r.bl.appendCommand(-1, argv)
	offset = r.bl.end.Load()
	if r.lastGetAck < offset {
		r.bl.appendCommand(-1, getAckArgv)
		r.lastGetAck = r.bl.end.Load()
	}
	return offset, online, false
}

var _ command.SetSlotReplicator = (*Repl)(nil)

// queueOpenSlots gives a replica that synchronizes fully this node's open
// slots (legacy migration markers), as Valkey's "slot-info" auxiliary
// field of a replication RDB does: one CLUSTER SETSLOT IMPORTING or
// MIGRATING per open slot, queued ahead of the snapshot's records. They
// are read just after the cut, so a SETSLOT applied before that is in
// them, and one applied later is also in the stream that follows them
// (replaying it is harmless). Like Valkey's field they only open slots: a
// replica's stale markers stay until a SETSLOT reaches it.
func (r *Repl) queueOpenSlots(fs *fullSync, tag int64) {
	cn := r.node.Cluster
	if cn == nil {
		return
	}
	var importing, migrating map[int]cluster.ID
	cn.View(func(s *cluster.State) { importing, migrating = s.Importing(), s.Migrating() })
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, open := range []struct {
		action string
		slots  map[int]cluster.ID
	}{{"IMPORTING", importing}, {"MIGRATING", migrating}} {
		slots := make([]int, 0, len(open.slots))
		for sl := range open.slots {
			slots = append(slots, sl)
		}
		sort.Ints(slots)
		for _, sl := range slots {
			cmd := appendRESP(nil, [][]byte{[]byte("CLUSTER"), []byte("SETSLOT"), []byte(strconv.Itoa(sl)),
				[]byte(open.action), []byte(open.slots[sl])})
			fs.q.add(tag, 0, cmd)
		}
	}
}

// farewellWait bounds how long a replica leaving its primary waits for
// the command being applied to finish before its last acknowledgement.
const farewellWait = time.Second

// farewellAck acknowledges to the primary everything applied so far,
// just before this replica leaves it for another one. The usual reason is
// a CLUSTER SETSLOT NODE from that primary that took its shard's last
// slot (the replica follows the slot's new owner): the primary waits for
// that very command's acknowledgement, and without this one it would
// answer -NOREPLICAS after its timeout — which aborts redis-cli 7.0's
// rebalance when a shard with replicas is drained — although the replica
// did apply the command. The command in progress (its stream bytes are
// counted once it is applied) is waited for, up to farewellWait.
func (l *link) farewellAck() {
	r := l.r
	if st := l.stateNow(); st != linkConnected {
		r.log.Debug("leaving the primary without a last acknowledgement: the link is not connected", "state", st)
		return
	}
	deadline := time.Now().Add(farewellWait)
	for !r.applyMu.TryLock() {
		if time.Now().After(deadline) {
			r.log.Warn("leaving the primary without a last acknowledgement: a command was still being applied", "waited", farewellWait)
			return
		}
		time.Sleep(time.Millisecond)
	}
	defer r.applyMu.Unlock()
	r.mu.Lock()
	bl := r.bl
	r.mu.Unlock()
	l.connMu.Lock()
	conn := l.conn
	l.connMu.Unlock()
	if bl != nil && conn != nil {
		if err := l.sendAck(conn, bl); err != nil {
			r.log.Warn("leaving the primary: the last acknowledgement failed", "err", err)
		}
	}
}
