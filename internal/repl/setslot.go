package repl

import "github.com/shoal-db/shoal/internal/command"

// ReplicateAhead appends argv to the replication stream before the
// command runs on this node, as Valkey's clusterCommandSetSlot does with
// forceCommandPropagation: CLUSTER SETSLOT reaches the replicas first, so
// a failover right after the primary answers cannot lose the slot's new
// state. It appends nothing, and returns online 0, on a replica or when no
// replica is online (a replica still synchronizing gets the state later
// with the stream or its snapshot). Otherwise it returns the stream offset
// just after the command, which the online replicas must acknowledge, and
// asks them to acknowledge promptly (REPLCONF GETACK).
//
// The caller holds every slot lock, so that the command lands between two
// write commands' effects, never inside a MULTI/EXEC block.
func (r *Repl) ReplicateAhead(argv [][]byte) (offset int64, online int) {
	r.mu.Lock()
	if r.replica || r.bl == nil {
		r.mu.Unlock()
		return 0, 0
	}
	for _, rep := range r.replicas {
		if rep.state.Load() == stateOnline {
			online++
		}
	}
	if online == 0 {
		r.mu.Unlock()
		return 0, 0
	}
	r.bl.appendCommand(-1, argv)
	offset = r.bl.end.Load()
	r.mu.Unlock()
	r.RequestAck(offset)
	return offset, online
}

var _ command.SetSlotReplicator = (*Repl)(nil)
