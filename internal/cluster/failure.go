package cluster

// addFailureReport records that sender considers failing in PFAIL/FAIL;
// it returns true when the report is new.
func (s *State) addFailureReport(failing, sender *node) bool {
	for i := range failing.failReports {
		if failing.failReports[i].from == sender {
			failing.failReports[i].time = s.now
			return false
		}
	}
	failing.failReports = append(failing.failReports, failReport{from: sender, time: s.now})
	return true
}

// cleanupFailureReports drops reports older than 2×node timeout and
// reports from nodes that lost their vote.
func (s *State) cleanupFailureReports(n *node) {
	if len(n.failReports) == 0 {
		return
	}
	maxAge := s.timeoutMS() * failReportValidityMult
	kept := n.failReports[:0]
	for _, fr := range n.failReports {
		if s.now-fr.time > maxAge || !fr.from.isVotingPrimary() {
			continue
		}
		kept = append(kept, fr)
	}
	clear(n.failReports[len(kept):])
	n.failReports = kept
}

// delFailureReport removes sender's report about n, if any.
func (s *State) delFailureReport(n, sender *node) bool {
	for i, fr := range n.failReports {
		if fr.from == sender {
			n.failReports = append(n.failReports[:i], n.failReports[i+1:]...)
			s.cleanupFailureReports(n)
			return true
		}
	}
	return false
}

func (s *State) failureReportsCount(n *node) int {
	s.cleanupFailureReports(n)
	return len(n.failReports)
}

// markNodeAsFailingIfNeeded turns PFAIL into FAIL when a majority of the
// voting primaries (counting myself when I vote) reported the node failing
// within the validity window, and broadcasts FAIL so every reachable node
// agrees quickly (markNodeAsFailingIfNeeded).
func (s *State) markNodeAsFailingIfNeeded(n *node) {
	quorum := s.size/2 + 1
	if !n.timedOut() || n.failed() {
		return
	}
	failures := s.failureReportsCount(n)
	if s.myself.isVotingPrimary() {
		failures++
	}
	if failures < quorum {
		return
	}
	s.logf("Marking node %s as failing (quorum reached).", n.id)
	n.flags &^= FlagPFail
	n.flags |= FlagFail
	n.failTime = s.now
	s.out.Events = append(s.out.Events, Event{Kind: EventNodeFailed, Node: n.id})
	s.sendFail(n.id)
	s.doBeforeSleep(todoUpdateState | todoSaveConfig)
}

// clearNodeFailureIfNeeded is called when a FAIL node answers again: nodes
// without a vote are cleared at once; a voting primary only after 2×node
// timeout in FAIL, when evidently nobody failed it over.
func (s *State) clearNodeFailureIfNeeded(n *node) {
	if !n.isVotingPrimary() {
		s.logf("Clear FAIL state for node %s: %s is reachable again.", n.id,
			map[bool]string{true: "replica", false: "primary without slots"}[n.isReplica()])
		n.flags &^= FlagFail
		s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	}
	if n.isVotingPrimary() && s.now-n.failTime > s.timeoutMS()*failUndoTimeMult {
		s.logf("Clear FAIL state for node %s: is reachable again and nobody is serving its slots after some time.", n.id)
		n.flags &^= FlagFail
		s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	}
}

// sendFail broadcasts a FAIL message about id.
func (s *State) sendFail(id ID) {
	m := s.newHeader(MsgFail)
	m.About = id
	s.broadcast(m)
}
