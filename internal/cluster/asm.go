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
// fsync before anything depends on it, and tells every node at once
// (Valkey's performSlotImportJobFailover).
func (s *State) ClaimImportedSlots(now time.Time, slots []int) (Output, error) {
	s.begin(now)
	if !s.myself.isPrimary() {
		return s.finish(), ErrClaimNotPrimary
	}
	s.claimEpoch()
	for _, sl := range slots {
		s.delSlot(sl)
		s.addSlot(s.myself, sl)
	}
	s.logf("Claimed %d slots imported by atomic slot migration (configEpoch %d)", len(slots), s.myself.epoch)
	s.doBeforeSleep(todoUpdateState | todoSaveConfig | todoFsyncConfig | todoBroadcastAll)
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
	s.doBeforeSleep(todoSaveConfig | todoFsyncConfig)
	s.logf("New configEpoch set to %d", me.epoch)
}
