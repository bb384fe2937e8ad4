package command

import (
	"math"
	"sort"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// ZUNION, ZINTER, ZDIFF, their STORE variants and ZINTERCARD, following
// Valkey's zunionInterDiffGenericCommand. Inputs may be sets (every
// member scores 1) as well as sorted sets; missing keys are empty.

type zsetOp uint8

const (
	zsetUnion zsetOp = iota
	zsetInter
	zsetDiff
)

type zsetAggregate uint8

const (
	zsetAggSum zsetAggregate = iota
	zsetAggMin
	zsetAggMax
)

// zsetSource is one input of a set operation.
type zsetSource struct {
	z      *types.ZSet
	set    *types.Set
	weight float64
}

func (s *zsetSource) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

// find returns m's score in the source (1 for a set member).
func (s *zsetSource) find(m []byte) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.set != nil && s.set.Contains(m):
		return 1, true
	}
	return 0, false
}

// each visits every member; sorted sets from the highest score down, the
// order Valkey's zuiNext uses (it decides the order ZRANDMEMBER returns a
// whole set in).
func (s *zsetSource) each(fn func(m []byte, score float64)) {
	switch {
	case s.z != nil:
		s.z.RangeRanks(0, s.z.Len(), true, func(m []byte, sc float64) bool { fn(m, sc); return true })
	case s.set != nil:
		s.set.Range(func(m []byte) bool { fn(m, 1); return true })
	}
}

// zsetOpReq is a parsed set-operation request.
type zsetOpReq struct {
	op         zsetOp
	srcs       []zsetSource
	agg        zsetAggregate
	withScores bool
	limit      int64
}

func zunionCommand(c *Ctx)      { zsetOpGeneric(c, nil, 1, zsetUnion, false) }
func zinterCommand(c *Ctx)      { zsetOpGeneric(c, nil, 1, zsetInter, false) }
func zdiffCommand(c *Ctx)       { zsetOpGeneric(c, nil, 1, zsetDiff, false) }
func zintercardCommand(c *Ctx)  { zsetOpGeneric(c, nil, 1, zsetInter, true) }
func zunionstoreCommand(c *Ctx) { zsetOpGeneric(c, c.Argv[1], 2, zsetUnion, false) }
func zinterstoreCommand(c *Ctx) { zsetOpGeneric(c, c.Argv[1], 2, zsetInter, false) }
func zdiffstoreCommand(c *Ctx)  { zsetOpGeneric(c, c.Argv[1], 2, zsetDiff, false) }

// zsetOpParse reads numkeys, looks the inputs up and parses the options,
// in Valkey's order (so a WRONGTYPE input wins over a bad option).
func zsetOpParse(c *Ctx, dst []byte, numIdx int, op zsetOp, cardOnly bool) (*zsetOpReq, bool) {
	n, ok := c.Int(numIdx)
	if !ok {
		return nil, false
	}
	if n < 1 {
		c.Error(ErrZSetNoKeys(c.Cmd.Name))
		return nil, false
	}
	if n > int64(len(c.Argv)-numIdx-1) {
		c.Error(ErrSyntax)
		return nil, false
	}
	req := &zsetOpReq{op: op, srcs: make([]zsetSource, n)}
	j := numIdx + 1
	for i := range req.srcs {
		req.srcs[i].weight = 1
		e := c.Lookup(c.Argv[j+i])
		if e == nil {
			continue
		}
		switch o := e.Obj.(type) {
		case *types.ZSet:
			req.srcs[i].z = o
		case *types.Set:
			req.srcs[i].set = o
		default:
			c.Error(ErrWrongType)
			return nil, false
		}
	}
	return req, zsetOpParseOpts(c, req, j+int(n), dst != nil, cardOnly)
}

func zsetOpParseOpts(c *Ctx, req *zsetOpReq, j int, store, cardOnly bool) bool {
	setOpts := req.op != zsetDiff && !cardOnly
	for j < len(c.Argv) {
		left := len(c.Argv) - j
		switch {
		case setOpts && left >= len(req.srcs)+1 && c.ArgIs(j, "weights"):
			j++
			for i := range req.srcs {
				w, ok := zsetParseFloat(c.Argv[j])
				if !ok {
					c.Error(ErrZSetWeight)
					return false
				}
				req.srcs[i].weight = w
				j++
			}
		case setOpts && left >= 2 && c.ArgIs(j, "aggregate"):
			switch {
			case c.ArgIs(j+1, "sum"):
				req.agg = zsetAggSum
			case c.ArgIs(j+1, "min"):
				req.agg = zsetAggMin
			case c.ArgIs(j+1, "max"):
				req.agg = zsetAggMax
			default:
				c.Error(ErrSyntax)
				return false
			}
			j += 2
		case !store && !cardOnly && c.ArgIs(j, "withscores"):
			req.withScores = true
			j++
		case cardOnly && left >= 2 && c.ArgIs(j, "limit"):
			l, ok := c.zsetRangeLong(j+1, 0, math.MaxInt64, ErrZSetLimitNegative, "")
			if !ok {
				return false
			}
			req.limit = l
			j += 2
		default:
			c.Error(ErrSyntax)
			return false
		}
	}
	return true
}

func zsetOpGeneric(c *Ctx, dst []byte, numIdx int, op zsetOp, cardOnly bool) {
	req, ok := zsetOpParse(c, dst, numIdx, op, cardOnly)
	if !ok {
		return
	}
	if op != zsetDiff {
		// Smallest input first, as Valkey (a stable sort keeps equal
		// sizes in argument order, which fixes the order sums are taken).
		sort.SliceStable(req.srcs, func(a, b int) bool { return req.srcs[a].len() < req.srcs[b].len() })
	}
	if cardOnly {
		c.W.Int(req.interCard())
		return
	}
	var res []zsetMember
	switch op {
	case zsetUnion:
		res = req.union()
	case zsetInter:
		res = req.inter()
	default:
		res = req.diff()
	}
	sort.Slice(res, func(a, b int) bool {
		return res[a].s < res[b].s || (res[a].s == res[b].s && res[a].m < res[b].m)
	})
	if dst != nil {
		zsetOpStore(c, dst, op, res)
		return
	}
	zsetWriteMembers(c, res, req.withScores)
}

// zsetMember is a member of a computed result.
type zsetMember struct {
	m string
	s float64
}

// aggregate folds v into *target as Valkey's zunionInterAggregate: a sum
// of +inf and -inf is 0, not NaN.
func (req *zsetOpReq) aggregate(target *float64, v float64) {
	switch req.agg {
	case zsetAggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case zsetAggMin:
		if v < *target {
			*target = v
		}
	case zsetAggMax:
		if v > *target {
			*target = v
		}
	}
}

// weighted is weight×score, with 0 for NaN (0 × inf).
func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func (req *zsetOpReq) union() []zsetMember {
	idx := make(map[string]int)
	var out []zsetMember
	for i := range req.srcs {
		src := &req.srcs[i]
		src.each(func(m []byte, s float64) {
			v := weighted(src.weight, s)
			if k, ok := idx[string(m)]; ok {
				req.aggregate(&out[k].s, v)
				return
			}
			idx[string(m)] = len(out)
			out = append(out, zsetMember{string(m), v})
		})
	}
	return out
}

// interEach calls fn for every member of the first (smallest) input that
// is in every input, with its aggregated score; fn returns false to stop.
func (req *zsetOpReq) interEach(fn func(m []byte, score float64) bool) {
	if req.srcs[0].len() == 0 {
		return
	}
	stop := false
	req.srcs[0].each(func(m []byte, s float64) {
		if stop {
			return
		}
		score := weighted(req.srcs[0].weight, s)
		for j := 1; j < len(req.srcs); j++ {
			v, ok := req.srcs[j].find(m)
			if !ok {
				return
			}
			req.aggregate(&score, v*req.srcs[j].weight)
		}
		stop = !fn(m, score)
	})
}

func (req *zsetOpReq) inter() []zsetMember {
	var out []zsetMember
	req.interEach(func(m []byte, s float64) bool {
		out = append(out, zsetMember{string(m), s})
		return true
	})
	return out
}

func (req *zsetOpReq) interCard() int64 {
	var n int64
	req.interEach(func([]byte, float64) bool {
		n++
		return req.limit == 0 || n < req.limit
	})
	return n
}

// diff keeps the members of the first input found in no other, with
// their own (unweighted) scores.
func (req *zsetOpReq) diff() []zsetMember {
	var out []zsetMember
	req.srcs[0].each(func(m []byte, s float64) {
		for j := 1; j < len(req.srcs); j++ {
			if _, ok := req.srcs[j].find(m); ok {
				return
			}
		}
		out = append(out, zsetMember{string(m), s})
	})
	return out
}

// zsetWriteMembers replies with a computed result: members, or with
// scores a flat array (RESP2) or [member, score] pairs (RESP3).
func zsetWriteMembers(c *Ctx, res []zsetMember, withScores bool) {
	pairs := withScores && c.W.Proto >= 3
	if withScores && !pairs {
		c.W.ArrayLen(2 * len(res))
	} else {
		c.W.ArrayLen(len(res))
	}
	for _, p := range res {
		if pairs {
			c.W.ArrayLen(2)
		}
		c.W.BulkString(p.m)
		if withScores {
			c.W.Double(p.s)
		}
	}
}

// zsetOpStore replaces dst with the result, or deletes it when empty.
func zsetOpStore(c *Ctx, dst []byte, op zsetOp, res []zsetMember) {
	if len(res) == 0 {
		zsetStoreEmpty(c, dst)
		return
	}
	lim := c.Node.KS.Limits()
	maxLen := 0
	for _, p := range res {
		maxLen = max(maxLen, len(p.m))
	}
	z := types.NewZSetSized(len(res), maxLen, lim)
	for _, p := range res {
		z.Set([]byte(p.m), p.s, lim)
	}
	c.Tx.Set(dst, keyspace.NewObject(z), false)
	event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
	c.Tx.Notify(keyspace.NotifyZSet, event, dst)
	c.W.Int(int64(len(res)))
}
