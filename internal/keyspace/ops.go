package keyspace

import (
	"math/rand/v2"

	"github.com/shoal-db/shoal/internal/slot"
)

// withSlot runs fn with slot s locked unless the Tx already holds every lock.
func (tx *Tx) withSlot(s int, fn func()) {
	if !tx.HoldsAll {
		tx.ks.locks[s].Lock()
		defer tx.ks.locks[s].Unlock()
	}
	fn()
}

// ForEachKey calls fn for every live key of the Tx's database, one slot
// lock at a time, until fn returns false. Keys are visited in slot order.
func (tx *Tx) ForEachKey(fn func(key string, e *Entry) bool) {
	db := tx.db
	for s := 0; s < slot.Count; s++ {
		if db.slotKeys[s].Load() == 0 {
			continue
		}
		stop := false
		tx.withSlot(s, func() {
			db.SlotKeys(s, tx.now, func(k string, e *Entry) bool {
				if !fn(k, e) {
					stop = true
					return false
				}
				return true
			})
		})
		if stop {
			return
		}
	}
}

// Scan visits whole slots starting at cursor until at least count keys were
// offered to fn, and returns the next cursor (0 when done). Because a slot
// is always visited whole and slots are visited in order, a key present for
// the whole iteration is returned at least once however the table grows.
func (tx *Tx) Scan(cursor uint64, count int, fn func(key string, e *Entry)) uint64 {
	if cursor >= slot.Count {
		return 0
	}
	db := tx.db
	seen := 0
	s := int(cursor)
	for ; s < slot.Count && seen < count; s++ {
		if db.slotKeys[s].Load() == 0 {
			continue
		}
		tx.withSlot(s, func() {
			db.SlotKeys(s, tx.now, func(k string, e *Entry) bool {
				fn(k, e)
				seen++
				return true
			})
		})
	}
	if s >= slot.Count {
		return 0
	}
	return uint64(s)
}

// RandomKey returns a random live key of the database, or "" and false.
func (tx *Tx) RandomKey() (string, bool) {
	db := tx.db
	for tries := 0; tries < 100; tries++ {
		s := db.randomNonEmptySlot()
		if s < 0 {
			return "", false
		}
		var key string
		found := false
		tx.withSlot(s, func() {
			t := db.slots[s]
			if t == nil || t.keys.Len() == 0 {
				return
			}
			skip := rand.IntN(t.keys.Len())
			for k := range t.keys.All() {
				if skip > 0 {
					skip--
					continue
				}
				if at, ok := t.expires[k]; ok && at < tx.now {
					tx.expireKey(t, s, k)
					return
				}
				key, found = k, true
				return
			}
		})
		if found {
			return key, true
		}
	}
	return "", false
}

// FlushDB empties the Tx's database. The caller holds every slot lock
// (LockAll) so the flush is atomic for every other client. The table
// memory is released by the garbage collector, so ASYNC and SYNC differ
// only in name.
func (tx *Tx) FlushDB() {
	tx.ks.flushLocked(tx.db)
	tx.dirty++
	tx.ks.flushed()
}

// FlushAll empties every database; the caller holds every slot lock.
func (tx *Tx) FlushAll() {
	for i := 0; i < tx.ks.NumDBs(); i++ {
		tx.ks.flushLocked(tx.ks.DB(i))
	}
	tx.dirty++
	tx.ks.flushed()
}

// SetFlushHook installs fn, called after FLUSHDB and FLUSHALL with every
// slot lock held (so it must not block or take a slot lock). A slot
// migration fails its imports when the data is flushed; a hook rather
// than a propagation sink, because any sink makes every write copy its
// arguments for propagation.
func (ks *Keyspace) SetFlushHook(fn func()) { ks.flushHook.Store(&fn) }

func (ks *Keyspace) flushed() {
	if p := ks.flushHook.Load(); p != nil && *p != nil {
		(*p)()
	}
}

func (ks *Keyspace) flushLocked(db *DB) {
	ks.watch.touchDB(db.index, func(key string) bool {
		t := db.slots[slot.OfString(key)]
		return t != nil && t.keys.GetString(key) != nil
	})
	var freed int64
	for s := range db.slots {
		t := db.slots[s]
		if t == nil {
			continue
		}
		for k, e := range t.keys.All() {
			freed += entrySize(len(k), e)
		}
		freed += int64(len(t.expires)) * expireEntryCost
		db.slots[s] = nil
		db.slotKeys[s].Store(0)
	}
	ks.mem.add(-freed)
	ks.stats.Dirty.Add(db.nkeys.Load())
	db.nkeys.Store(0)
	db.nexpires.Store(0)
	db.vol.reset() // the tables holding the tracked keys are gone (fieldexpire.go)
	ks.version.Add(1)
}

// SwapDB exchanges databases a and b; the caller holds every slot lock.
// Clients keep their database numbers and so see each other's data, as
// with Valkey's SWAPDB.
func (tx *Tx) SwapDB(a, b int) {
	ks := tx.ks
	cur := tx.db.index // the swap renumbers the DB objects
	for _, i := range []int{a, b} {
		db := ks.DB(i)
		other := ks.DB(a + b - i)
		ks.watch.touchDB(i, func(key string) bool {
			s := slot.OfString(key)
			t, u := db.slots[s], other.slots[s]
			return (t != nil && t.keys.GetString(key) != nil) || (u != nil && u.keys.GetString(key) != nil)
		})
	}
	ks.dbsMu.Lock()
	ks.dbs[a], ks.dbs[b] = ks.dbs[b], ks.dbs[a]
	ks.dbs[a].index, ks.dbs[b].index = a, b
	for _, i := range []int{a, b} {
		if st := ks.dbs[i].stage.Load(); st != nil {
			st.index = i // staged keys move with their database
		}
	}
	ks.publishDBs()
	ks.dbsMu.Unlock()
	tx.db = ks.DB(cur)
	tx.dirty++
	ks.stats.Dirty.Add(1)
}

// MoveKey moves key from the Tx's database to database dst, keeping its
// TTL. It returns false when the key is missing or exists in dst. Both
// live in the same slot, whose lock the caller holds.
func (tx *Tx) MoveKey(key []byte, dst int) bool {
	e := tx.LookupWrite(key)
	if e == nil {
		return false
	}
	ttl := tx.TTL(key)
	src := tx.db.index
	tx.Select(dst)
	if tx.LookupWrite(key) != nil {
		tx.Select(src)
		return false
	}
	tx.Set(key, e, false)
	if ttl >= 0 {
		tx.SetExpire(key, ttl)
	}
	tx.Select(src)
	tx.Delete(key)
	return true
}

// SlotOf is the hash slot of key.
func SlotOf(key []byte) int { return slot.Of(key) }
