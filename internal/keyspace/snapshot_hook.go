package keyspace

// The pre-write hook: before a write changes an entry that a running
// snapshot still has to send, the entry's current value is emitted, so the
// consumer has it before the write arrives on the stream. Then the entry's
// version is raised above every cut, which tells every walker that the
// entry is dealt with. Without this, a consumer would apply a later write
// (INCR, HSET, RENAME...) to a value it has not received, or the walker
// would send a value that already includes the write a second time.
//
// Deletions and plain overwrites need no hook: their effect does not
// depend on the old value, and an entry that is gone or replaced (with a
// newer version) is never walked. Commands whose propagated form reads
// other keys (SUNIONSTORE, RENAME, LMOVE...) are covered by Prewrite,
// which the dispatcher calls for every key a write command names.

// prewrite runs the hook for e, stored under key in db's slot s. The
// caller holds slot s's lock.
func (ks *Keyspace) prewrite(db *DB, s int, key string, e *Entry) {
	list := ks.snapshotList()
	if len(list) == 0 {
		return
	}
	var now int64
	hit := false
	for _, sn := range list {
		if !sn.covers(s) || e.version > sn.cut || sn.closed.Load() {
			continue
		}
		if now == 0 {
			now = ks.now()
		}
		if sn.sendNow(db, s, key, e, now) {
			hit = true
		}
	}
	if hit {
		e.version = ks.nextVersion()
	}
}

// sendNow emits e if the walker has not sent it yet and reports whether the
// entry needed the hook.
func (sn *Snapshot) sendNow(db *DB, s int, key string, e *Entry, now int64) bool {
	switch sn.state[s] {
	case slotDone:
		return false
	case slotActive:
		if sn.cur != nil && sn.cur.e == e {
			// Half sent: finish it, the writer pays for the rest.
			for !sn.emitChunk(sn.cur, s, now, holdBytes) {
			}
			sn.cur = nil
			return true
		}
		rk := remKey{db, key}
		if _, ok := sn.rem[rk]; !ok {
			return false
		}
		delete(sn.rem, rk)
	}
	t := db.slots[s]
	if t != nil && sn.wants(t, key, e, now) {
		sn.emitEntry(db, s, key, e, now)
	}
	return true
}

// Prewrite runs the pre-write hook for key before a write command that
// names it: the command's propagated form may read it. The dispatcher calls
// it only while a snapshot runs (Keyspace.Snapshotting).
func (tx *Tx) Prewrite(key []byte) {
	t, s := tx.locate(key, false)
	if t == nil {
		return
	}
	if e := t.keys.Get(key); e != nil {
		tx.ks.prewrite(tx.db, s, e.key, e)
	}
}

// hookWrite runs the pre-write hook from inside the choke point.
func (tx *Tx) hookWrite(s int, key string, e *Entry) {
	if tx.ks.snaps.Load() != nil {
		tx.ks.prewrite(tx.db, s, key, e)
	}
}
