package keyspace

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

// Hash field expiration: tracking and active reclamation.
//
// Valkey 9 never deletes an expired hash field lazily; fields are reclaimed
// only by the active expiry job (and at once when a command sets a 0/past
// TTL). So that the job never scans the whole keyspace, each database keeps
// the keys holding hashes with volatile fields, as Valkey's per-db kvstore
// keys_with_volatile_items does:
//
//   - table.volatile is the set of such keys of one slot, maintained under
//     the slot lock by the choke point: Tx.Set and removeLocked call
//     syncVolatile, FlushDB resets everything, and hash commands that change
//     field TTLs in place call Tx.SyncVolatile after the change;
//   - volatileIndex (per DB) has a bitmap of the slots whose set is
//     non-empty, read lock-free by the job to find work, and the count INFO
//     keyspace reports as keys_with_volatile_items.
//
// The field job shares ActiveExpireCycle's CPU budget with the key job;
// they alternate which runs first, as Valkey's activeExpireCycle does, so
// neither starves. Each reclaimed batch is propagated as HDEL (replicas and
// migration targets never expire fields themselves) and announced with
// "hexpired"; a hash left empty is deleted with a "del" event.

// volatileIndex tracks one database's keys with volatile hash fields.
type volatileIndex struct {
	// slots has bit s set while slot s's table.volatile is non-empty. It
	// is written under the slot lock and read lock-free by the job, which
	// re-checks under the lock.
	slots [slot.Count / 64]atomic.Uint64
	// n is keys_with_volatile_items.
	n atomic.Int64
	// cursor is the slot where the field job resumes (owned by the job).
	cursor int
}

func (v *volatileIndex) mark(s int)  { v.slots[s>>6].Or(1 << (s & 63)) }
func (v *volatileIndex) clear(s int) { v.slots[s>>6].And(^(uint64(1) << (s & 63))) }

// reset forgets everything; the caller holds every slot lock (FLUSHDB).
func (v *volatileIndex) reset() {
	for i := range v.slots {
		v.slots[i].Store(0)
	}
	v.n.Store(0)
}

// nextSlot returns the first marked slot >= from, or -1.
func (v *volatileIndex) nextSlot(from int) int {
	for w := from >> 6; w < len(v.slots); w++ {
		b := v.slots[w].Load()
		if w == from>>6 {
			b &= ^uint64(0) << (from & 63)
		}
		if b != 0 {
			return w<<6 + bits.TrailingZeros64(b)
		}
	}
	return -1
}

// fieldJobState is the field job's state across cycles.
type fieldJobState struct {
	// fieldsFirst alternates which job starts a cycle.
	fieldsFirst atomic.Bool
}

// KeysWithVolatileItems is the number of keys holding hashes with at least
// one field TTL (INFO keyspace keys_with_volatile_items).
func (db *DB) KeysWithVolatileItems() int64 { return db.vol.n.Load() }

func hasVolatileFields(e *Entry) bool {
	if e == nil {
		return false
	}
	h, ok := e.Obj.(*types.Hash)
	return ok && h.VolatileFields() > 0
}

// syncVolatile makes key's tracking match e (nil when the key is gone).
// The caller holds slot s's lock; key must not alias a caller's buffer.
func (ks *Keyspace) syncVolatile(db *DB, t *table, s int, key string, e *Entry) {
	want := hasVolatileFields(e)
	_, has := t.volatile[key]
	switch {
	case want && !has:
		if t.volatile == nil {
			t.volatile = make(map[string]struct{})
		}
		if len(t.volatile) == 0 {
			db.vol.mark(s)
		}
		t.volatile[key] = struct{}{}
		db.vol.n.Add(1)
	case !want && has:
		delete(t.volatile, key)
		db.vol.n.Add(-1)
		if len(t.volatile) == 0 {
			db.vol.clear(s)
		}
	}
}

// SyncVolatile must be called after the field TTLs of the hash e, stored
// under key, changed in place (between Tx.Modify and the end of the
// command), so the active field job knows about it. It does nothing when
// key no longer holds e (the command deleted it).
func (tx *Tx) SyncVolatile(key []byte, e *Entry) {
	t, s := tx.locate(key, false)
	if t == nil || t.keys.Get(key) != e {
		return
	}
	tx.ks.syncVolatile(tx.db, t, s, string(key), e)
}

// ExpiredFieldsStalePercent is the running estimate of the share of sampled
// volatile hashes that had expired fields (INFO
// expired_keys_with_volatile_items_stale_perc), as a fraction.
func (s *Stats) ExpiredFieldsStalePercent() float64 {
	return math.Float64frombits(s.ExpiredFieldsStale.Load())
}

// activeExpireFields is the field job of one ActiveExpireCycle: it visits
// the slots holding volatile hashes, from where the last cycle stopped,
// and reclaims their expired fields until deadline. It returns the number
// of fields reclaimed and whether it ran out of time.
func (ks *Keyspace) activeExpireFields(deadline time.Time, effort int) (reclaimed int, timedOut bool) {
	// Valkey reclaims at most keys_per_loop*4 fields of one hash per visit
	// so one huge hash cannot monopolize a cycle.
	maxFields := (20 + 20/4*(effort-1)) * 4
	sampled, stale := 0, 0
	for i := 0; i < ks.NumDBs() && !timedOut; i++ {
		db := ks.DB(i)
		if db == nil || db.vol.n.Load() == 0 {
			continue
		}
		// One round over the marked slots, starting at the cursor and
		// wrapping once; a slot whose hashes may hold more expired fields
		// is visited again while time remains.
		start := db.vol.cursor
		cur, wrapped := start, false
		for !timedOut {
			s := db.vol.nextSlot(cur)
			if s < 0 || (wrapped && s >= start) {
				if wrapped || start == 0 {
					break
				}
				wrapped, cur = true, 0
				continue
			}
			r := ks.expireSlotFields(db, s, maxFields, deadline)
			reclaimed += r.fields
			sampled += r.sampled
			stale += r.stale
			if !r.more {
				cur = s + 1
			}
			db.vol.cursor = cur & (slot.Count - 1)
			if time.Now().After(deadline) {
				timedOut = true
				ks.stats.ExpiredTimeCapReached.Add(1)
			}
		}
	}
	if sampled > 0 {
		perc := float64(stale) / float64(sampled)
		old := ks.stats.ExpiredFieldsStalePercent()
		ks.stats.ExpiredFieldsStale.Store(math.Float64bits(old*0.95 + perc*0.05))
	}
	return reclaimed, timedOut
}

// slotFieldsResult is what one slot visit of the field job did.
type slotFieldsResult struct {
	fields  int  // fields reclaimed
	sampled int  // volatile hashes looked at
	stale   int  // of which had expired fields
	more    bool // stopped early or a hash may hold more expired fields
}

// expireSlotFields reclaims the expired fields of the volatile hashes of
// one slot, under its lock.
func (ks *Keyspace) expireSlotFields(db *DB, s, maxFields int, deadline time.Time) (r slotFieldsResult) {
	ks.locks[s].Lock()
	defer ks.locks[s].Unlock()
	t := db.slots[s]
	if t == nil {
		return r
	}
	now := ks.now()
	for key := range t.volatile {
		if r.sampled&15 == 15 && time.Now().After(deadline) {
			r.more = true
			return r
		}
		r.sampled++
		e := t.keys.GetString(key)
		if !hasVolatileFields(e) {
			// Cannot happen while every path keeps the index in step; heal
			// rather than loop on a stale entry.
			ks.syncVolatile(db, t, s, key, e)
			continue
		}
		if at, ok := t.expires[key]; ok && at < now {
			continue // the whole key has expired; the key job reclaims it
		}
		h := e.Obj.(*types.Hash)
		if min := h.MinFieldTTL(); now <= min {
			continue
		}
		n := ks.reclaimHashFields(db, t, s, key, e, h, now, maxFields)
		r.fields += n
		r.stale++
		if n == maxFields {
			r.more = true
		}
	}
	return r
}

// reclaimHashFields deletes up to max expired fields of the hash e stored
// under key, with the bookkeeping of a write: version, memory, WATCH,
// propagation as HDEL, "hexpired", and the deletion of an emptied key.
func (ks *Keyspace) reclaimHashFields(db *DB, t *table, s int, key string, e *Entry, h *types.Hash, now int64, max int) int {
	ks.prewrite(db, s, key, e)
	before := entrySize(len(key), e)
	fields := h.ReclaimExpired(now, max)
	if len(fields) == 0 {
		return 0
	}
	ks.stats.ExpiredFields.Add(int64(len(fields)))
	kb := []byte(key)
	argv := make([][]byte, 0, 2+len(fields))
	argv = append(argv, []byte("HDEL"), kb)
	ks.propagate(db.index, s, append(argv, fields...))
	if h.Len() == 0 {
		ks.mem.add(entrySize(len(key), e) - before)
		ks.removeLocked(db, t, s, key, e)
		ks.notify(db.index, NotifyHash, "hexpired", kb)
		ks.notify(db.index, NotifyGeneric, "del", kb)
		return len(fields)
	}
	e.version = ks.nextVersion()
	ks.mem.add(entrySize(len(key), e) - before)
	ks.watch.touch(db.index, key)
	ks.stats.Dirty.Add(1)
	ks.syncVolatile(db, t, s, key, e)
	ks.notify(db.index, NotifyHash, "hexpired", kb)
	return len(fields)
}
