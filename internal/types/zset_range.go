package types

import "unsafe"

// Range queries over sorted sets. Callbacks receive slices that may alias
// the set (read-only views): copy what you keep, never modify them, and
// do not change the set during a walk. Returning false stops the walk.

// ScoreRange is a ZRANGEBYSCORE interval; MinEx/MaxEx mark "(" bounds.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// GteMin reports whether s is at or above the lower bound.
func (r ScoreRange) GteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// LteMax reports whether s is at or below the upper bound.
func (r ScoreRange) LteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// Contains reports whether s lies in the interval.
func (r ScoreRange) Contains(s float64) bool { return r.GteMin(s) && r.LteMax(s) }

// Empty reports whether no score can lie in the interval.
func (r ScoreRange) Empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// Lex bound kinds: a member string, "-" (below every string) or "+"
// (above every string).
const (
	LexValue int8 = iota
	LexMinusInf
	LexPlusInf
)

// LexBound is one end of a ZRANGEBYLEX interval.
type LexBound struct {
	Value string
	Ex    bool // "(" (or "-"/"+", which Valkey marks exclusive)
	Kind  int8
}

// LexRange is a ZRANGEBYLEX interval.
type LexRange struct {
	Min, Max LexBound
}

// cmpLex compares member m with bound b as Valkey's sdscmplex.
func cmpLex(m []byte, b LexBound) int {
	switch b.Kind {
	case LexMinusInf:
		return 1
	case LexPlusInf:
		return -1
	}
	switch s := string(m); {
	case s < b.Value:
		return -1
	case s > b.Value:
		return 1
	}
	return 0
}

// GteMin reports whether m is at or above the lower bound.
func (r LexRange) GteMin(m []byte) bool {
	c := cmpLex(m, r.Min)
	return c > 0 || (c == 0 && !r.Min.Ex)
}

// LteMax reports whether m is at or below the upper bound.
func (r LexRange) LteMax(m []byte) bool {
	c := cmpLex(m, r.Max)
	return c < 0 || (c == 0 && !r.Max.Ex)
}

// Contains reports whether m lies in the interval.
func (r LexRange) Contains(m []byte) bool { return r.GteMin(m) && r.LteMax(m) }

// Empty reports whether no member can lie in the interval.
func (r LexRange) Empty() bool {
	var c int
	switch {
	case r.Min.Kind != LexValue && r.Min.Kind == r.Max.Kind:
		c = 0
	case r.Min.Kind == LexMinusInf || r.Max.Kind == LexPlusInf:
		c = -1
	case r.Min.Kind == LexPlusInf || r.Max.Kind == LexMinusInf:
		c = 1
	default:
		c = cmpLex([]byte(r.Min.Value), r.Max)
	}
	return c > 0 || (c == 0 && (r.Min.Ex || r.Max.Ex))
}

// strBytes views a member string as bytes without copying; the bytes
// must only be read.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// ScoreBounds returns the ranks [lo, hi) of the members with scores in r.
func (z *ZSet) ScoreBounds(r ScoreRange) (lo, hi int) {
	if r.Empty() {
		return 0, 0
	}
	lo = z.prefixLen(func(_ []byte, s float64) bool { return !r.GteMin(s) })
	hi = z.prefixLen(func(_ []byte, s float64) bool { return r.LteMax(s) })
	return lo, max(lo, hi)
}

// LexBounds returns the ranks [lo, hi) of the members in r. As in Valkey
// the result is only meaningful when all scores are equal.
func (z *ZSet) LexBounds(r LexRange) (lo, hi int) {
	if r.Empty() {
		return 0, 0
	}
	lo = z.prefixLen(func(m []byte, _ float64) bool { return !r.GteMin(m) })
	hi = z.prefixLen(func(m []byte, _ float64) bool { return r.LteMax(m) })
	return lo, max(lo, hi)
}

// prefixLen counts the members, in order, for which pred holds before it
// first fails (pred must hold for a prefix of the order).
func (z *ZSet) prefixLen(pred func(m []byte, s float64) bool) int {
	if z.lp != nil {
		n := 0
		var m []byte
		z.lp.Range(func(i int, v []byte) bool {
			if i%2 == 0 {
				m = v
				return true
			}
			if !pred(m, decScore(v)) {
				return false
			}
			n++
			return true
		})
		return n
	}
	return z.sl.prefixLen(func(x *slNode) bool { return pred(strBytes(x.member), x.score) })
}

// RangeByRank visits ranks start..stop (0-based, inclusive, already
// clamped by the caller), from the top when rev.
func (z *ZSet) RangeByRank(start, stop int, rev bool, fn func(m []byte, score float64) bool) {
	n := z.Len()
	if start < 0 || stop >= n || start > stop {
		return
	}
	if z.lp != nil && !rev {
		// Forward walks need no snapshot of the pairs.
		var m []byte
		z.lp.Range(func(i int, v []byte) bool {
			k := i / 2
			switch {
			case k < start:
				return true
			case k > stop:
				return false
			case i%2 == 0:
				m = v
				return true
			}
			return fn(m, decScore(v))
		})
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
			if !fn(strBytes(x.member), x.score) {
				return
			}
			x = x.backward
		}
		return
	}
	x := z.sl.byRank(start + 1)
	for k := start; k <= stop && x != nil; k++ {
		if !fn(strBytes(x.member), x.score) {
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
	lo, hi := z.ScoreBounds(r)
	z.RangeRanks(lo, hi, rev, fn)
}

// RangeByLex visits members in r, ascending (descending when rev).
func (z *ZSet) RangeByLex(r LexRange, rev bool, fn func(m []byte, score float64) bool) {
	lo, hi := z.LexBounds(r)
	z.RangeRanks(lo, hi, rev, fn)
}

// RangeRanks visits ascending ranks [lo, hi), from hi-1 down when rev.
func (z *ZSet) RangeRanks(lo, hi int, rev bool, fn func(m []byte, score float64) bool) {
	if hi <= lo {
		return
	}
	if !rev {
		z.RangeByRank(lo, hi-1, false, fn)
		return
	}
	n := z.Len()
	z.RangeByRank(n-hi, n-1-lo, true, fn)
}

// Range visits every member in order.
func (z *ZSet) Range(fn func(m []byte, score float64) bool) {
	z.RangeByRank(0, z.Len()-1, false, fn)
}

// At returns the member and score at 0-based rank i (ascending).
func (z *ZSet) At(i int) ([]byte, float64, bool) {
	var m []byte
	var s float64
	ok := false
	z.RangeByRank(i, i, false, func(mm []byte, ss float64) bool { m, s, ok = mm, ss, true; return false })
	return m, s, ok
}

// Scan is one ZSCAN step (see Hash.Scan): a listpack is returned whole
// with cursor 0; the large encoding walks its dict with a reverse-binary
// cursor until count members were seen.
func (z *ZSet) Scan(cursor uint64, count int, fn func(m []byte, score float64)) uint64 {
	if z.lp != nil {
		z.Range(func(m []byte, s float64) bool { fn(m, s); return true })
		return 0
	}
	seen := 0
	for iter := 0; ; iter++ {
		cursor = z.d.Scan(cursor, func(k string, s float64) { fn(strBytes(k), s); seen++ })
		// Like Valkey, at most 10×COUNT buckets per call.
		if cursor == 0 || seen >= count || iter >= 10*count {
			return cursor
		}
	}
}

// Random returns a random member and its score (r is a random number).
func (z *ZSet) Random(r uint64) ([]byte, float64, bool) {
	n := z.Len()
	if n == 0 {
		return nil, 0, false
	}
	if z.lp != nil {
		i := int(r%uint64(n)) * 2
		return z.lp.Get(i), decScore(z.lp.Get(i + 1)), true
	}
	k, s, _ := z.d.Random(r)
	return strBytes(k), s, true
}
