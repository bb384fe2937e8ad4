package keyspace

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"unsafe"
)

// keyTable is one slot's index from key to entry: an open-addressing hash
// table of entry pointers, in groups of seven with a control byte each, so
// that one 64-byte cache line holds a group. A lookup hashes the key,
// loads one group (usually), matches the 7-bit hash tags of its control
// bytes in one word and compares the key stored in the entry itself.
//
// It replaces a Go map[string]*Entry, which costs more cache misses per
// lookup (map header, directory, table, group, then the key string, then
// the entry: ~35% of a GET's CPU time at 1M keys) and about 50 bytes per
// key (a 16-byte string header and a pointer per slot, at the map's load)
// against ~17 here (an 8-byte pointer and a control byte at 7/8 load or
// less). Keys live in their entries (Entry.key), inside the entry's inline
// block for short string values.
//
// Deleting never moves entries, so a deletion during iteration is safe,
// as with Go maps; an insertion during iteration may or may not be seen.
type keyTable struct {
	groups []keyGroup // len is a power of two, or 0
	n      int        // live entries
	used   int        // live entries and tombstones
}

const groupSlots = 7

// keyGroup is seven entries and their control bytes; ctrl[7] is unused
// (always ctrlDeleted, so it never matches a tag and never counts as free).
type keyGroup struct {
	ctrl [8]uint8
	ents [groupSlots]*Entry
}

// Control byte values: a full slot holds 0x80 | the top 7 bits of the
// key's hash.
const (
	ctrlEmpty   = 0x00
	ctrlDeleted = 0x01
	ctrlFull    = 0x80
)

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
	// slotBytes masks the seven slot control bytes of a group's word.
	slotBytes = 0x00ffffffffffffff
)

// keyHashSeed seeds every key table's hash function. It is set once at
// start-up and never changes (like the types.Dict seed).
var keyHashSeed = maphash.MakeSeed()

func keyHash(key []byte) uint64 { return maphash.Bytes(keyHashSeed, key) }

func keyHashString(key string) uint64 { return maphash.String(keyHashSeed, key) }

func tagOf(h uint64) uint8 { return ctrlFull | uint8(h>>57) }

func (g *keyGroup) word() uint64 { return *(*uint64)(unsafe.Pointer(&g.ctrl)) }

// matchTag returns a bit set with the high bit of each slot byte whose
// control byte equals tag (it may also flag a byte just above a match,
// which the caller's key comparison rejects).
func matchTag(w uint64, tag uint8) uint64 {
	x := w ^ (lsbs * uint64(tag))
	return (x - lsbs) &^ x & msbs & slotBytes
}

// matchEmpty returns the high bit of each empty slot byte.
func matchEmpty(w uint64) uint64 {
	// Empty is the only value with neither the full bit nor bit 0 set.
	return ^(w | w<<7) & msbs & slotBytes
}

// matchFree returns the high bit of each empty or deleted slot byte.
func matchFree(w uint64) uint64 { return ^w & msbs & slotBytes }

// Len is the number of entries.
func (t *keyTable) Len() int { return t.n }

// find returns the group and slot of key, or nil.
func (t *keyTable) find(h uint64, key []byte) (*keyGroup, int) {
	if t.n == 0 {
		return nil, 0
	}
	mask := uint64(len(t.groups) - 1)
	tag := tagOf(h)
	for gi, step := h&mask, uint64(1); ; gi, step = (gi+step)&mask, step+1 {
		g := &t.groups[gi]
		w := g.word()
		for m := matchTag(w, tag); m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m) >> 3
			if e := g.ents[i]; e != nil && g.ctrl[i] == tag && e.key == string(key) {
				return g, i
			}
		}
		if matchEmpty(w) != 0 {
			return nil, 0
		}
	}
}

// Get returns the entry stored under key, or nil.
func (t *keyTable) Get(key []byte) *Entry { return t.get(keyHash(key), key) }

// GetString is Get for a string key.
func (t *keyTable) GetString(key string) *Entry {
	b := unsafe.Slice(unsafe.StringData(key), len(key))
	return t.get(keyHashString(key), b)
}

func (t *keyTable) get(h uint64, key []byte) *Entry {
	if g, i := t.find(h, key); g != nil {
		return g.ents[i]
	}
	return nil
}

// Put stores e under its key (e.key), replacing an entry with the same
// key, and returns the replaced entry or nil.
func (t *keyTable) Put(e *Entry) *Entry {
	b := unsafe.Slice(unsafe.StringData(e.key), len(e.key))
	return t.put(keyHashString(e.key), b, e)
}

func (t *keyTable) put(h uint64, key []byte, e *Entry) *Entry {
	if g, i := t.find(h, key); g != nil {
		old := g.ents[i]
		g.ents[i] = e
		return old
	}
	t.insertNew(h, e)
	return nil
}

// insertNew adds e, whose key the table does not hold, at the first free
// slot of its probe sequence.
func (t *keyTable) insertNew(h uint64, e *Entry) {
	if (t.used+1)*8 > len(t.groups)*groupSlots*7 {
		t.rehash()
	}
	mask := uint64(len(t.groups) - 1)
	for gi, step := h&mask, uint64(1); ; gi, step = (gi+step)&mask, step+1 {
		g := &t.groups[gi]
		if m := matchFree(g.word()); m != 0 {
			i := bits.TrailingZeros64(m) >> 3
			if g.ctrl[i] == ctrlEmpty {
				t.used++
			}
			g.ctrl[i] = tagOf(h)
			g.ents[i] = e
			t.n++
			return
		}
	}
}

// Delete removes key and returns its entry, or nil.
func (t *keyTable) Delete(key []byte) *Entry {
	g, i := t.find(keyHash(key), key)
	if g == nil {
		return nil
	}
	e := g.ents[i]
	g.ents[i] = nil
	// A group that still has an empty slot never made a probe sequence
	// continue past it, so the slot can become empty again; otherwise it
	// becomes a tombstone that lookups step over.
	if matchEmpty(g.word()) != 0 {
		g.ctrl[i] = ctrlEmpty
		t.used--
	} else {
		g.ctrl[i] = ctrlDeleted
	}
	t.n--
	if t.n == 0 {
		// Release the groups of an emptied slot. An iteration in
		// progress keeps the old array, whose slots are all free now.
		t.groups, t.used = nil, 0
	}
	return e
}

// DeleteString is Delete for a string key.
func (t *keyTable) DeleteString(key string) *Entry {
	return t.Delete(unsafe.Slice(unsafe.StringData(key), len(key)))
}

// rehash grows the table (or rebuilds it at the same size when
// tombstones, not entries, filled it).
func (t *keyTable) rehash() {
	size := len(t.groups)
	switch {
	case size == 0:
		size = 1
	case (t.n+1)*16 > size*groupSlots*7:
		size *= 2
	}
	old := t.groups
	t.groups = make([]keyGroup, size)
	for gi := range t.groups {
		t.groups[gi].ctrl[7] = ctrlDeleted
	}
	t.n, t.used = 0, 0
	for gi := range old {
		g := &old[gi]
		for i := 0; i < groupSlots; i++ {
			if g.ctrl[i]&ctrlFull != 0 {
				t.insertNew(keyHashString(g.ents[i].key), g.ents[i])
			}
		}
	}
}

// All iterates over the keys and entries in table order. The callback may
// delete entries (including the current one) but must not add any.
func (t *keyTable) All() iter.Seq2[string, *Entry] { return t.AllFrom(0) }

// AllFrom is All starting at the group r selects and wrapping around, for
// sampling from a random place.
func (t *keyTable) AllFrom(r uint64) iter.Seq2[string, *Entry] {
	return func(yield func(string, *Entry) bool) {
		groups := t.groups
		n := uint64(len(groups))
		for j := uint64(0); j < n; j++ {
			g := &groups[(r+j)&(n-1)]
			for i := 0; i < groupSlots; i++ {
				if e := g.ents[i]; e != nil && g.ctrl[i]&ctrlFull != 0 {
					if !yield(e.key, e) {
						return
					}
				}
			}
		}
	}
}

// memoryBytes is the table's own memory (the groups), for accounting.
func (t *keyTable) memoryBytes() int64 {
	return int64(len(t.groups)) * int64(unsafe.Sizeof(keyGroup{}))
}
