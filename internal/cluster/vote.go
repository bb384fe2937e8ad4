package cluster

import "github.com/shoal-db/shoal/internal/slot"

// mfTimeout is CLUSTER_MF_TIMEOUT: how long a manual failover may take.
const mfTimeout = 5000

// election is the failover bookkeeping. The replica side (starting an
// election, counting votes to a quorum, taking over the slots) belongs to
// the replication work; the primary side (granting votes, MFSTART) is here
// because it only needs cluster state.
type election struct {
	authTime  int64  // when the election starts/started (0: none)
	authCount int    // votes received so far
	authSent  bool   // vote requests sent
	authRank  int    // our rank among the replicas
	authEpoch uint64 // epoch of the running election

	mfEnd           int64 // manual failover deadline (0: none)
	mfCanStart      bool
	mfReplica       *node // primary side: the replica doing it
	mfPaused        bool  // primary side: writes paused, offset final (repl_mf.go)
	mfPrimaryOffset int64 // replica side: primary offset once paused (-1: unknown)
}

func (s *State) resetManualFailover() {
	e := &s.election
	if e.mfReplica != nil {
		// We were the paused primary: let writes in again.
		s.out.Events = append(s.out.Events, Event{Kind: EventMFEnd, Node: e.mfReplica.id})
	}
	e.mfEnd = 0
	e.mfCanStart = false
	e.mfReplica = nil
	e.mfPaused = false
	e.mfPrimaryOffset = -1
}

func (s *State) manualFailoverCheckTimeout() {
	if e := &s.election; e.mfEnd != 0 && e.mfEnd < s.now {
		s.logf("Manual failover timed out.")
		s.resetManualFailover()
	}
}

// sendFailoverAuthIfNeeded votes for a replica asking to replace its failed
// primary when (Valkey's rules) we are a voting primary, we have not voted
// in this epoch, its primary is FAIL (or the request forces it), and no
// slot it claims is owned with a greater config epoch.
func (s *State) sendFailoverAuthIfNeeded(n *node, req *Message) {
	me := s.myself
	if !me.isVotingPrimary() {
		return
	}
	if req.CurrentEpoch < s.currentEpoch {
		s.logf("Failover auth denied to %s: reqEpoch (%d) < curEpoch(%d)", n.id, req.CurrentEpoch, s.currentEpoch)
		return
	}
	if s.lastVoteEpoch == s.currentEpoch {
		s.logf("Failover auth denied to %s: already voted for epoch %d", n.id, s.currentEpoch)
		return
	}
	p := n.primary
	force := req.MFlags&MsgFlagForceAck != 0
	if n.isPrimary() || p == nil || (!p.failed() && !force) {
		s.logf("Failover auth denied to %s for epoch %d", n.id, req.CurrentEpoch)
		return
	}
	if req.Slots != nil {
		for j := 0; j < slot.Count; j++ {
			if !req.Slots.Has(j) || s.slotUnclaimed(j) || s.slots[j].epoch <= req.ConfigEpoch {
				continue
			}
			s.logf("Failover auth denied to %s: slot %d epoch (%d) > reqConfigEpoch (%d)",
				n.id, j, s.slots[j].epoch, req.ConfigEpoch)
			return
		}
	}
	s.lastVoteEpoch = s.currentEpoch
	s.doBeforeSleep(todoSaveConfig | todoFsyncConfig)
	s.emit(outbound(n), s.newHeader(MsgAuthAck))
	s.out.Events = append(s.out.Events, Event{Kind: EventVoted, Node: n.id})
	s.logf("Failover auth granted to %s for epoch %d", n.id, s.currentEpoch)
}

// LastVoteEpoch returns the epoch of our last failover vote.
func (s *State) LastVoteEpoch() uint64 { return s.lastVoteEpoch }

// FailoverVotes returns the votes counted for our running election and its
// epoch (hook for the replica election).
func (s *State) FailoverVotes() (count int, epoch uint64) {
	return s.election.authCount, s.election.authEpoch
}
