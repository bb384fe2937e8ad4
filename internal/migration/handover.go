package migration

import (
	"slices"
	"time"

	"github.com/shoal-db/shoal/internal/netyield"
)

// Hand-over priority on a target that imports several jobs at once.
//
// An import link's goroutine applies its source's snapshot as fast as it
// reads it: CPU-bound, with a pipelined batch per read. On a small
// machine two such links keep every P busy, and while they do nobody
// polls the network, so the PAUSED of a third link, whose source has just
// paused its writers, waits in the kernel until sysmon polls — 10-20 ms
// measured (3 sources into 1 target, quiet machine), all of it write
// pause. While some import is in its hand-over, the others therefore
// yield to the network (package netyield) now and then: the handing-over
// link's data is read within yieldEvery of its arrival. A yield costs
// about 2 µs when nothing is waiting.
const yieldEvery = 250 * time.Microsecond

// One hand-over at a time on a target.
//
// Several sources that finish their snapshots together (three sources
// into one new node, the usual scale-out) would otherwise pause together,
// and the target would apply the three streams' tails and make three
// claims at once, each pause lasting as long as all of them: 11-12 ms
// measured against 2-5 ms for a pause alone (bench/migration.sh). So an
// import asks its source to pause only when it has the target's turn; the
// others keep streaming, at a lower priority, and get the turn in the
// order they reached SNAPSHOT-EOF, each when the one before ends either
// way. Waiting costs them no pause, only the few milliseconds of the
// hand-overs ahead. A source exporting to several targets does the same
// on its side: an export does not pause while another one of this node
// has slots paused (exportJob.tryPause, retried every millisecond).

// awaitTurn asks the source to pause now if no other import of this node
// is handing over, or else queues the link for its turn.
func (l *ImportLink) awaitTurn() {
	m := l.m
	m.turnMu.Lock()
	if m.turn != nil {
		m.queue = append(m.queue, l)
		m.turnMu.Unlock()
		return
	}
	l.takeTurn()
	m.turnMu.Unlock()
	l.push("REQUEST-PAUSE")
}

// takeTurn makes l the import handing over; the caller holds turnMu, so
// that a link ending at the same moment sees either no turn or all of it.
func (l *ImportLink) takeTurn() {
	l.m.turn = l
	if !l.handover.Swap(true) {
		l.m.handovers.Add(1)
	}
}

// leaveHandover ends the link's turn or leaves the queue (the import
// ended, either way) and hands the turn to the next import waiting.
func (l *ImportLink) leaveHandover() {
	m := l.m
	m.turnMu.Lock()
	if l.handover.Swap(false) {
		m.handovers.Add(-1)
	}
	m.queue = slices.DeleteFunc(m.queue, func(q *ImportLink) bool { return q == l })
	var next *ImportLink
	if m.turn == l {
		m.turn = nil
		if len(m.queue) > 0 {
			next = m.queue[0]
			m.queue = m.queue[1:]
			next.takeTurn()
		}
	}
	m.turnMu.Unlock()
	if next != nil {
		// Outside the lock: a push may write to the socket.
		next.push("REQUEST-PAUSE")
	}
}

// YieldToHandover is called by the command layer before each command of
// an import link, on the link's connection goroutine: while another
// import of this node is handing over, it yields to the network at most
// once per yieldEvery.
func (l *ImportLink) YieldToHandover() {
	if l.handover.Load() || l.m.handovers.Load() == 0 {
		return
	}
	now := time.Now()
	if now.Sub(l.lastYield) < yieldEvery {
		return
	}
	if l.yielder == nil {
		// Without a descriptor to spare it is nil and yields with Gosched.
		l.yielder, _ = netyield.New()
	}
	l.yielder.Yield()
	l.lastYield = time.Now()
}

// releaseYielder closes the link's yielder; the connection goroutine
// calls it once the connection is gone.
func (l *ImportLink) releaseYielder() {
	l.yielder.Close()
	l.yielder = nil
}
