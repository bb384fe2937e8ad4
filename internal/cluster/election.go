package cluster

import (
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// The replica side of failover (clusterHandleReplicaFailover and friends):
// when its primary is FAIL (or a manual failover allows it), a replica
// waits a delay ranked by how fresh its data is, asks every node for a
// vote in a new epoch, and with votes from a majority of the voting
// primaries takes over its primary's slots under that epoch.

// SetPrimaryLastSeen tells a replica when it last heard from its primary
// over the replication link (the last interaction while connected, or the
// time the link went down). A replica whose data is older than
// ReplPingPeriod + NodeTimeout × ReplicaValidityFactor does not fail over
// on its own. Never set means "fresh".
func (s *State) SetPrimaryLastSeen(t time.Time) { s.primarySeen = t.UnixMilli() }

// replicaRank counts the replicas of my primary that are better candidates:
// a greater replication offset, or the same one and a smaller id.
func (s *State) replicaRank() int {
	me := s.myself
	p := me.primary
	if p == nil {
		return 0
	}
	rank := 0
	for _, r := range p.replicas {
		if r == me || r.has(FlagNoFailover) {
			continue
		}
		if r.replOffset > s.replOffset || (r.replOffset == s.replOffset && r.id < me.id) {
			rank++
		}
	}
	return rank
}

// failedPrimaryRank orders simultaneous elections of several shards (by
// shard id), so they do not split the votes.
func (s *State) failedPrimaryRank() int {
	me := s.myself
	rank := 0
	validity := s.timeoutMS() * int64(s.cfg.ReplicaValidityFactor)
	for _, n := range s.sorted {
		if !n.failed() || !n.isVotingPrimary() || len(n.replicas) == 0 {
			continue
		}
		if s.cfg.ReplicaValidityFactor > 0 && s.now-n.failTime > validity {
			continue
		}
		if n.shardID < me.shardID {
			rank++
		}
	}
	return rank
}

func (s *State) handleReplicaFailover() {
	me := s.myself
	e := &s.election
	manual := e.mfEnd != 0 && e.mfCanStart
	to := s.timeoutMS()
	authTimeout := max(to*2, 2000)
	authRetry := authTimeout * 2
	p := me.primary
	if me.isPrimary() || p == nil || (!p.failed() && !manual) ||
		(s.cfg.ReplicaNoFailover && !manual) || p.numSlots == 0 {
		return
	}
	if !manual && s.dataTooOld() {
		return
	}
	if s.now-e.authTime > authRetry {
		s.scheduleElection()
		return
	}
	if !e.authSent && e.mfEnd == 0 {
		if r := s.replicaRank(); r > e.authRank {
			e.authTime += int64(r-e.authRank) * 1000
			e.authRank = r
		}
	}
	if s.now < e.authTime || s.now-e.authTime > authTimeout {
		return
	}
	if !e.authSent {
		s.currentEpoch++
		e.authEpoch = s.currentEpoch
		s.logf("Starting a failover election for epoch %d.", e.authEpoch)
		m := s.newHeader(MsgAuthRequest)
		if e.mfEnd != 0 {
			m.MFlags |= MsgFlagForceAck
		}
		s.broadcast(m)
		e.authSent = true
		s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig)
		return
	}
	if e.authCount >= s.size/2+1 {
		s.logf("Failover election won: I'm the new primary.")
		if me.epoch < e.authEpoch {
			me.epoch = e.authEpoch
			s.logf("configEpoch set to %d after successful failover", me.epoch)
		}
		s.replaceMyPrimary()
	}
}

func (s *State) dataTooOld() bool {
	if s.cfg.ReplicaValidityFactor == 0 || s.primarySeen == 0 {
		return false
	}
	to := s.timeoutMS()
	age := s.now - s.primarySeen
	if age > to {
		age -= to
	}
	return age > s.cfg.ReplPingPeriod.Milliseconds()+to*int64(s.cfg.ReplicaValidityFactor)
}

// scheduleElection sets the election time: 500 ms for the FAIL to spread,
// up to 500 ms of jitter, a second per better replica and half a second per
// failed shard ahead of ours; none for a manual failover.
func (s *State) scheduleElection() {
	e := &s.election
	e.authTime = s.now + 500 + s.rng.Int64N(500)
	e.authCount = 0
	e.authSent = false
	e.authRank = s.replicaRank()
	e.authTime += int64(e.authRank) * 1000
	e.authTime += int64(s.failedPrimaryRank()) * 500
	if e.mfEnd != 0 {
		e.authTime = s.now
		e.authRank = 0
		s.doBeforeSleep(todoHandleFailover)
	}
	s.logf("Start of election delayed for %d milliseconds (rank #%d, offset %d).", e.authTime-s.now, e.authRank, s.replOffset)
	// Our offset may be better than the other replicas think.
	me := s.myself
	for _, n := range s.sorted {
		if n.hasLink() && n != me && !n.inHandshake() && n.isReplica() && n.primary != nil &&
			(n.primary == me || n.primary == me.primary) {
			s.sendPing(outbound(n), MsgPong)
		}
	}
}

// replaceMyPrimary turns myself into the primary of my shard, taking its
// slots, and tells everyone (clusterFailoverReplaceYourPrimary).
func (s *State) replaceMyPrimary() {
	me := s.myself
	old := me.primary
	if me.isPrimary() || old == nil {
		return
	}
	s.setNodeAsPrimary(me)
	s.out.Events = append(s.out.Events, Event{Kind: EventPromoted, Node: old.id})
	if old.numSlots > 0 {
		for j := 0; j < slot.Count; j++ {
			if old.ownsSlot(j) {
				s.delSlot(j)
				s.addSlot(me, j)
			}
		}
	}
	s.updateState()
	s.doBeforeSleep(todoSaveConfig | todoFsyncConfig | todoBroadcastAll)
	s.resetManualFailover()
}

// handleManualFailover lets the election start once our replication
// offset caught up with the one our paused primary announced.
func (s *State) handleManualFailover() {
	e := &s.election
	if e.mfEnd == 0 || e.mfCanStart || e.mfPrimaryOffset == -1 {
		return
	}
	if e.mfPrimaryOffset == s.replOffset {
		s.manualFailoverCanStart()
		s.logf("All primary replication stream processed, manual failover can start.")
		s.doBeforeSleep(todoHandleFailover)
	}
}

func (s *State) manualFailoverCanStart() {
	e := &s.election
	if e.authTime != 0 {
		e.authTime = 0 // a new request resets a running election
	}
	e.mfCanStart = true
}

// FailoverMode is the option of CLUSTER FAILOVER.
type FailoverMode uint8

// CLUSTER FAILOVER options.
const (
	FailoverDefault  FailoverMode = iota // coordinated with the primary, no data loss
	FailoverForce                        // no primary agreement, still an election
	FailoverTakeover                     // no election: a new epoch without consensus
)

// Failover is CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica.
func (s *State) Failover(now time.Time, mode FailoverMode) (Output, error) {
	me := s.myself
	switch {
	case me.isPrimary():
		return Output{}, &Error{Code: ErrFailoverPrimary}
	case me.primary == nil:
		return Output{}, &Error{Code: ErrFailoverNoPrimary}
	case mode == FailoverDefault && (me.primary.failed() || !me.primary.hasLink()):
		return Output{}, &Error{Code: ErrFailoverPrimaryDown}
	}
	s.begin(now)
	s.resetManualFailover()
	s.election.mfEnd = s.now + mfTimeout
	switch mode {
	case FailoverTakeover:
		s.logf("Taking over the primary (user request).")
		s.bumpEpochWithoutConsensus()
		s.replaceMyPrimary()
	case FailoverForce:
		s.logf("Forced failover user request accepted.")
		s.manualFailoverCanStart()
		s.doBeforeSleep(todoHandleFailover)
	default:
		s.logf("Manual failover user request accepted.")
		s.emit(outbound(me.primary), s.newHeader(MsgMFStart))
	}
	return s.finish(), nil
}
