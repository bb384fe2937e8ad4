package cluster

import "time"

// ManualFailoverPaused is the owner's answer to EventMFStart when
// Config.ConfirmManualFailoverPause is set: writes are paused and off is
// the final replication offset. From now on the pings to the replica
// doing the manual failover carry the paused flag and that offset, which
// the replica must reach before it asks for votes; announcing an offset
// before the writes in flight finished would let it start too early and
// lose them.
func (s *State) ManualFailoverPaused(now time.Time, off int64) Output {
	s.begin(now)
	s.replOffset = off
	e := &s.election
	if e.mfEnd != 0 && e.mfReplica != nil && s.myself.isPrimary() && !e.mfPaused {
		e.mfPaused = true
		if e.mfReplica.hasLink() {
			s.sendPing(outbound(e.mfReplica), MsgPing)
		}
	}
	return s.finish()
}

// ManualFailoverPending reports whether this primary is paused for a
// manual failover of one of its replicas (EventMFStart without EventMFEnd
// yet).
func (s *State) ManualFailoverPending() bool {
	return s.myself.isPrimary() && s.election.mfEnd != 0 && s.election.mfReplica != nil
}
