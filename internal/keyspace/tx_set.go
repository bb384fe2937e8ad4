package keyspace

// Reencode must be called before changing the representation of e (stored
// under key) without changing its contents — a collection converted to
// another encoding while a command changes nothing else, as SADD does when
// its argument count exceeds the current encoding's limit but every member
// is already present. It settles the memory accounting when the command
// finishes, like Modify, but is not a write: the version, the dirty
// counter, WATCHes, propagation and blocked clients are left alone, as in
// Valkey, where such a conversion is not a modification of the key.
func (tx *Tx) Reencode(key []byte, e *Entry) {
	t, _ := tx.locate(key, false)
	k := string(key)
	tx.modified = append(tx.modified, modifiedKey{t: t, key: k, e: e, oldSize: entrySize(len(k), e)})
}
