package command

import (
	"math"
	"math/big"
	"strconv"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func incrCommand(c *Ctx) { strIncrDecr(c, 1) }

func decrCommand(c *Ctx) { strIncrDecr(c, -1) }

func incrbyCommand(c *Ctx) {
	if n, ok := c.Int(2); ok {
		strIncrDecr(c, n)
	}
}

func decrbyCommand(c *Ctx) {
	n, ok := c.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.Error(ErrDecrOverflow)
		return
	}
	strIncrDecr(c, -n)
}

// strIncrDecr is Valkey's incrDecrCommand: the key's value must be the
// canonical decimal form of an int64; a missing key counts as 0; the TTL
// is kept. The command propagates as received (it is deterministic).
func strIncrDecr(c *Ctx, incr int64) {
	key := c.Argv[1]
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return
	}
	var value int64
	if e != nil {
		if value, ok = types.ParseInt(e.Str); !ok {
			c.Error(ErrNotInt)
			return
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.Error(ErrOverflow)
		return
	}
	value += incr
	switch {
	case e == nil:
		var buf [20]byte
		c.Tx.SetString(key, strconv.AppendInt(buf[:0], value, 10), false)
	case e.Encoding() == "raw":
		// Valkey builds a fresh integer object in this case, so the value
		// reports "int" again.
		var buf [20]byte
		c.Tx.SetString(key, strconv.AppendInt(buf[:0], value, 10), true)
	default:
		c.Tx.Modify(key, e)
		e.Str = strconv.AppendInt(e.Str[:0], value, 10)
	}
	c.Tx.Notify(keyspace.NotifyString, "incrby", key)
	c.W.Int(value)
}

// incrbyfloatCommand is INCRBYFLOAT key increment, computed in long double
// precision as Valkey does (see strings_float.go), and propagated as
// SET key <result> KEEPTTL so replicas never redo float arithmetic.
func incrbyfloatCommand(c *Ctx) {
	key := c.Argv[1]
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return
	}
	cur := strLDValue{f: new(big.Float)}
	if e != nil {
		if cur, ok = strParseLongDouble(e.Str); !ok {
			c.Error(ErrNotFloat)
			return
		}
	}
	incr, ok := strParseLongDouble(c.Argv[2])
	if !ok {
		c.Error(ErrNotFloat)
		return
	}
	sum, ok := strAddLongDouble(cur, incr)
	if !ok {
		c.Error(ErrIncrFloatNaN)
		return
	}
	val := strFormatLongDouble(sum)
	c.Tx.SetString(key, val, true)
	c.Tx.Notify(keyspace.NotifyString, "incrbyfloat", key)
	c.W.Bulk(val)
	c.Tx.Propagate([]byte(strTokSet), key, val, []byte(strTokKeepTTL))
}
