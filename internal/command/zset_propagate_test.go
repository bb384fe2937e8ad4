package command_test

import (
	"strconv"
	"testing"
)

// TestZSetPropagation checks the effects handed to the propagation sinks:
// writes that change nothing propagate nothing; ZMPOP becomes ZPOPMIN /
// ZPOPMAX key count and the blocking pops their non-blocking form, so a
// replica replays exactly what the primary did.
func TestZSetPropagation(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"zadd z 1 a 2 b 3 c"}},
		{[]any{"zadd", "z", "1", "a"}, nil},
		{[]any{"zadd", "z", "nx", "5", "a"}, nil},
		{[]any{"zadd", "z", "xx", "5", "nosuch"}, nil},
		{[]any{"zadd", "z", "gt", "0", "a"}, nil},
		{[]any{"zadd", "z", "incr", "1", "a"}, []string{"zadd z incr 1 a"}},
		{[]any{"zadd", "z", "incr", "0", "a"}, nil},
		{[]any{"zadd", "nokey", "xx", "1", "a"}, nil},
		{[]any{"zincrby", "z", "1", "b"}, []string{"zincrby z 1 b"}},
		{[]any{"zadd", "z", "nan", "a"}, nil},
		{[]any{"zadd", "inf", "inf", "a"}, []string{"zadd inf inf a"}},
		{[]any{"zadd", "inf", "incr", "-inf", "a"}, nil},
		{[]any{"zrem", "z", "nosuch"}, nil},
		{[]any{"zrem", "z", "c", "nosuch"}, []string{"zrem z c nosuch"}},
		{[]any{"zpopmin", "nokey"}, nil},
		{[]any{"zpopmin", "z", "0"}, nil},
		{[]any{"zpopmin", "z"}, []string{"zpopmin z"}},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"zadd z 1 a 2 b 3 c"}},
		{[]any{"zpopmax", "z", "2"}, []string{"zpopmax z 2"}},
		{[]any{"zmpop", "2", "nokey", "z", "max", "count", "10"}, []string{"ZPOPMAX z 1"}},
		{[]any{"zmpop", "1", "z", "min"}, nil},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"zadd z 1 a 2 b 3 c"}},
		{[]any{"zmpop", "1", "z", "min"}, []string{"ZPOPMIN z 1"}},
		{[]any{"bzpopmin", "nokey", "z", "0"}, []string{"ZPOPMIN z"}},
		{[]any{"bzpopmax", "z", "0"}, []string{"ZPOPMAX z"}},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"zadd z 1 a 2 b 3 c"}},
		{[]any{"bzmpop", "0", "1", "z", "max", "count", "2"}, []string{"ZPOPMAX z 2"}},
		{[]any{"bzmpop", "0", "1", "z", "min", "count", "5"}, []string{"ZPOPMIN z 1"}},
		{[]any{"bzpopmin", "z", "0.01"}, nil},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"zadd z 1 a 2 b 3 c"}},
		{[]any{"zremrangebyscore", "z", "10", "20"}, nil},
		{[]any{"zremrangebyscore", "z", "1", "1"}, []string{"zremrangebyscore z 1 1"}},
		{[]any{"zremrangebyrank", "z", "5", "10"}, nil},
		{[]any{"zremrangebylex", "z", "-", "(a"}, nil},
		{[]any{"zunionstore", "d", "1", "z"}, []string{"zunionstore d 1 z"}},
		{[]any{"zinterstore", "d", "2", "z", "nokey"}, []string{"zinterstore d 2 z nokey"}},
		{[]any{"zinterstore", "d", "2", "z", "nokey"}, nil},
		{[]any{"zdiffstore", "d", "1", "z"}, []string{"zdiffstore d 1 z"}},
		{[]any{"zrangestore", "d2", "z", "0", "0"}, []string{"zrangestore d2 z 0 0"}},
		{[]any{"zrangestore", "d2", "z", "5", "10"}, []string{"zrangestore d2 z 5 10"}},
		{[]any{"zrangestore", "d2", "z", "5", "10"}, nil},
		{[]any{"zrange", "z", "0", "-1"}, nil},
		{[]any{"zunion", "1", "z"}, nil},
	}
	for _, s := range steps {
		if err := e.rdb.Do(e.ctx, s.cmd...).Err(); err != nil && err.Error() != "redis: nil" &&
			err.Error() != "ERR value is not a valid float" && err.Error() != "ERR resulting score is not a number (NaN)" {
			t.Fatalf("%v: %v", s.cmd, err)
		}
		expectLines(t, "propagated by "+strconv.Quote(joinArgs(s.cmd)), sink.take(), s.want)
	}

	// A blocked client served later propagates the pop it performed.
	ch := zsetAsync(e, "bzpopmax", "bk", "0")
	zsetWaitBlocked(e, 1)
	e.do(int64(2), "zadd", "bk", "1", "a", "2", "b")
	zsetRecv(t, ch)
	expectLines(t, "served BZPOPMAX", sink.take(), []string{"zadd bk 1 a 2 b", "ZPOPMAX bk"})

	// Inside MULTI the effects are wrapped, rewritten ones included.
	pipe := e.rdb.TxPipeline()
	pipe.Do(e.ctx, "zadd", "m", "1", "a", "2", "b")
	pipe.Do(e.ctx, "zmpop", "1", "m", "max")
	pipe.Do(e.ctx, "bzpopmin", "m", "0")
	pipe.Do(e.ctx, "bzpopmin", "m", "0")
	if _, err := pipe.Exec(e.ctx); err != nil && err.Error() != "redis: nil" {
		t.Fatal(err)
	}
	expectLines(t, "MULTI", sink.take(), []string{"MULTI", "zadd m 1 a 2 b", "ZPOPMAX m 1", "ZPOPMIN m", "EXEC"})
}

// TestZSetNotifications checks keyspace event names and order.
func TestZSetNotifications(t *testing.T) {
	e := newStrEnv(t, 2, "--notify-keyspace-events", "KEAn")
	n := &recNotifier{}
	e.srv.Keyspace().SetNotifier(n)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"zadd", "z", "1", "a", "2", "b"}, []string{"new z", "zadd z"}},
		{[]any{"zadd", "z", "1", "a"}, nil},
		{[]any{"zadd", "z", "incr", "1", "a"}, []string{"zincr z"}},
		{[]any{"zincrby", "z", "1", "a"}, []string{"zincr z"}},
		{[]any{"zrem", "z", "nosuch"}, nil},
		{[]any{"zrem", "z", "a"}, []string{"zrem z"}},
		{[]any{"zrem", "z", "b"}, []string{"zrem z", "del z"}},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}, []string{"new z", "zadd z"}},
		{[]any{"zremrangebyrank", "z", "0", "0"}, []string{"zremrangebyrank z"}},
		{[]any{"zremrangebyscore", "z", "2", "2"}, []string{"zremrangebyscore z"}},
		{[]any{"zremrangebylex", "z", "-", "+"}, []string{"zremrangebylex z", "del z"}},
		{[]any{"zadd", "z", "1", "a", "2", "b", "3", "c"}, []string{"new z", "zadd z"}},
		{[]any{"zpopmin", "z"}, []string{"zpopmin z"}},
		{[]any{"zpopmax", "z", "5"}, []string{"zpopmax z", "del z"}},
		{[]any{"zadd", "z", "1", "a", "2", "b"}, []string{"new z", "zadd z"}},
		{[]any{"zunionstore", "d", "1", "z"}, []string{"new d", "zunionstore d"}},
		{[]any{"zinterstore", "d", "1", "z"}, []string{"zinterstore d"}},
		{[]any{"zdiffstore", "d", "2", "z", "z"}, []string{"del d"}},
		{[]any{"zdiffstore", "d", "2", "z", "z"}, nil},
		{[]any{"zrangestore", "d", "z", "0", "0"}, []string{"new d", "zrangestore d"}},
		{[]any{"zrangestore", "d", "z", "9", "9"}, []string{"del d"}},
		{[]any{"zmpop", "1", "z", "max", "count", "2"}, []string{"zpopmax z", "del z"}},
		{[]any{"zadd", "nx", "xx", "1", "a"}, nil},
	}
	for _, s := range steps {
		_ = e.rdb.Do(e.ctx, s.cmd...).Err()
		expectLines(t, "events of "+strconv.Quote(joinArgs(s.cmd)), n.take(), s.want)
	}
}
