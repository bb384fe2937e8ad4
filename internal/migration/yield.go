package migration

import (
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

// enterHandover marks the link as waiting for its source's pause.
func (l *ImportLink) enterHandover() {
	if !l.handover.Swap(true) {
		l.m.handovers.Add(1)
	}
}

// leaveHandover unmarks it (the import ended, either way).
func (l *ImportLink) leaveHandover() {
	if l.handover.Swap(false) {
		l.m.handovers.Add(-1)
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
