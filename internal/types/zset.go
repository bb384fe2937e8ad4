package types

import (
	"encoding/binary"
	"math"
)

// ZSet is a sorted set: a listpack of (member, score) pairs ordered by
// score then member while small; a Dict (member → score) plus a skiplist
// otherwise. The thresholds are Valkey's zset-max-listpack-entries and
// zset-max-listpack-value, applied when the set grows (zsetAdd) and when
// a command builds a whole new set (zsetTypeCreate, ZUNIONSTORE...).
//
// Members compare as byte strings (memcmp, then length), which is Go's
// string order. Scores are never NaN; the command layer rejects NaN
// before it reaches the set.
type ZSet struct {
	lp  *Listpack
	d   *Dict[float64]
	sl  *skiplist
	mem int64 // bytes of the large encoding's entries
}

// NewZSet returns an empty sorted set for a first member of firstLen
// bytes (NewZSetSized with a size hint of one).
func NewZSet(firstLen int, lim Limits) *ZSet { return NewZSetSized(1, firstLen, lim) }

// NewZSetSized returns an empty sorted set whose encoding suits sizeHint
// members of at most maxLen bytes, as Valkey's zsetTypeCreate.
func NewZSetSized(sizeHint, maxLen int, lim Limits) *ZSet {
	if sizeHint <= lim.ZSetMaxListpackEntries && maxLen <= lim.ZSetMaxListpackValue {
		return &ZSet{lp: &Listpack{}}
	}
	return &ZSet{d: NewDict[float64](sizeHint), sl: newSkiplist()}
}

// Kind implements Object.
func (z *ZSet) Kind() Kind { return KindZSet }

// Encoding implements Object.
func (z *ZSet) Encoding() string {
	if z.lp != nil {
		return "listpack"
	}
	return "skiplist"
}

// IsListpack reports whether the set uses the compact encoding.
func (z *ZSet) IsListpack() bool { return z.lp != nil }

// Len implements Object.
func (z *ZSet) Len() int {
	if z.lp != nil {
		return z.lp.Len() / 2
	}
	return z.d.Len()
}

// MemUsage implements Object.
func (z *ZSet) MemUsage() int64 {
	if z.lp != nil {
		return 48 + z.lp.MemUsage()
	}
	return 128 + int64(len(z.d.buckets))*8 + z.mem
}

// Clone implements Object.
func (z *ZSet) Clone() Object {
	if z.lp != nil {
		return &ZSet{lp: z.lp.Clone()}
	}
	c := &ZSet{d: NewDict[float64](z.d.Len()), sl: newSkiplist()}
	// From the tail: every insertion then stops at the head (Valkey's zsetDup).
	for x := z.sl.tail; x != nil; x = x.backward {
		c.insertLarge(x.member, x.score)
	}
	return c
}

func encScore(f float64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	return b[:]
}

func decScore(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

// memberCost is the bytes one member costs in the large encoding: the
// dict entry, the skiplist node (average 1.33 levels) and the member
// string, which both share.
func memberCost(m string) int64 { return dictEntryOverhead + 80 + AllocSize(len(m)) }

func (z *ZSet) insertLarge(m string, score float64) {
	z.d.Set(m, score)
	z.sl.insert(score, m)
	z.mem += memberCost(m)
}

func (z *ZSet) deleteLarge(m string, score float64) {
	z.d.Delete(m)
	z.sl.delete(score, m)
	z.mem -= memberCost(m)
}

// toLarge converts a listpack to the dict + skiplist encoding, sized for
// hint members.
func (z *ZSet) toLarge(hint int) {
	lp := z.lp
	z.lp, z.d, z.sl = nil, NewDict[float64](max(hint, lp.Len()/2)), newSkiplist()
	var m string
	lp.Range(func(i int, v []byte) bool {
		if i%2 == 0 {
			m = string(v)
		} else {
			z.insertLarge(m, decScore(v))
		}
		return true
	})
}

// MaybeConvert switches a listpack to the large encoding ahead of adding
// sizeHint members of at most maxLen bytes, as Valkey's
// zsetTypeMaybeConvert: ZADD with many pairs converts even when some of
// them turn out to be updates.
func (z *ZSet) MaybeConvert(sizeHint, maxLen int, lim Limits) {
	if z.lp != nil && (sizeHint > lim.ZSetMaxListpackEntries || maxLen > lim.ZSetMaxListpackValue) {
		z.toLarge(sizeHint)
	}
}

// ConvertToListpackIfNeeded switches a large set back to a listpack when
// it fits the thresholds (Valkey's zsetConvertToListpackIfNeeded, used
// for the results of ZUNIONSTORE and friends).
func (z *ZSet) ConvertToListpackIfNeeded(lim Limits) {
	if z.lp != nil || z.d.Len() > lim.ZSetMaxListpackEntries {
		return
	}
	for x := z.sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		if len(x.member) > lim.ZSetMaxListpackValue {
			return
		}
	}
	lp := &Listpack{}
	for x := z.sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		lp.Append([]byte(x.member), encScore(lpScore(x.score)))
	}
	z.lp, z.d, z.sl, z.mem = lp, nil, nil, 0
}

// lpScore is the score as the listpack stores it: Valkey writes integral
// scores as integers there, so a -0 score reads back as 0.
func lpScore(score float64) float64 {
	if score == 0 {
		return 0
	}
	return score
}

// Score returns a member's score.
func (z *ZSet) Score(m []byte) (float64, bool) {
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 {
			return 0, false
		}
		return decScore(z.lp.Get(i + 1)), true
	}
	return z.d.Get(string(m))
}

// Set inserts m with score or moves it to score; it reports whether m is
// new. Adding a member converts a listpack that would exceed the
// thresholds, as Valkey's zsetAdd.
func (z *ZSet) Set(m []byte, score float64, lim Limits) bool {
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 && (z.lp.Len()/2+1 > lim.ZSetMaxListpackEntries || len(m) > lim.ZSetMaxListpackValue) {
			z.toLarge(z.lp.Len()/2 + 1)
		} else {
			if i >= 0 {
				z.lp.Delete(i, 2)
			}
			z.lpInsert(m, score)
			return i < 0
		}
	}
	k := string(m)
	if old, ok := z.d.Get(k); ok {
		if old != score { // -0 == 0: no move, as Valkey
			z.sl.delete(old, k)
			z.sl.insert(score, k)
			z.d.Set(k, score)
		}
		return false
	}
	z.insertLarge(k, score)
	return true
}

// lpInsert puts (m, score) at its ordered position in the listpack.
func (z *ZSet) lpInsert(m []byte, score float64) {
	score = lpScore(score)
	pos := z.lp.Len()
	var cur []byte
	z.lp.Range(func(i int, v []byte) bool {
		if i%2 == 0 {
			cur = v
			return true
		}
		s := decScore(v)
		if s > score || (s == score && string(cur) > string(m)) {
			pos = i - 1
			return false
		}
		return true
	})
	z.lp.Insert(pos, encScore(score))
	z.lp.Insert(pos, m)
}

// Delete removes m and reports whether it was present.
func (z *ZSet) Delete(m []byte) bool {
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 {
			return false
		}
		z.lp.Delete(i, 2)
		return true
	}
	k := string(m)
	score, ok := z.d.Get(k)
	if !ok {
		return false
	}
	z.deleteLarge(k, score)
	return true
}

// Rank returns m's 0-based rank (from the top when rev).
func (z *ZSet) Rank(m []byte, rev bool) (int, bool) {
	r, _, ok := z.RankScore(m, rev)
	return r, ok
}

// RankScore returns m's 0-based rank (from the top when rev) and score.
func (z *ZSet) RankScore(m []byte, rev bool) (int, float64, bool) {
	var r int
	var score float64
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 {
			return 0, 0, false
		}
		r, score = i/2, decScore(z.lp.Get(i+1))
	} else {
		var ok bool
		score, ok = z.d.Get(string(m))
		if !ok {
			return 0, 0, false
		}
		r = z.sl.rank(score, string(m)) - 1
	}
	if rev {
		r = z.Len() - 1 - r
	}
	return r, score, true
}

// Pop removes and returns the member with the lowest score (the highest
// when highest is set).
func (z *ZSet) Pop(highest bool) ([]byte, float64, bool) {
	n := z.Len()
	if n == 0 {
		return nil, 0, false
	}
	if z.lp != nil {
		i := 0
		if highest {
			i = 2 * (n - 1)
		}
		m := append([]byte(nil), z.lp.Get(i)...)
		s := decScore(z.lp.Get(i + 1))
		z.lp.Delete(i, 2)
		return m, s, true
	}
	x := z.sl.head.level[0].forward
	if highest {
		x = z.sl.tail
	}
	m, s := x.member, x.score
	z.deleteLarge(m, s)
	return []byte(m), s, true
}

// DeleteRangeByRank removes ranks start..stop (0-based, inclusive,
// clamped by the caller) and returns how many were removed.
func (z *ZSet) DeleteRangeByRank(start, stop int) int {
	n := z.Len()
	if start < 0 || stop >= n || start > stop {
		return 0
	}
	count := stop - start + 1
	if z.lp != nil {
		z.lp.Delete(2*start, 2*count)
		return count
	}
	x := z.sl.byRank(start + 1)
	for k := 0; k < count && x != nil; k++ {
		next := x.level[0].forward
		z.deleteLarge(x.member, x.score)
		x = next
	}
	return count
}
