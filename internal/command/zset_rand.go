package command

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/shoal-db/shoal/internal/glob"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// ZRANDMEMBER and ZSCAN.

// zrandmemberCommand is ZRANDMEMBER key [count [WITHSCORES]].
func zrandmemberCommand(c *Ctx) {
	if len(c.Argv) >= 3 {
		l, ok := c.zsetRangeLong(2, -math.MaxInt64, math.MaxInt64, "", ErrZSetRandCountRange)
		if !ok {
			return
		}
		if len(c.Argv) > 4 || (len(c.Argv) == 4 && !c.ArgIs(3, "withscores")) {
			c.Error(ErrSyntax)
			return
		}
		withScores := len(c.Argv) == 4
		if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
			c.Error(ErrZSetOutOfRange)
			return
		}
		zrandmemberWithCount(c, l, withScores)
		return
	}
	_, z, ok := c.zsetLookup(c.Argv[1])
	switch {
	case !ok:
	case z == nil:
		c.W.Null()
	default:
		m, _, _ := z.At(rand.IntN(z.Len()))
		c.W.Bulk(m)
	}
}

// zsetPicker reads members by rank; a listpack is read once up front
// (reading one rank walks the listpack).
type zsetPicker struct {
	z     *types.ZSet
	pairs []zsetMember
}

func newZSetPicker(z *types.ZSet) *zsetPicker {
	p := &zsetPicker{z: z}
	if z.IsListpack() {
		z.Range(func(m []byte, s float64) bool {
			p.pairs = append(p.pairs, zsetMember{string(m), s})
			return true
		})
	}
	return p
}

func (p *zsetPicker) write(c *Ctx, i int, withScores bool) {
	if withScores && c.W.Proto >= 3 {
		c.W.ArrayLen(2)
	}
	var s float64
	if p.pairs != nil {
		c.W.BulkString(p.pairs[i].m)
		s = p.pairs[i].s
	} else {
		var m []byte
		m, s, _ = p.z.At(i)
		c.W.Bulk(m)
	}
	if withScores {
		c.W.Double(s)
	}
}

// zrandmemberWithCount follows Valkey's cases: a negative count samples
// with repetition; a count covering the whole set returns it (from the
// highest score down, Valkey's iteration order); otherwise distinct
// members, in set order for a listpack and in random order for a
// skiplist, as Valkey's listpack and hashtable paths give them.
func zrandmemberWithCount(c *Ctx, l int64, withScores bool) {
	_, z, ok := c.zsetLookup(c.Argv[1])
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.W.ArrayLen(0)
		return
	}
	count, unique := l, true
	if l < 0 {
		count, unique = -l, false
	}
	size := int64(z.Len())
	header := func(n int64) {
		if withScores && c.W.Proto < 3 {
			n *= 2
		}
		c.W.ArrayLen(int(n))
	}
	p := newZSetPicker(z)
	switch {
	case !unique || count == 1:
		header(count)
		for i := int64(0); i < count; i++ {
			p.write(c, rand.IntN(int(size)), withScores)
		}
	case count >= size:
		header(size)
		for i := int(size) - 1; i >= 0; i-- {
			p.write(c, i, withScores)
		}
	default:
		header(count)
		idx := zsetSampleDistinct(int(size), int(count))
		if z.IsListpack() {
			slices.Sort(idx)
		}
		for _, i := range idx {
			p.write(c, i, withScores)
		}
	}
}

// zsetSampleDistinct picks k distinct indexes below n (k < n) in random
// order: a partial Fisher-Yates shuffle over a sparse map, so the cost is
// O(k) whatever n is.
func zsetSampleDistinct(n, k int) []int {
	swapped := make(map[int]int, k)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for i := 0; i < k; i++ {
		j := i + rand.IntN(n-i)
		out[i] = at(j)
		swapped[j] = at(i)
	}
	return out
}

// zscanCommand is ZSCAN key cursor [MATCH pattern] [COUNT count]
// [NOSCORES]. As in Valkey the key is looked up before the options are
// parsed, so a missing key answers an empty scan whatever they say.
func zscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrCursor)
		return
	}
	_, z, ok := c.zsetLookup(c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.ArrayLen(2)
		c.W.BulkString("0")
		c.W.ArrayLen(0)
		return
	}
	o, ok := parseCollScanOpts(c, false, true)
	count, pattern, noScores := o.count, o.pattern, o.noScores
	if !ok {
		return
	}
	var out [][]byte
	listpack := z.IsListpack()
	next := z.Scan(cursor, count, func(m []byte, s float64) {
		if pattern != nil && !glob.Match(pattern, m, false) {
			return
		}
		out = append(out, append([]byte(nil), m...))
		if !noScores {
			out = append(out, zscanScore(s, listpack))
		}
	})
	c.W.ArrayLen(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.ArrayLen(len(out))
	for _, b := range out {
		c.W.Bulk(b)
	}
}

// zscanScore formats a score as ZSCAN shows it: a listpack holds scores
// as Valkey's d2string text (integers as integers), which ZSCAN returns
// as is; the skiplist path prints with ld2string's "%.17Lg".
func zscanScore(s float64, listpack bool) []byte {
	if listpack {
		return resp.AppendFloat(nil, s)
	}
	switch {
	case math.IsInf(s, 1):
		return []byte("inf")
	case math.IsInf(s, -1):
		return []byte("-inf")
	}
	return strconv.AppendFloat(nil, s, 'g', 17, 64)
}
