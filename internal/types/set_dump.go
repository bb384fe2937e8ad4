package types

// A set's DUMP body is its encoding (uvarint: 0 intset, 1 listpack,
// 2 hashtable), the member count, then the members: zig-zag varints for an
// intset, length-prefixed strings otherwise.
//
// RESTORE keeps an intset or a listpack as it was dumped (Valkey loads
// RDB_TYPE_SET_INTSET and RDB_TYPE_SET_LISTPACK blobs as they are) and
// rebuilds a hashtable member by member, the way Valkey loads RDB_TYPE_SET,
// so a hashtable that shrank below the thresholds comes back compact. The
// payload decoder does not know the node's current thresholds; the rebuild
// uses Valkey's defaults.

// AppendDump implements Dumpable.
func (s *Set) AppendDump(w *DumpWriter) {
	w.Uvarint(uint64(s.enc))
	w.Uvarint(uint64(s.Len()))
	if s.enc == setIntset {
		for _, v := range s.is {
			w.Varint(v)
		}
		return
	}
	s.Range(func(m []byte) bool { w.Bytes(m); return true })
}

// decodeSetDump reads a set body. Duplicates, an unsorted intset, an empty
// set or an unknown encoding make the payload invalid (Valkey rejects
// duplicate set members on load too).
func decodeSetDump(r *DumpReader) (*Set, error) {
	enc := r.Uvarint()
	n := r.Count(1)
	if r.Err() != nil || n == 0 || enc > uint64(setHashtable) {
		return nil, ErrDumpFormat
	}
	var s *Set
	switch setEncoding(enc) {
	case setIntset:
		s = &Set{enc: setIntset, is: make([]int64, 0, n)}
		for i := 0; i < n; i++ {
			v := r.Varint()
			if r.Err() != nil || (i > 0 && v <= s.is[i-1]) {
				return nil, ErrDumpFormat
			}
			s.is = append(s.is, v)
		}
	case setListpack:
		s = NewListpackSet()
		for i := 0; i < n; i++ {
			m := r.Bytes()
			if r.Err() != nil || s.lp.Find(m, 1) >= 0 {
				return nil, ErrDumpFormat
			}
			s.lp.Append(m)
		}
	default:
		lim := DefaultLimits()
		for i := 0; i < n; i++ {
			m := r.Bytes()
			if r.Err() != nil {
				return nil, ErrDumpFormat
			}
			if s == nil {
				s = NewSet(m, n, lim)
			}
			if !s.Add(m, lim) {
				return nil, ErrDumpFormat
			}
		}
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return s, nil
}
