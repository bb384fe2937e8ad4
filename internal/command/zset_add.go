package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// ZADD, ZINCRBY, ZREM and the point queries (ZCARD, ZSCORE, ZMSCORE,
// ZRANK, ZREVRANK).

// zsetLookup is LookupKind for sorted sets, returning the set itself.
func (c *Ctx) zsetLookup(key []byte) (*keyspace.Entry, *types.ZSet, bool) {
	e, ok := c.LookupKind(key, types.KindZSet)
	if e == nil {
		return nil, nil, ok
	}
	return e, e.Obj.(*types.ZSet), true
}

// zsetLookupWrite is zsetLookup before a write.
func (c *Ctx) zsetLookupWrite(key []byte) (*keyspace.Entry, *types.ZSet, bool) {
	e, ok := c.LookupWriteKind(key, types.KindZSet)
	if e == nil {
		return nil, nil, ok
	}
	return e, e.Obj.(*types.ZSet), true
}

// zaddOpts are ZADD's flags.
type zaddOpts struct {
	nx, xx, gt, lt, ch, incr bool
}

func zaddCommand(c *Ctx)    { zaddGeneric(c, false) }
func zincrbyCommand(c *Ctx) { zaddGeneric(c, true) }

// zaddParseOpts reads the leading options (ZINCRBY goes through here too,
// as in Valkey) and returns the index of the first score.
func zaddParseOpts(c *Ctx, o *zaddOpts) int {
	i := 2
	for ; i < len(c.Argv); i++ {
		switch {
		case c.ArgIs(i, "nx"):
			o.nx = true
		case c.ArgIs(i, "xx"):
			o.xx = true
		case c.ArgIs(i, "ch"):
			o.ch = true
		case c.ArgIs(i, "incr"):
			o.incr = true
		case c.ArgIs(i, "gt"):
			o.gt = true
		case c.ArgIs(i, "lt"):
			o.lt = true
		default:
			return i
		}
	}
	return i
}

// zaddCheckOpts applies Valkey's checks, in its order.
func zaddCheckOpts(c *Ctx, o zaddOpts, elements int) bool {
	switch {
	case elements%2 != 0 || elements == 0:
		c.Error(ErrSyntax)
	case o.nx && o.xx:
		c.Error(ErrZSetXXAndNX)
	case (o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt):
		c.Error(ErrZSetGTLTNX)
	case o.incr && elements > 2:
		c.Error(ErrZSetIncrPair)
	default:
		return true
	}
	return false
}

// zaddState is one ZADD's progress: the set being changed and what it did.
type zaddState struct {
	c        *Ctx
	key      []byte
	e        *keyspace.Entry // nil while the key is new
	z        *types.ZSet
	lim      types.Limits
	hint     int // number of pairs, for the encoding decision
	maxLen   int // longest member
	touched  bool
	added    int
	updated  int
	newScore float64
	done     bool // the last pair was processed (not a NOP)
}

// touch prepares an existing set for its first change: the Tx records the
// old size and version first, then the encoding may change for the pairs
// to come (Valkey's zsetTypeMaybeConvert).
func (st *zaddState) touch() {
	if st.touched || st.e == nil {
		return
	}
	st.touched = true
	st.c.Tx.Modify(st.key, st.e)
	st.z.MaybeConvert(st.hint, st.maxLen, st.lim)
}

// apply adds or updates one member as Valkey's zsetAdd; it reports false
// when an increment produces NaN.
func (st *zaddState) apply(o zaddOpts, m []byte, score float64) bool {
	st.done = false
	cur, exists := st.z.Score(m)
	switch {
	case exists:
		if o.nx {
			return true
		}
		if o.incr {
			score += cur
			if math.IsNaN(score) {
				return false
			}
		}
		if (o.lt && score >= cur) || (o.gt && score <= cur) {
			return true
		}
		st.done, st.newScore = true, score
		if score != cur {
			st.touch()
			st.z.Set(m, score, st.lim)
			st.updated++
		}
	case !o.xx:
		st.touch()
		st.z.Set(m, score, st.lim)
		st.added++
		st.done, st.newScore = true, score
	}
	return true
}

func zaddGeneric(c *Ctx, incr bool) {
	o := zaddOpts{incr: incr}
	first := zaddParseOpts(c, &o)
	if !zaddCheckOpts(c, o, len(c.Argv)-first) {
		return
	}
	pairs := (len(c.Argv) - first) / 2
	scores := make([]float64, pairs)
	maxLen := 0
	for j := range scores {
		f, ok := zsetParseFloat(c.Argv[first+2*j])
		if !ok {
			c.Error(ErrNotFloat)
			return
		}
		scores[j] = f
		maxLen = max(maxLen, len(c.Argv[first+2*j+1]))
	}
	key := c.Argv[1]
	e, z, ok := c.zsetLookupWrite(key)
	if !ok {
		return
	}
	st := &zaddState{c: c, key: key, e: e, z: z, lim: c.Node.KS.Limits(), hint: pairs, maxLen: maxLen}
	if e == nil {
		if o.xx {
			zaddReply(c, o, st)
			return
		}
		st.z = types.NewZSetSized(pairs, maxLen, st.lim)
	}
	for j, score := range scores {
		if !st.apply(o, c.Argv[first+2*j+1], score) {
			c.Error(ErrZSetNaN)
			return
		}
	}
	if e == nil {
		// A new set is complete before it enters the keyspace, so its
		// size is accounted at once.
		c.Tx.Set(key, keyspace.NewObject(st.z), false)
	}
	if st.added+st.updated > 0 {
		event := "zadd"
		if o.incr {
			event = "zincr"
		}
		c.Tx.Notify(keyspace.NotifyZSet, event, key)
	}
	zaddReply(c, o, st)
}

func zaddReply(c *Ctx, o zaddOpts, st *zaddState) {
	switch {
	case o.incr && st.done:
		c.W.Double(st.newScore)
	case o.incr:
		c.W.Null()
	case o.ch:
		c.W.Int(int64(st.added + st.updated))
	default:
		c.W.Int(int64(st.added))
	}
}

func zremCommand(c *Ctx) {
	key := c.Argv[1]
	e, z, ok := c.zsetLookupWrite(key)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	deleted, removed := 0, false
	for _, m := range c.Argv[2:] {
		if _, found := z.Score(m); !found {
			continue
		}
		if deleted == 0 {
			c.Tx.Modify(key, e)
		}
		z.Delete(m)
		deleted++
		if z.Len() == 0 {
			c.Tx.Delete(key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		c.Tx.Notify(keyspace.NotifyZSet, "zrem", key)
		if removed {
			c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
		}
	}
	c.W.Int(int64(deleted))
}

func zcardCommand(c *Ctx) {
	_, z, ok := c.zsetLookup(c.Argv[1])
	switch {
	case !ok:
	case z == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(z.Len()))
	}
}

func zscoreCommand(c *Ctx) {
	_, z, ok := c.zsetLookup(c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	if s, found := z.Score(c.Argv[2]); found {
		c.W.Double(s)
	} else {
		c.W.Null()
	}
}

func zmscoreCommand(c *Ctx) {
	_, z, ok := c.zsetLookup(c.Argv[1])
	if !ok {
		return
	}
	c.W.ArrayLen(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		if z == nil {
			c.W.Null()
			continue
		}
		if s, found := z.Score(m); found {
			c.W.Double(s)
		} else {
			c.W.Null()
		}
	}
}

func zrankCommand(c *Ctx)    { zrankGeneric(c, false) }
func zrevrankCommand(c *Ctx) { zrankGeneric(c, true) }

// zrankGeneric is ZRANK/ZREVRANK key member [WITHSCORE] (Valkey's arity
// -3, WITHSCORE since 7.2).
func zrankGeneric(c *Ctx, rev bool) {
	if len(c.Argv) > 4 {
		c.WrongArgs()
		return
	}
	withScore := false
	if len(c.Argv) == 4 {
		if !c.ArgIs(3, "withscore") {
			c.Error(ErrSyntax)
			return
		}
		withScore = true
	}
	_, z, ok := c.zsetLookup(c.Argv[1])
	if !ok {
		return
	}
	var rank int
	var score float64
	found := false
	if z != nil {
		rank, score, found = z.RankScore(c.Argv[2], rev)
	}
	switch {
	case !found && withScore:
		c.W.NullArray()
	case !found:
		c.W.Null()
	case withScore:
		c.W.ArrayLen(2)
		c.W.Int(int64(rank))
		c.W.Double(score)
	default:
		c.W.Int(int64(rank))
	}
}
