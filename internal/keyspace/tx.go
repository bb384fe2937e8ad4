package keyspace

import (
	"time"
	"unsafe"

	"github.com/shoal-db/shoal/internal/slot"
)

// Lookup flags.
const (
	// NoTouch leaves the LRU/LFU clock alone (OBJECT, TYPE, CLIENT NO-TOUCH).
	NoTouch = 1 << iota
	// NoStats does not count keyspace_hits/misses.
	NoStats
)

// Tx is the write choke point for one command (or one MULTI/EXEC block).
// It is not safe for concurrent use; a connection reuses one Tx.
type Tx struct {
	ks  *Keyspace
	db  *DB
	now int64
	// HoldsAll is set when the caller holds every slot lock, so iteration
	// helpers must not lock slots themselves.
	HoldsAll bool
	// NoTouch makes reads leave LRU/LFU clocks alone (CLIENT NO-TOUCH).
	NoTouch bool
	// Staging makes the Tx work on the shadow databases of imported slots
	// (staging.go); the caller sets it before Begin.
	Staging bool
	// FromPrimary marks a replica's link to its primary: keys are never
	// expired by its commands (see replica.go).
	FromPrimary bool

	dirty    int
	lastSlot int // slot of the latest write, tags propagated effects
	inMulti  bool
	pending  []propagation
	modified []modifiedKey
	// modifiedIdx indexes modified once it grows (big MULTI blocks).
	modifiedIdx map[*Entry]struct{}
	ready       []ReadyKey

	// The slot of one key the caller already hashed (SetSlotHint), so
	// that single-key commands compute CRC16 once. The key is recognised
	// by the address and length of its bytes, valid until the next Begin.
	hintPtr  *byte
	hintLen  int
	hintSlot int
}

type propagation struct {
	db, slot int
	argv     [][]byte
}

type modifiedKey struct {
	t       *table
	key     string
	e       *Entry
	oldSize int64
}

// ReadyKey names a key that received data and may unblock a client.
type ReadyKey struct {
	DB  int
	Key string
}

// NewTx returns a Tx bound to keyspace ks.
func (ks *Keyspace) NewTx() *Tx { return &Tx{ks: ks} }

// Begin starts a command on database dbIndex. It must be called after the
// command's slot locks are held: SWAPDB swaps databases under every slot
// lock, so resolving the database after locking cannot race with it.
func (tx *Tx) Begin(dbIndex int) {
	tx.begin(dbIndex, tx.ks.now())
}

// BeginAt is Begin for a caller that has just read Keyspace.Mono: the
// command's keyspace time comes from that reading instead of another.
func (tx *Tx) BeginAt(dbIndex int, mono time.Duration) {
	tx.begin(dbIndex, tx.ks.nowAt(mono))
}

func (tx *Tx) begin(dbIndex int, now int64) {
	tx.db = tx.ks.DB(dbIndex)
	if tx.Staging {
		tx.db = tx.db.staged()
	}
	tx.now = now
	tx.dirty = 0
	tx.lastSlot = -1
	tx.pending = tx.pending[:0]
	tx.modified = tx.modified[:0]
	tx.modifiedIdx = nil
	tx.ready = tx.ready[:0]
	tx.hintPtr = nil
}

// SetSlotHint tells the Tx that key, whose bytes must stay unchanged until
// the next Begin, hashes to slot s. Call it after Begin.
func (tx *Tx) SetSlotHint(key []byte, s int) {
	if len(key) == 0 {
		return
	}
	tx.hintPtr, tx.hintLen, tx.hintSlot = unsafe.SliceData(key), len(key), s
}

func (tx *Tx) slotOf(key []byte) int {
	if tx.hintPtr != nil && len(key) == tx.hintLen && unsafe.SliceData(key) == tx.hintPtr {
		return tx.hintSlot
	}
	return slot.Of(key)
}

// BeginMulti starts a MULTI/EXEC block: the effects of all its commands are
// propagated together, wrapped in MULTI ... EXEC when there is more than one.
func (tx *Tx) BeginMulti(dbIndex int) {
	tx.Begin(dbIndex)
	tx.inMulti = true
}

// Select switches the database within a command (SELECT inside MULTI).
func (tx *Tx) Select(dbIndex int) {
	tx.db = tx.ks.DB(dbIndex)
	if tx.Staging {
		tx.db = tx.db.staged()
	}
}

// DB is the database the Tx works on.
func (tx *Tx) DB() *DB { return tx.db }

// Keyspace is the keyspace the Tx works on.
func (tx *Tx) Keyspace() *Keyspace { return tx.ks }

// Now is the command's time in milliseconds, fixed when it began, so that
// every key in one command (or MULTI block) sees the same clock.
func (tx *Tx) Now() int64 { return tx.now }

// Dirty is the number of changes made since Begin.
func (tx *Tx) Dirty() int { return tx.dirty }

// Ready returns the keys written that blocked clients may wait on.
func (tx *Tx) Ready() []ReadyKey { return tx.ready }

func (tx *Tx) locate(key []byte, create bool) (*table, int) {
	s := tx.slotOf(key)
	return tx.db.table(s, create), s
}

// Lookup returns the live entry for key, or nil. It reclaims the key if it
// has expired (lazy expiry), counts a hit or miss and touches the access
// clock, unless flags say otherwise.
func (tx *Tx) Lookup(key []byte, flags int) *Entry {
	t, s := tx.locate(key, false)
	var e *Entry
	if tx.ks.replica.Load() && !tx.FromPrimary {
		e = tx.lookupReplica(t, key)
	} else {
		e = tx.lookupIn(t, s, key)
	}
	if flags&NoStats == 0 {
		if e == nil {
			tx.ks.stats.Misses.Add(1)
			tx.ks.notify(tx.db.index, NotifyKeyMiss, "keymiss", key)
		} else {
			tx.ks.stats.Hits.Add(1)
		}
	}
	if e != nil && flags&NoTouch == 0 && !tx.NoTouch {
		tx.ks.touch(e, tx.now)
	}
	return e
}

// LookupWrite returns the live entry for key before a write, or nil.
func (tx *Tx) LookupWrite(key []byte) *Entry {
	t, s := tx.locate(key, false)
	e := tx.lookupIn(t, s, key)
	if e != nil {
		tx.ks.touch(e, tx.now)
	}
	return e
}

func (tx *Tx) lookupIn(t *table, s int, key []byte) *Entry {
	if t == nil {
		return nil
	}
	e := t.keys.Get(key)
	if e == nil {
		return nil
	}
	if t.expires != nil {
		if at, ok := t.expires[e.key]; ok && at < tx.now {
			if tx.FromPrimary {
				// A replica's data is its primary's: the key lives until
				// the primary's DEL arrives.
				return e
			}
			tx.expireKey(t, s, e.key)
			return nil
		}
	}
	return e
}

// expireKey reclaims an expired key: it is deleted, propagated as DEL (so
// replicas and migration targets, which never expire keys themselves, stay
// identical) and announced with an "expired" notification.
func (tx *Tx) expireKey(t *table, s int, key string) {
	tx.ks.expireKeyLocked(tx.db, t, s, key)
}

func (ks *Keyspace) expireKeyLocked(db *DB, t *table, s int, key string) {
	e := t.keys.GetString(key)
	ks.removeLocked(db, t, s, key, e)
	ks.stats.ExpiredKeys.Add(1)
	kb := []byte(key)
	ks.propagate(db.index, s, [][]byte{[]byte("DEL"), kb})
	ks.notify(db.index, NotifyExpired, "expired", kb)
}

// removeLocked deletes key from its table with all bookkeeping but no
// propagation or notification.
func (ks *Keyspace) removeLocked(db *DB, t *table, s int, key string, e *Entry) {
	t.keys.DeleteString(key)
	ks.syncVolatile(db, t, s, key, nil) // hash field TTL tracking (fieldexpire.go)
	if t.expires != nil {
		if _, ok := t.expires[key]; ok {
			delete(t.expires, key)
			db.nexpires.Add(-1)
			ks.mem.add(-expireEntryCost)
		}
	}
	db.nkeys.Add(-1)
	db.slotKeys[s].Add(-1)
	ks.mem.add(-entrySize(len(key), e))
	ks.version.Add(1)
	ks.watch.touch(db.index, key)
	ks.stats.Dirty.Add(1)
}

// Exists reports whether key is live (no stats, no touch).
func (tx *Tx) Exists(key []byte) bool { return tx.Lookup(key, NoTouch|NoStats) != nil }

// Set stores e under key, replacing any value. The key's TTL is cleared
// unless keepTTL is set. e must not be shared with another key.
func (tx *Tx) Set(key []byte, e *Entry, keepTTL bool) {
	t, s := tx.locate(key, true)
	tx.setAt(t, s, tx.lookupIn(t, s, key), key, e, keepTTL)
}

// setAt is Set once key's table, slot and live entry (old, or nil) are
// known.
func (tx *Tx) setAt(t *table, s int, old *Entry, key []byte, e *Entry, keepTTL bool) {
	// The key is kept in the entry (in its inline block when it fits).
	e.setKey(key)
	k := e.key
	if old != nil {
		if keepTTL {
			// The new value replaces the old but keeps its TTL, which a
			// snapshot consumer must have.
			tx.hookWrite(s, k, old)
		}
		tx.ks.mem.add(-entrySize(len(k), old))
		if !keepTTL {
			tx.clearExpire(t, k)
		}
		t.keys.Put(e)
		tx.ks.touch(e, tx.now)
	} else {
		t.keys.Put(e)
		tx.db.nkeys.Add(1)
		tx.db.slotKeys[s].Add(1)
		tx.ks.initAccess(e, tx.now)
		tx.ks.notify(tx.db.index, NotifyNew, "new", key)
	}
	tx.ks.mem.add(entrySize(len(k), e))
	tx.ks.syncVolatile(tx.db, t, s, k, e) // hash field TTL tracking (fieldexpire.go)
	tx.wrote(s, k, e)
}

// Modify must be called before changing e (which is stored under key) in
// place. The memory accounting is settled when the command finishes.
func (tx *Tx) Modify(key []byte, e *Entry) {
	t, s := tx.locate(key, false)
	k := e.key // the stored key: no copy of key needed
	if k != string(key) {
		k = string(key)
	}
	tx.hookWrite(s, k, e)
	tx.recordSize(t, k, e)
	tx.wrote(s, k, e)
}

// wrote is the common tail of every key write.
func (tx *Tx) wrote(s int, key string, e *Entry) {
	e.version = tx.ks.nextVersion()
	tx.dirty++
	tx.ks.stats.Dirty.Add(1)
	tx.ks.watch.touch(tx.db.index, key)
	tx.curSlot(s)
	if e.Obj != nil {
		tx.ready = append(tx.ready, ReadyKey{DB: tx.db.index, Key: key})
	}
}

func (tx *Tx) curSlot(s int) { tx.lastSlot = s }

// Delete removes key. It reports whether a live key was removed.
func (tx *Tx) Delete(key []byte) bool {
	t, s := tx.locate(key, false)
	e := tx.lookupIn(t, s, key)
	if e == nil {
		return false
	}
	tx.ks.removeLocked(tx.db, t, s, string(key), e)
	tx.dirty++
	tx.curSlot(s)
	return true
}

// TTL returns key's absolute expiry in ms, or -1 when it has none. The
// key must exist.
func (tx *Tx) TTL(key []byte) int64 {
	t, _ := tx.locate(key, false)
	if t == nil || t.expires == nil {
		return -1
	}
	if at, ok := t.expires[string(key)]; ok {
		return at
	}
	return -1
}

// SetExpire sets an existing key's absolute expiry (ms). A time in the
// past deletes the key, as Valkey does, and reports false.
func (tx *Tx) SetExpire(key []byte, at int64) bool {
	t, s := tx.locate(key, false)
	e := tx.lookupIn(t, s, key)
	if e == nil {
		return false
	}
	tx.hookWrite(s, e.key, e)
	k := string(key)
	if t.expires == nil {
		t.expires = make(map[string]int64)
	}
	if _, ok := t.expires[k]; !ok {
		tx.db.nexpires.Add(1)
		tx.ks.mem.add(expireEntryCost)
	}
	t.expires[k] = at
	tx.wrote(s, k, e)
	return true
}

// Persist removes key's TTL; it reports whether there was one.
func (tx *Tx) Persist(key []byte) bool {
	t, s := tx.locate(key, false)
	e := tx.lookupIn(t, s, key)
	if e == nil {
		return false
	}
	if _, ok := t.expires[e.key]; !ok {
		return false
	}
	tx.hookWrite(s, e.key, e)
	k := string(key)
	tx.clearExpire(t, k)
	tx.wrote(s, k, e)
	return true
}

func (tx *Tx) clearExpire(t *table, key string) bool {
	if t.expires == nil {
		return false
	}
	if _, ok := t.expires[key]; !ok {
		return false
	}
	delete(t.expires, key)
	tx.db.nexpires.Add(-1)
	tx.ks.mem.add(-expireEntryCost)
	return true
}

// Propagate records the effect of the current command as argv, replacing
// the default (the command as received). The argv is copied.
func (tx *Tx) Propagate(argv ...[]byte) {
	if !tx.ks.hasSinks() {
		// Nobody consumes effects: record that one was made, not its bytes.
		tx.pending = append(tx.pending, propagation{db: tx.db.index, slot: tx.lastSlot})
		return
	}
	tx.pending = append(tx.pending, propagation{db: tx.db.index, slot: tx.lastSlot, argv: cloneArgv(argv)})
}

// PropagateArgv is Propagate without the copy: argv (the slice and the
// bytes) must stay valid and unchanged until Finish. The dispatcher uses it
// to propagate a command as received, whose argv outlives the command;
// the sinks see it in place (they copy what they keep, see Sink), so a
// write costs no garbage for its replicas.
func (tx *Tx) PropagateArgv(argv [][]byte) {
	tx.pending = append(tx.pending, propagation{db: tx.db.index, slot: tx.lastSlot, argv: argv})
}

func cloneArgv(argv [][]byte) [][]byte {
	n := 0
	for _, a := range argv {
		n += len(a)
	}
	// One backing array for all arguments: two allocations per effect.
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(argv))
	for i, a := range argv {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return cp
}

// PropagateOnDB is Propagate for an effect on another database (MOVE, COPY ... DB).
func (tx *Tx) PropagateOnDB(db int, argv ...[]byte) {
	tx.Propagate(argv...)
	tx.pending[len(tx.pending)-1].db = db
}

// Propagated reports how many effects the command recorded explicitly.
func (tx *Tx) Propagated() int { return len(tx.pending) }

// Finish settles memory accounting for in-place modifications and hands
// the recorded effects to the sinks. It must run before the slot locks are
// released so that sinks see per-key apply order.
func (tx *Tx) Finish() {
	for _, m := range tx.modified {
		tx.ks.mem.add(entrySize(len(m.key), m.e) - m.oldSize)
	}
	tx.modified = tx.modified[:0]
	tx.modifiedIdx = nil
	if len(tx.pending) == 0 || !tx.ks.hasSinks() {
		tx.pending = tx.pending[:0]
		tx.inMulti = false
		return
	}
	wrap := tx.inMulti && len(tx.pending) > 1
	if wrap {
		tx.ks.propagate(tx.pending[0].db, -1, [][]byte{[]byte("MULTI")})
	}
	for _, p := range tx.pending {
		if p.argv == nil {
			// Recorded while no sink existed; a sink registered since
			// then starts with later effects.
			continue
		}
		tx.ks.propagate(p.db, p.slot, p.argv)
	}
	if wrap {
		tx.ks.propagate(tx.pending[0].db, -1, [][]byte{[]byte("EXEC")})
	}
	tx.pending = tx.pending[:0]
	tx.inMulti = false
}
