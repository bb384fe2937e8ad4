package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// ZRANGE in all its forms (the unified 6.2 syntax, the deprecated
// ZREVRANGE / Z[REV]RANGEBY{SCORE,LEX} and ZRANGESTORE), following
// Valkey's zrangeGenericCommand.

type zrangeType uint8

const (
	zrangeAuto zrangeType = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

type zrangeDir uint8

const (
	zrangeDirAuto zrangeDir = iota
	zrangeForward
	zrangeReverse
)

// zrangeReq is a parsed range request.
type zrangeReq struct {
	kind       zrangeType
	rev        bool
	withScores bool
	offset     int64
	limit      int64 // -1: no limit
	start, end int64 // rank ranges
	score      types.ScoreRange
	lex        types.LexRange
}

func zrangeCommand(c *Ctx)    { zrangeGeneric(c, 1, false, zrangeAuto, zrangeDirAuto) }
func zrevrangeCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeRank, zrangeReverse) }
func zrangebyscoreCommand(c *Ctx) {
	zrangeGeneric(c, 1, false, zrangeScore, zrangeForward)
}
func zrevrangebyscoreCommand(c *Ctx) {
	zrangeGeneric(c, 1, false, zrangeScore, zrangeReverse)
}
func zrangebylexCommand(c *Ctx)    { zrangeGeneric(c, 1, false, zrangeLex, zrangeForward) }
func zrevrangebylexCommand(c *Ctx) { zrangeGeneric(c, 1, false, zrangeLex, zrangeReverse) }
func zrangestoreCommand(c *Ctx)    { zrangeGeneric(c, 2, true, zrangeAuto, zrangeDirAuto) }

// zrangeParseOpts parses the options after <src> <min> <max>.
func zrangeParseOpts(c *Ctx, argStart int, store bool, kind zrangeType, dir zrangeDir) (zrangeReq, bool) {
	req := zrangeReq{limit: -1}
	for j := argStart + 3; j < len(c.Argv); j++ {
		left := len(c.Argv) - j - 1
		switch {
		case !store && c.ArgIs(j, "withscores"):
			req.withScores = true
		case c.ArgIs(j, "limit") && left >= 2:
			var ok bool
			if req.offset, ok = c.Int(j + 1); !ok {
				return req, false
			}
			if req.limit, ok = c.Int(j + 2); !ok {
				return req, false
			}
			j += 2
		case dir == zrangeDirAuto && c.ArgIs(j, "rev"):
			dir = zrangeReverse
		case kind == zrangeAuto && c.ArgIs(j, "bylex"):
			kind = zrangeLex
		case kind == zrangeAuto && c.ArgIs(j, "byscore"):
			kind = zrangeScore
		default:
			c.Error(ErrSyntax)
			return req, false
		}
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	req.kind, req.rev = kind, dir == zrangeReverse
	switch {
	case req.limit != -1 && kind == zrangeRank:
		c.Error(ErrZSetLimitRank)
		return req, false
	case req.withScores && kind == zrangeLex:
		c.Error(ErrZSetWithscoresLex)
		return req, false
	}
	return req, zrangeParseBounds(c, argStart, &req)
}

// zrangeParseBounds reads <min> <max> (given as <max> <min> for reversed
// score and lex ranges).
func zrangeParseBounds(c *Ctx, argStart int, req *zrangeReq) bool {
	minIdx, maxIdx := argStart+1, argStart+2
	if req.rev && req.kind != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var ok bool
	switch req.kind {
	case zrangeRank:
		if req.start, ok = c.Int(minIdx); !ok {
			return false
		}
		if req.end, ok = c.Int(maxIdx); !ok {
			return false
		}
	case zrangeScore:
		if req.score, ok = zsetParseScoreRange(c.Argv[minIdx], c.Argv[maxIdx]); !ok {
			c.Error(ErrZSetMinMaxFloat)
			return false
		}
	case zrangeLex:
		if req.lex, ok = zsetParseLexRange(c.Argv[minIdx], c.Argv[maxIdx]); !ok {
			c.Error(ErrZSetMinMaxLex)
			return false
		}
	}
	return true
}

func zrangeGeneric(c *Ctx, argStart int, store bool, kind zrangeType, dir zrangeDir) {
	req, ok := zrangeParseOpts(c, argStart, store, kind, dir)
	if !ok {
		return
	}
	_, z, ok := c.zsetLookup(c.Argv[argStart])
	if !ok {
		return
	}
	var w zsetSelection
	if z != nil {
		w = req.selection(z)
	}
	if store {
		zrangeStore(c, c.Argv[1], z, w)
		return
	}
	zsetWriteRange(c, z, w, req.withScores)
}

// zsetSelection is a run of consecutive ranks: n members from ascending
// rank first, walking down (towards lower ranks) when rev.
type zsetSelection struct {
	first, n int
	rev      bool
}

// each visits the selected members in reply order.
func (s zsetSelection) each(z *types.ZSet, fn func(m []byte, score float64) bool) {
	if s.n <= 0 {
		return
	}
	if s.rev {
		z.RangeRanks(s.first-s.n+1, s.first+1, true, fn)
	} else {
		z.RangeRanks(s.first, s.first+s.n, false, fn)
	}
}

// selection resolves the request against z.
func (req *zrangeReq) selection(z *types.ZSet) zsetSelection {
	n := int64(z.Len())
	switch req.kind {
	case zrangeScore:
		lo, hi := z.ScoreBounds(req.score)
		return zsetLimitWindow(z, lo, hi, req.offset, req.limit, req.rev)
	case zrangeLex:
		lo, hi := z.LexBounds(req.lex)
		return zsetLimitWindow(z, lo, hi, req.offset, req.limit, req.rev)
	}
	start, end, ok := zsetClampRanks(req.start, req.end, n)
	if !ok {
		return zsetSelection{}
	}
	count := int(end - start + 1)
	if req.rev {
		// Ranks counted from the top: rank r is ascending rank n-1-r.
		return zsetSelection{first: int(n - 1 - start), n: count, rev: true}
	}
	return zsetSelection{first: int(start), n: count}
}

// zsetClampRanks sanitizes ZRANGE/ZREMRANGEBYRANK indexes as Valkey does:
// negative ones count from the end; an empty range reports !ok.
func zsetClampRanks(start, end, n int64) (int64, int64, bool) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	if start > end || start >= n {
		return 0, 0, false
	}
	return start, min(end, n-1), true
}

// zsetLimitWindow applies LIMIT offset count to the in-range ranks
// [lo, hi), reproducing Valkey's walk: a listpack skips offset members
// one by one (so a negative offset walks off the end and yields nothing),
// while a skiplist locates the start by rank (zslNthInRange), where a
// negative offset counts back from the other end of the range.
func zsetLimitWindow(z *types.ZSet, lo, hi int, offset, limit int64, rev bool) zsetSelection {
	n := int64(z.Len())
	if hi <= lo || (offset > 0 && offset >= n) || offset < -n || limit == 0 {
		return zsetSelection{}
	}
	if offset < 0 && z.IsListpack() {
		return zsetSelection{}
	}
	var s int64
	switch {
	case !rev && offset >= 0:
		s = int64(lo) + offset
	case !rev:
		s = int64(hi) + offset
	case offset >= 0:
		s = int64(hi) - 1 - offset
	default:
		s = int64(lo) - offset - 1
	}
	if s < int64(lo) || s >= int64(hi) {
		return zsetSelection{}
	}
	count := int64(hi) - s
	if rev {
		count = s - int64(lo) + 1
	}
	if limit > 0 {
		count = min(count, limit)
	}
	return zsetSelection{first: int(s), n: int(count), rev: rev}
}

// zsetWriteRange replies with the selected members (and scores): a flat
// array in RESP2, [member, score] pairs in RESP3.
func zsetWriteRange(c *Ctx, z *types.ZSet, sel zsetSelection, withScores bool) {
	if z == nil || sel.n <= 0 {
		c.W.ArrayLen(0)
		return
	}
	pairs := withScores && c.W.Proto >= 3
	if withScores && !pairs {
		c.W.ArrayLen(2 * sel.n)
	} else {
		c.W.ArrayLen(sel.n)
	}
	sel.each(z, func(m []byte, s float64) bool {
		if pairs {
			c.W.ArrayLen(2)
		}
		c.W.Bulk(m)
		if withScores {
			c.W.Double(s)
		}
		return true
	})
}

// zrangeStore writes the selection to dst (ZRANGESTORE): a new sorted set
// replacing whatever dst held, or dst deleted when the selection is empty.
func zrangeStore(c *Ctx, dst []byte, z *types.ZSet, sel zsetSelection) {
	if z == nil || sel.n <= 0 {
		zsetStoreEmpty(c, dst)
		return
	}
	lim := c.Node.KS.Limits()
	type pair struct {
		m []byte
		s float64
	}
	out := make([]pair, 0, sel.n)
	maxLen := 0
	sel.each(z, func(m []byte, s float64) bool {
		out = append(out, pair{append([]byte(nil), m...), s})
		maxLen = max(maxLen, len(m))
		return true
	})
	res := types.NewZSetSized(len(out), maxLen, lim)
	for _, p := range out {
		res.Set(p.m, p.s, lim)
	}
	c.Tx.Set(dst, keyspace.NewObject(res), false)
	c.Tx.Notify(keyspace.NotifyZSet, "zrangestore", dst)
	c.W.Int(int64(len(out)))
}

// zsetStoreEmpty is the empty result of a *STORE command: dst is deleted
// (with a "del" event when it existed) and the reply is 0.
func zsetStoreEmpty(c *Ctx, dst []byte) {
	if c.Tx.Delete(dst) {
		c.Tx.Notify(keyspace.NotifyGeneric, "del", dst)
	}
	c.W.Int(0)
}
