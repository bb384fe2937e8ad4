package keyspace

import (
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/types"
)

// Per-key overheads of the Go data structures, measured by
// TestDatasetBytesMatchesHeap: the map slot (key header + pointer, at the
// average swiss-table load, plus the per-slot table amortized over the
// ~6-60 keys per slot of 100k-1M keys) and the Entry struct itself.
const (
	mapSlotOverhead = 50
	entryStructSize = 64
)

// memState is the approximate memory accounting the eviction policy and
// INFO memory use. It is maintained incrementally by the choke point so
// reading it is free, unlike runtime.ReadMemStats, which stops the world.
type memState struct {
	dataset atomic.Int64
}

func (m *memState) add(n int64) { m.dataset.Add(n) }

// entrySize estimates the bytes a key and its value occupy.
func entrySize(keyLen int, e *Entry) int64 {
	n := int64(mapSlotOverhead+entryStructSize) + types.AllocSize(keyLen)
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
