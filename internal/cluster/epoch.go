package cluster

// maxEpoch is the greatest config epoch known, or the current epoch if
// greater (clusterGetMaxEpoch).
func (s *State) maxEpoch() uint64 {
	m := s.currentEpoch
	for _, n := range s.sorted {
		if n.epoch > m {
			m = n.epoch
		}
	}
	return m
}

// bumpEpochWithoutConsensus gives myself a new config epoch unless it
// already has the greatest one (clusterBumpConfigEpochWithoutConsensus).
// Used when closing an imported slot and by CLUSTER BUMPEPOCH; collisions
// it may cause are resolved by handleEpochCollision.
func (s *State) bumpEpochWithoutConsensus() bool {
	me := s.myself
	if me.epoch == 0 || me.epoch != s.maxEpoch() {
		s.currentEpoch++
		me.epoch = s.currentEpoch
		s.doBeforeSleep(todoSaveConfig | todoFsyncConfig)
		s.logf("New configEpoch set to %d", me.epoch)
		return true
	}
	return false
}

// handleEpochCollision resolves two primaries sharing a config epoch: the
// one with the lexicographically smaller id moves to a fresh epoch, so the
// greatest id never moves and all epochs end up distinct
// (clusterHandleConfigEpochCollision).
func (s *State) handleEpochCollision(sender *node) {
	me := s.myself
	if sender.epoch != me.epoch || !sender.isPrimary() || !me.isPrimary() {
		return
	}
	if sender.id <= me.id {
		return
	}
	s.currentEpoch++
	me.epoch = s.currentEpoch
	s.doBeforeSleep(todoSaveConfig | todoFsyncConfig)
	s.logf("configEpoch collision with node %s. configEpoch set to %d", sender.id, me.epoch)
}
