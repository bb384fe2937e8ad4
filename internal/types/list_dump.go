package types

// DUMP body of a list: its encoding and nodes, so that RESTORE rebuilds
// the same quicklist (as Valkey's RDB keeps nodes):
//
//	quick (uvarint 0|1) | fill (varint) | nodes (uvarint) |
//	per node: plain (uvarint 0|1) | count (uvarint) | count × bytes
//
// A quicklist of a single packed node within its fill's limit is restored
// as a listpack, like Valkey's load-time conversion.

// AppendDump implements Dumpable.
func (l *List) AppendDump(w *DumpWriter) {
	quick := uint64(0)
	if l.quick {
		quick = 1
	}
	w.Uvarint(quick)
	w.Varint(int64(l.fill))
	w.Uvarint(uint64(l.nodes))
	for n := l.head; n != nil; n = n.next {
		plain := uint64(0)
		if n.plain {
			plain = 1
		}
		w.Uvarint(plain)
		w.Uvarint(uint64(n.count()))
		n.p.each(0, func(_ int, v []byte) bool {
			w.Bytes(v)
			return true
		})
	}
}

// decodeListDump reads a list body. Every count is checked against the
// bytes left before anything is allocated; empty lists, empty or
// multi-element plain nodes and listpacks of several nodes are rejected.
func decodeListDump(r *DumpReader) (DumpValue, error) {
	quick := r.Uvarint()
	fill := r.Varint()
	nodes := r.Count(2)
	if r.Err() != nil || quick > 1 || nodes == 0 || (quick == 0 && nodes != 1) ||
		fill < qlFillMin || fill > qlFillMax {
		return DumpValue{}, ErrDumpFormat
	}
	l := &List{quick: quick == 1, fill: int(fill)}
	for i := 0; i < nodes; i++ {
		n, ok := decodeListNode(r)
		if !ok || (n.plain && quick == 0) {
			return DumpValue{}, ErrDumpFormat
		}
		l.linkAfter(l.tail, n)
		l.count += n.count()
	}
	if err := r.Done(); err != nil || l.count == 0 {
		return DumpValue{}, ErrDumpFormat
	}
	if l.quick && l.nodes == 1 && !l.head.plain && !qlExceedsLimit(l.fill, l.head.sz, l.count) {
		l.quick = false
	}
	return DumpValue{Obj: l}, nil
}

func decodeListNode(r *DumpReader) (*qlNode, bool) {
	plain := r.Uvarint()
	count := r.Count(1)
	if r.Err() != nil || plain > 1 || count == 0 || (plain == 1 && count != 1) {
		return nil, false
	}
	n := newPackedNode()
	for j := 0; j < count; j++ {
		v := r.Bytes()
		if r.Err() != nil {
			return nil, false
		}
		n.appendElem(v)
	}
	if plain == 1 {
		n.plain = true
		n.sz = len(n.p.get(0))
	}
	return n, true
}
