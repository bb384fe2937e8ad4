package cluster

import "time"

// Step processes one message received from the bus (clusterProcessPacket)
// and returns what to do about it. p tells which link it arrived on.
func (s *State) Step(now time.Time, p Peer, m *Message) Output {
	s.begin(now)
	s.processPacket(p, m)
	return s.finish()
}

// link is the internal view of a link: our outbound link to node, or an
// inbound connection (node may be nil while the sender is unknown).
type link struct {
	node     *node
	outbound bool
	conn     uint64
}

func (s *State) processPacket(p Peer, m *Message) {
	if int(m.Type) < NumTypes {
		s.statsRecv[m.Type]++
	}
	l := link{outbound: p.Outbound, conn: p.Conn}
	if p.Outbound {
		l.node = s.nodes[p.Link]
		if l.node == nil {
			// The link belonged to a node we deleted; Valkey frees the link
			// with the node, so nothing can arrive on it.
			return
		}
	} else {
		l.node = s.inbound[p.Conn]
	}
	if m.Type.Light() {
		s.processLight(l, p, m)
		return
	}

	sender := s.senderOf(l, p, m)
	if sender == s.myself {
		// Only a MEET to our own address gets here: answer and forget the
		// handshake node it created.
		if l.outbound && l.node.inHandshake() {
			s.delNode(l.node)
		} else if m.Type == MsgPing || m.Type == MsgMeet {
			s.sendPing(l, MsgPong)
		}
		return
	}
	hdr := headerInfo{
		claimsPrimary:   m.PrimaryID == "",
		lastWasReplica:  sender != nil && sender.isReplica(),
		lastWasPrimary:  sender != nil && sender.isPrimary(),
		claimedCurEpoch: 0,
		claimedCfgEpoch: 0,
	}
	if sender != nil {
		if m.Flags&FlagLightHdrSupported != 0 {
			sender.flags |= FlagLightHdrSupported
		} else {
			sender.flags &^= FlagLightHdrSupported
		}
		sender.flags |= FlagExtensionsSupported
		sender.dataRecv = s.now
	}
	if sender != nil && !sender.inHandshake() {
		s.processEpochs(sender, m, &hdr)
	}

	switch m.Type {
	case MsgPing, MsgPong, MsgMeet:
		s.processPing(l, p, m, sender, &hdr)
	case MsgFail:
		s.processFail(sender, m)
	case MsgAuthRequest:
		if sender != nil {
			s.sendFailoverAuthIfNeeded(sender, m)
		}
	case MsgAuthAck:
		if sender != nil && sender.isVotingPrimary() && hdr.claimedCurEpoch >= s.election.authEpoch {
			s.election.authCount++
			s.doBeforeSleep(todoHandleFailover)
		}
	case MsgMFStart:
		s.processMFStart(l, sender)
	case MsgUpdate:
		s.processUpdate(sender, m)
	default:
		s.logf("Received unknown packet type: %d", m.Type)
	}
}

// headerInfo carries what processPacket learned from the header before
// changing anything, as Valkey keeps it in locals.
type headerInfo struct {
	claimsPrimary                    bool
	lastWasReplica, lastWasPrimary   bool
	claimedCurEpoch, claimedCfgEpoch uint64
}

// senderOf finds the sender (getNodeFromLinkAndMsg): the node owning the
// link unless it is still in handshake, else the node named in the header,
// which also adopts an unowned inbound connection.
func (s *State) senderOf(l link, p Peer, m *Message) *node {
	if l.node != nil && !l.node.inHandshake() {
		return l.node
	}
	sender := s.lookup(m.Sender)
	if sender != nil && !p.Outbound && l.node == nil && sender != s.myself {
		s.setInbound(sender, p.Conn)
	}
	return sender
}

// processEpochs updates the current epoch, the sender's config epoch and
// replication offset from the header.
func (s *State) processEpochs(sender *node, m *Message, h *headerInfo) {
	h.claimedCurEpoch, h.claimedCfgEpoch = m.CurrentEpoch, m.ConfigEpoch
	if m.CurrentEpoch > s.currentEpoch {
		s.currentEpoch = m.CurrentEpoch
	}
	if h.claimsPrimary && m.ConfigEpoch > sender.epoch {
		sender.epoch = m.ConfigEpoch
		s.doBeforeSleep(todoSaveLearned)
		e := &s.election
		if e.authTime != 0 && e.authSent && sender.epoch >= e.authEpoch {
			// An equal or newer claim: our election cannot win any more.
			e.authTime = 0
			s.doBeforeSleep(todoHandleFailover)
		}
	}
	sender.replOffset = m.ReplOffset
	sender.replOffsetTime = s.now
	me := s.myself
	e := &s.election
	if e.mfEnd != 0 && me.isReplica() && me.primary == sender && m.MFlags&MsgFlagPaused != 0 && e.mfPrimaryOffset == -1 {
		e.mfPrimaryOffset = sender.replOffset
		s.logf("Received replication offset for paused primary manual failover: %d", e.mfPrimaryOffset)
	}
}

func (s *State) processLight(l link, p Peer, m *Message) {
	sender := l.node
	if sender == nil || sender.inHandshake() {
		sender = s.lookup(m.Sender)
		if sender != nil && !p.Outbound && l.node == nil && sender != s.myself {
			s.setInbound(sender, p.Conn)
		}
	}
	if sender == nil || sender.inHandshake() || sender == s.myself {
		return // we don't know that node
	}
	sender.dataRecv = s.now
	s.out.Events = append(s.out.Events, Event{Kind: EventPublish, Node: sender.id,
		Sharded: m.Type == MsgPublishShard, Channel: m.Channel, Payload: m.Payload})
}

// processPing handles PING, PONG and MEET: handshakes, liveness, roles,
// slot ownership, epoch collisions, gossip and extensions.
func (s *State) processPing(l link, p Peer, m *Message, sender *node, h *headerInfo) {
	me := s.myself
	if m.Type == MsgPing || m.Type == MsgMeet {
		// Learn our own address from the socket a MEET arrived on (or from
		// any PING while we have none), unless it is announced.
		if (m.Type == MsgMeet || me.ip == "") && s.cfg.IP == "" && p.LocalIP != "" && p.LocalIP != me.ip {
			me.ip = p.LocalIP
			s.logf("IP address for this node updated to %s", me.ip)
			s.doBeforeSleep(todoSaveConfig)
		}
		if m.Type == MsgMeet {
			if sender == nil {
				if l.node == nil {
					n := s.meetFromUnknown(p, m)
					if n == nil {
						s.out.CloseConns = append(s.out.CloseConns, p.Conn)
						return
					}
					l.node = n
				}
				// A MEET is trusted: take its gossip even from an unknown sender.
				s.processGossip(l, m)
			} else if sender.hasLink() && s.now-sender.ctime > s.handshakeTimeout() {
				// The sender thinks we don't know it: reconnect so that our
				// PING on a fresh link shows it we do.
				s.logf("Freeing outbound link to node %s after receiving a MEET packet from this known node", sender.id)
				s.freeLink(sender)
			}
		}
		s.sendPing(l, MsgPong)
	}

	if sender != nil && sender.has(FlagMeet) {
		sender.flags &^= FlagMeet
		s.logf("Successfully completed handshake with %s", sender.id)
	}
	if l.outbound {
		if l.node.inHandshake() {
			if sender != nil {
				// We already know this node under its real id: just update
				// its address and drop the handshake entry.
				if s.updateAddressIfNeeded(sender, p, m) {
					s.doBeforeSleep(todoSaveConfig | todoUpdateState)
				}
				s.delNode(l.node)
				return
			}
			s.renameNode(l.node, m.Sender)
			l.node.flags &^= FlagHandshake
			l.node.flags |= m.Flags & (FlagPrimary | FlagReplica)
			s.doBeforeSleep(todoSaveConfig)
			// Valkey ignores the rest of this PONG (its sender was unknown
			// when the packet arrived), so a node that many others MEET
			// learns their slots only at their next regular ping, which
			// gossip-borrowed pong times can delay for a minute in large
			// clusters. The PONG comes from the node we dialed: trust it.
			sender = l.node
			sender.dataRecv = s.now
			h.lastWasPrimary, h.lastWasReplica = sender.isPrimary(), sender.isReplica()
			s.processEpochs(sender, m, h)
		} else if l.node.id != m.Sender {
			s.senderIDMismatch(l.node)
			return
		}
	}
	if sender != nil {
		sender.flags = sender.flags&^FlagNoFailover | m.Flags&FlagNoFailover
		if m.Type == MsgPing && !sender.inHandshake() && s.updateAddressIfNeeded(sender, p, m) {
			s.doBeforeSleep(todoSaveConfig | todoUpdateState)
		}
	}
	if l.outbound && m.Type == MsgPong {
		n := l.node
		n.pongRecv = s.now
		n.pingSent = 0
		if n.timedOut() {
			n.flags &^= FlagPFail
			s.doBeforeSleep(todoSaveConfig | todoUpdateState)
		} else if n.failed() {
			s.clearNodeFailureIfNeeded(n)
		}
	}
	if sender == nil {
		return
	}
	s.processRole(sender, m, h)
	claimed := m.Slots
	if claimed == nil {
		claimed = new(SlotSet)
	}
	if h.claimsPrimary && (h.lastWasReplica || !slotsEqual(sender.slots, claimed)) {
		s.updateSlotsConfigWith(sender, h.claimedCfgEpoch, claimed)
		s.maybeSendUpdate(sender, claimed, h.claimedCfgEpoch)
	}
	if me.isPrimary() && sender.isPrimary() && h.claimedCfgEpoch == me.epoch {
		s.handleEpochCollision(sender)
	}
	s.processGossip(l, m)
	s.processExtensions(sender, m)
}

// meetFromUnknown adds the sender of a MEET as a handshake node bound to
// the inbound connection; its real id is learned from the PONG to our PING.
func (s *State) meetFromUnknown(p Peer, m *Message) *node {
	ip := m.MyIP
	if ip == "" {
		ip = p.IP
	}
	if ip == "" {
		s.logf("Closing cluster link due to failure to retrieve IP from the connection")
		return nil
	}
	n := s.createNode("", FlagHandshake|FlagExtensionsSupported)
	n.ip, n.port, n.tlsPort, n.cport = ip, m.Port, m.TLSPort, m.CPort
	s.addNode(n)
	s.setInbound(n, p.Conn)
	s.doBeforeSleep(todoSaveConfig)
	return n
}

// senderIDMismatch: the node at this address answered with another id (it
// was reset). Forget the address and mark the old identity failing.
func (s *State) senderIDMismatch(n *node) {
	s.logf("PONG contains mismatching sender ID. About node %s added %d ms ago, having flags %d",
		n.id, s.now-n.ctime, n.flags)
	n.flags |= FlagNoAddr
	n.ip, n.port, n.tlsPort, n.cport = "", 0, 0, 0
	s.freeLink(n)
	if !n.failed() {
		n.flags |= FlagFail
		n.failTime = s.now
		s.sendFail(n.id)
	}
	s.doBeforeSleep(todoSaveConfig | todoUpdateState)
}

// updateAddressIfNeeded adopts the address a node's PING came from (or the
// one it announces); a change drops our link so we reconnect there
// (nodeUpdateAddressIfNeeded).
func (s *State) updateAddressIfNeeded(n *node, p Peer, m *Message) bool {
	if n == s.myself || (p.Outbound && p.Link == n.id) {
		return false
	}
	ip := m.MyIP
	if ip == "" {
		ip = p.IP
	}
	if ip == "" {
		return false
	}
	if n.port == m.Port && n.cport == m.CPort && n.tlsPort == m.TLSPort && n.ip == ip {
		return false
	}
	n.ip, n.port, n.tlsPort, n.cport = ip, m.Port, m.TLSPort, m.CPort
	s.freeLink(n)
	n.flags &^= FlagNoAddr
	s.logf("Address updated for node %s, now %s:%d", n.id, n.ip, n.port)
	if s.myself.isReplica() && s.myself.primary == n {
		s.out.Events = append(s.out.Events, Event{Kind: EventPrimaryAddress, Node: n.id})
	}
	return true
}

func slotsEqual(a, b *SlotSet) bool {
	switch {
	case a == nil && b == nil:
		return true
	case a == nil:
		return b.Empty()
	case b == nil:
		return a.Empty()
	}
	return *a == *b
}

// maybeSendUpdate tells a primary that claims slots we know to be owned
// with a greater config epoch by another node about that node's config, so
// a primary returning from a partition steps down.
func (s *State) maybeSendUpdate(sender *node, claimed *SlotSet, claimedEpoch uint64) {
	if claimed == nil {
		return
	}
	for j := 0; j < len(s.slots); j++ {
		if !claimed.Has(j) {
			if claimed[j>>6] == 0 {
				j |= 63
			}
			continue
		}
		owner := s.slots[j]
		if owner == sender || s.slotUnclaimed(j) {
			continue
		}
		if owner.epoch > claimedEpoch {
			s.logf("Node %s has old slots configuration, sending an UPDATE message about %s", sender.id, owner.id)
			s.sendUpdate(sender, owner)
			return
		}
	}
}
