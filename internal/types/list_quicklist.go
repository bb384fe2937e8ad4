package types

// The quicklist algorithms, following Valkey's quicklist.c node by node so
// that a list has the same nodes as in Valkey — which decides when it
// converts back to a listpack (only a quicklist of one packed node does).
// Compression (list-compress-depth) is not modelled: it never changes
// which elements a node holds.

// linkAfter inserts nn after n (n nil: as the first node).
func (l *List) linkAfter(n, nn *qlNode) {
	nn.prev = n
	if n == nil {
		nn.next = l.head
		if l.head != nil {
			l.head.prev = nn
		}
		l.head = nn
	} else {
		nn.next = n.next
		if n.next != nil {
			n.next.prev = nn
		}
		n.next = nn
	}
	if l.tail == n {
		l.tail = nn
	}
	l.nodes++
	l.mem += nn.mem()
}

// linkBefore inserts nn before n (n nil: as the last node).
func (l *List) linkBefore(n, nn *qlNode) {
	if n == nil {
		l.linkAfter(l.tail, nn)
		return
	}
	l.linkAfter(n.prev, nn)
}

// link inserts nn after n when after is set, before it otherwise.
func (l *List) link(n, nn *qlNode, after bool) {
	if after {
		l.linkAfter(n, nn)
	} else {
		l.linkBefore(n, nn)
	}
}

// unlink removes node n and its elements.
func (l *List) unlink(n *qlNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
	l.nodes--
	l.count -= n.count()
	l.mem -= n.mem()
}

// edit runs fn, which changes node n's elements, and settles the memory
// and element counts.
func (l *List) edit(n *qlNode, fn func()) {
	mem, cnt := n.mem(), n.count()
	fn()
	l.mem += n.mem() - mem
	l.count += n.count() - cnt
}

// allowInsert is _quicklistNodeAllowInsert for an element of sz bytes.
func (l *List) allowInsert(n *qlNode, sz int) bool {
	if n == nil || n.plain || qlIsLarge(sz, l.fill) {
		return false
	}
	return !qlExceedsLimit(l.fill, n.sz+sz+qlSizeEstimateOverhead, n.count()+1)
}

// allowMerge is _quicklistNodeAllowMerge.
func (l *List) allowMerge(a, b *qlNode) bool {
	if a == nil || b == nil || a.plain || b.plain {
		return false
	}
	return !qlExceedsLimit(l.fill, a.sz+b.sz-lpHeaderSize, a.count()+b.count())
}

// qlPush is quicklistPushHead / quicklistPushTail.
func (l *List) qlPush(v []byte, left bool) {
	switch {
	case qlIsLarge(len(v), l.fill):
		nn := newNodeWith(v, true)
		l.link(l.endNode(left), nn, !left)
		l.count++
	case left && l.allowInsert(l.head, len(v)):
		l.edit(l.head, func() { l.head.insert(0, v) })
	case !left && l.allowInsert(l.tail, len(v)):
		l.edit(l.tail, func() { l.tail.appendElem(v) })
	default:
		nn := newNodeWith(v, false)
		l.link(l.endNode(left), nn, !left)
		l.count++
	}
}

func (l *List) endNode(left bool) *qlNode {
	if left {
		return l.head
	}
	return l.tail
}

// seek returns the node holding element i (0 <= i < count) and i's offset
// in it, walking from the nearer end as quicklistGetIteratorAtIdx does.
func (l *List) seek(i int) (*qlNode, int) {
	if i > (l.count-1)/2 {
		acc := l.count
		for n := l.tail; n != nil; n = n.prev {
			acc -= n.count()
			if i >= acc {
				return n, i - acc
			}
		}
		return nil, 0
	}
	acc := 0
	for n := l.head; n != nil; n = n.next {
		if i < acc+n.count() {
			return n, i - acc
		}
		acc += n.count()
	}
	return nil, 0
}

// qlDelRange is quicklistDelRange for start >= 0: whole nodes go at once,
// partly covered ones lose a range; empty nodes are removed, nothing is
// merged.
func (l *List) qlDelRange(start, cnt int) {
	if cnt <= 0 || start >= l.count {
		return
	}
	cnt = min(cnt, l.count-start)
	n, off := l.seek(start)
	for cnt > 0 && n != nil {
		next := n.next
		del := min(n.count()-off, cnt)
		if (off == 0 && del == n.count()) || n.plain {
			l.unlink(n)
		} else {
			l.edit(n, func() { n.deleteRange(off, del) })
			if n.count() == 0 {
				l.unlink(n)
			}
		}
		cnt -= del
		n, off = next, 0
	}
}

// qlDelIn deletes element off of node n (quicklistDelIndex), removing the
// node when it empties.
func (l *List) qlDelIn(n *qlNode, off int) {
	if n.plain || n.count() == 1 {
		l.unlink(n)
		return
	}
	l.edit(n, func() { n.deleteRange(off, 1) })
}

// qlInsert is _quicklistInsert: v goes after (or before) element off of
// node n, into n when it has room, else into a neighbour, a new node, or n
// split in two and merged back with its neighbours where they allow.
func (l *List) qlInsert(n *qlNode, off int, v []byte, after bool) {
	sz := len(v)
	full := !l.allowInsert(n, sz)
	atTail := after && off == n.count()-1
	atHead := !after && off == 0
	availNext := atTail && l.allowInsert(n.next, sz)
	availPrev := atHead && l.allowInsert(n.prev, sz)
	if qlIsLarge(sz, l.fill) {
		if n.plain || atTail || atHead {
			l.link(n, newNodeWith(v, true), after)
		} else {
			var rest *qlNode
			l.edit(n, func() { rest = n.split(off, after) })
			entry := newNodeWith(v, true)
			l.link(n, entry, after)
			l.link(entry, rest, after)
			l.count += rest.count()
		}
		l.count++
		return
	}
	switch {
	case !full && after:
		l.edit(n, func() { n.insert(off+1, v) })
	case !full:
		l.edit(n, func() { n.insert(off, v) })
	case availNext:
		l.edit(n.next, func() { n.next.insert(0, v) })
	case availPrev:
		l.edit(n.prev, func() { n.prev.appendElem(v) })
	case atTail || atHead:
		l.link(n, newNodeWith(v, false), after)
		l.count++
	default:
		var nn *qlNode
		l.edit(n, func() { nn = n.split(off, after) })
		if after {
			nn.insert(0, v)
		} else {
			nn.appendElem(v)
		}
		l.link(n, nn, after)
		l.count += nn.count()
		l.qlMergeAround(n)
	}
}

// qlMerge is _quicklistListpackMerge: b's elements join a (a is left of
// b); b is removed. It returns the surviving node.
func (l *List) qlMerge(a, b *qlNode) *qlNode {
	elems := b.elems(nil)
	l.unlink(b)
	l.edit(a, func() {
		for _, v := range elems {
			a.appendElem(v)
		}
	})
	return a
}

// qlMergeAround is _quicklistMergeNodes: merge the two nodes before
// center, the two after it, then center with each neighbour, as far as
// the fill allows. It returns the node that holds center's elements.
func (l *List) qlMergeAround(center *qlNode) *qlNode {
	var prev, prevPrev, next, nextNext *qlNode
	if prev = center.prev; prev != nil {
		prevPrev = prev.prev
	}
	if next = center.next; next != nil {
		nextNext = next.next
	}
	if l.allowMerge(prev, prevPrev) {
		l.qlMerge(prevPrev, prev)
	}
	if l.allowMerge(next, nextNext) {
		l.qlMerge(next, nextNext)
	}
	target := center
	if l.allowMerge(center, center.prev) {
		target = l.qlMerge(center.prev, center)
	}
	if l.allowMerge(target, target.next) {
		target = l.qlMerge(target, target.next)
	}
	return target
}

// qlReplace is quicklistReplaceEntry: in place when the node stays within
// its limit, otherwise the element moves to a node of its own (plain when
// large) between the two halves of its old node, which then merge with
// their neighbours where they can.
func (l *List) qlReplace(n *qlNode, off int, v []byte) {
	sz := len(v)
	large := qlIsLarge(sz, l.fill)
	if !n.plain && !large {
		projected := n.sz - lpValkeyEntrySize(n.p.get(off)) + lpValkeyEntrySize(v)
		if !qlExceedsLimit(l.fill, projected, n.count()) {
			l.edit(n, func() { n.replace(off, v) })
			return
		}
	}
	if n.plain {
		if large {
			l.edit(n, func() {
				n.p = qlPack{}
				n.p.pushBack(v)
				n.sz = sz
			})
			return
		}
		l.qlInsert(n, 0, v, true)
		l.unlink(n)
		return
	}
	var rest *qlNode
	if off != n.count()-1 {
		l.edit(n, func() { rest = n.split(off, true) })
	}
	nn := newNodeWith(v, large)
	l.linkAfter(n, nn)
	l.count++
	if rest != nil {
		l.linkAfter(nn, rest)
		l.count += rest.count()
	}
	if n.count() == 1 {
		l.unlink(n)
		return
	}
	l.edit(n, func() { n.deleteRange(n.count()-1, 1) })
	l.qlMergeAround(nn)
}
