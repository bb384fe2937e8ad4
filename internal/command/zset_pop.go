package command

import (
	"math"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP,
// following Valkey's genericZpopCommand. Blocking pops propagate as the
// non-blocking pop of the key they served (ZPOPMIN key [count]) and ZMPOP
// as ZPOPMIN/ZPOPMAX key count, so replicas replay exactly what happened.

// zpopShape selects one of Valkey's four reply layouts.
type zpopShape struct {
	emitKey bool // BZPOP*, ZMPOP, BZMPOP: the key comes first
	nested  bool // [member, score] pairs (ZPOP* with count in RESP3, ZMPOP)
}

func zpopminCommand(c *Ctx) { zpopMinMax(c, false) }
func zpopmaxCommand(c *Ctx) { zpopMinMax(c, true) }

// zpopMinMax is ZPOPMIN/ZPOPMAX key [count].
func zpopMinMax(c *Ctx, highest bool) {
	if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.Argv) == 3 {
		var ok bool
		if count, ok = c.zsetRangeLong(2, 0, math.MaxInt64, ErrZSetPositive, ""); !ok {
			return
		}
	}
	shape := zpopShape{nested: c.W.Proto >= 3 && count != -1}
	zpopGeneric(c, c.Argv[1:2], highest, count, shape, false)
}

// zpopGeneric pops from the first existing key of keys (a WRONGTYPE key
// before it is an error) and replies in the given shape. It returns the
// key it popped from and how many members it took.
func zpopGeneric(c *Ctx, keys [][]byte, highest bool, count int64, shape zpopShape, nilWhenEmpty bool) ([]byte, int) {
	var key []byte
	var e *keyspace.Entry
	var z *types.ZSet
	for _, k := range keys {
		var ok bool
		if e, z, ok = c.zsetLookupWrite(k); !ok {
			return nil, 0
		}
		if e != nil {
			key = k
			break
		}
	}
	switch {
	case e == nil && nilWhenEmpty:
		c.W.NullArray()
		return nil, 0
	case e == nil || count == 0:
		c.W.ArrayLen(0)
		return nil, 0
	}
	if count == -1 {
		count = 1
	}
	n := int(min(count, int64(z.Len())))
	c.Tx.Modify(key, e)
	event := "zpopmin"
	if highest {
		event = "zpopmax"
	}
	c.Tx.Notify(keyspace.NotifyZSet, event, key)
	zpopHeader(c.W, shape, key, n)
	for i := 0; i < n; i++ {
		m, s, _ := z.Pop(highest)
		if shape.nested {
			c.W.ArrayLen(2)
		}
		c.W.Bulk(m)
		c.W.Double(s)
	}
	if z.Len() == 0 {
		c.Tx.Delete(key)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
	}
	return key, n
}

// zpopHeader writes the reply's outer arrays (Valkey's addZpopInitialReply).
func zpopHeader(w *resp.Writer, shape zpopShape, key []byte, n int) {
	switch {
	case !shape.emitKey && !shape.nested:
		w.ArrayLen(2 * n)
	case !shape.emitKey:
		w.ArrayLen(n)
	case !shape.nested:
		w.ArrayLen(2*n + 1)
		w.Bulk(key)
	default:
		w.ArrayLen(2)
		w.Bulk(key)
		w.ArrayLen(n)
	}
}

// zpopPropagate records the pop of n members from key as ZPOPMIN/ZPOPMAX
// key [n].
func zpopPropagate(c *Ctx, key []byte, highest bool, n int, withCount bool) {
	name := []byte("ZPOPMIN")
	if highest {
		name = []byte("ZPOPMAX")
	}
	if withCount {
		c.Tx.Propagate(name, key, []byte(strconv.Itoa(n)))
	} else {
		c.Tx.Propagate(name, key)
	}
}

// zmpopReq is a parsed ZMPOP/BZMPOP.
type zmpopReq struct {
	keys    [][]byte
	highest bool
	count   int64
}

// zmpopParse reads numkeys key... MIN|MAX [COUNT count] with numkeys at
// argv[numIdx].
func zmpopParse(c *Ctx, numIdx int) (zmpopReq, bool) {
	var req zmpopReq
	n, ok := c.zsetRangeLong(numIdx, 1, math.MaxInt64, ErrZSetNumkeys, "")
	if !ok {
		return req, false
	}
	if n > int64(len(c.Argv)-numIdx-2) {
		c.Error(ErrSyntax)
		return req, false
	}
	whereIdx := numIdx + int(n) + 1
	switch {
	case c.ArgIs(whereIdx, "min"):
	case c.ArgIs(whereIdx, "max"):
		req.highest = true
	default:
		c.Error(ErrSyntax)
		return req, false
	}
	req.count = -1
	for j := whereIdx + 1; j < len(c.Argv); j++ {
		if req.count == -1 && c.ArgIs(j, "count") && j+1 < len(c.Argv) {
			j++
			if req.count, ok = c.zsetRangeLong(j, 1, math.MaxInt64, ErrZSetCount, ""); !ok {
				return req, false
			}
			continue
		}
		c.Error(ErrSyntax)
		return req, false
	}
	if req.count == -1 {
		req.count = 1
	}
	req.keys = c.Argv[numIdx+1 : whereIdx]
	return req, true
}

func zmpopCommand(c *Ctx) {
	req, ok := zmpopParse(c, 1)
	if !ok {
		return
	}
	key, n := zpopGeneric(c, req.keys, req.highest, req.count, zpopShape{emitKey: true, nested: true}, true)
	if n > 0 {
		zpopPropagate(c, key, req.highest, n, true)
	}
}

func bzpopminCommand(c *Ctx) { bzpopMinMax(c, false) }
func bzpopmaxCommand(c *Ctx) { bzpopMinMax(c, true) }

// bzpopMinMax is BZPOPMIN/BZPOPMAX key [key ...] timeout.
func bzpopMinMax(c *Ctx, highest bool) {
	timeout, ok := c.zsetParseTimeout(len(c.Argv) - 1)
	if !ok {
		return
	}
	keys := c.Argv[1 : len(c.Argv)-1]
	zblockingPop(c, keys, highest, -1, zpopShape{emitKey: true}, timeout)
}

func bzmpopCommand(c *Ctx) {
	req, ok := zmpopParse(c, 2)
	if !ok {
		return
	}
	timeout, ok := c.zsetParseTimeout(1)
	if !ok {
		return
	}
	zblockingPop(c, req.keys, req.highest, req.count, zpopShape{emitKey: true, nested: true}, timeout)
}

// zblockingPop serves the first non-empty sorted set among keys (every
// existing key before it must be a sorted set), or blocks on all of them.
// count -1 is BZPOPMIN's single pop, propagated without a count.
func zblockingPop(c *Ctx, keys [][]byte, highest bool, count int64, shape zpopShape, timeout time.Duration) {
	for _, k := range keys {
		e, _, ok := c.zsetLookupWrite(k)
		if !ok {
			return
		}
		if e == nil {
			continue
		}
		_, n := zpopGeneric(c, [][]byte{k}, highest, count, shape, true)
		zpopPropagate(c, k, highest, n, count != -1)
		return
	}
	if !c.CanBlock() {
		c.W.NullArray()
		return
	}
	c.Block(keys, timeout, func(w *resp.Writer) { w.NullArray() })
}
