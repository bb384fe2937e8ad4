package migration

import (
	"sync"
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/slot"
)

// slotPause is the write pause of the finalization, per slot: writes to
// the migrating slots wait while reads and every other slot keep serving.
// The dispatcher checks it after taking a command's slot locks, and the
// pause is raised with a barrier over those locks, so no write to a paused
// slot can be applied — and streamed — after the PAUSED marker.
type slotPause struct {
	any  atomic.Int32 // paused slots, for the lock-free fast path
	bits [slot.Count / 64]atomic.Uint64

	mu    sync.Mutex
	count [slot.Count]uint8 // jobs pausing each slot
	wake  chan struct{}     // closed when some slots are unpaused
}

func (p *slotPause) init() { p.wake = make(chan struct{}) }

// pause marks slots paused (the caller then runs the lock barrier).
func (p *slotPause) pause(slots []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range slots {
		if p.count[s] == 0 {
			p.bits[s>>6].Or(1 << (s & 63))
			p.any.Add(1)
		}
		p.count[s]++
	}
}

// unpause releases slots and wakes every waiter, which re-routes.
func (p *slotPause) unpause(slots []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range slots {
		if p.count[s] == 0 {
			continue
		}
		p.count[s]--
		if p.count[s] == 0 {
			p.bits[s>>6].And(^(uint64(1) << (s & 63)))
			p.any.Add(-1)
		}
	}
	close(p.wake)
	p.wake = make(chan struct{})
}

// waitFor returns a channel to wait on when a write to any of slots must
// wait, or nil.
func (p *slotPause) waitFor(slots []int) <-chan struct{} {
	if p.any.Load() == 0 {
		return nil
	}
	for _, s := range slots {
		if p.bits[s>>6].Load()&(1<<(s&63)) != 0 {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.count[s] == 0 {
				return nil // unpaused meanwhile
			}
			return p.wake
		}
	}
	return nil
}
