package cluster

// updateSlotsConfigWith rebinds the slots claimed by sender under
// senderEpoch wherever that configuration is newer than ours, tracks slots
// the sender stopped claiming, follows failovers in migration sources and
// targets, and turns myself into a replica of the sender when my shard
// lost all its slots to it (clusterUpdateSlotsConfigWith).
func (s *State) updateSlotsConfigWith(sender *node, senderEpoch uint64, claimed *SlotSet) {
	me := s.myself
	if sender == me {
		s.logf("Discarding UPDATE message about myself.")
		return
	}
	curPrimary := me
	if !me.isPrimary() {
		curPrimary = me.primary
	}
	u := slotUpdate{sender: sender, epoch: senderEpoch, curPrimary: curPrimary, sameShard: sameShard(sender, me)}
	markers := len(s.migrating) > 0 || len(s.importing) > 0
	for w := range claimed {
		var owned uint64
		if sender.slots != nil {
			owned = sender.slots[w]
		}
		if claimed[w] == 0 && owned == 0 && !markers {
			continue // nothing claimed, nothing of the sender's to revisit
		}
		for j := w * 64; j < w*64+64; j++ {
			if claimed.Has(j) {
				u.senderSlots++
				s.claimSlot(&u, j)
			} else if s.slots[j] == sender || (markers && (s.migrating[j] != nil || s.importing[j] != nil)) {
				s.unclaimedBySender(&u, j)
			}
		}
	}
	if u.newPrimary == nil && me.primary != sender && u.senderSlots == 0 && me.numSlots == 0 &&
		epochOf(me) < senderEpoch && u.sameShard {
		u.newPrimary = sender
	}
	deleteDirty := false
	if u.newPrimary != nil && curPrimary != nil && curPrimary.numSlots == 0 {
		if s.cfg.AllowReplicaMigration || u.sameShard {
			s.logf("Configuration change detected. Reconfiguring myself as a replica of node %s in shard %s",
				sender.id, sender.shardID)
			s.setPrimary(sender, !u.sameShard, !u.sameShard)
			s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig | todoBroadcastAll)
		} else if me.isPrimary() && u.senderSlots >= u.migratedOurSlots && !u.sameShard {
			s.logf("My last slot was migrated to node %s in shard %s. I am now an empty primary.",
				sender.id, sender.shardID)
			deleteDirty = true
		}
	} else if len(u.dirty) > 0 {
		deleteDirty = true
	}
	if deleteDirty && len(u.dirty) > 0 {
		s.out.Events = append(s.out.Events, Event{Kind: EventDeleteSlots, Node: sender.id, Slots: u.dirty})
	}
}

type slotUpdate struct {
	sender, curPrimary, newPrimary *node
	epoch                          uint64
	sameShard                      bool
	senderSlots, migratedOurSlots  int
	dirty                          []int
}

// claimSlot handles a slot the sender claims.
func (s *State) claimSlot(u *slotUpdate, j int) {
	owner := s.slots[j]
	if owner == u.sender {
		s.ownerNotClaiming.Clear(j)
		return
	}
	if !s.slotUnclaimed(j) && owner.epoch >= u.epoch {
		return
	}
	if owner == s.myself {
		u.dirty = append(u.dirty, j)
	}
	if owner != nil && owner == u.curPrimary {
		u.newPrimary = u.sender
		u.migratedOurSlots++
	}
	// A claim from another shard is an operator's decision: drop our
	// MIGRATING marker. Within the shard it is a failover: keep it.
	if s.migrating[j] != nil && !u.sameShard {
		s.logf("Slot %d is no longer being migrated to node %s", j, s.migrating[j].id)
		delete(s.migrating, j)
	}
	if src := s.importing[j]; src != nil && src != u.sender {
		if sameShard(u.sender, src) {
			s.logf("Failover occurred in migration source. Update importing source for slot %d to node %s", j, u.sender.id)
			s.importing[j] = u.sender
		} else {
			s.logf("Slot %d is no longer being imported from node %s", j, src.id)
			delete(s.importing, j)
		}
	}
	s.delSlot(j)
	s.addSlot(u.sender, j)
	s.ownerNotClaiming.Clear(j)
	s.doBeforeSleep(todoSaveLearned | todoUpdateState)
}

// unclaimedBySender handles a slot the sender does not claim.
func (s *State) unclaimedBySender(u *slotUpdate, j int) {
	if s.slots[j] == u.sender {
		// Keep the binding (fewer client errors) but remember the doubt, so
		// we do not spread it in UPDATE messages.
		s.ownerNotClaiming.Set(j)
	}
	if dst := s.migrating[j]; dst != nil && dst != u.sender &&
		(dst.epoch < u.epoch || dst.isReplica()) && sameShard(dst, u.sender) {
		s.logf("Failover occurred in migration target. Slot %d is now being migrated to node %s", j, u.sender.id)
		s.migrating[j] = u.sender
		s.doBeforeSleep(todoSaveLearned | todoUpdateState)
	}
	if s.myself.isPrimary() && s.importing[j] == u.sender {
		// The source gave the slot up but we never got the final SETSLOT:
		// finish the import ourselves.
		s.logf("Slot %d is no longer being imported from node %s; Clear my importing source for the slot.", j, u.sender.id)
		delete(s.importing, j)
		if s.slots[j] != s.myself {
			s.delSlot(j)
			s.addSlot(s.myself, j)
			s.bumpEpochWithoutConsensus()
			s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig)
		}
	}
}
