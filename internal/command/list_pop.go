package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// Propagated command names: pops that choose their key (LMPOP, the
// blocking pops) are replicated as the plain pop they turned into.
var (
	listTokLPOP      = []byte("LPOP")
	listTokRPOP      = []byte("RPOP")
	listTokLMOVE     = []byte("LMOVE")
	listTokRPOPLPUSH = []byte("RPOPLPUSH")
)

func listPopToken(left bool) []byte {
	if left {
		return listTokLPOP
	}
	return listTokRPOP
}

// listRangeLong parses argument i as Valkey's getRangeLongFromObjectOrReply:
// msg (when set) replaces both the not-an-integer and the out-of-range
// errors.
func listRangeLong(c *Ctx, i int, lo, hi int64, msg string) (int64, bool) {
	n, ok := types.ParseInt(c.Argv[i])
	if !ok {
		if msg == "" {
			msg = ErrNotInt
		}
		c.Error(msg)
		return 0, false
	}
	if n < lo || n > hi {
		if msg == "" {
			msg = ErrListLongOutOfRange
		}
		c.Error(msg)
		return 0, false
	}
	return n, true
}

// listPositive is getPositiveLongFromObjectOrReply.
func listPositive(c *Ctx, i int, msg string) (int64, bool) {
	if msg == "" {
		msg = ErrListMustBePositive
	}
	return listRangeLong(c, i, 0, math.MaxInt64, msg)
}

// listPopCommand is LPOP / RPOP key [count]. Without count it replies a
// bulk (null for a missing key); with count an array (a null array for a
// missing key, an empty one for count 0).
func listPopCommand(c *Ctx, left bool) {
	if len(c.Argv) > 3 {
		c.WrongArgs()
		return
	}
	hasCount := len(c.Argv) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = listPositive(c, 2, ""); !ok {
			return
		}
	}
	key := c.Argv[1]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	switch {
	case e == nil && hasCount:
		c.W.NullArray()
		return
	case e == nil:
		c.W.Null()
		return
	case hasCount && count == 0:
		c.W.ArrayLen(0)
		return
	}
	c.Tx.Modify(key, e)
	if !hasCount {
		v, _ := l.Take(left)
		listRemoved(c, key, l, listPopEvent(left))
		c.W.Bulk(v)
		return
	}
	listReplyElems(c, l.PopN(int(min(count, int64(l.Len()))), left, listLimits(c)))
	listRemoved(c, key, l, listPopEvent(left))
}

func listReplyElems(c *Ctx, vs [][]byte) {
	c.W.ArrayLen(len(vs))
	for _, v := range vs {
		c.W.Bulk(v)
	}
}

// listMPopArgs are the parsed arguments of LMPOP / BLMPOP.
type listMPopArgs struct {
	keys  [][]byte
	left  bool
	count int64
}

// parseListMPop parses numkeys at argv[idx], the keys, LEFT|RIGHT and an
// optional COUNT, in Valkey's order.
func parseListMPop(c *Ctx, idx int) (listMPopArgs, bool) {
	var a listMPopArgs
	numkeys, ok := listRangeLong(c, idx, 1, math.MaxInt64, ErrListNumkeys)
	if !ok {
		return a, false
	}
	if numkeys >= int64(len(c.Argv)) || idx+int(numkeys)+1 >= len(c.Argv) {
		c.Error(ErrSyntax)
		return a, false
	}
	whereIdx := idx + int(numkeys) + 1
	a.keys = c.Argv[idx+1 : whereIdx]
	if a.left, ok = listWhere(c, whereIdx); !ok {
		return a, false
	}
	a.count = -1
	for j := whereIdx + 1; j < len(c.Argv); j++ {
		if a.count == -1 && c.ArgIs(j, "count") && j+1 < len(c.Argv) {
			j++
			if a.count, ok = listRangeLong(c, j, 1, math.MaxInt64, ErrListCountPositive); !ok {
				return a, false
			}
			continue
		}
		c.Error(ErrSyntax)
		return a, false
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, true
}

// listPopFirst pops from the first non-empty list among keys: count
// elements as [key, [elements]] when count >= 0, else one element as
// [key, element]. It propagates the plain pop it performed. It reports
// whether it replied (popped, or WRONGTYPE).
func listPopFirst(c *Ctx, keys [][]byte, left bool, count int64) bool {
	for _, key := range keys {
		e, l, ok := listLookup(c, key, true)
		if !ok {
			return true
		}
		if e == nil || l.Len() == 0 {
			continue
		}
		c.Tx.Modify(key, e)
		c.W.ArrayLen(2)
		c.W.Bulk(key)
		if count < 0 {
			v, _ := l.Take(left)
			listRemoved(c, key, l, listPopEvent(left))
			c.W.Bulk(v)
			c.Tx.Propagate(listPopToken(left), key)
			return true
		}
		n := int(min(count, int64(l.Len())))
		listReplyElems(c, l.PopN(n, left, listLimits(c)))
		listRemoved(c, key, l, listPopEvent(left))
		c.Tx.Propagate(listPopToken(left), key, formatInt(int64(n)))
		return true
	}
	return false
}

// lmpopCommand is LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count].
func lmpopCommand(c *Ctx) {
	a, ok := parseListMPop(c, 1)
	if !ok {
		return
	}
	if !listPopFirst(c, a.keys, a.left, a.count) {
		c.W.NullArray()
	}
}

// lmoveCommand is LMOVE source destination LEFT|RIGHT LEFT|RIGHT.
func lmoveCommand(c *Ctx) {
	from, ok := listWhere(c, 3)
	if !ok {
		return
	}
	to, ok := listWhere(c, 4)
	if !ok {
		return
	}
	listMove(c, from, to)
}

// rpoplpushCommand is RPOPLPUSH source destination.
func rpoplpushCommand(c *Ctx) { listMove(c, false, true) }

// listMove pops from argv[1] and pushes to argv[2], as Valkey's
// lmoveGenericCommand: a missing source replies null; the destination's
// type is checked before anything is popped; the push (and its event)
// comes before the source's pop event and possible deletion, so a list
// rotated onto itself is never deleted. It reports whether it moved.
func listMove(c *Ctx, fromLeft, toLeft bool) bool {
	src, dst := c.Argv[1], c.Argv[2]
	se, sl, ok := listLookup(c, src, true)
	if !ok {
		return false
	}
	if se == nil || sl.Len() == 0 {
		c.W.Null()
		return false
	}
	de, dl, ok := listLookup(c, dst, true)
	if !ok {
		return false
	}
	lim := listLimits(c)
	c.Tx.Modify(src, se)
	v, _ := sl.Take(fromLeft)
	switch {
	case de == nil:
		dl = types.NewList()
		dl.Push(v, toLeft, lim)
		c.Tx.Set(dst, keyspace.NewObject(dl), false)
	case de == se:
		dl.Push(v, toLeft, lim)
	default:
		c.Tx.Modify(dst, de)
		dl.Push(v, toLeft, lim)
	}
	c.Tx.Notify(keyspace.NotifyList, listPushEvent(toLeft), dst)
	c.W.Bulk(v)
	listRemoved(c, src, sl, listPopEvent(fromLeft))
	return true
}
