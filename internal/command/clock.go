package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// commandClock lets a client's commands share clock reads. A command needs
// the time when it starts (its keyspace time for expiry, and the start of
// its duration) and when it ends (the duration, for INFO commandstats, the
// slow log and the latency monitor): two reads of the monotonic clock,
// each a vDSO call that was 6% of the dispatcher's time on this VM. When
// commands run back to back from one read of the socket, the end of one
// is, to within the parsing of the next, the start of the next; so the
// end reading is kept and reused, and so is the reading the connection
// takes when input arrives (InputArrived). A reading is reused only
// while nothing could have waited since it was taken: any wait inside the
// dispatcher (a client pause, an eviction, a blocked command, a slot
// migration's pause) marks it stale, and only clients whose input the
// connection marks chain at all; a replication link, fed by its own
// reader, always reads the clock.
type commandClock struct {
	at      time.Duration // a Keyspace.Mono reading
	fresh   bool          // at may serve as the next command's start
	chained bool          // the connection marks input arrivals
}

// InputArrived records a Keyspace.Mono reading taken just after input for
// the client was read: the next command may start at it.
func (c *Client) InputArrived(mono time.Duration) {
	c.clock = commandClock{at: mono, fresh: true, chained: true}
}

// ClockStale tells the client that its connection may have waited (a
// blocking write) since its last command: the next one reads the clock.
func (c *Client) ClockStale() { c.clock.stale() }

// stale forgets the kept reading: something may have waited since.
func (k *commandClock) stale() { k.fresh = false }

// start returns the command's start, reusing the kept reading when it is
// fresh and this is the command's first run.
func (k *commandClock) start(ks *keyspace.Keyspace, first bool) time.Duration {
	fresh := k.fresh
	k.fresh = false // a reading serves one start at most
	if first && fresh {
		return k.at
	}
	return ks.Mono()
}

// ended keeps the command's end reading for the next command.
func (k *commandClock) ended(mono time.Duration) {
	k.at, k.fresh = mono, k.chained
}
