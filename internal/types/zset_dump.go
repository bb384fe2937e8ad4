package types

// DUMP body of a sorted set:
//
//	encoding (uvarint: 0 listpack, 1 skiplist) | count (uvarint) |
//	count × (member (length-prefixed) | score (float64 LE))
//
// Members come in set order (score, then member). RESTORE rebuilds the
// same encoding; the next write converts it if the thresholds changed
// meanwhile. Decoding rejects NaN scores, members out of order and
// duplicates, so a restored set keeps every invariant of a built one.

const (
	zsetDumpListpack = 0
	zsetDumpSkiplist = 1
	// zsetDumpMinPair is the smallest encoded pair: a one-byte length
	// prefix and the 8-byte score.
	zsetDumpMinPair = 1 + 8
)

// AppendDump implements Dumpable.
func (z *ZSet) AppendDump(w *DumpWriter) {
	if z.lp != nil {
		w.Uvarint(zsetDumpListpack)
	} else {
		w.Uvarint(zsetDumpSkiplist)
	}
	w.Uvarint(uint64(z.Len()))
	z.Range(func(m []byte, s float64) bool {
		w.Bytes(m)
		w.Float64(s)
		return true
	})
}

// decodeZSetDump reads a sorted set body.
func decodeZSetDump(r *DumpReader) (DumpValue, error) {
	enc := r.Uvarint()
	n := r.Count(zsetDumpMinPair)
	if err := r.Err(); err != nil {
		return DumpValue{}, err
	}
	var z *ZSet
	switch enc {
	case zsetDumpListpack:
		z = &ZSet{lp: &Listpack{}}
	case zsetDumpSkiplist:
		z = &ZSet{d: NewDict[float64](n), sl: newSkiplist()}
	default:
		return DumpValue{}, ErrDumpFormat
	}
	var prev []byte
	var prevScore float64
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		m := r.Bytes()
		s := r.Float64()
		if err := r.Err(); err != nil {
			return DumpValue{}, err
		}
		if _, dup := seen[string(m)]; dup {
			return DumpValue{}, ErrDumpFormat
		}
		if i > 0 && (s < prevScore || (s == prevScore && string(m) < string(prev))) {
			return DumpValue{}, ErrDumpFormat
		}
		seen[string(m)] = struct{}{}
		prev, prevScore = m, s
		if z.lp != nil {
			z.lp.Append(m, encScore(lpScore(s)))
		} else {
			z.insertLarge(string(m), s)
		}
	}
	if err := r.Done(); err != nil {
		return DumpValue{}, err
	}
	return DumpValue{Obj: z}, nil
}
