package command_test

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"
)

// A sorted-slice model of one sorted set, including the encoding Valkey
// would pick, so conversions are checked along with contents.
type zsetPropModel struct {
	m        map[string]float64
	skiplist bool
	entries  int
	value    int
}

type zsetPropPair struct {
	m string
	s float64
}

func (md *zsetPropModel) sorted() []zsetPropPair {
	out := make([]zsetPropPair, 0, len(md.m))
	for m, s := range md.m {
		out = append(out, zsetPropPair{m, s})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].s < out[j].s || (out[i].s == out[j].s && out[i].m < out[j].m)
	})
	return out
}

func (md *zsetPropModel) del(m string) {
	delete(md.m, m)
	if len(md.m) == 0 {
		md.skiplist = false
	}
}

// zadd applies ZADD with flags to the model and returns the reply.
func (md *zsetPropModel) zadd(flags map[string]bool, pairs []zsetPropPair) any {
	maxLen := 0
	for _, p := range pairs {
		maxLen = max(maxLen, len(p.m))
	}
	if len(md.m) == 0 {
		if flags["xx"] {
			if flags["incr"] {
				return nil
			}
			return int64(0)
		}
		md.skiplist = len(pairs) > md.entries || maxLen > md.value
	}
	converted := false
	added, updated, done := 0, 0, false
	var last float64
	for _, p := range pairs {
		done = false
		cur, ok := md.m[p.m]
		score := p.s
		change := false
		switch {
		case ok:
			if flags["nx"] {
				continue
			}
			if flags["incr"] {
				score += cur
				if math.IsNaN(score) {
					return fmt.Errorf("ERR resulting score is not a number (NaN)")
				}
			}
			if (flags["lt"] && score >= cur) || (flags["gt"] && score <= cur) {
				continue
			}
			done, last = true, score
			if score != cur {
				change = true
				updated++
			}
		case !flags["xx"]:
			change = true
			done, last = true, score
			added++
		}
		if !change {
			continue
		}
		if !converted && len(md.m) > 0 && (len(pairs) > md.entries || maxLen > md.value) {
			md.skiplist = true
		}
		converted = true
		if !ok && (len(md.m)+1 > md.entries || len(p.m) > md.value) {
			md.skiplist = true
		}
		md.m[p.m] = score
	}
	switch {
	case flags["incr"] && done:
		return last
	case flags["incr"]:
		return nil
	case flags["ch"]:
		return int64(added + updated)
	}
	return int64(added)
}

var (
	zsetPropMember = rapid.SampledFrom([]string{"a", "b", "c", "d", "e", "aa", "bb", "ab"})
	zsetPropScore  = rapid.SampledFrom([]float64{math.Inf(-1), -2, -0.5, 0, 0.5, 1, 1.5, 3, math.Inf(1)})
)

func zsetFmtScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// zsetPropEnv runs one property check against a shared server with fresh
// keys and thresholds.
type zsetPropEnv struct {
	e   *strEnv
	t   *rapid.T
	key string
	md  *zsetPropModel
}

func (p *zsetPropEnv) do(args ...any) (any, error) {
	v, err := p.e.rdb.Do(p.e.ctx, args...).Result()
	if err == redis.Nil {
		return nil, nil
	}
	return v, err
}

// TestZSetCommandsModel runs random sequences of sorted-set writes
// against a server and a model, and after every step compares the whole
// set, the encoding and random range queries.
func TestZSetCommandsModel(t *testing.T) {
	e := newStrEnv(t, 2)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		md := &zsetPropModel{m: map[string]float64{},
			entries: rapid.IntRange(0, 6).Draw(rt, "entries"), value: rapid.IntRange(1, 2).Draw(rt, "value")}
		for _, kv := range [][2]string{{"zset-max-listpack-entries", strconv.Itoa(md.entries)}, {"zset-max-listpack-value", strconv.Itoa(md.value)}} {
			if err := e.rdb.ConfigSet(e.ctx, kv[0], kv[1]).Err(); err != nil {
				rt.Fatal(err)
			}
		}
		p := &zsetPropEnv{e: e, t: rt, key: fmt.Sprint("zp", n), md: md}
		for step := rapid.IntRange(1, 40).Draw(rt, "steps"); step > 0; step-- {
			p.step()
			p.check()
		}
	})
}

func (p *zsetPropEnv) step() {
	t, md := p.t, p.md
	switch rapid.IntRange(0, 6).Draw(t, "op") {
	case 0, 1:
		p.stepZadd()
	case 2:
		ms := rapid.SliceOfN(zsetPropMember, 1, 3).Draw(t, "rem")
		want := int64(0)
		for _, m := range ms {
			if _, ok := md.m[m]; ok {
				want++
				md.del(m)
			}
		}
		args := []any{"zrem", p.key}
		for _, m := range ms {
			args = append(args, m)
		}
		p.expect(want, args...)
	case 3:
		highest := rapid.Bool().Draw(t, "highest")
		count := rapid.IntRange(1, 3).Draw(t, "count")
		var want []any
		for i := 0; i < count && len(md.m) > 0; i++ {
			s := md.sorted()
			x := s[0]
			if highest {
				x = s[len(s)-1]
			}
			want = append(want, x.m, zsetFmtScore(x.s))
			md.del(x.m)
		}
		cmd := "zpopmin"
		if highest {
			cmd = "zpopmax"
		}
		p.expectPairs(want, cmd, p.key, count)
	case 4:
		start, stop := rapid.IntRange(-8, 8).Draw(t, "start"), rapid.IntRange(-8, 8).Draw(t, "stop")
		sel := zsetPropRanks(md.sorted(), start, stop)
		for _, x := range sel {
			md.del(x.m)
		}
		p.expect(int64(len(sel)), "zremrangebyrank", p.key, start, stop)
	case 5:
		lo, hi := zsetPropScore.Draw(t, "lo"), zsetPropScore.Draw(t, "hi")
		loEx, hiEx := rapid.Bool().Draw(t, "loex"), rapid.Bool().Draw(t, "hiex")
		want := int64(0)
		for _, x := range md.sorted() {
			if zsetPropIn(x.s, lo, hi, loEx, hiEx) {
				want++
				md.del(x.m)
			}
		}
		p.expect(want, "zremrangebyscore", p.key, zsetPropBound(lo, loEx), zsetPropBound(hi, hiEx))
	case 6:
		m, s := zsetPropMember.Draw(t, "m"), zsetPropScore.Draw(t, "incr")
		got := md.zadd(map[string]bool{"incr": true}, []zsetPropPair{{m, s}})
		p.expectScore(got, "zincrby", p.key, zsetFmtScore(s), m)
	}
}

func (p *zsetPropEnv) stepZadd() {
	t := p.t
	flags := map[string]bool{}
	opts := rapid.SampledFrom([][]string{{}, {}, {"nx"}, {"xx"}, {"gt"}, {"lt"}, {"ch"}, {"xx", "gt"}, {"xx", "lt", "ch"}, {"incr"}, {"nx", "incr"}, {"xx", "incr"}, {"gt", "incr"}}).Draw(t, "opts")
	args := []any{"zadd", p.key}
	for _, o := range opts {
		flags[o] = true
		args = append(args, o)
	}
	n := 1
	if !flags["incr"] {
		n = rapid.IntRange(1, 4).Draw(t, "pairs")
	}
	var pairs []zsetPropPair
	for i := 0; i < n; i++ {
		x := zsetPropPair{zsetPropMember.Draw(t, "m"), zsetPropScore.Draw(t, "s")}
		pairs = append(pairs, x)
		args = append(args, zsetFmtScore(x.s), x.m)
	}
	got := p.md.zadd(flags, pairs)
	if flags["incr"] {
		p.expectScore(got, args...)
	} else {
		p.expect(got, args...)
	}
}

func (p *zsetPropEnv) expect(want any, args ...any) {
	got, err := p.do(args...)
	if err != nil {
		got = err
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		p.t.Fatalf("%v = %v, want %v", args, got, want)
	}
}

// expectScore compares a score reply (or null, or error).
func (p *zsetPropEnv) expectScore(want any, args ...any) {
	got, err := p.do(args...)
	if err != nil {
		got = err
	}
	if f, ok := want.(float64); ok {
		want = zsetFmtScore(f)
	}
	if s, ok := got.(string); ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			got = zsetFmtScore(f)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		p.t.Fatalf("%v = %v, want %v", args, got, want)
	}
}

// expectPairs compares a flat member/score reply, scores numerically.
func (p *zsetPropEnv) expectPairs(want []any, args ...any) {
	got, err := p.do(args...)
	if err != nil {
		p.t.Fatalf("%v: %v", args, err)
	}
	arr, _ := got.([]any)
	norm := make([]any, len(arr))
	for i, v := range arr {
		norm[i] = v
		if s, ok := v.(string); ok && i%2 == 1 {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				norm[i] = zsetFmtScore(f)
			}
		}
	}
	if fmt.Sprint(norm) != fmt.Sprint(want) {
		p.t.Fatalf("%v = %v, want %v", args, norm, want)
	}
}

func zsetPropIn(s, lo, hi float64, loEx, hiEx bool) bool {
	return (s > lo || (!loEx && s == lo)) && (s < hi || (!hiEx && s == hi))
}

func zsetPropBound(f float64, ex bool) string {
	if ex {
		return "(" + zsetFmtScore(f)
	}
	return zsetFmtScore(f)
}

// zsetPropRanks is the rank selection of ZRANGE start stop.
func zsetPropRanks(s []zsetPropPair, start, stop int) []zsetPropPair {
	n := len(s)
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return nil
	}
	return s[start : min(stop, n-1)+1]
}

func (p *zsetPropEnv) check() {
	t, md := p.t, p.md
	s := md.sorted()
	var all []any
	for _, x := range s {
		all = append(all, x.m, zsetFmtScore(x.s))
	}
	p.expectPairs(all, "zrange", p.key, 0, -1, "withscores")
	p.expect(int64(len(s)), "zcard", p.key)
	if len(s) > 0 {
		want := "listpack"
		if md.skiplist {
			want = "skiplist"
		}
		p.expect(want, "object", "encoding", p.key)
	}
	// Random rank range, forward and reversed.
	start, stop := rapid.IntRange(-6, 6).Draw(t, "qstart"), rapid.IntRange(-6, 6).Draw(t, "qstop")
	var want []any
	for _, x := range zsetPropRanks(s, start, stop) {
		want = append(want, x.m)
	}
	p.expect(fmt.Sprint(zsetOrEmpty(want)), "zrange", p.key, start, stop)
	rev := make([]zsetPropPair, len(s))
	for i := range s {
		rev[i] = s[len(s)-1-i]
	}
	want = want[:0]
	for _, x := range zsetPropRanks(rev, start, stop) {
		want = append(want, x.m)
	}
	p.expect(fmt.Sprint(zsetOrEmpty(want)), "zrange", p.key, start, stop, "rev")
	p.checkScoreRange(s)
	if len(s) > 0 {
		i := rapid.IntRange(0, len(s)-1).Draw(t, "rankof")
		p.expect(int64(i), "zrank", p.key, s[i].m)
		p.expect(int64(len(s)-1-i), "zrevrank", p.key, s[i].m)
	}
}

// checkScoreRange compares ZRANGEBYSCORE / ZREVRANGEBYSCORE with a LIMIT
// (non-negative offset) and ZCOUNT.
func (p *zsetPropEnv) checkScoreRange(s []zsetPropPair) {
	t := p.t
	lo, hi := zsetPropScore.Draw(t, "qlo"), zsetPropScore.Draw(t, "qhi")
	loEx, hiEx := rapid.Bool().Draw(t, "qloex"), rapid.Bool().Draw(t, "qhiex")
	offset, count := rapid.IntRange(0, 4).Draw(t, "off"), rapid.IntRange(-1, 4).Draw(t, "cnt")
	var in []zsetPropPair
	for _, x := range s {
		if zsetPropIn(x.s, lo, hi, loEx, hiEx) {
			in = append(in, x)
		}
	}
	p.expect(int64(len(in)), "zcount", p.key, zsetPropBound(lo, loEx), zsetPropBound(hi, hiEx))
	window := func(xs []zsetPropPair) []any {
		out := []any{}
		for i := offset; i < len(xs) && (count < 0 || i < offset+count); i++ {
			out = append(out, xs[i].m)
		}
		return out
	}
	p.expect(fmt.Sprint(window(in)), "zrangebyscore", p.key, zsetPropBound(lo, loEx), zsetPropBound(hi, hiEx), "limit", offset, count)
	rin := make([]zsetPropPair, len(in))
	for i := range in {
		rin[i] = in[len(in)-1-i]
	}
	p.expect(fmt.Sprint(window(rin)), "zrevrangebyscore", p.key, zsetPropBound(hi, hiEx), zsetPropBound(lo, loEx), "limit", offset, count)
}

func zsetOrEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// TestZSetLexModel checks ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT and
// ZREMRANGEBYLEX on a set whose scores are all equal, against a sorted
// slice, in both encodings.
func TestZSetLexModel(t *testing.T) {
	e := newStrEnv(t, 2)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		entries := rapid.SampledFrom([]string{"0", "3", "128"}).Draw(rt, "entries")
		if err := e.rdb.ConfigSet(e.ctx, "zset-max-listpack-entries", entries).Err(); err != nil {
			rt.Fatal(err)
		}
		key := fmt.Sprint("zl", n)
		set := map[string]bool{}
		bound := func(name string) (string, func(m string, upper bool) bool) {
			switch rapid.IntRange(0, 5).Draw(rt, name+"kind") {
			case 0:
				return "-", func(m string, upper bool) bool { return !upper }
			case 1:
				return "+", func(m string, upper bool) bool { return upper }
			}
			v := zsetPropMember.Draw(rt, name)
			if rapid.Bool().Draw(rt, name+"ex") {
				return "(" + v, func(m string, upper bool) bool { return (upper && m < v) || (!upper && m > v) }
			}
			return "[" + v, func(m string, upper bool) bool { return (upper && m <= v) || (!upper && m >= v) }
		}
		for step := rapid.IntRange(1, 30).Draw(rt, "steps"); step > 0; step-- {
			m := zsetPropMember.Draw(rt, "m")
			if rapid.IntRange(0, 2).Draw(rt, "op") > 0 {
				e.rdb.ZAdd(e.ctx, key, redis.Z{Member: m})
				set[m] = true
			}
			var members []string
			for x := range set {
				members = append(members, x)
			}
			sort.Strings(members)
			minS, minF := bound("min")
			maxS, maxF := bound("max")
			var in []string
			for _, x := range members {
				if minF(x, false) && maxF(x, true) {
					in = append(in, x)
				}
			}
			got, _ := e.rdb.ZRangeByLex(e.ctx, key, &redis.ZRangeBy{Min: minS, Max: maxS}).Result()
			if strings.Join(got, ",") != strings.Join(in, ",") {
				rt.Fatalf("ZRANGEBYLEX %s %s = %v, want %v (set %v)", minS, maxS, got, in, members)
			}
			rev, _ := e.rdb.ZRevRangeByLex(e.ctx, key, &redis.ZRangeBy{Min: minS, Max: maxS}).Result()
			for i := range rev {
				if rev[i] != in[len(in)-1-i] {
					rt.Fatalf("ZREVRANGEBYLEX %s %s = %v, want reverse of %v", maxS, minS, rev, in)
				}
			}
			if c, _ := e.rdb.ZLexCount(e.ctx, key, minS, maxS).Result(); c != int64(len(in)) {
				rt.Fatalf("ZLEXCOUNT %s %s = %d, want %d", minS, maxS, c, len(in))
			}
			if rapid.IntRange(0, 4).Draw(rt, "remove") == 0 {
				if c, _ := e.rdb.ZRemRangeByLex(e.ctx, key, minS, maxS).Result(); c != int64(len(in)) {
					rt.Fatalf("ZREMRANGEBYLEX %s %s = %d, want %d", minS, maxS, c, len(in))
				}
				for _, x := range in {
					delete(set, x)
				}
			}
		}
	})
}
