package keyspace

// The walker's work per lock hold is bounded by holdKeys entries and
// holdBytes of records, so a snapshot adds at most a few hundred
// microseconds to a command waiting on the same slot.
const (
	holdKeys  = 256
	holdBytes = 256 << 10
)

// step does one lock hold of work on slot s (whose lock the caller holds)
// and reports whether the slot is finished.
func (sn *Snapshot) step(s int) bool {
	now := sn.ks.now()
	switch sn.state[s] {
	case slotDone:
		return true
	case slotPending:
		if sn.emitSmallSlot(s, now) {
			sn.state[s] = slotDone
			return true
		}
		sn.collect(s)
		sn.state[s] = slotActive
	}
	return sn.walkActive(s, now)
}

// emitSmallSlot emits slot s in this hold when it is small: few keys and
// no collection that needs chunking across holds. It reports false, having
// emitted nothing, otherwise.
func (sn *Snapshot) emitSmallSlot(s int, now int64) bool {
	n := 0
	for _, db := range sn.walkDBs() {
		t := db.slots[s]
		if t == nil {
			continue
		}
		n += t.keys.Len()
		if n > holdKeys {
			return false
		}
		for _, e := range t.keys.All() {
			if isBig(e) {
				return false
			}
		}
	}
	for _, db := range sn.walkDBs() {
		t := db.slots[s]
		if t == nil {
			continue
		}
		for k, e := range t.keys.All() {
			if sn.wants(t, k, e, now) {
				sn.emitEntry(db, s, k, e, now)
			}
		}
	}
	return true
}

// collect lists slot s's keys at the cut: the walk of a big slot spans
// several holds, and the hook must know which entries are still unsent.
func (sn *Snapshot) collect(s int) {
	sn.rem = make(map[remKey]struct{})
	for _, db := range sn.walkDBs() {
		t := db.slots[s]
		if t == nil {
			continue
		}
		for k, e := range t.keys.All() {
			if e.version <= sn.cut {
				sn.rem[remKey{db, k}] = struct{}{}
			}
		}
	}
}

// walkActive continues a big slot: the entry in progress first, then
// unsent keys, until the hold's budget is spent.
func (sn *Snapshot) walkActive(s int, now int64) bool {
	spent, keys := 0, 0
	for spent < holdBytes && keys < holdKeys {
		if sn.cur != nil {
			before := sn.bytes.Load()
			if !sn.curValid(s) || sn.emitChunk(sn.cur, s, now, holdBytes-spent) {
				sn.cur = nil
			}
			spent += int(sn.bytes.Load() - before)
			continue
		}
		rk, ok := sn.popRemaining()
		if !ok {
			sn.state[s] = slotDone
			sn.rem = nil
			return true
		}
		keys++
		t := rk.db.slots[s]
		if t == nil {
			continue // flushed
		}
		e := t.keys.GetString(rk.key)
		if e == nil || !sn.wants(t, rk.key, e, now) {
			continue
		}
		if isBig(e) {
			sn.cur = &bigEntry{db: rk.db, key: rk.key, e: e}
			continue
		}
		before := sn.bytes.Load()
		sn.emitEntry(rk.db, s, rk.key, e, now)
		spent += int(sn.bytes.Load() - before)
	}
	return false
}

func (sn *Snapshot) popRemaining() (remKey, bool) {
	for rk := range sn.rem {
		delete(sn.rem, rk)
		return rk, true
	}
	return remKey{}, false
}

// curValid reports whether the entry in progress is still stored under its
// key. A FLUSHALL or a deletion drops it; what was sent of it is then
// undone on the consumer by the stream (FLUSHALL, DEL).
func (sn *Snapshot) curValid(s int) bool {
	t := sn.cur.db.slots[s]
	return t != nil && t.keys.GetString(sn.cur.key) == sn.cur.e
}

// wants reports whether e, stored under key in t, belongs to the snapshot:
// written at or before the cut and not logically expired.
func (sn *Snapshot) wants(t *table, key string, e *Entry, now int64) bool {
	if e.version > sn.cut {
		return false
	}
	if t.expires != nil {
		if at, ok := t.expires[key]; ok && at < now {
			return false
		}
	}
	return true
}

// walkDBs lists the databases the walker visits: the live ones and the
// shadow databases of imports staged here (imports.go: a replica that
// synchronizes fully mid-import gets the staged keys, which it stages
// again because the import's opening command comes first). A slot is
// either owned or imported, so at most one of the two holds its keys.
// The slice is the walker's own, reused.
func (sn *Snapshot) walkDBs() []*DB {
	sn.dbBuf = sn.dbBuf[:0]
	for _, db := range *sn.ks.dbView.Load() {
		sn.dbBuf = append(sn.dbBuf, db)
		if st := db.stage.Load(); st != nil {
			sn.dbBuf = append(sn.dbBuf, st)
		}
	}
	return sn.dbBuf
}
