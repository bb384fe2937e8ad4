package cluster

// emit queues m on a link and counts it, as clusterSendMessage; a missing
// link drops the message silently, as in Valkey.
func (s *State) emit(l link, m *Message) {
	switch {
	case l.outbound:
		if l.node == nil || !l.node.hasLink() {
			return
		}
		s.out.Send = append(s.out.Send, Envelope{To: l.node.id, Msg: m})
	case l.conn != 0:
		s.out.Send = append(s.out.Send, Envelope{Conn: l.conn, Msg: m})
	default:
		return
	}
	if int(m.Type) < NumTypes {
		s.statsSent[m.Type]++
	}
}

func outbound(n *node) link { return link{node: n, outbound: true} }

// broadcast sends m to every node we have a link to, except handshake nodes
// (clusterBroadcastMessage).
func (s *State) broadcast(m *Message) {
	for _, n := range s.sorted {
		if n.flags&(FlagMyself|FlagHandshake) != 0 {
			continue
		}
		s.emit(outbound(n), m)
	}
}

// broadcastPong sends a PONG to every linked node so a configuration change
// spreads before the next regular ping (clusterBroadcastPong).
func (s *State) broadcastPong() {
	for _, n := range s.sorted {
		if !n.hasLink() || n == s.myself || n.inHandshake() {
			continue
		}
		s.sendPing(outbound(n), MsgPong)
	}
}

// newHeader builds a message of type t with our header: a replica
// advertises its primary's slots and config epoch, flagged as a replica.
func (s *State) newHeader(t Type) *Message {
	me := s.myself
	m := &Message{Type: t, Sender: me.id}
	if t.Light() {
		return m
	}
	p := me
	if me.isReplica() && me.primary != nil {
		p = me.primary
	}
	m.MyIP = s.cfg.IP
	m.Port, m.TLSPort, m.CPort = me.port, me.tlsPort, me.cport
	m.Flags = me.flags
	m.StateOK = s.stateOK
	m.CurrentEpoch = s.currentEpoch
	m.ConfigEpoch = p.epoch
	m.ReplOffset = s.replOffset
	if me.primary != nil {
		m.PrimaryID = me.primary.id
	}
	m.Slots = s.slotsSnapshot(p)
	if me.isPrimary() && s.election.mfEnd != 0 && s.election.mfPaused {
		m.MFlags |= MsgFlagPaused
	}
	return m
}

// slotsSnapshot returns an immutable copy of n's bitmap, reusing the last
// copy while it is unchanged (messages may be delivered long after).
func (s *State) slotsSnapshot(n *node) *SlotSet {
	if s.slotsCache != nil && s.slotsCacheOf == n && s.slotsCacheVer == n.slotsVer {
		return s.slotsCache
	}
	c := new(SlotSet)
	if n.slots != nil {
		*c = *n.slots
	}
	s.slotsCache, s.slotsCacheOf, s.slotsCacheVer = c, n, n.slotsVer
	return c
}

// sendUpdate tells n's peer on our link to it about owner's slots and
// epoch, without the slots owner no longer claims.
func (s *State) sendUpdate(to, owner *node) {
	if !to.hasLink() {
		return
	}
	m := s.newHeader(MsgUpdate)
	m.UpdateID = owner.id
	m.UpdateEpoch = owner.epoch
	var sl SlotSet
	if owner.slots != nil {
		sl = *owner.slots
	}
	for i := range sl {
		sl[i] &^= s.ownerNotClaiming[i]
	}
	m.UpdateSlots = &sl
	s.emit(outbound(to), m)
}
