package cluster

import "github.com/shoal-db/shoal/internal/slot"

// updateState recomputes cluster_state (clusterUpdateState): fail when a
// slot is unserved or served by a FAIL node (with full coverage required),
// or when we see fewer than a majority of the voting primaries.
func (s *State) updateState() {
	me := s.myself
	if s.firstCallTime == 0 {
		s.firstCallTime = s.now
	}
	// The size (quorum base of failure detection) is kept current even
	// during the writable delay below; Valkey computes it after the delay,
	// so a node timeout shorter than 2 s could reach FAIL on one vote.
	size, reachable := 0, 0
	for _, n := range s.sorted {
		if n.isVotingPrimary() {
			size++
			if n.flags&(FlagFail|FlagPFail) == 0 {
				reachable++
			}
		}
	}
	s.size = size
	// A restarted primary waits before accepting writes, giving the
	// cluster a chance to reconfigure it first.
	if me.isPrimary() && !s.stateOK && s.now-s.firstCallTime < writableDelay {
		return
	}
	ok, reason := true, failNone
	if s.cfg.RequireFullCoverage && !s.fullyCovered() {
		ok, reason = false, failNotFullCoverage
	}
	if reachable < size/2+1 {
		ok, reason = false, failMinorityPartition
		s.amongMinorityTime = s.now
	}
	if ok != s.stateOK {
		rejoin := min(max(s.timeoutMS(), minRejoinDelay), maxRejoinDelay)
		// A primary back from the minority side waits for config updates.
		if ok && me.isPrimary() && s.now-s.amongMinorityTime < rejoin {
			return
		}
		s.stateOK = ok
		s.out.Topology = true
		s.out.Events = append(s.out.Events, Event{Kind: EventStateChanged, OK: ok,
			Text: map[bool]string{true: "Cluster state changed: ok", false: "Cluster state changed: fail"}[ok]})
		if !ok {
			s.logFailReason(reason)
			s.failReason = reason
		}
	}
	if !ok && reason != s.failReason {
		s.logFailReason(reason)
		s.failReason = reason
	}
	if ok {
		s.failReason = failNone
	}
}

func (s *State) logFailReason(reason int) {
	switch reason {
	case failNotFullCoverage:
		s.logf("Cluster is currently down: At least one hash slot is not served by any available node. " +
			"Please check the 'cluster-require-full-coverage' configuration.")
	case failMinorityPartition:
		s.logf("Cluster is currently down: I am part of a minority partition.")
	}
}

// fullyCovered reports whether every slot is served by a node not in
// FAIL. It counts per node (numSlots counts the node's slots in the slot
// table, addSlot and delSlot keep both in step) instead of visiting 16384
// slots: it runs on every topology change, each SETSLOT of a migration.
func (s *State) fullyCovered() bool {
	assigned := 0
	for _, n := range s.sorted {
		if n.numSlots == 0 {
			continue
		}
		if n.failed() {
			return false
		}
		assigned += n.numSlots
	}
	return assigned == slot.Count
}
