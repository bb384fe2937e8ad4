package keyspace

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/slot"
)

// table is one hash slot of one database.
type table struct {
	keys keyTable
	// expires holds absolute expiry times (ms) of volatile keys only, so the
	// active expiry cycle samples volatile keys directly, as Valkey's
	// expires dict allows.
	expires map[string]int64
	// volatile holds the keys of hashes with field TTLs (fieldexpire.go).
	volatile map[string]struct{}
}

// DB is one numbered database.
type DB struct {
	ks    *Keyspace
	index int
	// slots are allocated on demand; a nil table is an empty slot. Reading
	// or writing slots[s] requires the slot-s lock.
	slots [slot.Count]*table
	// counts are maintained by the choke point and read without locks by
	// DBSIZE, INFO keyspace and RANDOMKEY.
	nkeys    atomic.Int64
	nexpires atomic.Int64
	slotKeys [slot.Count]atomic.Int32
	// expireCursor is where the active expiry cycle resumes (owned by it).
	expireCursor int
	// vol tracks the keys with volatile hash fields (fieldexpire.go).
	vol volatileIndex
	// stage is the shadow database of slots being imported (staging.go).
	stage atomic.Pointer[DB]
}

func newDB(ks *Keyspace, index int) *DB { return &DB{ks: ks, index: index} }

// Index is the database number.
func (db *DB) Index() int { return db.index }

// Size is the number of keys (including logically expired ones not yet
// reclaimed, as Valkey's DBSIZE).
func (db *DB) Size() int64 { return db.nkeys.Load() }

// Expires is the number of keys with a TTL.
func (db *DB) Expires() int64 { return db.nexpires.Load() }

// SlotSize is the number of keys in one slot (CLUSTER COUNTKEYSINSLOT).
func (db *DB) SlotSize(s int) int { return int(db.slotKeys[s].Load()) }

func (db *DB) table(s int, create bool) *table {
	t := db.slots[s]
	if t == nil && create {
		t = &table{}
		db.slots[s] = t
	}
	return t
}

// randomNonEmptySlot picks a random slot holding keys, or -1. It reads the
// lock-free counters, so the caller must re-check under the slot lock.
func (db *DB) randomNonEmptySlot() int {
	if db.nkeys.Load() == 0 {
		return -1
	}
	start := rand.IntN(slot.Count)
	for i := 0; i < slot.Count; i++ {
		s := (start + i) & (slot.Count - 1)
		if db.slotKeys[s].Load() > 0 {
			return s
		}
	}
	return -1
}

// SlotKeys calls fn for every key in slot s until fn returns false. The
// caller holds the slot lock. Expired keys are skipped but not reclaimed.
func (db *DB) SlotKeys(s int, now int64, fn func(key string, e *Entry) bool) {
	t := db.slots[s]
	if t == nil {
		return
	}
	for k, e := range t.keys.All() {
		if t.expires != nil {
			if at, ok := t.expires[k]; ok && at < now {
				continue
			}
		}
		if !fn(k, e) {
			return
		}
	}
}

// ExpireAt returns the absolute expiry (ms) of key in slot s, or -1. The
// caller holds the slot lock.
func (db *DB) expireAt(s int, key string) int64 {
	t := db.slots[s]
	if t == nil || t.expires == nil {
		return -1
	}
	if at, ok := t.expires[key]; ok {
		return at
	}
	return -1
}

// keyedEntry is an entry with the key it is stored under.
type keyedEntry struct {
	key string
	e   *Entry
}

// entries lists the table's entries, for loops that delete while they go
// (removing during iteration of the table itself is unsafe).
func (t *table) entries() []keyedEntry {
	out := make([]keyedEntry, 0, t.keys.Len())
	for k, e := range t.keys.All() {
		out = append(out, keyedEntry{k, e})
	}
	return out
}
