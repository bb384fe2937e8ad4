package command_test

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// listSink starts a server whose propagated effects a recSink records.
func newListSinkEnv(t *testing.T) (*listEnv, *recSink) {
	e := newListEnv(t)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	return e, sink
}

// waitEffects waits until the sink holds n effects and compares them.
func waitEffects(t *testing.T, sink *recSink, want ...string) {
	t.Helper()
	var got []string
	testutil.WaitFor(t, 5*time.Second, "propagated effects", func() bool {
		got = append(got, sink.take()...)
		return len(got) >= len(want)
	})
	expectLines(t, "propagated", got, want)
}

// Pops that choose their key or block are propagated as the plain pop
// they performed; no-ops are not propagated at all.
func TestListPropagation(t *testing.T) {
	e, sink := newListSinkEnv(t)
	e.do(int64(3), "RPUSH", "k", "a", "b", "c")
	e.do("a", "LPOP", "k")
	e.do([]any{"k", []any{"b", "c"}}, "LMPOP", "2", "nosuch", "k", "LEFT", "COUNT", "10")
	waitEffects(t, sink, "RPUSH k a b c", "LPOP k", "LPOP k 2")

	e.do(int64(4), "RPUSH", "k", "a", "b", "c", "d")
	e.do([]any{"k", "a"}, "BLPOP", "nosuch", "k", "0")
	e.do([]any{"k", "d"}, "BRPOP", "k", "0")
	e.do([]any{"k", []any{"c"}}, "BLMPOP", "0", "1", "k", "right")
	e.do("b", "BLMOVE", "k", "d", "left", "RIGHT", "0")
	e.do(int64(1), "RPUSH", "k", "x")
	e.do("x", "BRPOPLPUSH", "k", "d", "0")
	waitEffects(t, sink, "RPUSH k a b c d", "LPOP k", "RPOP k", "RPOP k 1",
		"LMOVE k d left RIGHT", "RPUSH k x", "RPOPLPUSH k d")

	// Nothing changed, nothing propagated.
	e.do(int64(2), "RPUSH", "n", "a", "b")
	e.do("OK", "LTRIM", "n", "0", "-1")
	e.do(int64(0), "LREM", "n", "0", "zzz")
	e.do(int64(-1), "LINSERT", "n", "BEFORE", "zzz", "v")
	e.do([]any{}, "LPOP", "n", "0")
	e.do(nil, "LMPOP", "1", "nosuch", "LEFT")
	e.do("OK", "LTRIM", "n", "1", "-1")
	waitEffects(t, sink, "RPUSH n a b", "LTRIM n 1 -1")
}

// A blocked pop served by a push is propagated right after it, and a chain
// of served BLMOVEs before the pusher's next command (Valkey's "Command
// being unblocked cause another command to get unblocked execution order
// test").
func TestListPropagationWhenServed(t *testing.T) {
	e, sink := newListSinkEnv(t)
	c := e.blockN(1, "BLPOP", "k", "0")
	e.do(int64(1), "RPUSH", "k", "x")
	e.recv(c, []any{"k", "x"})
	waitEffects(t, sink, "RPUSH k x", "LPOP k")

	c1 := e.blockN(1, "BLMOVE", "src{t}", "dst{t}", "left", "right", "0")
	c2 := e.blockN(2, "BLMOVE", "dst{t}", "src{t}", "right", "left", "0")
	r := e.raw()
	r.send([]string{"SET", "key1{t}", "value1"}, []string{"LPUSH", "src{t}", "dummy"},
		[]string{"SET", "key2{t}", "value2"})
	r.expect("+OK\r\n")
	r.expect(":1\r\n")
	r.expect("+OK\r\n")
	e.recv(c1, "dummy")
	e.recv(c2, "dummy")
	waitEffects(t, sink, "SET key1{t} value1", "LPUSH src{t} dummy",
		"LMOVE src{t} dst{t} left right", "LMOVE dst{t} src{t} right left", "SET key2{t} value2")

	// Pushes inside MULTI propagate as a block; the pops they serve
	// follow it.
	c = e.blockN(1, "BLMPOP", "0", "1", "m", "LEFT", "COUNT", "5")
	r.do("+OK\r\n", "MULTI")
	r.do("+QUEUED\r\n", "RPUSH", "m", "1", "2")
	r.do("+QUEUED\r\n", "RPUSH", "m", "3")
	r.do("*2\r\n:2\r\n:3\r\n", "EXEC")
	e.recv(c, []any{"m", []any{"1", "2", "3"}})
	waitEffects(t, sink, "MULTI", "RPUSH m 1 2", "RPUSH m 3", "EXEC", "LPOP m 3")
}
