package types

// List is a list value with Valkey's two encodings: "listpack", one
// compact node, while the list is small (list-max-listpack-size), and
// "quicklist", a doubly linked list of such nodes, each bounded by the same
// setting, with elements too large for a node kept in "plain" nodes of
// their own. Conversions happen exactly where Valkey's t_list.c does them:
// growing commands check before they add (listTypeTryConversionAppend),
// shrinking ones after they remove, with half the limit so a list at the
// boundary does not flip on every change, and only a quicklist of one
// packed node converts back.
//
// Accessors return slices aliasing the list; they are valid until the
// next change. Indexes passed in are already normalized (0 <= i < Len)
// unless a method says otherwise.
type List struct {
	head, tail *qlNode
	nodes      int
	count      int
	quick      bool  // quicklist encoding
	fill       int   // the quicklist's fill, fixed when it was created
	mem        int64 // sum of the nodes' mem()
}

// NewList returns an empty list in the listpack encoding.
func NewList() *List {
	l := &List{}
	l.linkAfter(nil, newPackedNode())
	return l
}

// Kind implements Object.
func (l *List) Kind() Kind { return KindList }

// Encoding implements Object.
func (l *List) Encoding() string {
	if l.quick {
		return "quicklist"
	}
	return "listpack"
}

// Len implements Object.
func (l *List) Len() int { return l.count }

// MemUsage implements Object.
func (l *List) MemUsage() int64 { return 64 + l.mem }

// Clone implements Object: same encoding, same nodes.
func (l *List) Clone() Object {
	c := &List{quick: l.quick, fill: l.fill}
	for n := l.head; n != nil; n = n.next {
		c.linkAfter(c.tail, n.clone())
		c.count += n.count()
	}
	return c
}

// Nodes is the number of quicklist nodes (1 for a listpack), for DEBUG
// and tests.
func (l *List) Nodes() int { return l.nodes }

// tryGrow is listTypeTryConvertListpack: before adding elements whose
// lengths sum to addBytes, a listpack that would exceed the limit becomes a
// quicklist (its one node, if not empty, the quicklist's first node).
func (l *List) tryGrow(addCount, addBytes int, lim Limits) {
	if l.quick {
		return
	}
	fill := lim.ListMaxListpackSize
	n := l.head
	if !qlExceedsLimit(fill, n.sz+addBytes, n.count()+addCount) {
		return
	}
	l.quick, l.fill = true, qlClampFill(fill)
	if n.count() == 0 {
		l.unlink(n)
	}
}

// tryShrink is listTypeTryConvertQuicklist: a quicklist of one packed
// node within the limit (half of it when shrinking) becomes a listpack.
func (l *List) tryShrink(shrinking bool, lim Limits) {
	if !l.quick || l.nodes != 1 || l.head.plain {
		return
	}
	sz, cnt := qlNodeLimit(lim.ListMaxListpackSize)
	if shrinking {
		sz, cnt = sz/2, cnt/2
	}
	if l.head.sz > sz || l.count > cnt {
		return
	}
	l.quick = false
}

// Push adds v at the head (left) or the tail.
func (l *List) Push(v []byte, left bool, lim Limits) { l.PushMany([][]byte{v}, left, lim) }

// PushMany is LPUSH/RPUSH: each value is pushed in turn (so LPUSH reverses
// them), after one conversion check for all of them.
func (l *List) PushMany(vs [][]byte, left bool, lim Limits) {
	total := 0
	for _, v := range vs {
		total += len(v)
	}
	l.tryGrow(len(vs), total, lim)
	for _, v := range vs {
		l.pushOne(v, left)
	}
}

func (l *List) pushOne(v []byte, left bool) {
	if l.quick {
		l.qlPush(v, left)
		return
	}
	n := l.head
	if left {
		l.edit(n, func() { n.insert(0, v) })
	} else {
		l.edit(n, func() { n.appendElem(v) })
	}
}

// Pop removes and returns (a copy of) the head or tail element.
func (l *List) Pop(left bool, lim Limits) ([]byte, bool) {
	vs := l.PopN(1, left, lim)
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// PopN removes up to n elements from one end and returns copies in the
// order they were popped (LPOP/RPOP count, LMPOP). A list left non-empty
// may convert back to a listpack.
func (l *List) PopN(n int, left bool, lim Limits) [][]byte {
	n = min(n, l.count)
	if n <= 0 {
		return nil
	}
	out := make([][]byte, 0, n)
	collect := func(_ int, v []byte) bool {
		out = append(out, append([]byte(nil), v...))
		return true
	}
	if left {
		l.Range(0, n-1, collect)
		l.delRange(0, n)
	} else {
		l.RangeRev(l.count-n, l.count-1, collect)
		l.delRange(l.count-n, n)
	}
	l.tryShrink(true, lim)
	return out
}

func (l *List) delRange(start, cnt int) {
	if l.quick {
		l.qlDelRange(start, cnt)
		return
	}
	n := l.head
	l.edit(n, func() { n.deleteRange(start, cnt) })
}

// Index returns element i (0 <= i < Len), aliasing the list.
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 || i >= l.count {
		return nil, false
	}
	n, off := l.seek(i)
	return n.p.get(off), true
}

// SetIndex is LSET: the growth check for one more element of len(v)
// happens first, whether or not i is in range (so an LSET out of range may
// still convert the list, as in Valkey); it reports whether i was in
// range.
func (l *List) SetIndex(i int, v []byte, lim Limits) bool {
	l.tryGrow(1, len(v), lim)
	if i < 0 || i >= l.count {
		return false
	}
	n, off := l.seek(i)
	if l.quick {
		l.qlReplace(n, off, v)
	} else {
		l.edit(n, func() { n.replace(off, v) })
	}
	l.tryShrink(true, lim)
	return true
}

// Insert is LINSERT: v goes before or after the first element equal to
// pivot. The growth check happens first, found or not, as in Valkey. It
// reports whether the pivot was found.
func (l *List) Insert(pivot, v []byte, after bool, lim Limits) bool {
	l.tryGrow(1, len(v), lim)
	for n := l.head; n != nil; n = n.next {
		off := -1
		n.p.each(0, func(i int, e []byte) bool {
			if string(e) == string(pivot) {
				off = i
				return false
			}
			return true
		})
		if off < 0 {
			continue
		}
		if l.quick {
			l.qlInsert(n, off, v, after)
		} else if after {
			l.edit(n, func() { n.insert(off+1, v) })
		} else {
			l.edit(n, func() { n.insert(off, v) })
		}
		return true
	}
	return false
}

// Remove is LREM: it removes up to count elements equal to v, from the
// head (count > 0), from the tail (count < 0) or all of them (0), and
// returns how many it removed.
func (l *List) Remove(count int, v []byte, lim Limits) int {
	fromTail := count < 0
	limit := count
	if fromTail {
		limit = -count
	}
	removed := 0
	n := l.head
	if fromTail {
		n = l.tail
	}
	var buf [][]byte
	for n != nil && (limit == 0 || removed < limit) {
		adj := n.next
		if fromTail {
			adj = n.prev
		}
		removed += l.removeIn(n, v, limit-removed, limit == 0, fromTail, &buf)
		n = adj
	}
	if removed > 0 {
		l.tryShrink(true, lim)
	}
	return removed
}

// removeIn drops up to limit elements equal to v (all when unlimited)
// from node n, scanning from its tail end when fromTail. An emptied
// quicklist node is unlinked.
func (l *List) removeIn(n *qlNode, v []byte, limit int, unlimited, fromTail bool, buf *[][]byte) int {
	elems := n.elems(*buf)
	*buf = elems
	drop := make([]bool, len(elems))
	hits := 0
	for k := range elems {
		if !unlimited && hits == limit {
			break
		}
		i := k
		if fromTail {
			i = len(elems) - 1 - k
		}
		if string(elems[i]) == string(v) {
			drop[i] = true
			hits++
		}
	}
	if hits == 0 {
		return 0
	}
	if l.quick && hits == len(elems) {
		l.unlink(n)
		return hits
	}
	l.edit(n, func() {
		keep := newPackedNode()
		for i, e := range elems {
			if !drop[i] {
				keep.appendElem(e)
			}
		}
		n.p, n.sz = keep.p, keep.sz
	})
	return hits
}

// Trim is LTRIM once the range is resolved: ltrim elements go from the
// head and rtrim from the tail.
func (l *List) Trim(ltrim, rtrim int, lim Limits) {
	l.delRange(0, ltrim)
	if rtrim > 0 {
		l.delRange(max(l.count-rtrim, 0), rtrim)
	}
	l.tryShrink(true, lim)
}

// Range visits elements start..stop (clamped to the list) head to tail,
// until fn returns false.
func (l *List) Range(start, stop int, fn func(i int, v []byte) bool) {
	start, stop = max(start, 0), min(stop, l.count-1)
	if start > stop {
		return
	}
	n, off := l.seek(start)
	i := start
	for ; n != nil && i <= stop; n, off = n.next, 0 {
		cont := true
		n.p.each(off, func(k int, v []byte) bool {
			if i > stop || !fn(i, v) {
				cont = false
				return false
			}
			i++
			return true
		})
		if !cont {
			return
		}
	}
}

// RangeRev visits elements stop down to start (clamped), until fn
// returns false.
func (l *List) RangeRev(start, stop int, fn func(i int, v []byte) bool) {
	start, stop = max(start, 0), min(stop, l.count-1)
	if start > stop {
		return
	}
	n, off := l.seek(stop)
	i := stop
	for ; n != nil && i >= start; n, off = n.prev, -1 {
		if off < 0 {
			off = n.count() - 1
		}
		cont := true
		n.p.eachRev(off, func(_ int, v []byte) bool {
			if i < start || !fn(i, v) {
				cont = false
				return false
			}
			i--
			return true
		})
		if !cont {
			return
		}
	}
}

// Elements returns copies of every element.
func (l *List) Elements() [][]byte {
	out := make([][]byte, 0, l.count)
	l.Range(0, l.count-1, func(_ int, v []byte) bool {
		out = append(out, append([]byte(nil), v...))
		return true
	})
	return out
}

// Replace rebuilds the list from elems as a newly created list holding
// them (RESTORE): a listpack when they fit the limit, else a quicklist.
func (l *List) Replace(elems [][]byte, lim Limits) {
	*l = *NewList()
	sz := lpHeaderSize
	for _, e := range elems {
		sz += lpValkeyEntrySize(e)
	}
	if qlExceedsLimit(lim.ListMaxListpackSize, sz, len(elems)) {
		l.quick, l.fill = true, qlClampFill(lim.ListMaxListpackSize)
		l.unlink(l.head)
	}
	for _, e := range elems {
		l.pushOne(e, false)
	}
}

// Find returns the index of the first element equal to v, or -1.
func (l *List) Find(v []byte) int {
	found := -1
	l.Range(0, l.count-1, func(i int, e []byte) bool {
		if string(e) == string(v) {
			found = i
			return false
		}
		return true
	})
	return found
}

// Take removes and returns (a copy of) the head or tail element without
// the shrinking conversion: LMOVE pushes the element before it settles the
// source's encoding, which matters when source and destination are the
// same list. Call Shrink afterwards.
func (l *List) Take(left bool) ([]byte, bool) {
	if l.count == 0 {
		return nil, false
	}
	i := 0
	if !left {
		i = l.count - 1
	}
	v, _ := l.Index(i)
	v = append([]byte(nil), v...)
	l.delRange(i, 1)
	return v, true
}

// Shrink is the conversion check after elements were removed.
func (l *List) Shrink(lim Limits) { l.tryShrink(true, lim) }

// GrowCheck is the conversion check before adding count elements of
// bytes total length, for commands that check even when they end up not
// adding anything (LINSERT with a missing pivot, LSET out of range).
func (l *List) GrowCheck(count, bytes int, lim Limits) { l.tryGrow(count, bytes, lim) }
