package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// setPropBatch is how many members one propagated SREM carries when SPOP
// pops many (Valkey's batch size).
const setPropBatch = 1024

// spopMoveStrategyMul: SPOP with a count builds a new set from the
// survivors instead of popping one by one once fewer than 1/5 of the
// popped count would remain (Valkey's SPOP_MOVE_STRATEGY_MUL).
const spopMoveStrategyMul = 5

// spopCommand is SPOP key [count]. The random choice is propagated as its
// effect: SREM key member, or for a count, SREMs of the popped members in
// batches, or UNLINK/DEL when the whole set goes.
func spopCommand(c *Ctx) {
	if len(c.Argv) == 3 {
		spopWithCount(c)
		return
	}
	if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupWriteKind(key, types.KindSet)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	s := setOf(e)
	c.Tx.Modify(key, e)
	m, _ := s.Random()
	s.Remove(m)
	c.Tx.Notify(keyspace.NotifySet, "spop", key)
	c.Tx.Propagate([]byte("SREM"), key, m)
	c.W.Bulk(m)
	if s.Len() == 0 {
		c.Tx.Delete(key)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
	}
}

func spopWithCount(c *Ctx) {
	n, ok := types.ParseInt(c.Argv[2])
	if !ok || n < 0 {
		c.Error(ErrSetCountPositive)
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupWriteKind(key, types.KindSet)
	if !ok {
		return
	}
	if e == nil || n == 0 {
		c.W.SetLen(0)
		return
	}
	s := setOf(e)
	size := int64(s.Len())
	c.Tx.Notify(keyspace.NotifySet, "spop", key)
	c.Tx.Modify(key, e)
	if n >= size {
		// The whole set: reply with it and delete the key.
		c.W.SetLen(int(size))
		s.Range(func(m []byte) bool { c.W.Bulk(m); return true })
		c.Tx.Delete(key)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
		del := "DEL"
		if c.Node.Config.Bool("lazyfree-lazy-server-del") {
			del = "UNLINK"
		}
		c.Tx.Propagate([]byte(del), key)
		return
	}
	count := int(n)
	c.W.SetLen(count)
	prop := setNewPropagator(c, key, count)
	if remaining := size - n; remaining*spopMoveStrategyMul > n {
		for _, m := range s.PickDistinct(count) {
			s.Remove(m)
			c.W.Bulk(m)
			prop.add(m)
		}
	} else {
		// Most of the set goes: pick the survivors into a new, compact
		// set and hand the old one to the client.
		lim := c.Node.KS.Limits()
		survivors := s.SmallTwin()
		for _, m := range s.PickDistinct(int(remaining)) {
			survivors.Add(m, lim)
			s.Remove(m)
		}
		s.Range(func(m []byte) bool {
			c.W.Bulk(m)
			prop.add(m)
			return true
		})
		e.Obj = survivors
	}
	prop.flush()
}

// setPropagator collects members into SREM key m... effects of at most
// setPropBatch members each.
type setPropagator struct {
	c    *Ctx
	argv [][]byte
}

func setNewPropagator(c *Ctx, key []byte, n int) *setPropagator {
	argv := make([][]byte, 2, 2+min(n, setPropBatch))
	argv[0], argv[1] = []byte("SREM"), key
	return &setPropagator{c: c, argv: argv}
}

// add queues a copy of m (which may be a scratch slice).
func (p *setPropagator) add(m []byte) {
	p.argv = append(p.argv, append([]byte(nil), m...))
	if len(p.argv) == 2+setPropBatch {
		p.flush()
	}
}

func (p *setPropagator) flush() {
	if len(p.argv) > 2 {
		p.c.Tx.Propagate(p.argv...)
		p.argv = p.argv[:2]
	}
}

// srandmemberCommand is SRANDMEMBER key [count]. It never writes.
func srandmemberCommand(c *Ctx) {
	if len(c.Argv) == 3 {
		srandmemberWithCount(c)
		return
	}
	if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	m, _ := setOf(e).Random()
	c.W.Bulk(m)
}

// srandmemberWithCount follows Valkey's cases: a negative count (or 1)
// samples with repetition, a count covering the set returns all of it,
// anything else returns that many distinct members. The reply is an
// array, not a set, in both protocols.
func srandmemberWithCount(c *Ctx) {
	l, ok := c.Int(2)
	if !ok {
		return
	}
	if l == math.MinInt64 {
		c.Error(ErrSetRandCountRange)
		return
	}
	count, uniq := l, true
	if l < 0 {
		count, uniq = -l, false
	}
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	if !ok {
		return
	}
	if e == nil || count == 0 {
		c.W.ArrayLen(0)
		return
	}
	s := setOf(e)
	switch {
	case !uniq || count == 1:
		c.W.ArrayLen(int(count))
		s.RandomRepeat(int(count), func(m []byte) bool { c.W.Bulk(m); return true })
	case count >= int64(s.Len()):
		c.W.ArrayLen(s.Len())
		s.Range(func(m []byte) bool { c.W.Bulk(m); return true })
	default:
		picked := s.PickDistinct(int(count))
		c.W.ArrayLen(len(picked))
		for _, m := range picked {
			c.W.Bulk(m)
		}
	}
}
