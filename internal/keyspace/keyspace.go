package keyspace

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

// Sink receives the effects of writes, as commands, in apply order. Sinks
// are called with the written keys' slot locks held, so per-key order is
// the same in every sink as in the keyspace. A Sink must not block.
type Sink interface {
	// Propagate is called once per write command effect. slot is the hash
	// slot of the keys (-1 for keyless effects such as FLUSHALL). argv
	// may alias a connection's read buffer, reused once the command is
	// done: a sink must copy what it keeps before it returns.
	Propagate(db int, slot int, argv [][]byte)
}

// Notifier delivers keyspace notifications (pub/sub). It must not block.
type Notifier interface {
	PublishNotification(channel, message []byte)
}

// Options configures a Keyspace.
type Options struct {
	Databases int
	// Now returns the current time in milliseconds. Tests inject a fake
	// clock; nil means the wall clock.
	Now func() int64
}

// Keyspace is the set of numbered databases and everything that guards
// them. It is safe for concurrent use under the slot-locking discipline in
// the package documentation.
type Keyspace struct {
	locks [slot.Count]sync.Mutex
	dbsMu sync.RWMutex // guards the dbs slice header itself (SWAPDB swaps elements under LockAll)
	dbs   []*DB
	// dbView is an immutable copy of dbs, republished after every change,
	// so that DB (called by every command) reads it without touching the
	// shared dbsMu cache line.
	dbView  atomic.Pointer[[]*DB]
	version atomic.Uint64
	now     func() int64
	// wall is the default clock (nil when Options.Now is injected);
	// epoch is the origin of Mono, wall's own when there is one.
	wall  *wallClock
	epoch time.Time
	start int64

	sinksMu sync.RWMutex
	sinks   []Sink
	// nsinks lets writes skip propagation entirely, without taking
	// sinksMu, while nothing consumes it (a standalone node).
	nsinks atomic.Int32

	notifier    atomic.Pointer[notifierBox]
	notifyFlags atomic.Uint32

	watch watchRegistry
	mem   memState
	evict evictState
	stats Stats
	// fieldJob is the hash field expiry job's state (fieldexpire.go).
	fieldJob fieldJobState

	// staging has bit s set while slot s is being imported (staging.go).
	staging [slot.Count / 64]atomic.Uint64
	// imports holds the command that opened each import staged here, by
	// name, for a full synchronization to replay (imports.go); guarded by
	// importsMu, a leaf lock taken under the imports' slot locks.
	importsMu sync.Mutex
	imports   map[string][][]byte

	// flushHook is called after FLUSHDB/FLUSHALL (ops.go).
	flushHook atomic.Pointer[func()]

	// replica is set while this node replicates a primary (replica.go).
	replica atomic.Bool

	// snaps is the immutable registry of running snapshots (snapshot.go);
	// snapMu serialises its republication.
	snapMu sync.Mutex
	snaps  atomic.Pointer[[]*Snapshot]

	limits       atomic.Pointer[types.Limits]
	lfuMode      atomic.Bool
	lfuLogFactor atomic.Int32
	lfuDecayTime atomic.Int32
}

type notifierBox struct{ n Notifier }

// Stats are the keyspace counters INFO reports.
type Stats struct {
	ExpiredKeys           atomic.Int64
	ExpiredStalePerc      atomic.Uint64 // float64 bits
	ExpiredTimeCapReached atomic.Int64
	ExpireCycleCPUMicros  atomic.Int64
	EvictedKeys           atomic.Int64
	EvictionMicros        atomic.Int64
	Hits                  atomic.Int64
	Misses                atomic.Int64
	Dirty                 atomic.Int64 // writes since the last save (rdb_changes_since_last_save)

	// Hash field expiration (fieldexpire.go): fields reclaimed, and the
	// stale estimate of the field job as float64 bits.
	ExpiredFields      atomic.Int64
	ExpiredFieldsStale atomic.Uint64
}

// New returns an empty keyspace.
func New(opts Options) *Keyspace {
	if opts.Databases <= 0 {
		opts.Databases = 16
	}
	ks := &Keyspace{now: opts.Now, epoch: time.Now()}
	if ks.now == nil {
		ks.wall = newWallClock()
		ks.now = ks.wall.NowMs
		ks.epoch = ks.wall.epoch // Mono readings are the wall clock's offsets
	}
	ks.start = ks.now()
	ks.dbs = make([]*DB, opts.Databases)
	for i := range ks.dbs {
		ks.dbs[i] = newDB(ks, i)
	}
	ks.publishDBs()
	ks.watch.init()
	ks.lfuLogFactor.Store(10)
	ks.lfuDecayTime.Store(1)
	return ks
}

// Now is the keyspace clock in milliseconds.
func (ks *Keyspace) Now() int64 { return ks.now() }

// Mono is the time since the keyspace was created, from the monotonic
// clock: one clock read that serves both a command's duration and, via
// Tx.BeginAt, its keyspace time.
func (ks *Keyspace) Mono() time.Duration { return time.Since(ks.epoch) }

// MonoTime is the instant mono (a Mono reading) stands for.
func (ks *Keyspace) MonoTime(mono time.Duration) time.Time { return ks.epoch.Add(mono) }

// NowAt is the keyspace clock (Unix milliseconds, as Now) at mono, a Mono
// reading: one clock read serving both.
func (ks *Keyspace) NowAt(mono time.Duration) int64 { return ks.nowAt(mono) }

// nowAt is the keyspace clock at mono. An injected clock (tests) is read
// instead, so that it stays the only source of keyspace time.
func (ks *Keyspace) nowAt(mono time.Duration) int64 {
	if ks.wall == nil {
		return ks.now()
	}
	return ks.wall.msAt(mono)
}

// NumDBs is the number of databases.
func (ks *Keyspace) NumDBs() int { return len(*ks.dbView.Load()) }

// DB returns database i, or nil when out of range.
func (ks *Keyspace) DB(i int) *DB {
	dbs := *ks.dbView.Load()
	if i < 0 || i >= len(dbs) {
		return nil
	}
	return dbs[i]
}

// publishDBs republishes dbView; the caller holds dbsMu for writing (or
// owns ks exclusively, in New).
func (ks *Keyspace) publishDBs() {
	view := append([]*DB(nil), ks.dbs...)
	ks.dbView.Store(&view)
}

// AddSink registers a propagation sink. It receives the effects of writes
// that record their propagation after AddSink returns; a consumer that
// needs a gap-free stream (snapshot + stream) registers its sink before it
// takes its snapshot cut (CurrentVersion). Sinks receive argv they may
// keep: it never aliases a connection's buffers.
func (ks *Keyspace) AddSink(s Sink) {
	ks.sinksMu.Lock()
	ks.sinks = append(ks.sinks, s)
	ks.nsinks.Store(int32(len(ks.sinks)))
	ks.sinksMu.Unlock()
}

// RemoveSink unregisters a propagation sink.
func (ks *Keyspace) RemoveSink(s Sink) {
	ks.sinksMu.Lock()
	defer ks.sinksMu.Unlock()
	for i, x := range ks.sinks {
		if x == s {
			ks.sinks = append(ks.sinks[:i:i], ks.sinks[i+1:]...)
			ks.nsinks.Store(int32(len(ks.sinks)))
			return
		}
	}
}

// hasSinks reports whether any sink is registered. A write that sees none
// may skip building its propagation record: a sink registered later only
// receives effects applied after it was added, as before.
func (ks *Keyspace) hasSinks() bool { return ks.nsinks.Load() > 0 }

func (ks *Keyspace) propagate(db, slot int, argv [][]byte) {
	if !ks.hasSinks() {
		return
	}
	ks.sinksMu.RLock()
	for _, s := range ks.sinks {
		s.Propagate(db, slot, argv)
	}
	ks.sinksMu.RUnlock()
}

// SetNotifier installs the receiver of keyspace notifications.
func (ks *Keyspace) SetNotifier(n Notifier) { ks.notifier.Store(&notifierBox{n}) }

// SetNotifyFlags sets the notify-keyspace-events classes (see ParseNotifyFlags).
func (ks *Keyspace) SetNotifyFlags(f uint32) { ks.notifyFlags.Store(f) }

// SetLFU sets lfu-log-factor and lfu-decay-time.
func (ks *Keyspace) SetLFU(logFactor, decayTime int) {
	ks.lfuLogFactor.Store(int32(logFactor))
	ks.lfuDecayTime.Store(int32(decayTime))
}

// Stats returns the live counters.
func (ks *Keyspace) Stats() *Stats { return &ks.stats }

// LockSlots locks the given slots, which must be sorted ascending and
// unique. Taking stripes in one global order is what makes multi-key
// commands deadlock-free.
func (ks *Keyspace) LockSlots(slots []int) {
	for _, s := range slots {
		ks.locks[s].Lock()
	}
}

// UnlockSlots releases slots locked by LockSlots.
func (ks *Keyspace) UnlockSlots(slots []int) {
	for i := len(slots) - 1; i >= 0; i-- {
		ks.locks[slots[i]].Unlock()
	}
}

// LockSlot locks one slot.
func (ks *Keyspace) LockSlot(s int) { ks.locks[s].Lock() }

// UnlockSlot releases one slot.
func (ks *Keyspace) UnlockSlot(s int) { ks.locks[s].Unlock() }

// LockAll locks every slot, for commands that change the whole keyspace.
func (ks *Keyspace) LockAll() {
	for i := range ks.locks {
		ks.locks[i].Lock()
	}
}

// UnlockAll releases LockAll.
func (ks *Keyspace) UnlockAll() {
	for i := len(ks.locks) - 1; i >= 0; i-- {
		ks.locks[i].Unlock()
	}
}

func (ks *Keyspace) nextVersion() uint64 { return ks.version.Add(1) }

// CurrentVersion is the highest version handed out so far (a snapshot cut).
func (ks *Keyspace) CurrentVersion() uint64 { return ks.version.Load() }

// lruClock is the LRU clock in seconds since the keyspace started.
func (ks *Keyspace) lruClock(now int64) uint32 { return uint32((now - ks.start) / 1000) }

// PropagateEffect hands an effect that no Tx made (a keyless control
// command such as SYNCSLOTS FINISH) to the sinks.
func (ks *Keyspace) PropagateEffect(db, slot int, argv [][]byte) { ks.propagate(db, slot, argv) }
