package keyspace

import (
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/types"
)

// Per-key overheads of the data structures, measured by
// TestDatasetBytesMatchesHeap: a key's share of its slot's key table (an
// 8-byte pointer and a control byte per slot, in 64-byte groups of seven,
// at the table's average load, plus the per-slot table amortized over the
// ~6-60 keys per slot of 100k-1M keys), and a plain (not inline) Entry.
const (
	tableSlotOverhead = 24
	entryStructSize   = 80
)

// memState is the approximate memory accounting the eviction policy and
// INFO memory use. It is maintained incrementally by the choke point so
// reading it is free, unlike runtime.ReadMemStats, which stops the world.
type memState struct {
	dataset atomic.Int64
}

func (m *memState) add(n int64) { m.dataset.Add(n) }

// entrySize estimates the bytes a key and its value occupy. It depends
// only on keyLen and e's contents, so that adding and removing a key
// account the same amount.
func entrySize(keyLen int, e *Entry) int64 {
	n := int64(tableSlotOverhead)
	if block := e.blockBytes(); block > 0 {
		// An inline entry: header, value and (when it fits) key in one
		// block. A key that fits is assumed to be in the room even in
		// the rare case (an entry stored again under another key) where
		// it was allocated separately.
		n += block
		if !e.keyFits(keyLen) {
			n += types.AllocSize(keyLen)
		}
		if e.Obj != nil {
			n += e.Obj.MemUsage()
		} else if !e.strInBlock() {
			n += types.AllocSize(cap(e.Str))
		}
		return n
	}
	n += entryStructSize + types.AllocSize(keyLen)
	if e.Obj != nil {
		n += e.Obj.MemUsage()
	} else {
		n += types.AllocSize(cap(e.Str))
	}
	return n
}

// DatasetBytes is the estimated size of all keys and values.
func (ks *Keyspace) DatasetBytes() int64 { return ks.mem.dataset.Load() }

// KeyMemoryUsage estimates the bytes used by one key (MEMORY USAGE).
func KeyMemoryUsage(key []byte, e *Entry) int64 { return entrySize(len(key), e) }

// expireEntryCost is what one entry of a slot's expires map costs (key
// header and int64 at the map's average load).
const expireEntryCost = 48

// initAccess sets a new entry's access clock: now for LRU, and for LFU the
// initial counter without an increment, so OBJECT FREQ of a fresh key is 5
// as in Valkey.
func (ks *Keyspace) initAccess(e *Entry, now int64) {
	if ks.lfuMode.Load() {
		e.access = ks.lfuMinutes(now)<<8 | lfuInitVal
		return
	}
	e.access = ks.lruClock(now)
}

// touch updates the access clock for LRU or LFU.
func (ks *Keyspace) touch(e *Entry, now int64) {
	if ks.lfuMode.Load() {
		e.access = ks.lfuTouch(e.access, now)
		return
	}
	e.access = ks.lruClock(now)
}
