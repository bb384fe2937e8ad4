package types

import "encoding/binary"

// qlPack holds a quicklist node's elements in one byte slice, like a
// Valkey listpack: each entry is uvarint(len) | bytes | backlen, where
// backlen is the entry's header-and-data size written as a uvarint with
// its bytes reversed, so the pack can be walked from either end. The
// entries live in b[start:]; the room before start makes pushes at the
// head amortized O(1), and popping from either end is O(1) — the
// operations a queue or a stack does on every call.
//
// Slices returned by accessors alias the pack and are valid until the next
// change.
type qlPack struct {
	b     []byte
	start int
	n     int
}

// qlPackOverhead is the pack's share of its node struct.
const qlPackOverhead = 24

func (p *qlPack) len() int { return p.n }

func (p *qlPack) memUsage() int64 { return AllocSize(cap(p.b)) + qlPackOverhead }

// qlEntrySize is the bytes v takes in a pack.
func qlEntrySize(v []byte) int {
	h := uvarintLen(uint64(len(v))) + len(v)
	return h + uvarintLen(uint64(h))
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// putEntry writes v's entry at dst (which has room for it).
func putEntry(dst []byte, v []byte) {
	h := binary.PutUvarint(dst, uint64(len(v)))
	h += copy(dst[h:], v)
	var tmp [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(tmp[:], uint64(h))
	for i := 0; i < k; i++ {
		dst[h+i] = tmp[k-1-i]
	}
}

// next decodes the entry at off: its value and the offset after it.
func (p *qlPack) next(off int) ([]byte, int) {
	l, k := binary.Uvarint(p.b[off:])
	s := off + k
	e := s + int(l)
	h := e - off
	return p.b[s:e:e], e + uvarintLen(uint64(h))
}

// prev decodes the entry that ends at end: its value and its offset.
func (p *qlPack) prev(end int) ([]byte, int) {
	var h uint64
	var shift uint
	i := end - 1
	for {
		c := p.b[i]
		h |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
		i--
	}
	off := i - int(h)
	l, k := binary.Uvarint(p.b[off:])
	s := off + k
	return p.b[s : s+int(l) : s+int(l)], off
}

// offset returns the byte offset of entry i (i == n: the end), walking
// from the nearer end.
func (p *qlPack) offset(i int) int {
	if i <= p.n/2 {
		off := p.start
		for ; i > 0; i-- {
			_, off = p.next(off)
		}
		return off
	}
	off := len(p.b)
	for k := p.n; k > i; k-- {
		_, off = p.prev(off)
	}
	return off
}

func (p *qlPack) get(i int) []byte {
	v, _ := p.next(p.offset(i))
	return v
}

func (p *qlPack) first() []byte {
	v, _ := p.next(p.start)
	return v
}

func (p *qlPack) last() []byte {
	v, _ := p.prev(len(p.b))
	return v
}

func (p *qlPack) pushBack(v []byte) {
	sz := qlEntrySize(v)
	old := len(p.b)
	p.b = append(p.b, make([]byte, sz)...)
	putEntry(p.b[old:], v)
	p.n++
}

func (p *qlPack) pushFront(v []byte) {
	sz := qlEntrySize(v)
	if p.start < sz {
		p.regrow(sz)
	}
	p.start -= sz
	putEntry(p.b[p.start:], v)
	p.n++
}

// regrow re-lays the entries with room for at least need bytes (and half
// the pack's size) before them.
func (p *qlPack) regrow(need int) {
	used := len(p.b) - p.start
	room := max(need, used/2, 16)
	nb := make([]byte, room+used, room+used+used/4)
	copy(nb[room:], p.b[p.start:])
	p.b, p.start = nb, room
}

func (p *qlPack) popFront() {
	_, off := p.next(p.start)
	p.start = off
	p.n--
	p.settle()
}

func (p *qlPack) popBack() {
	_, off := p.prev(len(p.b))
	p.b = p.b[:off]
	p.n--
	p.settle()
}

// settle releases the buffer of an emptied pack and shrinks one that
// lost most of its entries, so memory follows the contents.
func (p *qlPack) settle() {
	used := len(p.b) - p.start
	switch {
	case p.n == 0:
		p.b, p.start = nil, 0
	case cap(p.b) > 256 && used < cap(p.b)/4:
		nb := make([]byte, used, used+used/4)
		copy(nb, p.b[p.start:])
		p.b, p.start = nb, 0
	}
}

// insert adds v before entry i (i == n appends).
func (p *qlPack) insert(i int, v []byte) {
	switch {
	case i == 0:
		p.pushFront(v)
		return
	case i >= p.n:
		p.pushBack(v)
		return
	}
	off := p.offset(i)
	sz := qlEntrySize(v)
	p.b = append(p.b, make([]byte, sz)...)
	copy(p.b[off+sz:], p.b[off:len(p.b)-sz])
	putEntry(p.b[off:], v)
	p.n++
}

// deleteRange removes cnt entries from i.
func (p *qlPack) deleteRange(i, cnt int) {
	cnt = min(cnt, p.n-i)
	if cnt <= 0 {
		return
	}
	switch {
	case i == 0 && cnt == p.n:
		p.b, p.start, p.n = nil, 0, 0
		return
	case cnt == 1 && i == 0:
		p.popFront()
		return
	case cnt == 1 && i == p.n-1:
		p.popBack()
		return
	}
	s := p.offset(i)
	e := s
	for k := 0; k < cnt; k++ {
		_, e = p.next(e)
	}
	if i == 0 {
		p.start = e
	} else {
		p.b = append(p.b[:s], p.b[e:]...)
	}
	p.n -= cnt
	p.settle()
}

func (p *qlPack) replace(i int, v []byte) {
	p.deleteRange(i, 1)
	p.insert(i, v)
}

// each calls fn with every entry from from on, head to tail, until it
// returns false.
func (p *qlPack) each(from int, fn func(i int, v []byte) bool) {
	off := p.offset(from)
	for i := from; i < p.n; i++ {
		var v []byte
		v, off = p.next(off)
		if !fn(i, v) {
			return
		}
	}
}

// eachRev calls fn with every entry from from down to the head, until it
// returns false.
func (p *qlPack) eachRev(from int, fn func(i int, v []byte) bool) {
	end := p.offset(from + 1)
	for i := from; i >= 0; i-- {
		var v []byte
		v, end = p.prev(end)
		if !fn(i, v) {
			return
		}
	}
}

func (p *qlPack) clone() qlPack {
	return qlPack{b: append([]byte(nil), p.b[p.start:]...), n: p.n}
}
