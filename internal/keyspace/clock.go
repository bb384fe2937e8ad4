package keyspace

import (
	"sync/atomic"
	"time"
)

// wallClock is the keyspace's default clock: wall time in milliseconds at
// the cost of one monotonic clock read. time.Now reads both the wall and
// the monotonic clock; this reads only the monotonic one and adds it to a
// wall-clock base that is refreshed every resync interval, so a step of
// the system clock shows up within that interval. Every command reads the
// clock once (Tx.Begin), so this is on the hot path.
type wallClock struct {
	epoch time.Time // carries the monotonic reading all offsets are from
	base  atomic.Pointer[clockBase]
}

type clockBase struct {
	mono   time.Duration // time.Since(epoch) when the base was taken
	unixNs int64         // wall clock at that moment
}

// wallClockResync bounds how long a wall-clock step can go unnoticed.
const wallClockResync = 10 * time.Millisecond

func newWallClock() *wallClock {
	c := &wallClock{epoch: time.Now()}
	c.resync()
	return c
}

func (c *wallClock) resync() *clockBase {
	now := time.Now()
	b := &clockBase{mono: now.Sub(c.epoch), unixNs: now.UnixNano()}
	c.base.Store(b)
	return b
}

// NowMs is the current Unix time in milliseconds.
func (c *wallClock) NowMs() int64 { return c.msAt(time.Since(c.epoch)) }

// msAt is the Unix time in milliseconds at mono past the epoch: a caller
// that has read the monotonic clock already (the dispatcher, for the
// command's duration) gets the wall time without a second read.
func (c *wallClock) msAt(mono time.Duration) int64 {
	b := c.base.Load()
	if d := mono - b.mono; d < 0 || d >= wallClockResync {
		b = c.resync()
		mono = b.mono
	}
	return (b.unixNs + int64(mono-b.mono)) / int64(time.Millisecond)
}
