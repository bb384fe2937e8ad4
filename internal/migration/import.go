package migration

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/netyield"
)

// ImportLink is the target side of a job, bound to the connection that
// sent ESTABLISH (or, on a target replica, to the replication stream). The
// command layer calls its methods as the link's commands arrive.
type ImportLink struct {
	m     *Manager
	job   *Job
	slots []int
	scope [256]uint64
	// push sends CLUSTER SYNCSLOTS <sub> [args] to the source; closeLink
	// drops the connection. Both are nil on tracking entries.
	push      func(sub ...string)
	closeLink func()
	// end decides, once, whether the import ends by its takeover or by a
	// failure: the link's connection and the cron can both try.
	end atomic.Int32
	// handover is set from REQUEST-PAUSE to the end (handover.go);
	// lastYield is only touched by the link's own goroutine.
	handover  atomic.Bool
	lastYield time.Time
	yielder   *netyield.Yielder // the connection goroutine's (handover.go)
	pausedAt  time.Time         // PAUSED received, for the success log
}

// Values of ImportLink.end.
const (
	endOpen int32 = iota
	endClaim
	endFail
)

func (l *ImportLink) inScope(s int) bool { return l.scope[s>>6]&(1<<(s&63)) != 0 }

// InScope reports whether slot s belongs to this import.
func (l *ImportLink) InScope(s int) bool { return l.inScope(s) }

// Job is the link's job.
func (l *ImportLink) Job() *Job { return l.job }

// Live reports whether the import still takes the source's commands: it
// has not ended nor begun its cleanup.
func (l *ImportLink) Live() bool {
	j := l.job
	j.mu.Lock()
	defer j.mu.Unlock()
	return !j.Tracking && !j.state.Terminal() && j.state != StateCleaningUp
}

// Name is the job's name.
func (l *ImportLink) Name() string { return l.job.Name }

// Establish starts an import on this node (the target). The caller checked
// syntax; Establish checks the cluster view and the other jobs.
//
// head is the ESTABLISH command as received (keyspace.OpenImport keeps a
// copy): it opens the import on this node's replicas, now through the
// replication stream and later in a full synchronization.
func (m *Manager) Establish(source, name string, ranges []Range, size int64, head [][]byte, push func(...string), closeLink func()) (*ImportLink, error) {
	r := m.env.Routes()
	if r.Replica {
		return nil, &Error{Code: ErrNotPrimary}
	}
	if max := m.env.KS.MaxMemory(); max > 0 && size > 0 {
		if used := m.env.KS.UsedMemory(); used+size > max {
			return nil, &Error{Code: ErrNoRoom, Need: size, Free: max - used}
		}
	}
	me := string(r.Nodes[r.Myself].ID)
	if source == me {
		return nil, &Error{Code: ErrSourceIsMe}
	}
	if _, ok := m.nodeAddr(source); !ok {
		return nil, &Error{Code: ErrSourceUnknown}
	}
	slots := Slots(ranges)
	m.mu.Lock()
	for _, s := range slots {
		var code ErrorCode
		switch {
		case ownerOf(r, s) != source:
			code = ErrOwnershipDisagree
		case hasMarker(r.Importing, s):
			code = ErrManuallyImporting
		case hasMarker(r.Migrating, s):
			code = ErrManuallyMigrating
		case m.importingLocked(s):
			code = ErrAlreadyImporting
		default:
			continue
		}
		m.mu.Unlock()
		return nil, &Error{Code: code, Slot: s}
	}
	j := newJob(Import, ranges, source, me, time.Now(), StateWaitingAck)
	j.Name = name
	l := m.newLink(j, slots, push, closeLink)
	m.mu.Unlock()
	l.open(head, true)
	return l, nil
}

// open stages the import's slots and records head for full
// synchronizations (keyspace.OpenImport), after m.mu is released: slot
// locks come before m.mu (the flush hook). An import that ended in
// between (a flush) is closed again at once.
func (l *ImportLink) open(head [][]byte, propagate bool) {
	ks := l.m.env.KS
	ks.OpenImport(l.job.Name, l.slots, head, propagate)
	l.job.mu.Lock()
	ended := l.job.state.Terminal() || l.job.state == StateCleaningUp
	l.job.mu.Unlock()
	if ended {
		ks.DropStaged(l.slots)
		ks.CloseImport(l.job.Name, l.slots, nil)
	}
}

// Track records a primary's import on its replica (state
// occurring-on-primary): the replication stream fills the staging area.
//
// head is the ESTABLISH command as received (keyspace.OpenImport keeps a
// copy), for this replica's own replicas' full synchronizations.
func (m *Manager) Track(name string, ranges []Range, head [][]byte) *ImportLink {
	m.mu.Lock()
	if l := m.imports[name]; l != nil {
		m.mu.Unlock()
		return l
	}
	j := newJob(Import, ranges, "", "", time.Now(), StateOccurringOnPrimary)
	j.Name, j.Tracking = name, true
	l := m.newLink(j, Slots(ranges), nil, nil)
	m.mu.Unlock()
	l.open(head, false) // a replica propagates nothing: its stream relays the primary's
	return l
}

// newLink registers a link; the caller holds m.mu.
func (m *Manager) newLink(j *Job, slots []int, push func(...string), closeLink func()) *ImportLink {
	l := &ImportLink{m: m, job: j, slots: slots, push: push, closeLink: closeLink}
	for _, s := range slots {
		l.scope[s>>6] |= 1 << (s & 63)
	}
	m.imports[j.Name] = l
	m.addLog(j)
	return l
}

// Finish ends a tracked import as its primary reported (SYNCSLOTS FINISH).
func (m *Manager) Finish(name string, success bool, msg string) error {
	m.mu.Lock()
	l := m.imports[name]
	m.mu.Unlock()
	if l == nil {
		return &Error{Code: ErrNoSuchJob}
	}
	if success {
		l.succeed()
	} else {
		l.cleanup(msg)
	}
	return nil
}

// Control handles a SYNCSLOTS message from the source. It returns false
// when the message is out of order: the caller then drops the link.
func (l *ImportLink) Control(sub string) bool {
	j := l.job
	j.ack(time.Now())
	switch sub {
	case "ACK":
		j.transition(StateWaitingAck, StateReceivingSnapshot)
		return true
	case "SNAPSHOT-EOF":
		j.transition(StateWaitingAck, StateReceivingSnapshot)
		if !j.transition(StateReceivingSnapshot, StateWaitingPaused) {
			return false
		}
		l.awaitTurn() // REQUEST-PAUSE, now or after the other hand-overs
		return true
	case "PAUSED":
		if !j.transition(StateWaitingPaused, StateFailoverRequested) {
			return false
		}
		l.pausedAt = time.Now()
		l.push("REQUEST-FAILOVER")
		return true
	case "FAILOVER-GRANTED":
		if !j.transition(StateFailoverRequested, StateImportGranted) {
			return false
		}
		// DEBUG SLOTMIGRATION PREVENT-FAILOVER on the target holds the
		// import in failover-granted, as in Valkey; releasing it takes
		// over (SetPreventFailover, or the cron), unless the link has
		// failed the import meanwhile.
		if !l.m.PreventFailover.Load() {
			l.takeover()
		}
		return true
	}
	l.Fail(MsgUnknownSyncSlot)
	return false
}

// takeover makes the staged slots live and claims them: data first, so
// that no client routed here can find them empty.
func (l *ImportLink) takeover() {
	if !l.end.CompareAndSwap(endOpen, endClaim) {
		return // failed meanwhile
	}
	m := l.m
	start := time.Now() // FAILOVER-GRANTED received
	m.env.KS.PublishStaged(l.slots)
	published := time.Now()
	epoch, err := m.env.ClaimSlots(l.slots)
	claimed := time.Now()
	if err != nil {
		m.env.Log.Warn("slot migration: claiming imported slots failed", "job", l.job.Name, "err", err)
	} else {
		// Shoal extension: the source learns the claim on the link, ahead
		// of the gossip, and ends its write pause sooner.
		l.push("CLAIMED", strconv.FormatUint(epoch, 10))
	}
	l.finish(true, "")
	l.job.setState(StateSuccess, "")
	l.forget()
	// The parts of the source's write pause spent here, and when (Unix
	// µs, to line up with the source's log) PAUSED and the grant came.
	m.env.Log.Info("slot migration import succeeded", "job", l.job.Name, "epoch", epoch,
		"publish_us", published.Sub(start).Microseconds(), "claim_us", claimed.Sub(published).Microseconds(),
		"finish_us", time.Since(claimed).Microseconds(),
		"paused_rx_unix_us", l.pausedAt.UnixMicro(), "granted_rx_unix_us", start.UnixMicro())
}

// succeed completes a tracked import (the replica's primary succeeded).
func (l *ImportLink) succeed() {
	l.m.env.KS.PublishStaged(l.slots)
	l.m.env.KS.CloseImport(l.job.Name, l.slots, nil)
	l.job.setState(StateSuccess, "")
	l.forget()
}

// Fail ends the import: the staged keys are dropped on this node and, by
// the propagated FINISH, on its replicas; the link to the source is closed.
func (l *ImportLink) Fail(msg string) {
	if l.beginFail(msg) {
		l.completeFail(msg)
	}
}

// beginFail ends the import for the link's next commands (Live turns
// false); it reports whether this call owns the cleanup.
func (l *ImportLink) beginFail(msg string) bool {
	if !l.end.CompareAndSwap(endOpen, endFail) {
		return false // the takeover has begun (it will succeed), or a failure did
	}
	return l.job.toCleanup(msg) // false: ended, ending, or a tracking entry (its primary ends it)
}

// completeFail drops the staged keys (taking the slots' locks), tells
// the replicas and closes the link.
func (l *ImportLink) completeFail(msg string) {
	l.cleanup(msg)
	l.finish(false, msg)
	if l.closeLink != nil {
		l.closeLink()
	}
}

func (l *ImportLink) cleanup(msg string) {
	n := l.m.env.KS.DropStaged(l.slots)
	if l.tracking() {
		// An active import closes with its FINISH (propagateFinish).
		l.m.env.KS.CloseImport(l.job.Name, l.slots, nil)
	}
	l.ended(msg, n)
}

// cleanupLocked is cleanup for a tracking entry, by a caller that holds
// every slot lock (the flush hook).
func (l *ImportLink) cleanupLocked(msg string) {
	n := l.m.env.KS.DropStagedLocked(l.slots)
	l.m.env.KS.CloseImportLocked(l.job.Name)
	l.ended(msg, n)
}

// ended marks the import failed, once its staged keys are gone.
func (l *ImportLink) ended(msg string, n int) {
	l.job.mu.Lock()
	if !l.job.state.Terminal() {
		l.job.state, l.job.message, l.job.updated = StateFailed, msg, time.Now()
		close(l.job.done)
	}
	l.job.mu.Unlock()
	l.m.env.Log.Info("slot migration import failed", "job", l.job.Name, "message", msg, "dropped_keys", n)
	l.forget()
}

// toCleanup moves an active import (not a tracking entry) to cleaning-up
// and reports whether it did.
func (j *Job) toCleanup(msg string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Tracking || j.state.Terminal() || j.state == StateCleaningUp {
		return false
	}
	j.state, j.message, j.updated = StateCleaningUp, msg, time.Now()
	return true
}

// finish tells the target's replicas how the import ended.
func (l *ImportLink) finish(success bool, msg string) {
	if !l.tracking() {
		l.propagateFinish(success, msg)
	}
}

// propagateFinish sends SYNCSLOTS FINISH down the replication stream and
// closes the import for full synchronizations in the same step.
func (l *ImportLink) propagateFinish(success bool, msg string) {
	st := "failed"
	if success {
		st = "success"
	}
	argv := [][]byte{[]byte("CLUSTER"), []byte("SYNCSLOTS"), []byte("FINISH"), []byte("STATE"), []byte(st),
		[]byte("NAME"), []byte(l.job.Name)}
	if msg != "" {
		argv = append(argv, []byte("MESSAGE"), []byte(msg))
	}
	l.m.env.KS.CloseImport(l.job.Name, l.slots, argv)
}

func (l *ImportLink) forget() {
	l.leaveHandover()
	l.m.mu.Lock()
	if l.m.imports[l.job.Name] == l {
		delete(l.m.imports, l.job.Name)
	}
	l.m.mu.Unlock()
}

// Closed is called when the link's connection closes. Valkey fails an
// import as soon as the topology shows its slots changed hands, so a
// change this node already sees (checked here, as the cron only looks
// every second) is the reason rather than the source hanging up on
// seeing it too.
func (l *ImportLink) Closed() {
	l.releaseYielder()
	if l.demoted() {
		return
	}
	if !l.job.State().Terminal() {
		msg := MsgConnLostSource
		if p := l.ownershipProblem(l.m.env.Routes()); p != "" {
			msg = p
		}
		l.Fail(msg)
	}
}

// SetPreventFailover is DEBUG SLOTMIGRATION PREVENT-FAILOVER: on, it
// holds this node's exports in failover-paused and its imports in
// failover-granted; off, the held imports take over at once (the cron
// would within a second, but a source's pause is short).
func (m *Manager) SetPreventFailover(on bool) {
	m.PreventFailover.Store(on)
	if on {
		return
	}
	m.mu.Lock()
	var held []*ImportLink
	for _, l := range m.imports {
		if !l.job.Tracking && l.job.State() == StateImportGranted {
			held = append(held, l)
		}
	}
	m.mu.Unlock()
	for _, l := range held {
		l.takeover()
	}
}

// tickImports sends ACKs to sources and fails imports whose source went
// silent for longer than repl-timeout (unless this node itself stalled).
func (m *Manager) tickImports(now time.Time, stalled bool) {
	m.mu.Lock()
	var links []*ImportLink
	for _, l := range m.imports {
		if !l.job.Tracking {
			links = append(links, l)
		}
	}
	m.mu.Unlock()
	r := m.env.Routes()
	for _, l := range links {
		if !stalled && l.job.sinceAck(now) > m.replTimeout() {
			l.Fail(MsgTimeout)
			continue
		}
		if msg := l.ownershipProblem(r); msg != "" {
			l.Fail(msg)
			continue
		}
		if l.job.State() == StateImportGranted && !m.PreventFailover.Load() {
			l.takeover() // held by PREVENT-FAILOVER until now
			continue
		}
		if st := l.job.State(); !st.Terminal() && st != StateWaitingAck {
			l.push("ACK")
		}
	}
}

// ownershipProblem reports a change of the slots' owner while importing:
// the source must own them until the hand-over.
func (l *ImportLink) ownershipProblem(r *cluster.Routes) string {
	if l.job.State().Terminal() {
		return ""
	}
	me := string(r.Nodes[r.Myself].ID)
	for _, s := range l.slots {
		switch ownerOf(r, s) {
		case l.job.Source:
		case me:
			return MsgAssignedMyself
		default:
			return MsgNotOwnedSource
		}
	}
	return ""
}

// CommandFailed ends the import when a command of the link failed on this
// node: the staged data would be incomplete.
func (l *ImportLink) CommandFailed(errLine string) {
	if l.demoted() {
		return // a demoted primary refuses the link's writes: not a failure
	}
	msg := MsgProcessFailed
	if len(errLine) >= 3 && errLine[:3] == "OOM" {
		msg = MsgOOM
	}
	l.m.env.Log.Warn("slot migration: command from the source failed", "job", l.job.Name, "error", errLine)
	// The failing command's handler holds its slots' locks, which
	// dropping the staged keys takes too: a synchronous Fail would
	// deadlock on them. The link's later commands already see the end.
	l.failUnderLocks(msg)
}

// failUnderLocks fails the import from a caller that holds slot locks:
// the end is marked at once (the link's later commands see it under
// their own locks and are not applied, nor propagated), and the cleanup,
// which takes the slots' locks, runs on a goroutine the manager owns.
func (l *ImportLink) failUnderLocks(msg string) {
	if l.beginFail(msg) {
		l.m.wg.Add(1)
		go func() {
			defer l.m.wg.Done()
			l.completeFail(msg)
		}()
	}
}

// onFlush fails every import when this node's data is flushed, tracking
// entries too (a replica applying its primary's FLUSHALL, or starting a
// full synchronization, loses what it staged — and a primary that was
// killed and restarted never sends the FINISH that would drop it), as
// Valkey's clusterHandleFlushDuringSlotMigration does. It runs
// under every slot lock (Keyspace.SetFlushHook): tracking entries end
// here with the locked variants; an active import is marked failed here
// and cleaned up (which takes slot locks, tells the replicas and closes
// the link) on a goroutine the manager owns (failUnderLocks).
func (m *Manager) onFlush() {
	// The imports the flush emptied are the ones registered now, not
	// one established after it (a retry) by the time the goroutine runs.
	m.mu.Lock()
	var links []*ImportLink
	for _, l := range m.imports {
		links = append(links, l)
	}
	m.mu.Unlock()
	// Both end here and now, in the flush's place in the stream.
	// Tracking entries: a replica flushes when a full synchronization
	// begins, and the imports that synchronization opens again (under the
	// same names) must find the old entries gone. Active imports: their
	// link's later commands must not be applied, or propagated after the
	// FLUSHALL to replicas whose tracking entries the FLUSHALL ended (they
	// would land in the replicas' live tables).
	for _, l := range links {
		if l.tracking() {
			l.cleanupLocked(MsgFlushed)
		} else {
			l.failUnderLocks(MsgFlushed)
		}
	}
}
