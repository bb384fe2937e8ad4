package types

import "encoding/binary"

// Listpack is the compact encoding of small collections: all elements in
// one byte slice, each as a uvarint length followed by its bytes. A small
// hash of five 16-byte fields and values costs one ~180-byte allocation
// instead of a map with a dozen objects — the reason Valkey's thresholds
// (hash-max-listpack-entries etc.) exist. Operations are O(n), which the
// thresholds keep small.
//
// Slices returned by accessors alias the listpack and are valid until the
// next modification; callers copy what they keep.
type Listpack struct {
	b []byte
	n int
}

// Len is the number of elements.
func (lp *Listpack) Len() int { return lp.n }

// Bytes is the encoded size.
func (lp *Listpack) Bytes() int { return len(lp.b) }

// MemUsage is the allocation backing the listpack.
func (lp *Listpack) MemUsage() int64 { return AllocSize(cap(lp.b)) + 32 }

func lpEntrySize(v []byte) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutUvarint(tmp[:], uint64(len(v))) + len(v)
}

// next decodes the element at offset off and returns it and the offset of
// the following element.
func (lp *Listpack) next(off int) ([]byte, int) {
	l, n := binary.Uvarint(lp.b[off:])
	start := off + n
	end := start + int(l)
	return lp.b[start:end:end], end
}

// offset returns the byte offset of element i (i == Len gives the end).
func (lp *Listpack) offset(i int) int {
	off := 0
	for ; i > 0; i-- {
		_, off = lp.next(off)
	}
	return off
}

// Append adds elements at the tail.
func (lp *Listpack) Append(vs ...[]byte) {
	for _, v := range vs {
		lp.b = binary.AppendUvarint(lp.b, uint64(len(v)))
		lp.b = append(lp.b, v...)
		lp.n++
	}
}

// Insert adds v before element i (i == Len appends).
func (lp *Listpack) Insert(i int, v []byte) {
	if i >= lp.n {
		lp.Append(v)
		return
	}
	off := lp.offset(i)
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(v)))
	grow := h + len(v)
	lp.b = append(lp.b, make([]byte, grow)...)
	copy(lp.b[off+grow:], lp.b[off:len(lp.b)-grow])
	copy(lp.b[off:], hdr[:h])
	copy(lp.b[off+h:], v)
	lp.n++
}

// Get returns element i.
func (lp *Listpack) Get(i int) []byte {
	v, _ := lp.next(lp.offset(i))
	return v
}

// Delete removes count elements starting at i.
func (lp *Listpack) Delete(i, count int) {
	if count <= 0 || i >= lp.n {
		return
	}
	if i+count > lp.n {
		count = lp.n - i
	}
	start := lp.offset(i)
	end := start
	for k := 0; k < count; k++ {
		_, end = lp.next(end)
	}
	lp.b = append(lp.b[:start], lp.b[end:]...)
	lp.n -= count
	if cap(lp.b) > 256 && len(lp.b) < cap(lp.b)/4 {
		lp.b = append([]byte(nil), lp.b...)
	}
}

// Replace sets element i to v.
func (lp *Listpack) Replace(i int, v []byte) {
	lp.Delete(i, 1)
	lp.Insert(i, v)
}

// Range calls fn with each element's index and value until it returns false.
func (lp *Listpack) Range(fn func(i int, v []byte) bool) {
	off := 0
	for i := 0; i < lp.n; i++ {
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
	found := -1
	lp.Range(func(i int, e []byte) bool {
		if i%step == 0 && string(e) == string(v) {
			found = i
			return false
		}
		return true
	})
	return found
}

// Clone returns a deep copy.
func (lp *Listpack) Clone() *Listpack {
	return &Listpack{b: append([]byte(nil), lp.b...), n: lp.n}
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
