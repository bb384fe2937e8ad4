package command_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestSetPropagation checks the effects handed to propagation sinks: SPOP
// becomes SREM of what it popped (or UNLINK/DEL when the set goes whole),
// deterministic writes propagate as received, and commands that change
// nothing propagate nothing.
func TestSetPropagation(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"sadd", "s", "a", "b"}, []string{"sadd s a b"}},
		{[]any{"sadd", "s", "a"}, nil},
		{[]any{"srem", "s", "z"}, nil},
		{[]any{"srem", "nosuch", "z"}, nil},
		{[]any{"srem", "s", "b", "z"}, []string{"srem s b z"}},
		{[]any{"smove", "s", "d", "z"}, nil},
		{[]any{"smove", "nosuch", "d", "a"}, nil},
		{[]any{"smove", "s", "s", "a"}, nil},
		{[]any{"smove", "s", "d", "a"}, []string{"smove s d a"}},
		{[]any{"sadd", "s", "q"}, []string{"sadd s q"}},
		{[]any{"spop", "s"}, []string{"SREM s q"}},
		{[]any{"spop", "s"}, nil},
		{[]any{"spop", "s", "3"}, nil},
		{[]any{"sadd", "s", "x", "y"}, []string{"sadd s x y"}},
		{[]any{"spop", "s", "0"}, nil},
		{[]any{"spop", "s", "5"}, []string{"UNLINK s"}},
		{[]any{"srandmember", "d", "5"}, nil},
		{[]any{"sinterstore", "i", "d", "nosuch"}, nil},
		{[]any{"sinterstore", "i", "d", "d"}, []string{"sinterstore i d d"}},
		{[]any{"sinterstore", "i", "d", "nosuch"}, []string{"sinterstore i d nosuch"}},
		{[]any{"sunionstore", "u", "d"}, []string{"sunionstore u d"}},
		{[]any{"sdiffstore", "u", "d", "d"}, []string{"sdiffstore u d d"}},
		{[]any{"sdiffstore", "u", "d", "d"}, nil},
		{[]any{"sinter", "d"}, nil},
		{[]any{"sintercard", "1", "d"}, nil},
		{[]any{"sscan", "d", "0"}, nil},
	}
	for _, s := range steps {
		if err := e.rdb.Do(e.ctx, s.cmd...).Err(); err != nil && err.Error() != "redis: nil" {
			t.Fatalf("%v: %v", s.cmd, err)
		}
		expectLines(t, "propagated by "+strconv.Quote(joinArgs(s.cmd)), sink.take(), s.want)
	}

	// With lazyfree-lazy-server-del off, an SPOP that takes the whole set
	// propagates DEL.
	e.do("OK", "config", "set", "lazyfree-lazy-server-del", "no")
	e.do(int64(2), "sadd", "w", "a", "b")
	sink.take()
	e.do([]any{"a", "b"}, "spop", "w", "2")
	expectLines(t, "SPOP of a whole set", sink.take(), []string{"DEL w"})
}

// TestSetSpopCountPropagation pops with a count from sets of every
// encoding, through both of Valkey's strategies (popping one by one, and
// moving the survivors to a new set), and checks that the propagated SREMs
// name exactly the popped members, in batches of at most 1024, and that
// replaying them on a copy of the set leaves what the primary kept.
func TestSetSpopCountPropagation(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	for _, tc := range []struct {
		name    string
		members []string
		count   int
	}{
		{"intset few", setTestRange("", 0, 100), 10},
		{"intset most", setTestRange("", 0, 100), 95},
		{"listpack few", setTestRange("m", 0, 100), 10},
		{"listpack most", setTestRange("m", 0, 100), 90},
		{"hashtable few", setTestRange("m", 0, 3000), 1500},
		{"hashtable most", setTestRange("m", 0, 3000), 2900},
		{"hashtable of ints most", setTestRange("", 0, 3000), 2990},
	} {
		key := "pop:" + strings.ReplaceAll(tc.name, " ", "-")
		args := append([]any{"sadd", key}, setTestAny(tc.members)...)
		e.do(int64(len(tc.members)), args...)
		sink.take()
		popped, err := e.rdb.SPopN(e.ctx, key, int64(tc.count)).Result()
		if err != nil || len(popped) != tc.count {
			t.Fatalf("%s: SPOP returned %d members, err %v", tc.name, len(popped), err)
		}
		var propagated []string
		for _, line := range sink.take() {
			words := strings.Fields(line)
			if len(words) < 3 || words[0] != "SREM" || words[1] != key || len(words)-2 > 1024 {
				t.Fatalf("%s: propagated %q", tc.name, line)
			}
			propagated = append(propagated, words[2:]...)
		}
		sort.Strings(popped)
		sort.Strings(propagated)
		if strings.Join(popped, " ") != strings.Join(propagated, " ") {
			t.Fatalf("%s: popped %d members, propagated %d different ones", tc.name, len(popped), len(propagated))
		}
		left, _ := e.rdb.SMembers(e.ctx, key).Result()
		if len(left)+len(popped) != len(tc.members) {
			t.Fatalf("%s: %d left + %d popped != %d", tc.name, len(left), len(popped), len(tc.members))
		}
		for _, m := range popped {
			if ok, _ := e.rdb.SIsMember(e.ctx, key, m).Result(); ok {
				t.Fatalf("%s: popped member %q still present", tc.name, m)
			}
		}
	}
}

// TestSetStorePropagationInMulti checks that the effects of set commands
// inside MULTI are wrapped in MULTI/EXEC, with SPOP rewritten.
func TestSetStorePropagationInMulti(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	pipe := e.rdb.TxPipeline()
	pipe.SAdd(e.ctx, "a", "1")
	pipe.SPop(e.ctx, "a")
	pipe.SAdd(e.ctx, "b", "x", "y")
	pipe.SUnionStore(e.ctx, "c", "b")
	pipe.SPopN(e.ctx, "c", 2)
	if _, err := pipe.Exec(e.ctx); err != nil {
		t.Fatal(err)
	}
	expectLines(t, "MULTI", sink.take(), []string{"MULTI", "sadd a 1", "SREM a 1", "sadd b x y",
		"sunionstore c b", "UNLINK c", "EXEC"})
}

// TestSetNotifications checks keyspace event names, their order and
// classes.
func TestSetNotifications(t *testing.T) {
	e := newStrEnv(t, 2, "--notify-keyspace-events", "KEA")
	n := &recNotifier{}
	e.srv.Keyspace().SetNotifier(n)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"sadd", "s", "a", "b", "c"}, []string{"sadd s"}},
		{[]any{"sadd", "s", "a"}, nil},
		{[]any{"srem", "s", "z"}, nil},
		{[]any{"srem", "s", "a", "z"}, []string{"srem s"}},
		{[]any{"smove", "s", "d", "b"}, []string{"srem s", "sadd d"}},
		{[]any{"sadd", "d", "c"}, []string{"sadd d"}},
		{[]any{"smove", "s", "d", "c"}, []string{"srem s", "del s"}},
		{[]any{"smove", "d", "d", "c"}, nil},
		{[]any{"srem", "d", "b", "c"}, []string{"srem d", "del d"}},
		{[]any{"sadd", "s", "a", "b", "c"}, []string{"sadd s"}},
		{[]any{"spop", "s", "0"}, nil},
		{[]any{"spop", "s", "1"}, []string{"spop s"}},
		{[]any{"spop", "s"}, []string{"spop s"}},
		{[]any{"spop", "s"}, []string{"spop s", "del s"}},
		{[]any{"sadd", "s", "a", "b"}, []string{"sadd s"}},
		{[]any{"spop", "s", "9"}, []string{"spop s", "del s"}},
		{[]any{"sadd", "s", "a", "b"}, []string{"sadd s"}},
		{[]any{"sinterstore", "i", "s", "s"}, []string{"sinterstore i"}},
		{[]any{"sunionstore", "u", "s"}, []string{"sunionstore u"}},
		{[]any{"sdiffstore", "f", "s", "nosuch"}, []string{"sdiffstore f"}},
		{[]any{"sdiffstore", "f", "s", "s"}, []string{"del f"}},
		{[]any{"sinterstore", "i", "s", "nosuch"}, []string{"del i"}},
		{[]any{"sunionstore", "u", "nosuch"}, []string{"del u"}},
		{[]any{"sunionstore", "u", "nosuch"}, nil},
		{[]any{"smembers", "s"}, nil},
		{[]any{"srandmember", "s", "-3"}, nil},
	}
	for _, s := range steps {
		if err := e.rdb.Do(e.ctx, s.cmd...).Err(); err != nil && err.Error() != "redis: nil" {
			t.Fatalf("%v: %v", s.cmd, err)
		}
		expectLines(t, "events of "+strconv.Quote(joinArgs(s.cmd)), n.take(), s.want)
	}
}

func setTestRange(prefix string, from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

func setTestAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
