package keyspace

import "unsafe"

// SetString stores a copy of val as the string value of key, like
// Set(key, NewString(val), keepTTL), and returns the stored entry. When
// key already holds an inline string whose block can take val, the value
// is rewritten in place instead: the same effects (version, WATCH, memory
// accounting, access clock, TTL) without an allocation, so overwriting
// existing keys (SET, INCR...) leaves no garbage for the collector.
//
// Callers must not hold on to the old value's bytes (e.Str of a previous
// lookup) across this call; as with Modify, the entry changes in place.
func (tx *Tx) SetString(key, val []byte, keepTTL bool) *Entry {
	t, s := tx.locate(key, true)
	old := tx.lookupIn(t, s, key)
	if old == nil || !old.canRewriteInline(len(val)) {
		e := NewString(val)
		tx.setAt(t, s, old, key, e, keepTTL)
		return e
	}
	k := old.key
	tx.recordSize(t, k, old) // settled by Finish, as for Modify
	if keepTTL {
		tx.hookWrite(s, k, old) // as in setAt
	} else {
		tx.clearExpire(t, k)
	}
	old.rewriteInline(val)
	tx.ks.touch(old, tx.now)
	tx.wrote(s, k, old)
	return old
}

// canRewriteInline reports whether e is an inline string whose block can
// hold an n-byte value in place: its value area runs from the key room to
// the end of the block, unless the key took the slack after the value.
func (e *Entry) canRewriteInline(n int) bool {
	if e.Obj != nil || !e.ownsBlock() {
		return false
	}
	if e.inl&inlKeyPlaced != 0 && e.keyInTail() {
		return n <= int(e.inlLen)
	}
	return n <= int(e.blockBytes())-int(entryHeaderSize)-inlineKeyReserve
}

// keyInTail reports whether e.key lives in the slack after the value.
func (e *Entry) keyInTail() bool {
	front := unsafe.Add(unsafe.Pointer(e), entryHeaderSize)
	return unsafe.Pointer(unsafe.StringData(e.key)) != front
}

// rewriteInline replaces e's value with a copy of val, in its block. The
// caller checked canRewriteInline.
func (e *Entry) rewriteInline(val []byte) {
	buf := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), entryHeaderSize+inlineKeyReserve)), len(val))
	copy(buf, val)
	e.Str = buf[:len(val):len(val)]
	e.strEnc = encAuto
	// With the key in the front room (or allocated), the value may grow
	// into the slack: record its new length so the slack is not offered
	// to a key later.
	e.inlLen = uint16(len(val))
}
