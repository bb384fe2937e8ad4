package keyspace

// Helpers for the generic key commands (RESTORE, WAIT). They live in their
// own file so the key-command family can grow without touching the core
// choke-point files.

// InMulti reports whether the Tx is running a MULTI/EXEC block. WAIT
// answers at once there, and commands that would turn the connection into
// a stream (SSUBSCRIBE, MONITOR) refuse to run, as Valkey does.
func (tx *Tx) InMulti() bool { return tx.inMulti }

// SetAccess sets e's access clock the way RESTORE ... IDLETIME / FREQ do:
// under an LFU policy a freq in 0..255 becomes the logarithmic counter
// (stamped with the current minute); otherwise an idle time in seconds
// back-dates the LRU clock. A negative value leaves the clock alone, and so
// does the option that does not match the active policy.
func (tx *Tx) SetAccess(e *Entry, idleSeconds, freq int64) {
	ks := tx.ks
	if ks.lfuMode.Load() {
		if freq >= 0 {
			if freq > 255 {
				freq = 255
			}
			e.access = ks.lfuMinutes(tx.now)<<8 | uint32(freq)
		}
		return
	}
	if idleSeconds >= 0 {
		// The LRU clock is a wrapping uint32 of seconds; AccessInfo
		// subtracts in uint32 as well, so back-dating past zero wraps
		// consistently.
		e.access = ks.lruClock(tx.now) - uint32(idleSeconds)
	}
}

// ReclaimExpired reclaims, like a lazy expiry, the logically expired keys
// of slots [from, to) of the Tx's database for which match returns true.
// SCAN calls it on the slots it just visited: Valkey's SCAN deletes the
// expired keys that pass its MATCH and TYPE filters, while other readers
// (KEYS, Tx.Scan's callback) only skip them. It returns how many keys were
// reclaimed.
func (tx *Tx) ReclaimExpired(from, to int, match func(key string, e *Entry) bool) int {
	db := tx.db
	n := 0
	for s := max(from, 0); s < to && s < len(db.slots); s++ {
		if db.nexpires.Load() == 0 {
			break
		}
		if db.slotKeys[s].Load() == 0 {
			continue
		}
		tx.withSlot(s, func() {
			t := db.slots[s]
			if t == nil {
				return
			}
			for k, at := range t.expires {
				if at < tx.now && match(k, t.keys.GetString(k)) {
					tx.expireKey(t, s, k)
					n++
				}
			}
		})
	}
	return n
}
