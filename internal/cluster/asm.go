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
	s.bumpEpochWithoutConsensus()
	for _, sl := range slots {
		s.delSlot(sl)
		s.addSlot(s.myself, sl)
	}
	s.logf("Claimed %d slots imported by atomic slot migration (configEpoch %d)", len(slots), s.myself.epoch)
	s.doBeforeSleep(todoUpdateState | todoSaveConfig | todoFsyncConfig | todoBroadcastAll)
	return s.finish(), nil
}
