package command_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// TestZSetGoRedis drives the sorted-set commands through go-redis's typed
// API, which parses every reply shape it expects.
func TestZSetGoRedis(t *testing.T) {
	e := newStrEnv(t, 2)
	ctx, rdb := e.ctx, e.rdb
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := rdb.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Result()
	must(err)
	if n != 3 {
		t.Fatalf("ZADD = %d", n)
	}
	if n, _ := rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{{Score: 0, Member: "a"}, {Score: 5, Member: "b"}}}).Result(); n != 1 {
		t.Errorf("ZADD GT CH = %d", n)
	}
	if s, _ := rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{NX: true, Members: []redis.Z{{Score: 1, Member: "a"}}}).Result(); s != 0 {
		t.Errorf("ZADD NX INCR on an existing member = %v", s)
	}
	zs, err := rdb.ZRangeWithScores(ctx, "z", 0, -1).Result()
	must(err)
	want := []redis.Z{{Score: 1, Member: "a"}, {Score: 3, Member: "c"}, {Score: 5, Member: "b"}}
	if !reflect.DeepEqual(zs, want) {
		t.Errorf("ZRANGE WITHSCORES = %v", zs)
	}
	byScore, err := rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "(1", Stop: "+inf", ByScore: true, Rev: false, Offset: 1, Count: 1}).Result()
	must(err)
	if !reflect.DeepEqual(byScore, []string{"b"}) {
		t.Errorf("ZRANGE BYSCORE LIMIT = %v", byScore)
	}
	if s, _ := rdb.ZIncrBy(ctx, "z", 0.5, "a").Result(); s != 1.5 {
		t.Errorf("ZINCRBY = %v", s)
	}
	if r, _ := rdb.ZRankWithScore(ctx, "z", "c").Result(); r.Rank != 1 || r.Score != 3 {
		t.Errorf("ZRANK WITHSCORE = %+v", r)
	}
	if _, err := rdb.ZRevRankWithScore(ctx, "z", "nosuch").Result(); err != redis.Nil {
		t.Errorf("ZREVRANK WITHSCORE of a missing member: %v", err)
	}
	if sc, _ := rdb.ZMScore(ctx, "z", "a", "x").Result(); !reflect.DeepEqual(sc, []float64{1.5, 0}) {
		t.Errorf("ZMSCORE = %v", sc)
	}
	must(rdb.ZAdd(ctx, "z2", redis.Z{Score: 10, Member: "b"}, redis.Z{Score: 20, Member: "d"}).Err())
	u, err := rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z", "z2"}, Weights: []float64{2, 1}, Aggregate: "MAX"}).Result()
	must(err)
	if len(u) != 4 || u[0].Member != "a" || u[0].Score != 3 || u[3].Member != "d" {
		t.Errorf("ZUNION = %v", u)
	}
	if n, _ := rdb.ZInterStore(ctx, "dst", &redis.ZStore{Keys: []string{"z", "z2"}}).Result(); n != 1 {
		t.Errorf("ZINTERSTORE = %d", n)
	}
	if n, _ := rdb.ZInterCard(ctx, 0, "z", "z2").Result(); n != 1 {
		t.Errorf("ZINTERCARD = %d", n)
	}
	if d, _ := rdb.ZDiff(ctx, "z", "z2").Result(); !reflect.DeepEqual(d, []string{"a", "c"}) {
		t.Errorf("ZDIFF = %v", d)
	}
	if p, _ := rdb.ZPopMin(ctx, "z", 2).Result(); len(p) != 2 || p[0].Member != "a" || p[1].Member != "c" {
		t.Errorf("ZPOPMIN 2 = %v", p)
	}
	key, popped, err := rdb.ZMPop(ctx, "max", 5, "nosuch", "z2").Result()
	must(err)
	if key != "z2" || len(popped) != 2 || popped[0].Member != "d" {
		t.Errorf("ZMPOP = %s %v", key, popped)
	}
	must(rdb.ZAdd(ctx, "r", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}).Err())
	rnd, err := rdb.ZRandMemberWithScores(ctx, "r", -5).Result()
	must(err)
	if len(rnd) != 5 {
		t.Errorf("ZRANDMEMBER -5 WITHSCORES = %v", rnd)
	}
	for _, z := range rnd {
		if (z.Member == "x") != (z.Score == 1) {
			t.Errorf("ZRANDMEMBER pair %v", z)
		}
	}
	keys, cursor, err := rdb.ZScan(ctx, "r", 0, "*", 10).Result()
	must(err)
	if cursor != 0 || !reflect.DeepEqual(keys, []string{"x", "1", "y", "2"}) {
		t.Errorf("ZSCAN = %v %d", keys, cursor)
	}
	if n, _ := rdb.ZRemRangeByScore(ctx, "r", "-inf", "(2").Result(); n != 1 {
		t.Errorf("ZREMRANGEBYSCORE = %d", n)
	}
	if c, _ := rdb.ZCard(ctx, "r").Result(); c != 1 {
		t.Errorf("ZCARD = %d", c)
	}
}

// TestZSetRESP3Shapes checks the RESP3 reply types: doubles, nulls and
// nested [member, score] pairs.
func TestZSetRESP3Shapes(t *testing.T) {
	e := newStrEnv(t, 3)
	e.do(int64(3), "zadd", "z", "1", "a", "2.5", "b", "inf", "c")
	e.do(2.5, "zscore", "z", "b")
	e.do(math.Inf(1), "zscore", "z", "c")
	e.do(nilReply{}, "zscore", "z", "x")
	e.do([]any{1.0, nil}, "zmscore", "z", "a", "x")
	e.do([]any{[]any{"a", 1.0}, []any{"b", 2.5}}, "zrange", "z", "0", "1", "withscores")
	e.do([]any{"a", "b"}, "zrange", "z", "0", "1")
	e.do([]any{int64(1), 2.5}, "zrank", "z", "b", "withscore")
	e.do([]any{[]any{"a", 1.0}, []any{"b", 2.5}, []any{"c", math.Inf(1)}}, "zunion", "1", "z", "weights", "1", "withscores", "aggregate", "max")
	e.do([]any{"a", 1.0}, "zpopmin", "z")
	e.do([]any{[]any{"c", math.Inf(1)}}, "zpopmax", "z", "1")
	e.do([]any{"z", []any{[]any{"b", 2.5}}}, "zmpop", "1", "z", "min")
	e.do(nilReply{}, "zmpop", "1", "z", "min")
	e.do(nilReply{}, "bzpopmin", "z", "0.01")
	e.do(int64(1), "zadd", "z", "7", "q")
	e.do([]any{"z", "q", 7.0}, "bzpopmax", "z", "0")
	e.do(3.5, "zincrby", "n", "3.5", "m")
	e.do(nilReply{}, "zadd", "n", "nx", "incr", "1", "m")
}

// TestZSetValkeyGo reads sorted-set replies through valkey-go's typed
// decoders (RESP3).
func TestZSetValkeyGo(t *testing.T) {
	e := newStrEnv(t, 2)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{e.srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Do(ctx, c.B().Zadd().Key("z").ScoreMember().ScoreMember(1, "a").ScoreMember(2, "b").ScoreMember(0.1, "c").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	scores, err := c.Do(ctx, c.B().Zrange().Key("z").Min("0").Max("-1").Withscores().Build()).AsZScores()
	if err != nil || len(scores) != 3 || scores[0].Member != "c" || scores[0].Score != 0.1 {
		t.Errorf("ZRANGE WITHSCORES = %v, %v", scores, err)
	}
	s, err := c.Do(ctx, c.B().Zscore().Key("z").Member("c").Build()).AsFloat64()
	if err != nil || s != 0.1 {
		t.Errorf("ZSCORE = %v, %v", s, err)
	}
	popped, err := c.Do(ctx, c.B().Zpopmin().Key("z").Count(2).Build()).AsZScores()
	if err != nil || len(popped) != 2 || popped[1].Member != "a" {
		t.Errorf("ZPOPMIN 2 = %v, %v", popped, err)
	}
	// BZPOPMAX answers a flat [key, member, score] in RESP3 too.
	arr, err := c.Do(ctx, c.B().Bzpopmax().Key("z").Timeout(0).Build()).ToArray()
	if err != nil || len(arr) != 3 {
		t.Fatalf("BZPOPMAX = %v, %v", arr, err)
	}
	k, _ := arr[0].ToString()
	m, _ := arr[1].ToString()
	f, ferr := arr[2].AsFloat64()
	if k != "z" || m != "b" || f != 2 || ferr != nil || !arr[2].IsFloat64() {
		t.Errorf("BZPOPMAX = %v", arr)
	}
}

// TestZSetDumpRestoreKeepsEncoding checks DUMP/RESTORE, RENAME, COPY and
// MOVE keep the members, scores and encoding.
func TestZSetDumpRestoreKeepsEncoding(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "config", "set", "zset-max-listpack-entries", "2")
	e.do(int64(3), "zadd", "big", "1", "a", "-0", "b", "0.1", "c")
	e.do(int64(1), "zadd", "small", "2", "x")
	for _, k := range []string{"big", "small"} {
		p, err := e.rdb.Dump(e.ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		e.do("OK", "restore", k+"2", "0", p)
		if got, want := e.encoding(k+"2"), e.encoding(k); got != want {
			t.Errorf("%s: restored encoding %s, want %s", k, got, want)
		}
	}
	e.do([]any{"b", "-0", "c", "0.1", "a", "1"}, "zrange", "big2", "0", "-1", "withscores")
	e.do("OK", "rename", "big2", "big3")
	e.do(int64(1), "copy", "big3", "big4")
	e.do(int64(1), "zadd", "big4", "5", "d")
	e.do(int64(3), "zcard", "big3")
	e.do(int64(1), "move", "big4", "1")
	e.do("OK", "select", "1")
	e.do([]any{"b", "c", "a", "d"}, "zrange", "big4", "0", "-1")
}

// TestZSetOpsOnSets checks set inputs of ZUNION/ZINTER/ZDIFF (every
// member scores 1). Sets are built through the keyspace since the set
// commands live in another family.
func TestZSetOpsOnSets(t *testing.T) {
	e := newStrEnv(t, 2)
	lim := types.DefaultLimits()
	s := types.NewSetFor([]byte("a"), lim)
	for _, m := range []string{"a", "b", "c"} {
		s.Add([]byte(m), lim)
	}
	ints := types.NewSetFor([]byte("1"), lim)
	ints.Add([]byte("1"), lim)
	ints.Add([]byte("2"), lim)
	e.withTx("s", func(tx *keyspace.Tx) { tx.Set([]byte("s"), keyspace.NewObject(s), false) })
	e.withTx("i", func(tx *keyspace.Tx) { tx.Set([]byte("i"), keyspace.NewObject(ints), false) })
	e.do(int64(3), "zadd", "z", "5", "a", "10", "x", "7", "2")
	e.do([]any{"1", "1", "b", "1", "c", "1", "a", "11", "2", "15", "x", "20"}, "zunion", "3", "s", "i", "z", "weights", "1", "1", "2", "withscores")
	e.do([]any{"1", "1", "2", "1", "a", "5", "x", "10"}, "zunion", "2", "i", "z", "aggregate", "min", "withscores")
	e.do([]any{"a", "6"}, "zinter", "2", "s", "z", "withscores")
	e.do([]any{"b", "1", "c", "1"}, "zdiff", "2", "s", "z", "withscores")
	e.do(int64(1), "zintercard", "2", "i", "z")
	e.do(int64(2), "zdiffstore", "d", "2", "s", "z")
	e.do("zset", "type", "d")
	putList(e, "l")
	e.do(errReply("WRONGTYPE Operation against a key holding the wrong kind of value"), "zunion", "2", "s", "l")
}

// TestZSetCommandInfo parses COMMAND through go-redis (as cluster clients
// do) and checks the sorted-set entries' key positions.
func TestZSetCommandInfo(t *testing.T) {
	e := newStrEnv(t, 2)
	cmds, err := e.rdb.Command(e.ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]struct {
		arity          int8
		first, last    int8
		step           int8
		readOnly       bool
		flag, aclCateg string
	}{
		"zadd":        {-4, 1, 1, 1, false, "denyoom", "@sortedset"},
		"zrangestore": {-5, 1, 2, 1, false, "denyoom", "@sortedset"},
		"zunion":      {-3, 0, 0, 0, true, "movablekeys", "@read"},
		"zunionstore": {-4, 1, 1, 1, false, "movablekeys", "@write"},
		"bzpopmin":    {-3, 1, -2, 1, false, "blocking", "@blocking"},
		"bzmpop":      {-5, 0, 0, 0, false, "movablekeys", "@blocking"},
		"zrank":       {-3, 1, 1, 1, true, "fast", "@fast"},
		"zscan":       {-3, 1, 1, 1, true, "readonly", "@slow"},
	}
	for name, want := range checks {
		c := cmds[name]
		if c == nil {
			t.Errorf("COMMAND lacks %s", name)
			continue
		}
		if c.Arity != want.arity || c.FirstKeyPos != want.first || c.LastKeyPos != want.last || c.StepCount != want.step || c.ReadOnly != want.readOnly {
			t.Errorf("%s: %+v", name, c)
		}
		if !zsetContains(c.Flags, want.flag) || !zsetContains(c.ACLFlags, want.aclCateg) {
			t.Errorf("%s: flags %v acl %v", name, c.Flags, c.ACLFlags)
		}
	}
	keys, err := e.rdb.CommandGetKeys(e.ctx, "zunionstore", "d", "2", "a", "b", "weights", "1", "2").Result()
	if err != nil || fmt.Sprint(keys) != "[d a b]" {
		t.Errorf("COMMAND GETKEYS zunionstore = %v, %v", keys, err)
	}
	keys, err = e.rdb.CommandGetKeys(e.ctx, "bzmpop", "0", "2", "a", "b", "min").Result()
	if err != nil || fmt.Sprint(keys) != "[a b]" {
		t.Errorf("COMMAND GETKEYS bzmpop = %v, %v", keys, err)
	}
}

func zsetContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
