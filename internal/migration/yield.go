package migration

import "time"

// Hand-over priority on a target that imports several jobs at once.
//
// An import link's goroutine applies its source's snapshot as fast as it
// reads it: CPU-bound, with a pipelined batch per read. On a small
// machine two such links keep every P busy, and while they do nobody
// polls the network (runtime.Gosched does not help: the scheduler takes
// the global run queue before the network), so the PAUSED of a third
// link, whose source has just paused its writers, waits in the kernel
// until sysmon polls — 10-20 ms measured (3 sources into 1 target, quiet
// machine), all of it write pause. While some import is in its hand-over,
// the others therefore sleep briefly now and then: a sleeping goroutine
// frees its P, which then polls the network.
const (
	yieldEvery = time.Millisecond       // at most one sleep per link per this
	yieldFor   = 100 * time.Microsecond // costs the other imports ~10% while a hand-over runs
)

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
// an import link: while another import of this node is handing over, it
// sleeps yieldFor at most once per yieldEvery.
func (l *ImportLink) YieldToHandover() {
	if l.handover.Load() || l.m.handovers.Load() == 0 {
		return
	}
	now := time.Now()
	if now.Sub(l.lastYield) < yieldEvery {
		return
	}
	time.Sleep(yieldFor)
	l.lastYield = time.Now()
}
