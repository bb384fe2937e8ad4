package cluster

import "github.com/shoal-db/shoal/internal/slot"

// primariesHaveReplicas reports whether any primary has replicas; a primary
// getting its first slot becomes a replica-migration target only then.
func (s *State) primariesHaveReplicas() bool {
	for _, n := range s.sorted {
		if !n.isReplica() && len(n.replicas) > 0 {
			return true
		}
	}
	return false
}

// addSlot assigns an unassigned slot to n (clusterAddSlot).
func (s *State) addSlot(n *node, sl int) bool {
	if s.slots[sl] != nil {
		return false
	}
	if !n.setSlotBit(sl) && n.numSlots == 1 && s.primariesHaveReplicas() {
		n.flags |= FlagMigrateTo
	}
	s.slots[sl] = n
	s.slotChanged(sl)
	s.ownerNotClaiming.Clear(sl)
	return true
}

// delSlot unassigns a slot (clusterDelSlot).
func (s *State) delSlot(sl int) bool {
	n := s.slots[sl]
	if n == nil {
		return false
	}
	n.clearSlotBit(sl)
	s.slots[sl] = nil
	s.slotChanged(sl)
	s.ownerNotClaiming.Clear(sl)
	return true
}

// delNodeSlots unassigns every slot of n and returns how many there were.
func (s *State) delNodeSlots(n *node) int {
	deleted := 0
	if n.numSlots == 0 {
		return 0
	}
	for j := 0; j < slot.Count; j++ {
		if n.ownsSlot(j) {
			s.delSlot(j)
			deleted++
		}
	}
	return deleted
}

// slotUnclaimed: unassigned, or its owner stopped claiming it.
func (s *State) slotUnclaimed(sl int) bool {
	return s.slots[sl] == nil || s.ownerNotClaiming.Has(sl)
}

func (s *State) closeAllSlots() {
	clear(s.migrating)
	clear(s.importing)
}

func sameShard(a, b *node) bool { return a.shardID == b.shardID }

// updateShardID changes a node's shard id; when it is our primary's, ours
// follows (updateShardId).
func (s *State) updateShardID(n *node, shard ID) {
	if shard == "" {
		return
	}
	if n.shardID != shard {
		n.shardID = shard
		s.doBeforeSleep(todoSaveConfig)
	}
	me := s.myself
	if n != me && me.primary == n && me.shardID != shard {
		me.shardID = shard
		s.doBeforeSleep(todoSaveConfig | todoFsyncConfig)
	}
}

// setNodeAsPrimary turns a node we believed to be a replica into a primary.
func (s *State) setNodeAsPrimary(n *node) {
	if n.isPrimary() {
		return
	}
	if n.primary != nil {
		n.primary.removeReplica(n)
		if n != s.myself {
			n.flags |= FlagMigrateTo
		}
	}
	n.flags &^= FlagReplica
	n.flags |= FlagPrimary
	n.primary = nil
	s.doBeforeSleep(todoSaveConfig | todoUpdateState)
}

// setPrimary makes myself a replica of p (clusterSetPrimary). Myself must
// own no slots.
func (s *State) setPrimary(p *node, closeSlots, fullSync bool) {
	me := s.myself
	if me.isPrimary() {
		me.flags &^= FlagPrimary | FlagMigrateTo
		me.flags |= FlagReplica
	} else if me.primary != nil {
		me.primary.removeReplica(me)
	}
	if closeSlots {
		s.closeAllSlots()
	}
	me.primary = p
	s.updateShardID(me, p.shardID)
	p.addReplica(me)
	s.election.authTime = 0
	// EventReplicate before the EventMFEnd of the reset: a paused primary
	// must become a replica before its writes resume (server/repl_cluster.go).
	s.out.Events = append(s.out.Events, Event{Kind: EventReplicate, Node: p.id, FullSync: fullSync})
	s.resetManualFailover()
}
