package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// llenCommand is LLEN key.
func llenCommand(c *Ctx) {
	_, l, ok := listLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(l.Len()))
}

// listRange resolves LRANGE / LTRIM indexes against a list of n elements:
// negative indexes count from the end, and the range is clamped. empty
// reports a range with no element.
func listRange(start, end int64, n int) (from, to int, empty bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	start = max(start, 0)
	if start > end || start >= ln {
		return 0, 0, true
	}
	return int(start), int(min(end, ln-1)), false
}

// lrangeCommand is LRANGE key start stop.
func lrangeCommand(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	_, l, ok := listLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.ArrayLen(0)
		return
	}
	from, to, empty := listRange(start, end, l.Len())
	if empty {
		c.W.ArrayLen(0)
		return
	}
	c.W.ArrayLen(to - from + 1)
	l.Range(from, to, func(_ int, v []byte) bool {
		c.W.Bulk(v)
		return true
	})
}

// lindexCommand is LINDEX key index.
func lindexCommand(c *Ctx) {
	_, l, ok := listLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	index, ok := c.Int(2)
	if !ok {
		return
	}
	i, in := listIndex(index, l.Len())
	if !in {
		c.W.Null()
		return
	}
	v, _ := l.Index(i)
	c.W.Bulk(v)
}

// ltrimCommand is LTRIM key start stop.
func ltrimCommand(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	key := c.Argv[1]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		c.W.OK()
		return
	}
	n := l.Len()
	ltrim, rtrim := n, 0
	if from, to, empty := listRange(start, end, n); !empty {
		ltrim, rtrim = from, n-to-1
	}
	if ltrim+rtrim > 0 {
		// Valkey counts a change (WATCH, dirty, propagation) only when
		// something was trimmed.
		c.Tx.Modify(key, e)
		l.Trim(ltrim, rtrim, listLimits(c))
	}
	c.Tx.Notify(keyspace.NotifyList, "ltrim", key)
	listDeleteIfEmpty(c, key, l)
	c.W.OK()
}

// lremCommand is LREM key count element.
func lremCommand(c *Ctx) {
	count, ok := listRangeLong(c, 2, -math.MaxInt64, math.MaxInt64, "")
	if !ok {
		return
	}
	key, elem := c.Argv[1], c.Argv[3]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil || l.Find(elem) < 0 {
		c.W.Int(0)
		return
	}
	c.Tx.Modify(key, e)
	removed := l.Remove(int(count), elem, listLimits(c))
	c.Tx.Notify(keyspace.NotifyList, "lrem", key)
	listDeleteIfEmpty(c, key, l)
	c.W.Int(int64(removed))
}

// lposArgs are LPOS's options: count -1 means COUNT was not given.
type lposArgs struct {
	rank, count, maxlen int64
}

func parseLpos(c *Ctx) (lposArgs, bool) {
	a := lposArgs{rank: 1, count: -1}
	var ok bool
	for j := 3; j < len(c.Argv); j++ {
		more := j+1 < len(c.Argv)
		switch {
		case c.ArgIs(j, "rank") && more:
			j++
			if a.rank, ok = listRangeLong(c, j, -math.MaxInt64, math.MaxInt64, ""); !ok {
				return a, false
			}
			if a.rank == 0 {
				c.Error(ErrListRankZero)
				return a, false
			}
		case c.ArgIs(j, "count") && more:
			j++
			if a.count, ok = listPositive(c, j, ErrListCountNegative); !ok {
				return a, false
			}
		case c.ArgIs(j, "maxlen") && more:
			j++
			if a.maxlen, ok = listPositive(c, j, ErrListMaxlenNegative); !ok {
				return a, false
			}
		default:
			c.Error(ErrSyntax)
			return a, false
		}
	}
	return a, true
}

// lposCommand is LPOS key element [RANK rank] [COUNT num-matches]
// [MAXLEN len]: the indexes of matches, scanning from the head (or from
// the tail for a negative rank), skipping rank-1 matches, looking at no
// more than maxlen elements.
func lposCommand(c *Ctx) {
	a, ok := parseLpos(c)
	if !ok {
		return
	}
	_, l, ok := listLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if l == nil {
		if a.count != -1 {
			c.W.ArrayLen(0)
		} else {
			c.W.Null()
		}
		return
	}
	elem := c.Argv[2]
	fromTail := a.rank < 0
	rank := a.rank
	if fromTail {
		rank = -rank
	}
	var found []int64
	var matches, scanned int64
	visit := func(i int, v []byte) bool {
		if a.maxlen != 0 && scanned >= a.maxlen {
			return false
		}
		scanned++
		if string(v) != string(elem) {
			return true
		}
		matches++
		if matches < rank {
			return true
		}
		found = append(found, int64(i))
		return a.count != -1 && (a.count == 0 || int64(len(found)) < a.count)
	}
	if fromTail {
		l.RangeRev(0, l.Len()-1, visit)
	} else {
		l.Range(0, l.Len()-1, visit)
	}
	if a.count != -1 {
		c.W.ArrayLen(len(found))
		for _, i := range found {
			c.W.Int(i)
		}
		return
	}
	if len(found) == 0 {
		c.W.Null()
		return
	}
	c.W.Int(found[0])
}
