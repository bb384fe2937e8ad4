package keyspace

import (
	"github.com/shoal-db/shoal/internal/slot"
)

// This file holds the slot-level operations cluster mode needs: routing
// checks for open slots, CLUSTER GETKEYSINSLOT, and dropping the keys of a
// slot this node no longer serves.

// KeyExists reports whether key is live in database db, without counting a
// hit or miss, touching its access clock or reclaiming it when expired
// (Valkey's LOOKUP_NOTOUCH|NOSTATS|NONOTIFY|NOEXPIRE: an expired key is
// missing but stays). The caller holds the key's slot lock.
func (ks *Keyspace) KeyExists(db int, key []byte) bool {
	t := ks.DB(db).slots[slot.Of(key)]
	if t == nil {
		return false
	}
	if t.keys.Get(key) == nil {
		return false
	}
	if at, ok := t.expires[string(key)]; ok && at < ks.now() {
		return false
	}
	return true
}

// SlotKeyNames returns up to max keys of slot s in the Tx's database
// (CLUSTER GETKEYSINSLOT). As in Valkey, keys that expired but were not
// reclaimed yet are listed too: they still count (COUNTKEYSINSLOT, the
// key check of SETSLOT NODE), and a migration loop must meet them so that
// its MIGRATE reclaims them, or it would stop with keys left. It locks the
// slot unless the Tx holds every lock.
func (tx *Tx) SlotKeyNames(s, max int) []string {
	var out []string
	if max <= 0 || tx.db.slotKeys[s].Load() == 0 {
		return out
	}
	tx.withSlot(s, func() {
		t := tx.db.slots[s]
		if t == nil {
			return
		}
		for k := range t.keys.All() {
			out = append(out, k)
			if len(out) >= max {
				return
			}
		}
	})
	return out
}

// DeleteSlot removes every key of slot s in every database, as Valkey's
// delKeysInSlot does when this node loses a slot it still holds keys for.
// Each deletion invalidates WATCHes and propagates as DEL (replicas follow);
// clients get no keyspace notification, since the keys moved rather than
// disappeared. It takes the slot lock itself and returns the count.
// keep, when not nil, is asked under the lock, so that no write to the
// slot can come between its answer and the deletion; when it reports
// true nothing is deleted.
func (ks *Keyspace) DeleteSlot(s int, keep func() bool) int {
	ks.locks[s].Lock()
	defer ks.locks[s].Unlock()
	if keep != nil && keep() {
		return 0
	}
	deleted := 0
	for i := 0; i < ks.NumDBs(); i++ {
		db := ks.DB(i)
		t := db.slots[s]
		if t == nil {
			continue
		}
		for _, v := range t.entries() {
			ks.removeLocked(db, t, s, v.key, v.e)
			ks.propagate(db.index, s, [][]byte{[]byte("DEL"), []byte(v.key)})
			deleted++
		}
		db.slots[s] = nil
	}
	return deleted
}

// SlotCount is the number of keys in slot s over every database.
func (ks *Keyspace) SlotCount(s int) int {
	total := 0
	for i := 0; i < ks.NumDBs(); i++ {
		total += ks.DB(i).SlotSize(s)
	}
	return total
}

// SlotsMemory estimates the bytes the keys of slots occupy, over every
// database: what a slot migration will add to its target (the pre-flight
// check). It takes each slot's lock in turn.
func (ks *Keyspace) SlotsMemory(slots []int) int64 {
	var total int64
	for _, s := range slots {
		ks.locks[s].Lock()
		for _, db := range *ks.dbView.Load() {
			t := db.slots[s]
			if t == nil {
				continue
			}
			for k, e := range t.keys.All() {
				total += entrySize(len(k), e)
			}
			total += int64(len(t.expires)) * expireEntryCost
		}
		ks.locks[s].Unlock()
	}
	return total
}

// MaxMemory is the configured maxmemory in bytes (0: no limit).
func (ks *Keyspace) MaxMemory() int64 { return ks.evict.maxmemory.Load() }
