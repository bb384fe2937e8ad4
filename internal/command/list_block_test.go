package command_test

import (
	"strings"
	"testing"
	"time"
)

// The first client to block is served first, and a push serves every
// waiter it can before the pusher gets its reply.
func TestListBlockingFairness(t *testing.T) {
	e := newListEnv(t)
	c1 := e.blockN(1, "BLPOP", "k", "0")
	c2 := e.blockN(2, "BLPOP", "other", "k", "0")
	c3 := e.blockN(3, "BRPOP", "k", "0")
	e.do(int64(3), "LPUSH", "k", "a", "b", "c")
	e.do(int64(0), "LLEN", "k")
	e.do(int64(0), "EXISTS", "k")
	e.recv(c1, []any{"k", "c"})
	e.recv(c2, []any{"k", "b"})
	e.recv(c3, []any{"k", "a"})
	e.waitBlocked(0)

	// Two pushes of one element each: the waiters are served one by one,
	// in order.
	c1 = e.blockN(1, "BLPOP", "q", "0")
	c2 = e.blockN(2, "BLPOP", "q", "0")
	e.do(int64(1), "RPUSH", "q", "x")
	e.recv(c1, []any{"q", "x"})
	e.noReply(c2)
	e.do(int64(1), "RPUSH", "q", "y")
	e.recv(c2, []any{"q", "y"})
}

// Valkey's "Unblock fairness is kept while pipelining": a client that
// pipelines a push and a blocking pop does not overtake the waiter, and
// gets the push's reply while it is blocked.
func TestListBlockingPipelineFairness(t *testing.T) {
	e := newListEnv(t)
	c1 := e.blockN(1, "BLPOP", "mylist", "0")
	r := e.raw()
	r.send([]string{"LPUSH", "mylist", "1"}, []string{"BLPOP", "mylist", "0"})
	e.recv(c1, []any{"mylist", "1"})
	r.expect(":1\r\n")
	e.waitBlocked(1)
	e.do(int64(1), "LPUSH", "mylist", "2")
	r.expect("*2\r\n$6\r\nmylist\r\n$1\r\n2\r\n")
	e.waitBlocked(0)
}

func TestListBlockingTimeouts(t *testing.T) {
	e := newListEnv(t)
	r := e.raw()
	start := time.Now()
	r.do("*-1\r\n", "BLPOP", "k", "0.05")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("BLPOP returned after %v", d)
	}
	// Valkey replies a null array on every list timeout, BLMOVE's too.
	r.do("*-1\r\n", "BRPOP", "k", "k2", "0.01")
	r.do("*-1\r\n", "BLMPOP", "0.01", "1", "k", "LEFT")
	r.do("*-1\r\n", "BLMOVE", "k", "d", "LEFT", "RIGHT", "0.01")
	r.do("*-1\r\n", "BRPOPLPUSH", "k", "d", "0.01")
	r.send([]string{"HELLO", "3"})
	r.read()
	r.do("_\r\n", "BLPOP", "k", "0.01")
	r.do("_\r\n", "BLMOVE", "k", "d", "LEFT", "RIGHT", "0.01")
	e.waitBlocked(0)

	// A timeout waits no longer than asked even while the key is busy
	// with other types of writes.
	c := e.blockN(1, "BLPOP", "k", "0.2")
	e.do("OK", "SET", "k", "string")
	e.noReply(c)
	e.recv(c, nil)
	// Timeout 0 waits for good.
	c = e.blockN(1, "BLPOP", "z", "0")
	time.Sleep(50 * time.Millisecond)
	e.noReply(c)
	e.do(int64(1), "RPUSH", "z", "v")
	e.recv(c, []any{"z", "v"})
}

// Inside MULTI nothing blocks, and a transaction's pushes serve waiters
// only once it is complete.
func TestListBlockingMulti(t *testing.T) {
	e := newListEnv(t)
	r := e.raw()
	r.do("+OK\r\n", "MULTI")
	r.do("+QUEUED\r\n", "BLPOP", "k", "0")
	r.do("+QUEUED\r\n", "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	r.do("+QUEUED\r\n", "BLMPOP", "0", "1", "k", "LEFT")
	r.do("*3\r\n*-1\r\n$-1\r\n*-1\r\n", "EXEC")

	// "MULTI/EXEC is isolated from the point of view of BLPOP"
	c := e.blockN(1, "BLPOP", "list", "0")
	r.do("+OK\r\n", "MULTI")
	for _, v := range []string{"a", "b", "c"} {
		r.do("+QUEUED\r\n", "LPUSH", "list", v)
	}
	r.do("*3\r\n:1\r\n:2\r\n:3\r\n", "EXEC")
	e.recv(c, []any{"list", "c"})

	// "BLPOP, LPUSH + DEL should not awake blocked client", also with SET.
	e.do(int64(1), "DEL", "list")
	c = e.blockN(1, "BLPOP", "list", "0")
	r.do("+OK\r\n", "MULTI")
	r.do("+QUEUED\r\n", "LPUSH", "list", "a")
	r.do("+QUEUED\r\n", "DEL", "list")
	r.do("+QUEUED\r\n", "SET", "list", "foo")
	r.do("*3\r\n:1\r\n:1\r\n+OK\r\n", "EXEC")
	e.noReply(c)
	e.do(int64(1), "DEL", "list")
	e.do(int64(1), "LPUSH", "list", "b")
	e.recv(c, []any{"list", "b"})
}

// A client whose peer disconnects while blocked leaves no waiter behind:
// a later push is not consumed by the dead client.
func TestListBlockingDisconnect(t *testing.T) {
	e := newListEnv(t)
	r := e.raw()
	r.send([]string{"BLPOP", "k", "0"})
	e.waitBlocked(1)
	_ = r.nc.Close()
	e.waitBlocked(0)
	e.do(int64(1), "RPUSH", "k", "x")
	e.do(int64(1), "LLEN", "k")

	// A pipeline after the blocking command is kept and runs once served.
	r = e.raw()
	r.send([]string{"BLPOP", "q", "0"}, []string{"PING"}, []string{"LLEN", "q"})
	e.waitBlocked(1)
	e.do(int64(2), "RPUSH", "q", "a", "b")
	r.expect("*2\r\n$1\r\nq\r\n$1\r\na\r\n")
	r.expect("+PONG\r\n")
	r.expect(":1\r\n")

	// CLIENT KILL of a blocked client (a raw connection: go-redis would
	// retry the command on a new one).
	r = e.raw()
	r.send([]string{"CLIENT", "ID"})
	id := strings.TrimSuffix(strings.TrimPrefix(r.read(), ":"), "\r\n")
	r.send([]string{"BLPOP", "k2", "0"})
	e.waitBlocked(1)
	e.do(int64(1), "CLIENT", "KILL", "ID", id)
	e.waitBlocked(0)
	_ = r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rep, err := r.rr.ReadReply(); err == nil {
		t.Fatalf("killed client got %v", rep)
	}
}

func TestClientUnblock(t *testing.T) {
	e := newListEnv(t)
	e.do("OK", "CONFIG", "RESETSTAT")
	victim := e.client(2)
	id := victim.ClientID(e.ctx).Val()
	c := e.async(victim, "BLPOP", "k", "0")
	e.waitBlocked(1)
	e.do(int64(1), "CLIENT", "UNBLOCK", id)
	e.recv(c, nil)
	e.waitBlocked(0)
	e.do(int64(0), "CLIENT", "UNBLOCK", id)

	c = e.async(victim, "BLMOVE", "k", "d", "LEFT", "LEFT", "0")
	e.waitBlocked(1)
	e.do(int64(1), "CLIENT", "UNBLOCK", id, "error")
	e.recv(c, listErr("UNBLOCKED client unblocked via CLIENT UNBLOCK"))

	c = e.async(victim, "BRPOP", "k", "0")
	e.waitBlocked(1)
	e.do(int64(1), "CLIENT", "UNBLOCK", id, "TIMEOUT")
	e.recv(c, nil)

	e.do(listErr("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"), "CLIENT", "UNBLOCK", id, "foo")
	e.do(listErr("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"), "CLIENT", "UNBLOCK", "x", "foo")
	e.do(listErr("ERR value is not an integer or out of range"), "CLIENT", "UNBLOCK", "x")
	e.do(listErr("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."),
		"CLIENT", "UNBLOCK", id, "timeout", "x")
	e.do(listErr("ERR wrong number of arguments for 'client|unblock' command"), "CLIENT", "UNBLOCK")
	e.do(int64(0), "CLIENT", "UNBLOCK", "999999")

	// Each blocking call counts once; the UNBLOCKED error counts as failed.
	info := e.rdb.Info(e.ctx, "commandstats", "errorstats").Val()
	for _, want := range []string{
		"cmdstat_blpop:calls=1,", "cmdstat_blmove:calls=1,", "rejected_calls=0,failed_calls=1",
		"errorstat_UNBLOCKED:count=1",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q:\n%s", want, info)
		}
	}
}

// Chains of blocked BLMOVEs complete before the pusher's reply, as in
// Valkey's "Linked LMOVEs" and "Circular BRPOPLPUSH".
func TestListBlmoveChains(t *testing.T) {
	e := newListEnv(t)
	c1 := e.blockN(1, "BLMOVE", "list1{t}", "list2{t}", "RIGHT", "LEFT", "0")
	c2 := e.blockN(2, "BLMOVE", "list2{t}", "list3{t}", "LEFT", "RIGHT", "0")
	e.do(int64(1), "RPUSH", "list1{t}", "foo")
	e.do([]any{}, "LRANGE", "list1{t}", "0", "-1")
	e.do([]any{}, "LRANGE", "list2{t}", "0", "-1")
	e.do([]any{"foo"}, "LRANGE", "list3{t}", "0", "-1")
	e.recv(c1, "foo")
	e.recv(c2, "foo")

	c1 = e.blockN(1, "BRPOPLPUSH", "a{t}", "b{t}", "0")
	c2 = e.blockN(2, "BRPOPLPUSH", "b{t}", "a{t}", "0")
	e.do(int64(1), "RPUSH", "a{t}", "x")
	e.recv(c1, "x")
	e.recv(c2, "x")
	e.do([]any{"x"}, "LRANGE", "a{t}", "0", "-1")
	e.do([]any{}, "LRANGE", "b{t}", "0", "-1")

	// Self-referential BRPOPLPUSH.
	c1 = e.blockN(1, "BRPOPLPUSH", "s{t}", "s{t}", "0")
	e.do(int64(2), "RPUSH", "s{t}", "a", "b")
	e.recv(c1, "b")
	e.do([]any{"b", "a"}, "LRANGE", "s{t}", "0", "-1")

	// BLMOVE with a client BLPOPing the target list.
	e.do(int64(1), "DEL", "s{t}")
	c2 = e.blockN(1, "BLPOP", "target{t}", "0")
	c1 = e.blockN(2, "BLMOVE", "blist{t}", "target{t}", "LEFT", "RIGHT", "0")
	e.do(int64(1), "RPUSH", "blist{t}", "foo")
	e.recv(c1, "foo")
	e.recv(c2, []any{"target{t}", "foo"})
	e.do(int64(0), "EXISTS", "target{t}")

	// "Unblock fairness is kept during nested unblock".
	c1 = e.blockN(1, "BRPOPLPUSH", "l1{t}", "l3{t}", "0")
	c2 = e.blockN(2, "BLPOP", "l2{t}", "0")
	c3 := e.blockN(3, "BLMPOP", "0", "2", "l2{t}", "l3{t}", "LEFT", "COUNT", "1")
	r := e.raw()
	r.do("+OK\r\n", "MULTI")
	r.do("+QUEUED\r\n", "LPUSH", "l1{t}", "1")
	r.do("+QUEUED\r\n", "LPUSH", "l2{t}", "2")
	r.do("*2\r\n:1\r\n:1\r\n", "EXEC")
	e.recv(c1, "1")
	e.recv(c2, []any{"l2{t}", "2"})
	e.recv(c3, []any{"l3{t}", []any{"1"}})
}

// A served command that fails (wrong destination type) replies the error
// and leaves the source alone.
func TestListBlockingWrongTypes(t *testing.T) {
	e := newListEnv(t)
	e.do("OK", "SET", "target{t}", "nolist")
	c := e.blockN(1, "BRPOPLPUSH", "blist{t}", "target{t}", "0")
	e.do(int64(3), "RPUSH", "blist{t}", "a", "b", "c")
	e.recv(c, listErr("WRONGTYPE Operation against a key holding the wrong kind of value"))
	e.do([]any{"a", "b", "c"}, "LRANGE", "blist{t}", "0", "-1")

	// A key that becomes another type does not serve list waiters; the
	// waiter stays until a list appears.
	c = e.blockN(1, "BLPOP", "k", "0")
	e.do("OK", "SET", "k", "v")
	e.do("OK", "SET", "k2", "v2")
	e.do("OK", "RENAME", "k2", "k")
	e.noReply(c)
	e.do(int64(1), "DEL", "k")
	e.do(int64(1), "RPUSH", "k", "x")
	e.recv(c, []any{"k", "x"})

	// BLPOP on two keys, the first of which turns into a string: the
	// command run when the second gets data reports it.
	c = e.blockN(1, "BLPOP", "s{t}", "l{t}", "0")
	e.do("OK", "SET", "s{t}", "v")
	e.do(int64(1), "RPUSH", "l{t}", "x")
	e.recv(c, listErr("WRONGTYPE Operation against a key holding the wrong kind of value"))
	e.do(int64(1), "LLEN", "l{t}")
}

// Every way a list can appear under a watched name wakes the waiter:
// LMOVE into it, RENAME, MOVE from another database, RESTORE, COPY.
func TestListBlockingWakeups(t *testing.T) {
	e := newListEnv(t)
	e.do(int64(1), "RPUSH", "src{t}", "a")
	c := e.blockN(1, "BLPOP", "w{t}", "0")
	e.do("a", "LMOVE", "src{t}", "w{t}", "LEFT", "LEFT")
	e.recv(c, []any{"w{t}", "a"})

	e.do(int64(1), "RPUSH", "src{t}", "b")
	c = e.blockN(1, "BLPOP", "w{t}", "0")
	e.do("OK", "RENAME", "src{t}", "w{t}")
	e.recv(c, []any{"w{t}", "b"})

	e.do(int64(1), "RPUSH", "src{t}", "c")
	c = e.blockN(1, "BLPOP", "w{t}", "0")
	e.do(int64(1), "COPY", "src{t}", "w{t}")
	e.recv(c, []any{"w{t}", "c"})

	dump := e.rdb.Dump(e.ctx, "src{t}").Val()
	c = e.blockN(1, "BLPOP", "w{t}", "0")
	e.do("OK", "RESTORE", "w{t}", "0", dump)
	e.recv(c, []any{"w{t}", "c"})

	db1 := e.client(2)
	if err := db1.Do(e.ctx, "SELECT", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := db1.Do(e.ctx, "RPUSH", "m", "d").Err(); err != nil {
		t.Fatal(err)
	}
	c = e.blockN(1, "BLPOP", "m", "0")
	if n := db1.Do(e.ctx, "MOVE", "m", "0").Val(); n != int64(1) {
		t.Fatalf("MOVE: %v", n)
	}
	e.recv(c, []any{"m", "d"})

	// The same key named twice, and data arriving on either key.
	c = e.blockN(1, "BLPOP", "list1{t}", "list2{t}", "list2{t}", "list1{t}", "0")
	e.do(int64(1), "LPUSH", "list2{t}", "b")
	e.recv(c, []any{"list2{t}", "b"})
	e.waitBlocked(0)
}

func TestListBlockedClientInfo(t *testing.T) {
	e := newListEnv(t)
	c := e.blockN(1, "BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2")
	if got := e.rdb.Info(e.ctx, "clients").Val(); !strings.Contains(got, "blocked_clients:1") {
		t.Errorf("INFO clients:\n%s", got)
	}
	list, err := e.rdb.ClientList(e.ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "flags=b ") || !strings.Contains(list, "cmd=blmpop") {
		t.Errorf("CLIENT LIST:\n%s", list)
	}
	e.do(int64(3), "RPUSH", "b", "1", "2", "3")
	e.recv(c, []any{"b", []any{"3", "2"}})
	if got := e.rdb.Info(e.ctx, "clients").Val(); !strings.Contains(got, "blocked_clients:0") {
		t.Errorf("INFO clients:\n%s", got)
	}
}

// SWAPDB brings a list in under a name a client waits on: it is served,
// as Valkey's scanDatabaseForReadyKeys does.
func TestListBlockingSwapDB(t *testing.T) {
	e := newListEnv(t)
	db1 := e.client(2)
	if err := db1.Do(e.ctx, "SELECT", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if err := db1.Do(e.ctx, "RPUSH", "k", "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	c := e.blockN(1, "BLPOP", "k", "0")
	e.do("OK", "SWAPDB", "0", "1")
	e.recv(c, []any{"k", "a"})
	e.do([]any{"b"}, "LRANGE", "k", "0", "-1")
}
