package keyspace

import "sync/atomic"

// Staging: where a slot-migration target builds the slots it imports
// (DESIGN §6). Each database has a shadow DB holding the staged tables,
// with its own counters, so that staged keys are invisible to everything
// that walks or counts the live database — KEYS, SCAN, RANDOMKEY, DBSIZE,
// INFO keyspace, eviction and active expiry — without a check on any of
// those paths. Only a Tx with Staging set (the import link, and on a
// replica the primary link applying an import) reads and writes there.
//
// Hand-over (PublishStaged) moves each slot's tables into the live
// databases and adds their counters; rollback (DropStaged) discards them.
// Both are per slot and per database, never per key, except for the memory
// accounting of a rollback, which sums entry sizes.

// staged returns db's shadow database, creating it on first use.
func (db *DB) staged() *DB {
	if st := db.stage.Load(); st != nil {
		return st
	}
	st := &DB{ks: db.ks, index: db.index}
	if db.stage.CompareAndSwap(nil, st) {
		return st
	}
	return db.stage.Load()
}

// StageSlots marks slots as importing: a Tx with Staging set writes their
// keys to the shadow databases. The caller has checked that this node does
// not own them.
func (ks *Keyspace) StageSlots(slots []int) {
	for _, s := range slots {
		ks.staging[s>>6].Or(1 << (s & 63))
	}
}

// Staging reports whether slot s is being imported.
func (ks *Keyspace) Staging(s int) bool { return ks.staging[s>>6].Load()&(1<<(s&63)) != 0 }

func (ks *Keyspace) unstage(s int) { ks.staging[s>>6].And(^(uint64(1) << (s & 63))) }

// PublishStaged makes the staged keys of slots live (the hand-over of a
// slot migration): every database's staged table replaces the live one,
// which is empty since this node did not own the slot. It takes each
// slot's lock itself.
func (ks *Keyspace) PublishStaged(slots []int) {
	for _, s := range slots {
		ks.locks[s].Lock()
		ks.forStaged(s, func(db, st *DB) {
			ks.dropLiveLeftovers(db, s)
			t := st.slots[s]
			st.slots[s] = nil
			db.slots[s] = t
			moveCount(&st.nkeys, &db.nkeys, int64(t.keys.Len()))
			moveCount(&st.nexpires, &db.nexpires, int64(len(t.expires)))
			n := st.slotKeys[s].Swap(0)
			db.slotKeys[s].Store(n)
			if len(t.volatile) > 0 {
				moveCount(&st.vol.n, &db.vol.n, int64(len(t.volatile)))
				st.vol.clear(s)
				db.vol.mark(s)
			}
		})
		ks.unstage(s)
		ks.locks[s].Unlock()
	}
	ks.version.Add(1)
}

// forStaged calls fn for every database with a staged table of slot s
// (whose lock the caller holds), with the live database and its shadow.
func (ks *Keyspace) forStaged(s int, fn func(db, st *DB)) {
	for _, db := range *ks.dbView.Load() {
		if st := db.stage.Load(); st != nil && st.slots[s] != nil {
			fn(db, st)
		}
	}
}

func moveCount(from, to *atomic.Int64, n int64) {
	from.Add(-n)
	to.Add(n)
}

// dropLiveLeftovers deletes keys a live table of a slot being published
// still holds (there should be none: the node did not own the slot, and
// lost slots are emptied), so that the staged table can replace it.
func (ks *Keyspace) dropLiveLeftovers(db *DB, s int) {
	t := db.slots[s]
	if t == nil || t.keys.Len() == 0 {
		return
	}
	for _, v := range t.entries() {
		ks.removeLocked(db, t, s, v.key, v.e)
	}
}

// DropStaged discards the staged keys of slots (a failed or cancelled
// import) and returns how many keys were dropped. It takes each slot's
// lock itself.
func (ks *Keyspace) DropStaged(slots []int) int {
	dropped := 0
	for _, s := range slots {
		ks.locks[s].Lock()
		dropped += ks.dropStagedSlot(s)
		ks.locks[s].Unlock()
	}
	return dropped
}

// dropTable forgets db's table of slot s with its counters and memory.
func (ks *Keyspace) dropTable(db *DB, s int) int {
	t := db.slots[s]
	var freed int64
	for k, e := range t.keys.All() {
		freed += entrySize(len(k), e)
	}
	freed += int64(len(t.expires)) * expireEntryCost
	n := t.keys.Len()
	db.slots[s] = nil
	db.nkeys.Add(-int64(n))
	db.nexpires.Add(-int64(len(t.expires)))
	db.slotKeys[s].Store(0)
	if len(t.volatile) > 0 {
		db.vol.n.Add(-int64(len(t.volatile)))
		db.vol.clear(s)
	}
	ks.mem.add(-freed)
	return n
}

// StagedCount is the number of staged keys of slot s over every database
// (CLUSTER COUNTKEYSINSLOT counts them, as Valkey does).
func (ks *Keyspace) StagedCount(s int) int {
	total := 0
	for _, db := range *ks.dbView.Load() {
		if st := db.stage.Load(); st != nil {
			total += st.SlotSize(s)
		}
	}
	return total
}

// StagedSlotSize is the number of staged keys of slot s in db.
func (db *DB) StagedSlotSize(s int) int {
	if st := db.stage.Load(); st != nil {
		return st.SlotSize(s)
	}
	return 0
}
