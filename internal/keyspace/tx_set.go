package keyspace

// ModifyOnce is Modify for an entry that may be changed by several
// commands of one MULTI/EXEC block (one Tx). Modify records the entry's
// size every time it is called and Finish settles every record against
// the final size, so a second Modify of the same entry in one Tx counts
// the growth again (a set grown by 200 SADDs in one MULTI was estimated at
// 130 times its size). ModifyOnce keeps only the first record, which is
// the right base, and is otherwise Modify: the version, dirty counter,
// WATCHes and blocked clients see every call.
//
// It lives here, not in Modify, to keep the fix inside the set family's
// files; folding it into Modify fixes every collection family.
func (tx *Tx) ModifyOnce(key []byte, e *Entry) {
	t, s := tx.locate(key, false)
	k := string(key)
	tx.recordSize(t, k, e)
	tx.wrote(s, k, e)
}

// Reencode must be called before changing the representation of e (stored
// under key) without changing its contents — a collection converted to
// another encoding while a command changes nothing else, as SADD does when
// its argument count exceeds the current encoding's limit but every member
// is already present. It settles the memory accounting when the command
// finishes, like ModifyOnce, but is not a write: the version, the dirty
// counter, WATCHes, propagation and blocked clients are left alone, as in
// Valkey, where such a conversion is not a modification of the key.
func (tx *Tx) Reencode(key []byte, e *Entry) {
	t, _ := tx.locate(key, false)
	tx.recordSize(t, string(key), e)
}

// recordSize remembers e's size before its first change in this Tx. The
// scan is linear in the entries modified so far, which stays small except
// in very large MULTI blocks.
func (tx *Tx) recordSize(t *table, key string, e *Entry) {
	for i := len(tx.modified) - 1; i >= 0; i-- {
		if tx.modified[i].e == e {
			return
		}
	}
	tx.modified = append(tx.modified, modifiedKey{t: t, key: key, e: e, oldSize: entrySize(len(key), e)})
}
