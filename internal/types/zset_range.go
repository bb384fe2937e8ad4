package types

// Range iteration over sorted sets. Callbacks receive slices that may
// alias the set: copy what you keep. Returning false stops the walk.

// RangeByRank visits ranks start..stop (0-based, inclusive, already
// clamped by the caller), from the top when rev.
func (z *ZSet) RangeByRank(start, stop int, rev bool, fn func(m []byte, score float64) bool) {
	n := z.Len()
	if start < 0 || stop >= n || start > stop {
		return
	}
	if z.lp != nil {
		pairs := z.lpPairs()
		for k := start; k <= stop; k++ {
			i := k
			if rev {
				i = n - 1 - k
			}
			if !fn(pairs[i].m, pairs[i].s) {
				return
			}
		}
		return
	}
	if rev {
		x := z.sl.byRank(n - start)
		for k := start; k <= stop && x != nil; k++ {
			if !fn([]byte(x.member), x.score) {
				return
			}
			x = x.backward
		}
		return
	}
	x := z.sl.byRank(start + 1)
	for k := start; k <= stop && x != nil; k++ {
		if !fn([]byte(x.member), x.score) {
			return
		}
		x = x.level[0].forward
	}
}

type zpair struct {
	m []byte
	s float64
}

func (z *ZSet) lpPairs() []zpair {
	out := make([]zpair, 0, z.lp.Len()/2)
	var m []byte
	z.lp.Range(func(i int, v []byte) bool {
		if i%2 == 0 {
			m = v
		} else {
			out = append(out, zpair{m, decScore(v)})
		}
		return true
	})
	return out
}

// RangeByScore visits members with scores in r, ascending (descending when rev).
func (z *ZSet) RangeByScore(r ScoreRange, rev bool, fn func(m []byte, score float64) bool) {
	z.rangeWhere(rev,
		func(m string, s float64) bool { return !r.aboveMin(s) },
		func(m string, s float64) bool { return r.belowMax(s) },
		fn)
}

// RangeByLex visits members in r, ascending (descending when rev). As in
// Valkey it assumes all scores are equal.
func (z *ZSet) RangeByLex(r LexRange, rev bool, fn func(m []byte, score float64) bool) {
	z.rangeWhere(rev,
		func(m string, s float64) bool { return !r.aboveMin(m) },
		func(m string, s float64) bool { return r.belowMax(m) },
		fn)
}

// rangeWhere visits the contiguous run of elements after those for which
// before holds and while notAfter holds.
func (z *ZSet) rangeWhere(rev bool, before, notAfter func(string, float64) bool, fn func([]byte, float64) bool) {
	if z.lp != nil {
		pairs := z.lpPairs()
		if rev {
			for i := len(pairs) - 1; i >= 0; i-- {
				p := pairs[i]
				if !notAfter(string(p.m), p.s) {
					continue
				}
				if before(string(p.m), p.s) || !fn(p.m, p.s) {
					return
				}
			}
			return
		}
		for _, p := range pairs {
			if before(string(p.m), p.s) {
				continue
			}
			if !notAfter(string(p.m), p.s) || !fn(p.m, p.s) {
				return
			}
		}
		return
	}
	if rev {
		x := z.sl.lastWhere(func(n *slNode) bool { return notAfter(n.member, n.score) })
		for ; x != nil && !before(x.member, x.score); x = x.backward {
			if !fn([]byte(x.member), x.score) {
				return
			}
		}
		return
	}
	x := z.sl.firstWhere(func(n *slNode) bool { return before(n.member, n.score) })
	for ; x != nil && notAfter(x.member, x.score); x = x.level[0].forward {
		if !fn([]byte(x.member), x.score) {
			return
		}
	}
}

// Range visits every member in order.
func (z *ZSet) Range(fn func(m []byte, score float64) bool) {
	z.RangeByRank(0, z.Len()-1, false, fn)
}

// Scan is one ZSCAN step (see Hash.Scan).
func (z *ZSet) Scan(cursor uint64, count int, fn func(m []byte, score float64)) uint64 {
	if z.lp != nil {
		z.Range(func(m []byte, s float64) bool { fn(m, s); return true })
		return 0
	}
	seen := 0
	for {
		cursor = z.d.Scan(cursor, func(k string, s float64) { fn([]byte(k), s); seen++ })
		if cursor == 0 || seen >= count {
			return cursor
		}
	}
}

// Random returns a random member and its score.
func (z *ZSet) Random(r uint64) ([]byte, float64, bool) {
	n := z.Len()
	if n == 0 {
		return nil, 0, false
	}
	if z.lp != nil {
		i := int(r%uint64(n)) * 2
		return append([]byte(nil), z.lp.Get(i)...), decScore(z.lp.Get(i + 1)), true
	}
	k, s, _ := z.d.Random(r)
	return []byte(k), s, true
}
