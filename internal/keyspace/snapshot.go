package keyspace

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/netyield"
	"github.com/shoal-db/shoal/internal/slot"
)

// The forkless point-in-time snapshot (DESIGN §4). Go cannot fork, so a
// snapshot is a cut version V and a walker:
//
//   - StartSnapshot locks the slots in scope, reads V (every entry written
//     before has version <= V, every later write gets a larger one) and
//     runs AtCut, where the consumer starts its stream of later writes, so
//     that the stream begins exactly at the cut.
//   - Run walks the slots one at a time, a bounded amount of work per lock
//     hold, and emits every entry whose version is <= V.
//   - The pre-write hook (snapshot_hook.go) runs before a write changes an
//     entry with version <= V that the walker has not emitted: it emits the
//     old value first, then raises the entry's version past every cut so the
//     walker skips it. The write itself reaches the consumer through the
//     stream, after the record it depends on.
//
// Memory is bounded by what the consumer buffers (Pace) plus one value
// emitted by a hook; the data itself is never copied.

// SnapshotConsumer receives snapshot records.
type SnapshotConsumer interface {
	// SnapshotRecord receives one record: a complete RESP multibulk command
	// for database db that rebuilds (part of) a key of slot s on an empty
	// consumer. It is called with slot s locked, so it must not block; cmd
	// is the consumer's to keep.
	SnapshotRecord(db, s int, cmd []byte)
}

// SnapshotCopier is a consumer that copies each record before
// SnapshotRecord returns, so the snapshot may build the next record in the
// same memory.
type SnapshotCopier interface {
	SnapshotConsumer
	CopiesRecords()
}

// SnapshotOptions configures a snapshot.
type SnapshotOptions struct {
	// Slots are the slots in scope, ascending and unique; nil means all.
	Slots []int
	// Consumer receives the records.
	Consumer SnapshotConsumer
	// AtCut runs while every slot in scope is locked, right after the cut
	// is taken: no write to those slots can come between the cut and what
	// AtCut does (register a propagation sink, note a backlog offset).
	AtCut func()
	// Pace is called by the walker between lock holds with no lock held. It
	// blocks while the consumer is behind (this is what bounds memory) and
	// returns an error to abort the walk.
	Pace func() error
}

// SnapshotProgress is what a snapshot has done so far.
type SnapshotProgress struct {
	Keys       int64 // entries emitted (started)
	Records    int64
	Bytes      int64 // bytes of records emitted
	SlotsDone  int64
	SlotsTotal int64
}

// Per-slot walk state, guarded by the slot's lock.
const (
	slotPending uint8 = iota // not reached: every entry <= cut is unsent
	slotActive               // being walked: unsent entries are in rem/cur
	slotDone                 // every entry <= cut was sent
)

// Snapshot is one point-in-time snapshot of a set of slots.
type Snapshot struct {
	ks    *Keyspace
	o     SnapshotOptions
	cut   uint64
	scope [slot.Count / 64]uint64
	slots []int

	// state[s] is guarded by slot s's lock. rem and cur belong to the one
	// active slot and are guarded by its lock.
	state [slot.Count]uint8
	rem   map[remKey]struct{}
	cur   *bigEntry
	dbBuf []*DB // walkDBs, the walker's only

	// copier is set when the consumer copies records (SnapshotCopier);
	// bufs then recycles the buffers records are built in: a short free
	// list rather than a sync.Pool, whose Put allocates a box per buffer
	// (a million of them for a million records) and whose contents the GC
	// drops, so a big snapshot would keep making garbage.
	copier bool
	bufMu  sync.Mutex
	bufs   [][]byte // guarded by bufMu

	closed  atomic.Bool
	keys    atomic.Int64
	records atomic.Int64
	bytes   atomic.Int64
	done    atomic.Int64
}

type remKey struct {
	db  *DB
	key string
}

// ErrSnapshotClosed is returned by Run after Close.
var ErrSnapshotClosed = errors.New("snapshot closed")

// StartSnapshot takes the cut and registers the snapshot's pre-write
// hook. The caller must call Run to walk, and Close when done or to abort.
func (ks *Keyspace) StartSnapshot(o SnapshotOptions) *Snapshot {
	sn := &Snapshot{ks: ks, o: o, slots: o.Slots}
	_, sn.copier = o.Consumer.(SnapshotCopier)
	if sn.slots == nil {
		sn.slots = make([]int, slot.Count)
		for i := range sn.slots {
			sn.slots[i] = i
		}
	}
	for _, s := range sn.slots {
		sn.scope[s>>6] |= 1 << (s & 63)
	}
	ks.LockSlots(sn.slots)
	sn.cut = ks.CurrentVersion()
	ks.addSnapshot(sn)
	if o.AtCut != nil {
		o.AtCut()
	}
	ks.UnlockSlots(sn.slots)
	return sn
}

// Cut is the snapshot's cut version.
func (sn *Snapshot) Cut() uint64 { return sn.cut }

func (sn *Snapshot) covers(s int) bool { return sn.scope[s>>6]&(1<<(s&63)) != 0 }

// Progress reports what has been emitted so far.
func (sn *Snapshot) Progress() SnapshotProgress {
	return SnapshotProgress{Keys: sn.keys.Load(), Records: sn.records.Load(), Bytes: sn.bytes.Load(),
		SlotsDone: sn.done.Load(), SlotsTotal: int64(len(sn.slots))}
}

// Close unregisters the snapshot; Run stops at its next lock hold. When
// Close returns, no record will be emitted any more. It is idempotent.
func (sn *Snapshot) Close() {
	if sn.closed.Swap(true) {
		return
	}
	sn.ks.removeSnapshot(sn)
	// A hook that loaded the old registry may still be emitting under a
	// slot lock: taking each lock in scope once waits for it.
	for _, s := range sn.slots {
		sn.ks.LockSlot(s)
		sn.ks.UnlockSlot(s)
	}
}

func (sn *Snapshot) record(db *DB, s int, cmd []byte) {
	sn.records.Add(1)
	sn.bytes.Add(int64(len(cmd)))
	sn.o.Consumer.SnapshotRecord(db.index, s, cmd)
	if sn.copier && cap(cmd) <= recordBytes*4 {
		sn.bufMu.Lock()
		if len(sn.bufs) < maxScratch {
			sn.bufs = append(sn.bufs, cmd[:0])
		}
		sn.bufMu.Unlock()
	}
}

// maxScratch bounds the free list of record buffers: the walker and the
// writers running a hook each build one record at a time.
const maxScratch = 16

// scratch returns a buffer to build the next record in: a reused one when
// the consumer copies records (no garbage per record, which on a source
// of a big migration would otherwise grow its memory by what it sends),
// nil (a fresh allocation) when it keeps them.
func (sn *Snapshot) scratch() []byte {
	if !sn.copier {
		return nil
	}
	sn.bufMu.Lock()
	if k := len(sn.bufs); k > 0 {
		b := sn.bufs[k-1]
		sn.bufs[k-1] = nil
		sn.bufs = sn.bufs[:k-1]
		sn.bufMu.Unlock()
		return b
	}
	sn.bufMu.Unlock()
	return make([]byte, 0, recordBytes+recordBytes/4)
}

// Run walks the slots in scope and returns nil once every entry at the cut
// was emitted, or the error of ctx, Pace or Close.
func (sn *Snapshot) Run(ctx context.Context) error {
	// Without descriptors to spare the walker yields with Gosched (y nil).
	y, _ := netyield.New()
	defer y.Close()
	for _, s := range sn.slots {
		for {
			if err := sn.check(ctx); err != nil {
				return err
			}
			sn.ks.LockSlot(s)
			finished := sn.closed.Load() || sn.step(s)
			sn.ks.UnlockSlot(s)
			// Between holds the walker lets everyone else run first: a
			// client that waited for this slot (readied onto the
			// walker's P by the unlock), and every client and link
			// whose data has arrived — Gosched alone would keep the
			// scheduler from polling the network while the walk lasts
			// (package netyield).
			y.Yield()
			if finished {
				break
			}
		}
		sn.done.Add(1)
	}
	return sn.check(ctx)
}

func (sn *Snapshot) check(ctx context.Context) error {
	if sn.closed.Load() {
		return ErrSnapshotClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if sn.o.Pace != nil {
		return sn.o.Pace()
	}
	return nil
}

// addSnapshot and removeSnapshot republish the immutable registry the
// hooks read without a lock.
func (ks *Keyspace) addSnapshot(sn *Snapshot) {
	ks.snapMu.Lock()
	defer ks.snapMu.Unlock()
	list := append(append([]*Snapshot(nil), ks.snapshotList()...), sn)
	ks.snaps.Store(&list)
}

func (ks *Keyspace) removeSnapshot(sn *Snapshot) {
	ks.snapMu.Lock()
	defer ks.snapMu.Unlock()
	var list []*Snapshot
	for _, x := range ks.snapshotList() {
		if x != sn {
			list = append(list, x)
		}
	}
	ks.snaps.Store(&list)
}

func (ks *Keyspace) snapshotList() []*Snapshot {
	if p := ks.snaps.Load(); p != nil {
		return *p
	}
	return nil
}

// Snapshotting reports whether any snapshot is running (the dispatcher
// then runs the dependency hook for write commands).
func (ks *Keyspace) Snapshotting() bool { return len(ks.snapshotList()) > 0 }
