package keyspace

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

// recordSize remembers e's size before its first change in this Tx.
// Finish settles each record against the final size, so recording an
// entry twice (several writes to one key in a MULTI block) would count its
// growth twice. Large blocks index the records to stay linear.
func (tx *Tx) recordSize(t *table, key string, e *Entry) {
	if len(tx.modified) < 32 {
		for i := range tx.modified {
			if tx.modified[i].e == e {
				return
			}
		}
	} else {
		if tx.modifiedIdx == nil {
			tx.modifiedIdx = make(map[*Entry]struct{}, len(tx.modified))
			for _, m := range tx.modified {
				tx.modifiedIdx[m.e] = struct{}{}
			}
		}
		if _, seen := tx.modifiedIdx[e]; seen {
			return
		}
		tx.modifiedIdx[e] = struct{}{}
	}
	tx.modified = append(tx.modified, modifiedKey{t: t, key: key, e: e, oldSize: entrySize(len(key), e)})
}
