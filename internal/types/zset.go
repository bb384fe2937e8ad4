package types

import (
	"encoding/binary"
	"math"
)

// ScoreRange is a ZRANGEBYSCORE interval; MinEx/MaxEx mark "(" bounds.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

func (r ScoreRange) aboveMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

func (r ScoreRange) belowMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// Contains reports whether s lies in the interval.
func (r ScoreRange) Contains(s float64) bool { return r.aboveMin(s) && r.belowMax(s) }

// LexRange is a ZRANGEBYLEX interval. MinInf is "-", MaxInf is "+".
type LexRange struct {
	Min, Max       string
	MinEx, MaxEx   bool
	MinInf, MaxInf bool
	MinPosInf      bool // min is "+": empty range
	MaxNegInf      bool // max is "-": empty range
}

func (r LexRange) aboveMin(m string) bool {
	switch {
	case r.MinPosInf:
		return false
	case r.MinInf:
		return true
	case r.MinEx:
		return m > r.Min
	}
	return m >= r.Min
}

func (r LexRange) belowMax(m string) bool {
	switch {
	case r.MaxNegInf:
		return false
	case r.MaxInf:
		return true
	case r.MaxEx:
		return m < r.Max
	}
	return m <= r.Max
}

// Contains reports whether m lies in the interval.
func (r LexRange) Contains(m string) bool { return r.aboveMin(m) && r.belowMax(m) }

// ZSet is a sorted set: a listpack of (member, score) pairs ordered by
// score then member while small; a Dict (member → score) plus a skiplist
// otherwise.
type ZSet struct {
	lp  *Listpack
	d   *Dict[float64]
	sl  *skiplist
	mem int64
}

// NewZSet returns an empty sorted set whose encoding suits its first
// member.
func NewZSet(firstLen int, lim Limits) *ZSet {
	if lim.ZSetMaxListpackEntries > 0 && firstLen <= lim.ZSetMaxListpackValue {
		return &ZSet{lp: &Listpack{}}
	}
	return &ZSet{d: NewDict[float64](0), sl: newSkiplist()}
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
	for x := z.sl.head.level[0].forward; x != nil; x = x.level[0].forward {
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

func (z *ZSet) toLarge() {
	lp := z.lp
	z.lp, z.d, z.sl = nil, NewDict[float64](lp.Len()/2), newSkiplist()
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

// Set inserts m with score or moves it to score; it reports whether m is new.
func (z *ZSet) Set(m []byte, score float64, lim Limits) bool {
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 && (z.lp.Len()/2+1 > lim.ZSetMaxListpackEntries || len(m) > lim.ZSetMaxListpackValue) {
			z.toLarge()
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
		if old != score {
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
	z.d.Delete(k)
	z.sl.delete(score, k)
	z.mem -= memberCost(k)
	return true
}

// Rank returns m's 0-based rank (from the top when rev).
func (z *ZSet) Rank(m []byte, rev bool) (int, bool) {
	var r int
	if z.lp != nil {
		i := z.lp.Find(m, 2)
		if i < 0 {
			return 0, false
		}
		r = i / 2
	} else {
		score, ok := z.d.Get(string(m))
		if !ok {
			return 0, false
		}
		r = z.sl.rank(score, string(m)) - 1
	}
	if rev {
		r = z.Len() - 1 - r
	}
	return r, true
}
