package command

import (
	"sync"
	"sync/atomic"
	"time"
)

// pauseState implements CLIENT PAUSE / UNPAUSE.
type pauseState struct {
	active atomic.Bool // fast path for every command
	mu     sync.Mutex
	until  time.Time
	all    bool
	done   chan struct{} // closed when the current pause ends early
}

// Pause suspends write commands (or all commands) until d has passed.
// A new pause extends, never shortens, an existing one, as Valkey does.
func (n *Node) Pause(d time.Duration, all bool) {
	p := &n.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	until := time.Now().Add(d)
	if !p.active.Load() || p.done == nil {
		p.done = make(chan struct{})
		p.until = until
		p.all = all
	} else {
		if until.After(p.until) {
			p.until = until
		}
		p.all = p.all || all
	}
	p.active.Store(true)
}

// Unpause ends a pause at once.
func (n *Node) Unpause() {
	p := &n.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active.Load() {
		close(p.done)
		p.done = nil
		p.active.Store(false)
	}
}

// Paused reports whether a pause is in force for a command of this kind.
func (n *Node) Paused(write bool) bool {
	p := &n.pause
	if !p.active.Load() {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active.Load() && time.Now().Before(p.until) && (p.all || write)
}

// waitUnpaused blocks the calling client while a pause applies to it, and
// reports whether it waited.
func (n *Node) waitUnpaused(write bool) (waited bool) {
	p := &n.pause
	for p.active.Load() {
		p.mu.Lock()
		if !p.active.Load() {
			p.mu.Unlock()
			return waited
		}
		remaining := time.Until(p.until)
		if remaining <= 0 {
			close(p.done)
			p.done = nil
			p.active.Store(false)
			p.mu.Unlock()
			return waited
		}
		if !p.all && !write {
			p.mu.Unlock()
			return waited
		}
		done := p.done
		p.mu.Unlock()
		waited = true
		t := time.NewTimer(remaining)
		select {
		case <-done:
		case <-t.C:
		}
		t.Stop()
	}
	return waited
}
