package cluster

import "time"

// Tick runs the periodic work (clusterCron); call it about every 100 ms.
// It dials missing links, expires handshakes, pings, detects PFAIL and
// recomputes cluster_state.
func (s *State) Tick(now time.Time) Output {
	s.begin(now)
	s.cron()
	return s.finish()
}

func (s *State) cron() {
	s.statsPFailNodes = 0
	for _, n := range append([]*node(nil), s.sorted...) {
		s.cronReconnect(n)
	}
	s.randomPing()
	updateState := false
	to := s.timeoutMS()
	for _, n := range s.sorted {
		if n.flags&(FlagMyself|FlagNoAddr|FlagHandshake) != 0 {
			continue
		}
		pingDelay := s.now - n.pingSent
		dataDelay := s.now - n.dataRecv
		// No answer and no traffic at all for half the timeout on an old
		// link: the connection may be stuck even if the node is alive.
		if n.hasLink() && s.now-n.linkCtime > to && n.pingSent != 0 && pingDelay > to/2 && dataDelay > to/2 {
			s.freeLink(n)
		}
		if n.hasLink() && n.pingSent == 0 && s.now-n.pongRecv > s.pingInterval() {
			s.sendPing(outbound(n), MsgPing)
			continue
		}
		e := &s.election
		if e.mfEnd != 0 && s.myself.isPrimary() && e.mfReplica == n && n.hasLink() {
			s.sendPing(outbound(n), MsgPing)
			continue
		}
		if n.pingSent == 0 {
			continue
		}
		// Any incoming data proves liveness too (the bus also carries
		// PUBLISH traffic that may delay pongs).
		if min(pingDelay, dataDelay) > to && n.flags&(FlagPFail|FlagFail) == 0 {
			n.flags |= FlagPFail
			updateState = true
			if s.myself.isVotingPrimary() {
				s.markNodeAsFailingIfNeeded(n)
			} else {
				s.logf("NODE %s possibly failing.", n.id)
			}
		}
	}
	s.manualFailoverCheckTimeout()
	if s.myself.isReplica() {
		s.handleManualFailover()
		s.handleReplicaFailover()
	}
	if updateState || !s.stateOK {
		s.updateState()
	}
}

// cronReconnect expires handshakes, re-sends MEET to nodes that never
// connected back to us, and dials nodes we have no link to.
func (s *State) cronReconnect(n *node) {
	if n.flags&(FlagMyself|FlagNoAddr) != 0 {
		return
	}
	if n.timedOut() {
		s.statsPFailNodes++
	}
	hto := s.handshakeTimeout()
	if n.inHandshake() && s.now-n.ctime > hto {
		s.logf("Clusterbus handshake timeout %s:%d", n.ip, n.cport)
		s.delNode(n)
		return
	}
	if n.flags&(FlagHandshake|FlagMeet|FlagPFail|FlagFail) == 0 && n.hasLink() && n.inboundConn == 0 &&
		s.now-n.inboundFreedTime > hto && s.now-n.meetSent > hto {
		// We know it but it never connected to us: it probably doesn't
		// know us. MEET it (at most once per handshake timeout).
		n.flags |= FlagMeet
		s.logf("Sending MEET packet to node %s because there is no inbound link for it", n.id)
		s.sendPing(outbound(n), MsgMeet)
	}
	if n.link == linkNone && n.ip != "" && n.cport > 0 {
		n.link = linkConnecting
		n.linkCtime = s.now
		s.out.Dials = append(s.out.Dials, Dial{ID: n.id, IP: n.ip, CPort: n.cport})
	}
}

// randomPing pings, once a second, the node with the oldest PONG among five
// random linked nodes with no ping pending.
func (s *State) randomPing() {
	if s.now-s.lastRandomPing < randomPingPeriod {
		return
	}
	s.lastRandomPing = s.now
	var best *node
	for j := 0; j < 5; j++ {
		n := s.sorted[s.rng.IntN(len(s.sorted))]
		if !n.hasLink() || n.pingSent != 0 || n.flags&(FlagMyself|FlagHandshake) != 0 {
			continue
		}
		if best == nil || n.pongRecv < best.pongRecv {
			best = n
		}
	}
	if best != nil {
		s.sendPing(outbound(best), MsgPing)
	}
}

// LinkUp reports that the outbound link to id connected: send PING (or MEET)
// at once, which is crucial to avoid false failure detection
// (clusterLinkConnectHandler).
func (s *State) LinkUp(now time.Time, id ID) Output {
	s.begin(now)
	n := s.nodes[id]
	switch {
	case n == nil:
		s.out.Close = append(s.out.Close, id)
	case n.link == linkConnecting:
		n.link = linkUp
		old := n.pingSent
		t := MsgPing
		if n.has(FlagMeet) {
			t = MsgMeet
		}
		s.sendPing(outbound(n), t)
		if old != 0 {
			n.pingSent = old
		}
	}
	return s.finish()
}

// LinkDown reports that the outbound link to id failed to connect or broke.
// The next Tick dials again.
func (s *State) LinkDown(now time.Time, id ID) Output {
	s.begin(now)
	if n := s.nodes[id]; n != nil {
		n.link = linkNone
	}
	return s.finish()
}

// InboundClosed reports that the inbound connection conn closed.
func (s *State) InboundClosed(now time.Time, conn uint64) Output {
	s.begin(now)
	if n := s.inbound[conn]; n != nil {
		delete(s.inbound, conn)
		if n.inboundConn == conn {
			n.inboundConn = 0
			n.inboundFreedTime = s.now
		}
	}
	return s.finish()
}

// LinkBufferLimitReached counts a link the transport dropped because its
// send queue overflowed (total_cluster_links_buffer_limit_exceeded).
func (s *State) LinkBufferLimitReached() { s.linksBufferLimitReached++ }
