package cluster

import (
	"errors"
	"time"
)

// ErrClaimNotPrimary refuses ClaimImportedSlots on a replica.
var ErrClaimNotPrimary = errors.New("cluster: only a primary can claim imported slots")

// ClaimImportedSlots ends an atomic slot migration on the target: myself
// takes a new config epoch without consensus (so this claim wins over the
// source's older one everywhere), owns slots, persists nodes.conf with
// before anything depends on it, and tells every node at once
// (Valkey's performSlotImportJobFailover). The claim's config epoch is
// returned so that the target can hand it to the source directly.
func (s *State) ClaimImportedSlots(now time.Time, slots []int) (Output, uint64, error) {
	s.begin(now)
	if !s.myself.isPrimary() {
		return s.finish(), 0, ErrClaimNotPrimary
	}
	s.claimEpoch()
	for _, sl := range slots {
		s.delSlot(sl)
		s.addSlot(s.myself, sl)
	}
	s.logf("Claimed %d slots imported by atomic slot migration (configEpoch %d)", len(slots), s.myself.epoch)
	// Saved (an atomic rename) but not fsynced before the claim goes out:
	// the source keeps its writers paused until it sees the claim, and an
	// fsync here costs that pause milliseconds. A killed process keeps
	// what it wrote (the page cache survives it); only a machine crash
	// could lose the claim, and with it this node's in-memory data anyway.
	s.doBeforeSleep(todoUpdateState | todoSaveConfig | todoBroadcastAll)
	return s.finish(), s.myself.epoch, nil
}

// ownsAll reports whether n owns every slot of slots.
func (s *State) ownsAll(n *node, slots []int) bool {
	for _, sl := range slots {
		if s.slots[sl] != n {
			return false
		}
	}
	return true
}

// ErrClaimUnknownNode refuses AdoptImportClaim for a node not in the table.
var ErrClaimUnknownNode = errors.New("cluster: the claiming node is unknown")

// AdoptImportClaim applies, on the source of an atomic slot migration, the
// claim its target made of slots under epoch, as if the target's UPDATE
// message had arrived (processUpdate): the target told us on the
// migration link, which is faster than its broadcast, and the source's
// writers to those slots stay paused until it routes them to the target.
// The claim is not taken on trust beyond what gossip would accept: an
// epoch older than what we know of the target changes nothing, and each
// slot moves only if the claim's epoch beats its owner's. An equal epoch
// is accepted as a PONG's slots would be: a target keeps its epoch when
// it is already the greatest, so its second claim of a run (three sources
// into one target) carries the epoch the first one taught us, and
// refusing it left the source paused until the target's gossip (+7 ms).
// Like everything learned from others, it is saved without fsync
// (todoSaveLearned).
func (s *State) AdoptImportClaim(now time.Time, id ID, epoch uint64, slots []int) (Output, error) {
	s.begin(now)
	n := s.lookup(id)
	if n == nil {
		return s.finish(), ErrClaimUnknownNode
	}
	if n.epoch < epoch || (n.epoch == epoch && !s.ownsAll(n, slots)) {
		if n.isReplica() {
			s.setNodeAsPrimary(n)
		}
		n.epoch = epoch
		if s.currentEpoch < epoch {
			s.currentEpoch = epoch
		}
		claimed := new(SlotSet)
		if n.slots != nil {
			*claimed = *n.slots
		}
		for _, sl := range slots {
			claimed.Set(sl)
		}
		s.doBeforeSleep(todoSaveLearned)
		s.updateSlotsConfigWith(n, epoch, claimed)
	}
	return s.finish(), nil
}

// claimEpoch gives myself a config epoch greater than every epoch known and
// shared with no other node. bumpEpochWithoutConsensus keeps an epoch that
// is already the greatest even when another primary has it too; a claim
// made with a shared epoch can lose to the other node when the collision
// is resolved (the node with the smaller id moves up and reasserts the
// slots it still believes are its own), which would undo the hand-over.
func (s *State) claimEpoch() {
	me := s.myself
	shared := false
	for _, n := range s.sorted {
		if n != me && n.epoch == me.epoch {
			shared = true
		}
	}
	if me.epoch != 0 && me.epoch == s.maxEpoch() && !shared {
		return
	}
	s.currentEpoch = s.maxEpoch() + 1
	me.epoch = s.currentEpoch
	s.doBeforeSleep(todoSaveConfig)
	s.logf("New configEpoch set to %d", me.epoch)
}
