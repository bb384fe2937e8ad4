package types

import "encoding/binary"

// Listpack is the compact encoding of small collections: all elements in
// one byte slice, a 4-byte element count followed by each element as a
// uvarint length and its bytes. A small hash of five 16-byte fields and
// values costs one 176-byte allocation instead of a map with a dozen
// objects — the reason Valkey's thresholds (hash-max-listpack-entries
// etc.) exist. Operations are O(n), which the thresholds keep small.
//
// The count lives in the bytes, not in the struct, so that a Listpack is
// just a slice header (24 bytes) and a Hash embedding one stays within a
// 32-byte allocation: with a million small hashes every struct byte is a
// megabyte. The buffer grows to exactly the allocator's size class of what
// it holds (not by doubling), for the same reason: a listpack is rarely
// appended to many times, and an over-sized one stays over-sized for the
// life of the key.
//
// Slices returned by accessors alias the listpack and are valid until the
// next modification; callers copy what they keep.
type Listpack struct {
	// b is nil for an empty listpack; otherwise b[:lpHdr] is the element
	// count (little-endian) and the elements follow.
	b []byte
}

// lpHdr is the size of the element count at the start of the buffer.
const lpHdr = 4

// listpackStructSize is the allocation of a Listpack on its own (a slice
// header, size class 24).
const listpackStructSize = 24

// Len is the number of elements.
func (lp *Listpack) Len() int {
	if len(lp.b) < lpHdr {
		return 0
	}
	return int(binary.LittleEndian.Uint32(lp.b))
}

func (lp *Listpack) setLen(n int) {
	binary.LittleEndian.PutUint32(lp.b, uint32(n))
}

// Bytes is the encoded size.
func (lp *Listpack) Bytes() int { return len(lp.b) }

// MemUsage is the memory of a Listpack allocated on its own: the struct
// and the buffer.
func (lp *Listpack) MemUsage() int64 { return lp.bufMem() + listpackStructSize }

// bufMem is the allocation backing the elements, for owners that embed
// the Listpack in their own struct.
func (lp *Listpack) bufMem() int64 { return AllocSize(cap(lp.b)) }

// lpEntrySize is the encoded size of v.
func lpEntrySize(v []byte) int { return uvarintLen(uint64(len(v))) + len(v) }

// next decodes the element at offset off and returns it and the offset of
// the following element. Lengths under 128, all of them in a listpack
// within Valkey's default thresholds, take the one-byte fast path.
func (lp *Listpack) next(off int) ([]byte, int) {
	var l, start int
	if c := lp.b[off]; c < 0x80 {
		l, start = int(c), off+1
	} else {
		u, n := binary.Uvarint(lp.b[off:])
		l, start = int(u), off+n
	}
	end := start + l
	return lp.b[start:end:end], end
}

// offset returns the byte offset of element i (i == Len gives the end).
func (lp *Listpack) offset(i int) int {
	if lp.b == nil {
		return lpHdr
	}
	off := lpHdr
	for ; i > 0; i-- {
		_, off = lp.next(off)
	}
	return off
}

// reserve makes room for extra more bytes (and the count header of an
// empty listpack), growing the buffer to the size class of what it will
// hold but at least by an eighth, so a run of single appends still costs
// amortized O(1) copies per byte.
func (lp *Listpack) reserve(extra int) {
	if lp.b == nil {
		lp.b = make([]byte, lpHdr, AllocSize(lpHdr+extra))
		return
	}
	need := len(lp.b) + extra
	if need <= cap(lp.b) {
		return
	}
	nb := make([]byte, len(lp.b), AllocSize(max(need, cap(lp.b)+cap(lp.b)/8)))
	copy(nb, lp.b)
	lp.b = nb
}

// Reserve prepares for appending elements whose encoded sizes add up to
// about the given lengths: callers that know what they will append (HSET
// of a new hash) get one exact allocation instead of several.
func (lp *Listpack) Reserve(vs ...[]byte) {
	extra := 0
	for _, v := range vs {
		extra += lpEntrySize(v)
	}
	lp.reserve(extra)
}

// putAt writes v's entry at off (the buffer has room).
func (lp *Listpack) putAt(off int, v []byte) {
	off += binary.PutUvarint(lp.b[off:], uint64(len(v)))
	copy(lp.b[off:], v)
}

// Append adds elements at the tail.
func (lp *Listpack) Append(vs ...[]byte) {
	lp.Reserve(vs...)
	for _, v := range vs {
		off := len(lp.b)
		lp.b = lp.b[:off+lpEntrySize(v)]
		lp.putAt(off, v)
	}
	lp.setLen(lp.Len() + len(vs))
}

// Insert adds v before element i (i == Len appends).
func (lp *Listpack) Insert(i int, v []byte) {
	if i >= lp.Len() {
		lp.Append(v)
		return
	}
	off := lp.offset(i)
	lp.resizeAt(off, off, lpEntrySize(v))
	lp.putAt(off, v)
	lp.setLen(lp.Len() + 1)
}

// resizeAt replaces the bytes [off, end) by a gap of size bytes, moving
// the tail.
func (lp *Listpack) resizeAt(off, end, size int) {
	delta := size - (end - off)
	switch {
	case delta > 0:
		lp.reserve(delta)
		lp.b = lp.b[:len(lp.b)+delta]
		copy(lp.b[end+delta:], lp.b[end:len(lp.b)-delta])
	case delta < 0:
		copy(lp.b[off+size:], lp.b[end:])
		lp.b = lp.b[:len(lp.b)+delta]
	}
}

// Get returns element i.
func (lp *Listpack) Get(i int) []byte {
	v, _ := lp.next(lp.offset(i))
	return v
}

// Delete removes count elements starting at i.
func (lp *Listpack) Delete(i, count int) {
	n := lp.Len()
	if count <= 0 || i >= n {
		return
	}
	if i+count > n {
		count = n - i
	}
	if count == n {
		lp.b = nil
		return
	}
	start := lp.offset(i)
	end := start
	for k := 0; k < count; k++ {
		_, end = lp.next(end)
	}
	lp.resizeAt(start, end, 0)
	lp.setLen(n - count)
	lp.shrink()
}

// shrink reallocates a buffer that lost most of its contents.
func (lp *Listpack) shrink() {
	if cap(lp.b) > 256 && len(lp.b) < cap(lp.b)/4 {
		nb := make([]byte, len(lp.b), AllocSize(len(lp.b)))
		copy(nb, lp.b)
		lp.b = nb
	}
}

// Replace sets element i to v.
func (lp *Listpack) Replace(i int, v []byte) {
	lp.replaceAt(lp.offset(i), v)
}

// replaceAt sets the element at byte offset off to v, in place when the
// sizes match.
func (lp *Listpack) replaceAt(off int, v []byte) {
	_, end := lp.next(off)
	lp.resizeAt(off, end, lpEntrySize(v))
	lp.putAt(off, v)
}

// Range calls fn with each element's index and value until it returns false.
func (lp *Listpack) Range(fn func(i int, v []byte) bool) {
	off := lpHdr
	for i, n := 0, lp.Len(); i < n; i++ {
		var v []byte
		v, off = lp.next(off)
		if !fn(i, v) {
			return
		}
	}
}

// Find returns the index of the first element equal to v at an index
// that is a multiple of step (step 2 searches the fields of field/value
// pairs), or -1.
func (lp *Listpack) Find(v []byte, step int) int {
	i, _ := lp.find(v, step)
	return i
}

// find is Find that also returns the element's byte offset.
func (lp *Listpack) find(v []byte, step int) (int, int) {
	off := lpHdr
	for i, n := 0, lp.Len(); i < n; i++ {
		e, end := lp.next(off)
		if i%step == 0 && string(e) == string(v) {
			return i, off
		}
		off = end
	}
	return -1, 0
}

// Clone returns a deep copy.
func (lp *Listpack) Clone() *Listpack {
	c := lp.clone()
	return &c
}

// clone returns a deep copy with an exactly sized buffer.
func (lp *Listpack) clone() Listpack {
	if lp.b == nil {
		return Listpack{}
	}
	b := make([]byte, len(lp.b), AllocSize(len(lp.b)))
	copy(b, lp.b)
	return Listpack{b: b}
}

// MaxElemLen is the length of the longest element.
func (lp *Listpack) MaxElemLen() int {
	m := 0
	lp.Range(func(_ int, v []byte) bool {
		if len(v) > m {
			m = len(v)
		}
		return true
	})
	return m
}
