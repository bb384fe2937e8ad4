package cluster

// sendPing sends a PING, PONG or MEET on l with gossip about ~1/10 of the
// nodes we know (at least 3), plus every node we consider PFAIL so failure
// reports reach a quorum quickly (clusterSendPing).
func (s *State) sendPing(l link, t Type) {
	s.pingsBuilt++
	fresh := len(s.sorted) - 2
	wanted := len(s.sorted) / 10
	if wanted < 3 {
		wanted = 3
	}
	if wanted > fresh {
		wanted = fresh
	}
	m := s.newHeader(t)
	if l.outbound {
		switch t {
		case MsgPing:
			l.node.pingSent = s.now
		case MsgMeet:
			l.node.meetSent = s.now
		}
	}
	if wanted > 0 {
		m.Gossip = make([]Gossip, 0, wanted+s.statsPFailNodes)
	}
	for iter := wanted * 3; fresh > 0 && len(m.Gossip) < wanted && iter > 0; iter-- {
		n := s.sorted[s.rng.IntN(len(s.sorted))]
		if n == s.myself || n == l.node || n.timedOut() {
			continue
		}
		if n.flags&(FlagHandshake|FlagNoAddr) != 0 || (!n.hasLink() && n.numSlots == 0) {
			fresh-- // not exact, but saves work
			continue
		}
		if n.lastInPingGossip == s.pingsBuilt {
			continue
		}
		m.Gossip = append(m.Gossip, gossipEntry(n))
		n.lastInPingGossip = s.pingsBuilt
		fresh--
	}
	if pfail := s.statsPFailNodes; pfail > 0 {
		for _, n := range s.sorted {
			if pfail == 0 {
				break
			}
			if n.flags&(FlagHandshake|FlagNoAddr) != 0 || !n.timedOut() {
				continue
			}
			m.Gossip = append(m.Gossip, gossipEntry(n))
			pfail--
		}
	}
	s.addExtensions(m)
	s.emit(l, m)
}

func gossipEntry(n *node) Gossip {
	return Gossip{ID: n.id, PingSent: n.pingSent, PongRecv: n.pongRecv, IP: n.ip,
		Port: n.port, TLSPort: n.tlsPort, CPort: n.cport, Flags: n.flags}
}

// addExtensions appends our hostname, human node name, forgotten nodes and
// shard id (writePingExtensions).
func (s *State) addExtensions(m *Message) {
	me := s.myself
	m.Hostname = me.hostname
	m.HumanNodename = me.humanName
	m.ShardID = me.shardID
	for _, id := range s.blacklistIDs() {
		exp := s.blacklist[id]
		if exp < s.now {
			continue
		}
		m.Forgotten = append(m.Forgotten, Forgotten{ID: id, TTL: uint64((exp - s.now + 999) / 1000)})
	}
}

// processGossip applies the gossip section (clusterProcessGossipSection):
// failure reports from voting primaries, pong times, addresses of
// unreachable nodes, and new nodes introduced by a known node.
func (s *State) processGossip(l link, m *Message) {
	sender := l.node
	if sender == nil {
		sender = s.lookup(m.Sender)
	}
	for i := range m.Gossip {
		g := &m.Gossip[i]
		n := s.lookup(g.ID)
		switch {
		case n == s.myself:
		case n != nil:
			s.gossipAboutKnown(sender, n, g)
		case sender != nil && g.Flags&FlagNoAddr == 0 && !s.blacklisted(g.ID):
			// Only a node we trust may introduce others: an IP/port pair
			// may have been reused by another cluster.
			nn := s.createNode(g.ID, g.Flags)
			nn.ip, nn.port, nn.tlsPort, nn.cport = g.IP, g.Port, g.TLSPort, g.CPort
			s.addNode(nn)
		}
	}
}

func (s *State) gossipAboutKnown(sender, n *node, g *Gossip) {
	failing := g.Flags&(FlagFail|FlagPFail) != 0
	if sender != nil {
		if failing {
			if sender.isVotingPrimary() && s.addFailureReport(n, sender) {
				s.logf("Node %s reported node %s as not reachable.", sender.id, n.id)
			}
			s.markNodeAsFailingIfNeeded(n)
		} else if s.delFailureReport(n, sender) {
			s.logf("Node %s reported node %s is back online.", sender.id, n.id)
		}
	}
	// Borrow a fresher pong time from a peer when we have nothing pending
	// and no doubt about the node.
	if !failing && n.pingSent == 0 && s.failureReportsCount(n) == 0 {
		if g.PongRecv <= s.now+500 && g.PongRecv > n.pongRecv {
			n.pongRecv = g.PongRecv
		}
	}
	// A node we cannot reach, seen at another address by someone who can:
	// try that address.
	if n.flags&(FlagFail|FlagPFail) != 0 && g.Flags&FlagNoAddr == 0 && !failing &&
		(n.ip != g.IP || n.port != g.Port || n.tlsPort != g.TLSPort || n.cport != g.CPort) {
		s.freeLink(n)
		n.ip, n.port, n.tlsPort, n.cport = g.IP, g.Port, g.TLSPort, g.CPort
		n.flags &^= FlagNoAddr
		s.logf("Address updated for node %s, now %s:%d", n.id, n.ip, n.port)
		if s.myself.isReplica() && s.myself.primary == n {
			s.out.Events = append(s.out.Events, Event{Kind: EventPrimaryAddress, Node: n.id})
		}
	}
}

// processExtensions applies the sender's extensions: forgotten nodes,
// hostname, human node name and shard id (clusterProcessPingExtensions).
func (s *State) processExtensions(sender *node, m *Message) {
	me := s.myself
	for _, f := range m.Forgotten {
		n := s.lookup(f.ID)
		if n == nil || n == me || n == sender || (me.isReplica() && me.primary == n) {
			continue
		}
		s.blacklist[f.ID] = s.now + int64(f.TTL)*1000
		s.logf("Forgetting node %s as told by %s", n.id, sender.id)
		s.delNode(n)
		s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	}
	if sender.hostname != m.Hostname {
		sender.hostname = m.Hostname
		s.doBeforeSleep(todoSaveConfig)
	}
	if sender.humanName != m.HumanNodename {
		sender.humanName = m.HumanNodename
		s.doBeforeSleep(todoSaveConfig)
	}
	shard := m.ShardID
	if shard == "" {
		shard = primaryOf(sender).shardID
	}
	s.updateShardID(sender, shard)
}
