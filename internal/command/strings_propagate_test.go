package command_test

import (
	"strconv"
	"testing"
	"time"
)

// TestStringsPropagation checks the effects handed to propagation sinks:
// relative TTLs become PXAT/PEXPIREAT, GETSET/GETDEL/INCRBYFLOAT/GETEX are
// rewritten as Valkey 9 does, and commands that change nothing propagate
// nothing.
func TestStringsPropagation(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"set", "k", "v"}, []string{"set k v"}},
		{[]any{"set", "k", "v", "ex", "100"}, []string{"SET k v PXAT *"}},
		{[]any{"set", "k", "v", "nx", "px", "100"}, nil},
		{[]any{"set", "k", "v", "xx", "px", "100000", "get"}, []string{"SET k v PXAT *"}},
		{[]any{"set", "k", "v", "pxat", future}, []string{"set k v pxat " + future}},
		{[]any{"set", "k", "v2", "GET"}, []string{"set k v2"}},
		{[]any{"set", "k", "v3", "get", "keepttl", "GET"}, []string{"set k v3 keepttl"}},
		{[]any{"set", "k", "x", "ifeq", "get", "get"}, nil},
		{[]any{"set", "k", "get", "ifeq", "v3", "get"}, []string{"set k get ifeq v3"}},
		{[]any{"setex", "k", "100", "v"}, []string{"SET k v PXAT *"}},
		{[]any{"psetex", "k", "100000", "v"}, []string{"SET k v PXAT *"}},
		{[]any{"setnx", "k", "v"}, nil},
		{[]any{"setnx", "n", "v"}, []string{"setnx n v"}},
		{[]any{"getset", "k", "a"}, []string{"SET k a"}},
		{[]any{"getdel", "k"}, []string{"DEL k"}},
		{[]any{"getdel", "k"}, nil},
		{[]any{"set", "k", "v"}, []string{"set k v"}},
		{[]any{"getex", "k"}, nil},
		{[]any{"getex", "k", "persist"}, nil},
		{[]any{"getex", "k", "ex", "100"}, []string{"PEXPIREAT k *"}},
		{[]any{"getex", "k", "persist"}, []string{"PERSIST k"}},
		{[]any{"getex", "k", "pxat", future}, []string{"PEXPIREAT k " + future}},
		{[]any{"getex", "k", "exat", "1"}, []string{"DEL k"}},
		{[]any{"set", "k", "v", "pxat", "1"}, nil},
		{[]any{"set", "k", "v"}, []string{"set k v"}},
		{[]any{"set", "k", "v", "exat", "1", "get"}, []string{"DEL k"}},
		{[]any{"incrbyfloat", "f", "1.5"}, []string{"SET f 1.5 KEEPTTL"}},
		{[]any{"incrbyfloat", "f", "0.1"}, []string{"SET f 1.6 KEEPTTL"}},
		{[]any{"incr", "i"}, []string{"incr i"}},
		{[]any{"delifeq", "i", "2"}, nil},
		{[]any{"delifeq", "i", "1"}, []string{"DEL i"}},
		{[]any{"append", "a", "x"}, []string{"append a x"}},
		{[]any{"setrange", "a", "0", ""}, nil},
		{[]any{"setrange", "a", "3", "y"}, []string{"setrange a 3 y"}},
		{[]any{"setbit", "b", "3", "1"}, []string{"setbit b 3 1"}},
		{[]any{"setbit", "b", "3", "1"}, nil},
		{[]any{"bitfield", "b", "get", "u8", "0"}, nil},
		{[]any{"bitfield", "b", "set", "u8", "0", "16"}, nil},
		{[]any{"bitfield", "b", "set", "u8", "0", "17"}, []string{"bitfield b set u8 0 17"}},
		{[]any{"bitop", "and", "d", "m1"}, nil},
		{[]any{"bitop", "or", "d", "b"}, []string{"bitop or d b"}},
		{[]any{"mset", "m1", "1", "m2", "2"}, []string{"mset m1 1 m2 2"}},
		{[]any{"msetnx", "m1", "1", "m3", "3"}, nil},
	}
	for _, s := range steps {
		if err := e.rdb.Do(e.ctx, s.cmd...).Err(); err != nil && err.Error() != "redis: nil" {
			t.Fatalf("%v: %v", s.cmd, err)
		}
		expectLines(t, "propagated by "+strconv.Quote(joinArgs(s.cmd)), sink.take(), s.want)
	}

	// Inside MULTI the rewritten effects are wrapped in MULTI/EXEC.
	pipe := e.rdb.TxPipeline()
	pipe.Do(e.ctx, "set", "t", "1", "ex", "100")
	pipe.Do(e.ctx, "incrbyfloat", "t", "1")
	if _, err := pipe.Exec(e.ctx); err != nil {
		t.Fatal(err)
	}
	expectLines(t, "MULTI", sink.take(), []string{"MULTI", "SET t 1 PXAT *", "SET t 2 KEEPTTL", "EXEC"})
}

// TestStringsPXATPropagatedTime checks that the absolute time sent to
// replicas is the one the primary applied.
func TestStringsPXATPropagatedTime(t *testing.T) {
	e := newStrEnv(t, 2)
	sink := &recSink{}
	e.srv.Keyspace().AddSink(sink)
	before := time.Now().UnixMilli()
	e.do("OK", "set", "k", "v", "px", "60000")
	after := time.Now().UnixMilli()
	got := sink.take()
	if len(got) != 1 {
		t.Fatalf("propagated %q", got)
	}
	words := splitWords(got[0])
	at, err := strconv.ParseInt(words[len(words)-1], 10, 64)
	if err != nil || at < before+60000 || at > after+60000 {
		t.Fatalf("PXAT %q not within [%d, %d]", got[0], before+60000, after+60000)
	}
	if ttl := e.pttl("k"); ttl < 0 || at-ttl < before || at-ttl > after+1 {
		t.Fatalf("stored expiry differs from the propagated one: pttl %d, pxat %d", ttl, at)
	}
}

// TestStringsNotifications checks keyspace event names and classes.
func TestStringsNotifications(t *testing.T) {
	e := newStrEnv(t, 2, "--notify-keyspace-events", "KEA")
	n := &recNotifier{}
	e.srv.Keyspace().SetNotifier(n)
	steps := []struct {
		cmd  []any
		want []string
	}{
		{[]any{"set", "k", "v"}, []string{"set k"}},
		{[]any{"set", "k", "v", "ex", "100"}, []string{"set k", "expire k"}},
		{[]any{"set", "k", "v", "nx"}, nil},
		{[]any{"setex", "k", "10", "v"}, []string{"set k", "expire k"}},
		{[]any{"setnx", "n", "v"}, []string{"set n"}},
		{[]any{"getset", "k", "v"}, []string{"set k"}},
		{[]any{"mset", "a", "1", "b", "2"}, []string{"set a", "set b"}},
		{[]any{"append", "a", "x"}, []string{"append a"}},
		{[]any{"setrange", "a", "0", "y"}, []string{"setrange a"}},
		{[]any{"incr", "i"}, []string{"incrby i"}},
		{[]any{"decrby", "i", "5"}, []string{"incrby i"}},
		{[]any{"incrbyfloat", "i", "1.5"}, []string{"incrbyfloat i"}},
		{[]any{"getex", "k", "ex", "100"}, []string{"expire k"}},
		{[]any{"getex", "k", "persist"}, []string{"persist k"}},
		{[]any{"getex", "k", "pxat", "1"}, []string{"expired k"}},
		{[]any{"set", "k", "v"}, []string{"set k"}},
		{[]any{"set", "k", "v", "exat", "1"}, []string{"expired k"}},
		{[]any{"set", "k", "v"}, []string{"set k"}},
		{[]any{"getdel", "k"}, []string{"del k"}},
		{[]any{"set", "k", "v"}, []string{"set k"}},
		{[]any{"delifeq", "k", "v"}, []string{"del k"}},
		{[]any{"setbit", "s", "1", "1"}, []string{"setbit s"}},
		{[]any{"setbit", "s", "1", "1"}, nil},
		{[]any{"bitfield", "s", "set", "u8", "0", "1"}, []string{"setbit s"}},
		{[]any{"bitfield", "s", "set", "u8", "0", "1"}, nil},
		{[]any{"bitop", "not", "d", "s"}, []string{"set d"}},
		{[]any{"bitop", "and", "d", "none"}, []string{"del d"}},
	}
	for _, s := range steps {
		if err := e.rdb.Do(e.ctx, s.cmd...).Err(); err != nil && err.Error() != "redis: nil" {
			t.Fatalf("%v: %v", s.cmd, err)
		}
		expectLines(t, "events of "+strconv.Quote(joinArgs(s.cmd)), n.take(), s.want)
	}
	if got := e.srv.Keyspace().Stats().ExpiredKeys.Load(); got != 2 {
		t.Fatalf("expired_keys = %d, want 2", got)
	}
}

func joinArgs(args []any) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a.(string)
	}
	return s
}
