package cluster

// processRole applies a role switch announced by the sender: replica to
// primary, primary to replica, or a replica changing primary.
func (s *State) processRole(sender *node, m *Message, h *headerInfo) {
	if h.claimsPrimary {
		s.setNodeAsPrimary(sender)
		return
	}
	claimed := s.lookup(m.PrimaryID)
	if h.lastWasPrimary {
		if claimed != nil && sameShard(claimed, sender) {
			if sender.epoch > h.claimedCfgEpoch {
				s.logf("Ignore stale message from %s; gossip config epoch: %d, current config epoch: %d",
					sender.id, h.claimedCfgEpoch, sender.epoch)
			} else {
				// A failover happened in the sender's shard.
				s.setNodeAsPrimary(claimed)
				claimed.epoch = h.claimedCfgEpoch
				s.logf("A failover occurred in shard %s; node %s failed over to node %s with a config epoch of %d",
					sender.shardID, sender.id, claimed.id, claimed.epoch)
			}
		} else {
			n := s.delNodeSlots(sender)
			s.logf("Node %s is no longer primary of shard %s; removed all %d slot(s) it used to own",
				sender.id, sender.shardID, n)
		}
		sender.flags &^= FlagPrimary | FlagMigrateTo
		sender.flags |= FlagReplica
		s.doBeforeSleep(todoSaveConfig | todoUpdateState)
	}
	if claimed == nil || sender.primary == claimed {
		return
	}
	if sender.primary != nil {
		sender.primary.removeReplica(sender)
	}
	s.logf("Node %s is now a replica of node %s in shard %s", sender.id, claimed.id, claimed.shardID)
	claimed.addReplica(sender)
	sender.primary = claimed
	me := s.myself
	if me.primary != nil && me.primary.primary != nil && me.primary.primary != me {
		// Our primary became a replica: follow the chain (no sub-replicas).
		pp := me.primary.primary
		s.logf("I'm a sub-replica! Reconfiguring myself as a replica of %s from %s", pp.id, me.primary.id)
		s.setPrimary(pp, true, !sameShard(pp, me))
		s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig)
	}
	s.updateShardID(sender, claimed.shardID)
	s.doBeforeSleep(todoSaveConfig)
}

func (s *State) processFail(sender *node, m *Message) {
	if sender == nil {
		s.logf("Ignoring FAIL message from unknown node %s about %s", m.Sender, m.About)
		return
	}
	failing := s.lookup(m.About)
	if failing == nil || failing.flags&(FlagFail|FlagMyself) != 0 {
		return
	}
	s.logf("FAIL message received from %s about %s", sender.id, failing.id)
	failing.flags |= FlagFail
	failing.failTime = s.now
	failing.flags &^= FlagPFail
	s.out.Events = append(s.out.Events, Event{Kind: EventNodeFailed, Node: failing.id})
	s.doBeforeSleep(todoSaveConfig | todoUpdateState)
}

func (s *State) processUpdate(sender *node, m *Message) {
	if sender == nil {
		return
	}
	n := s.lookup(m.UpdateID)
	if n == nil || n.epoch >= m.UpdateEpoch || m.UpdateSlots == nil {
		return
	}
	if n.isReplica() {
		s.setNodeAsPrimary(n)
	}
	n.epoch = m.UpdateEpoch
	s.doBeforeSleep(todoSaveLearned)
	s.updateSlotsConfigWith(n, m.UpdateEpoch, m.UpdateSlots)
}

func (s *State) processMFStart(l link, sender *node) {
	if sender == nil || sender.primary != s.myself {
		return
	}
	s.resetManualFailover()
	e := &s.election
	e.mfEnd = s.now + mfTimeout
	e.mfReplica = sender
	e.mfPaused = !s.cfg.ConfirmManualFailoverPause
	s.out.Events = append(s.out.Events, Event{Kind: EventMFStart, Node: sender.id})
	s.logf("Manual failover requested by replica %s.", sender.id)
	s.sendPing(l, MsgPing)
}
