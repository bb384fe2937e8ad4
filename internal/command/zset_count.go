package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// ZCOUNT, ZLEXCOUNT and ZREMRANGEBY{RANK,SCORE,LEX}. The range is parsed
// before the key is looked up, so a bad range is reported even for a key
// of another type.

func zcountCommand(c *Ctx) {
	r, ok := zsetParseScoreRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrZSetMinMaxFloat)
		return
	}
	_, z, ok := c.zsetLookup(c.Argv[1])
	switch {
	case !ok:
	case z == nil:
		c.W.Int(0)
	default:
		lo, hi := z.ScoreBounds(r)
		c.W.Int(int64(hi - lo))
	}
}

func zlexcountCommand(c *Ctx) {
	r, ok := zsetParseLexRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrZSetMinMaxLex)
		return
	}
	_, z, ok := c.zsetLookup(c.Argv[1])
	switch {
	case !ok:
	case z == nil:
		c.W.Int(0)
	default:
		lo, hi := z.LexBounds(r)
		c.W.Int(int64(hi - lo))
	}
}

func zremrangebyrankCommand(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	zremrangeGeneric(c, "zremrangebyrank", func(z *types.ZSet) (int, int) {
		s, e, ok := zsetClampRanks(start, end, int64(z.Len()))
		if !ok {
			return 0, 0
		}
		return int(s), int(e) + 1
	})
}

func zremrangebyscoreCommand(c *Ctx) {
	r, ok := zsetParseScoreRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrZSetMinMaxFloat)
		return
	}
	zremrangeGeneric(c, "zremrangebyscore", func(z *types.ZSet) (int, int) { return z.ScoreBounds(r) })
}

func zremrangebylexCommand(c *Ctx) {
	r, ok := zsetParseLexRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(ErrZSetMinMaxLex)
		return
	}
	zremrangeGeneric(c, "zremrangebylex", func(z *types.ZSet) (int, int) { return z.LexBounds(r) })
}

// zremrangeGeneric removes the ranks [lo, hi) that bounds selects from
// the set at argv[1].
func zremrangeGeneric(c *Ctx, event string, bounds func(z *types.ZSet) (lo, hi int)) {
	key := c.Argv[1]
	e, z, ok := c.zsetLookupWrite(key)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	lo, hi := bounds(z)
	if hi <= lo {
		c.W.Int(0)
		return
	}
	c.Tx.Modify(key, e)
	deleted := z.DeleteRangeByRank(lo, hi-1)
	c.Tx.Notify(keyspace.NotifyZSet, event, key)
	if z.Len() == 0 {
		c.Tx.Delete(key)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
	}
	c.W.Int(int64(deleted))
}
