package command

import (
	"math"
	"math/big"
	"strconv"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// hincrbyCommand is HINCRBY key field increment. A live field keeps its
// TTL; an expired one counts as missing (and its overwrite as an
// expiration). On a hash with volatile fields the result is propagated as
// HSET (or HSETEX ... PXAT when the field has a TTL), because a replica
// may not see the same field state.
func hincrbyCommand(c *Ctx) {
	incr, ok := c.Int(3)
	if !ok {
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	now := c.Now()
	var value int64
	at := types.NoExpiry
	if t.h != nil {
		if v, live := t.h.Get(field, now); live {
			if value, ok = types.ParseInt(v); !ok {
				c.Error(ErrHashNotInt)
				return
			}
			at, _ = t.h.FieldTTL(field, now)
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.Error(ErrOverflow)
		return
	}
	value += incr
	val := strconv.AppendInt(nil, value, 10)
	hadVolatile := hashStore(c, &t, field, val, at, hashEvHIncrBy)
	c.W.Int(value)
	if hadVolatile {
		hashPropagateSet(c, key, field, val, at)
	}
}

// hincrbyfloatCommand is HINCRBYFLOAT key field increment, in long double
// precision like INCRBYFLOAT (strings_float.go). It always propagates as
// HSET (or HSETEX ... PXAT) with the result so replicas never redo float
// arithmetic.
func hincrbyfloatCommand(c *Ctx) {
	incr, ok := strParseLongDouble(c.Argv[3])
	if !ok {
		c.Error(ErrNotFloat)
		return
	}
	if incr.inf != 0 {
		c.Error(ErrHashIncrNaN)
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	now := c.Now()
	cur := strLDValue{f: new(big.Float)}
	at := types.NoExpiry
	if t.h != nil {
		if v, live := t.h.Get(field, now); live {
			if cur, ok = strParseLongDouble(v); !ok {
				c.Error(ErrHashNotFloat)
				return
			}
			at, _ = t.h.FieldTTL(field, now)
		}
	}
	sum, ok := strAddLongDouble(cur, incr)
	if !ok {
		c.Error(ErrIncrFloatNaN)
		return
	}
	val := strFormatLongDouble(sum)
	hashStore(c, &t, field, val, at, hashEvHIncrFloat)
	c.W.Bulk(val)
	hashPropagateSet(c, key, field, val, at)
}

// hashStore writes field=val with expiry at into the (possibly new) hash
// of a counter command and notifies event. It reports whether the hash
// had volatile fields before the write.
func hashStore(c *Ctx, t *hashTarget, field, val []byte, at int64, event string) (hadVolatile bool) {
	t.create()
	t.touch(c)
	hadVolatile = t.h.VolatileFields() > 0
	_, expired := t.h.Put(field, val, at, at != types.NoExpiry, c.Now(), c.Node.KS.Limits())
	t.done(c)
	if expired {
		hashCountExpiredOverwrites(c, t.key, 1)
	}
	c.Tx.Notify(keyspace.NotifyHash, event, t.key)
	return hadVolatile
}

// hashPropagateSet propagates a counter's result: HSET key field val, or
// HSETEX key PXAT at FIELDS 1 field val to keep the field's TTL.
func hashPropagateSet(c *Ctx, key, field, val []byte, at int64) {
	if at == types.NoExpiry {
		c.Tx.Propagate([]byte(hashTokHSet), key, field, val)
		return
	}
	c.Tx.Propagate([]byte(hashTokHSetEx), key, []byte(hashTokPXAT), formatInt(at),
		[]byte(hashTokFields), []byte("1"), field, val)
}
