package types

import (
	"hash/maphash"
	"math/bits"
)

// Dict is a chained hash table keyed by string, used for the large
// encodings of hashes, sets and sorted sets. It exists (instead of a Go
// map) for one reason: SCAN. Its cursor walks buckets in reverse-binary
// order, Valkey's technique, which guarantees that an element present for
// a whole iteration is returned at least once even if the table grows or
// shrinks between calls. A Go map offers no stable cursor.
//
// Resizing is done at once (not incrementally as Valkey does); for the
// collection sizes a single key holds this is a bounded pause, and it keeps
// the cursor logic simple.
type Dict[V any] struct {
	seed    maphash.Seed
	buckets []*dictEntry[V]
	n       int
}

type dictEntry[V any] struct {
	key  string
	val  V
	next *dictEntry[V]
}

// dictSeed is the hash seed of every Dict in the process, set once at
// start-up and never changed. Sharing it matters for SCAN: a table rebuilt
// from the same elements (SINTERSTORE k k, RESTORE, COPY) puts every
// element in the same bucket, so a cursor taken from the old table keeps
// the SCAN guarantee on the new one — as in Valkey, whose dicts share one
// process-wide hash key.
var dictSeed = maphash.MakeSeed()

// NewDict returns an empty dict sized for hint elements.
func NewDict[V any](hint int) *Dict[V] {
	size := 4
	for size < hint {
		size <<= 1
	}
	return &Dict[V]{seed: dictSeed, buckets: make([]*dictEntry[V], size)}
}

// Len is the number of elements.
func (d *Dict[V]) Len() int { return d.n }

func (d *Dict[V]) hash(key string) uint64 { return maphash.String(d.seed, key) }

func (d *Dict[V]) find(key string) *dictEntry[V] {
	for e := d.buckets[d.hash(key)&uint64(len(d.buckets)-1)]; e != nil; e = e.next {
		if e.key == key {
			return e
		}
	}
	return nil
}

// Get returns the value for key.
func (d *Dict[V]) Get(key string) (V, bool) {
	if e := d.find(key); e != nil {
		return e.val, true
	}
	var zero V
	return zero, false
}

// Ptr returns a pointer to key's value for in-place updates, or nil.
func (d *Dict[V]) Ptr(key string) *V {
	if e := d.find(key); e != nil {
		return &e.val
	}
	return nil
}

// Set stores val under key and reports whether the key is new.
func (d *Dict[V]) Set(key string, val V) bool {
	if e := d.find(key); e != nil {
		e.val = val
		return false
	}
	if d.n >= len(d.buckets) {
		d.resize(len(d.buckets) * 2)
	}
	i := d.hash(key) & uint64(len(d.buckets)-1)
	d.buckets[i] = &dictEntry[V]{key: key, val: val, next: d.buckets[i]}
	d.n++
	return true
}

// Delete removes key and reports whether it was present.
func (d *Dict[V]) Delete(key string) bool {
	i := d.hash(key) & uint64(len(d.buckets)-1)
	for p := &d.buckets[i]; *p != nil; p = &(*p).next {
		if (*p).key == key {
			*p = (*p).next
			d.n--
			if len(d.buckets) > 4 && d.n < len(d.buckets)/8 {
				d.resize(len(d.buckets) / 2)
			}
			return true
		}
	}
	return false
}

func (d *Dict[V]) resize(size int) {
	old := d.buckets
	d.buckets = make([]*dictEntry[V], size)
	mask := uint64(size - 1)
	for _, e := range old {
		for e != nil {
			next := e.next
			i := d.hash(e.key) & mask
			e.next = d.buckets[i]
			d.buckets[i] = e
			e = next
		}
	}
}

// Range calls fn for every element until it returns false. fn must not
// modify the dict.
func (d *Dict[V]) Range(fn func(key string, val V) bool) {
	for _, e := range d.buckets {
		for ; e != nil; e = e.next {
			if !fn(e.key, e.val) {
				return
			}
		}
	}
}

// Random returns a random element (uniform over buckets, then chain), for
// HRANDFIELD/SRANDMEMBER/SPOP and eviction-style sampling. r is a random
// number supplied by the caller.
func (d *Dict[V]) Random(r uint64) (string, V, bool) {
	var zero V
	if d.n == 0 {
		return "", zero, false
	}
	mask := uint64(len(d.buckets) - 1)
	for i := uint64(0); ; i++ {
		b := d.buckets[(r+i*0x9E3779B97F4A7C15)&mask]
		if b == nil {
			continue
		}
		n := 0
		for e := b; e != nil; e = e.next {
			n++
		}
		k := int((r >> 32) % uint64(n))
		for e := b; e != nil; e = e.next {
			if k == 0 {
				return e.key, e.val, true
			}
			k--
		}
	}
}

// Scan visits the bucket at cursor (and its expansions in larger tables)
// and returns the next cursor, 0 when the iteration is complete. Callers
// loop until they have collected COUNT elements or the cursor is 0.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, val V)) uint64 {
	if d.n == 0 {
		return 0
	}
	mask := uint64(len(d.buckets) - 1)
	for e := d.buckets[cursor&mask]; e != nil; e = e.next {
		fn(e.key, e.val)
	}
	// Increment the reversed cursor: set unmasked bits so the increment
	// carries into the masked part, then reverse back.
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	cursor = bits.Reverse64(cursor)
	return cursor
}
