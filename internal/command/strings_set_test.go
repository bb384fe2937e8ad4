package command_test

import (
	"strconv"
	"testing"
	"time"
)

const (
	errSyntax   = errReply("ERR syntax error")
	errNotInt   = errReply("ERR value is not an integer or out of range")
	errWrongTyp = errReply("WRONGTYPE Operation against a key holding the wrong kind of value")
)

func TestStringsGetSetBasics(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			e := newStrEnv(t, proto)
			e.do(nilReply{}, "get", "k")
			e.do("OK", "set", "k", "v")
			e.do("v", "get", "k")
			e.do("OK", "set", "k", "")
			e.do("", "get", "k")
			e.do(errReply("ERR wrong number of arguments for 'get' command"), "get")
			e.do(errReply("ERR wrong number of arguments for 'set' command"), "set", "k")
		})
	}
}

func TestStringsSetOptions(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "set", "k", "1", "nx")
	e.do(nilReply{}, "set", "k", "2", "NX")
	e.do("OK", "set", "k", "3", "xx")
	e.do(nilReply{}, "set", "missing", "x", "xx")
	e.do("3", "get", "k")
	e.do("OK", "set", "k2", "4", "nx", "nx") // repeating an option is fine
	e.do("OK", "set", "k", "4")

	// GET returns the old value, also when NX/XX abort the write.
	e.do("4", "set", "k", "5", "get")
	e.do(nilReply{}, "set", "g", "1", "GET")
	e.do("1", "set", "g", "2", "get", "nx")
	e.do("1", "get", "g")
	e.do(nilReply{}, "set", "g2", "x", "get", "xx")
	e.do(nilReply{}, "get", "g2")
	e.do("1", "set", "g", "3", "get", "xx")
	e.do("3", "get", "g")

	// IFEQ (Valkey 8.1).
	e.do(nilReply{}, "set", "i", "a", "ifeq", "x")
	e.do(nilReply{}, "get", "i")
	e.do(nilReply{}, "set", "g", "b", "ifeq", "x")
	e.do("OK", "set", "g", "b", "ifeq", "3")
	e.do("b", "set", "g", "c", "ifeq", "b", "get")
	e.do("c", "set", "g", "d", "ifeq", "nope", "get")
	e.do("c", "get", "g")
	e.do(nilReply{}, "set", "none", "d", "ifeq", "x", "get")
	e.do(errSyntax, "set", "g", "x", "ifeq", "c", "nx")
	e.do(errSyntax, "set", "g", "x", "xx", "ifeq", "c")
	e.do(errSyntax, "set", "g", "x", "ifeq")

	for _, args := range [][]any{
		{"nx", "xx"}, {"xx", "nx"}, {"ex", "10", "px", "100"}, {"px", "1", "exat", "1"},
		{"ex", "10", "keepttl"}, {"keepttl", "pxat", "1"}, {"persist"}, {"ex"}, {"foo"},
		{"exat", "1", "pxat", "1"},
	} {
		e.do(errSyntax, append([]any{"set", "k", "v"}, args...)...)
	}
	e.do("OK", "set", "k", "v", "ex", "10", "ex", "20")
	e.do("OK", "set", "k", "v", "keepttl", "keepttl")

	invalid := errReply("ERR invalid expire time in 'set' command")
	for _, args := range [][]any{
		{"ex", "0"}, {"ex", "-1"}, {"px", "0"}, {"exat", "0"}, {"pxat", "-5"},
		{"ex", "9223372036854775807"}, {"px", "9223372036854775807"}, {"exat", "9223372036854776"},
	} {
		e.do(invalid, append([]any{"set", "k", "v"}, args...)...)
	}
	e.do(errNotInt, "set", "k", "v", "ex", "1.5")
	e.do(errNotInt, "set", "k", "v", "px", "abc")
}

func TestStringsSetExpire(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "set", "k", "v", "ex", "100")
	if ttl := e.pttl("k"); ttl <= 99_000 || ttl > 100_000 {
		t.Fatalf("EX 100: pttl %d", ttl)
	}
	e.do("OK", "set", "k", "v", "px", "5000")
	if ttl := e.pttl("k"); ttl <= 4000 || ttl > 5000 {
		t.Fatalf("PX 5000: pttl %d", ttl)
	}
	e.do("OK", "set", "k", "w", "keepttl")
	if ttl := e.pttl("k"); ttl <= 4000 || ttl > 5000 {
		t.Fatalf("KEEPTTL: pttl %d", ttl)
	}
	e.do("OK", "set", "k", "x")
	if ttl := e.pttl("k"); ttl != -1 {
		t.Fatalf("plain SET keeps a TTL: %d", ttl)
	}
	at := time.Now().Add(time.Hour)
	e.do("OK", "set", "k", "v", "exat", strconv.FormatInt(at.Unix(), 10))
	e.do("OK", "set", "k2", "v", "pxat", strconv.FormatInt(at.UnixMilli(), 10))
	if ttl := e.pttl("k2"); ttl <= 3_500_000 || ttl > 3_600_000 {
		t.Fatalf("PXAT: pttl %d", ttl)
	}
	// An expire time in the past deletes the key (or sets nothing).
	e.do("OK", "set", "k2", "v", "pxat", "1")
	if e.exists("k2") {
		t.Fatal("SET PXAT in the past left the key")
	}
	e.do("OK", "set", "k3", "v", "exat", "1")
	if e.exists("k3") {
		t.Fatal("SET EXAT in the past created the key")
	}
	e.do("v", "set", "k", "y", "get", "pxat", "1")
	e.do(nilReply{}, "get", "k")
	// A key set with a short TTL disappears once it passes.
	e.do("OK", "set", "short", "v", "px", "20")
	strWait(t, func() bool { return !e.exists("short") })
}

func TestStringsSetNXEXVariants(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(1), "setnx", "k", "a")
	e.do(int64(0), "setnx", "k", "b")
	e.do("a", "get", "k")
	e.do("OK", "setex", "k", "100", "v")
	if ttl := e.pttl("k"); ttl <= 99_000 {
		t.Fatalf("SETEX pttl %d", ttl)
	}
	e.do("OK", "psetex", "k", "100000", "v2")
	e.do("v2", "get", "k")
	e.do(errReply("ERR invalid expire time in 'setex' command"), "setex", "k", "0", "v")
	e.do(errReply("ERR invalid expire time in 'setex' command"), "setex", "k", "-1", "v")
	e.do(errReply("ERR invalid expire time in 'psetex' command"), "psetex", "k", "0", "v")
	e.do(errNotInt, "setex", "k", "x", "v")
	e.do(errReply("ERR wrong number of arguments for 'setex' command"), "setex", "k", "1")
}

func TestStringsGetSetDelEx(t *testing.T) {
	e := newStrEnv(t, 3)
	e.do(nilReply{}, "getset", "k", "a")
	e.do("a", "getset", "k", "b")
	e.do("b", "getdel", "k")
	e.do(nilReply{}, "getdel", "k")
	if e.exists("k") {
		t.Fatal("GETDEL left the key")
	}

	e.do(nilReply{}, "getex", "k")
	e.do(nilReply{}, "getex", "k", "ex", "abc") // Valkey 9.0 validates after the lookup
	e.do("OK", "set", "k", "hello")
	e.do("hello", "getex", "k")
	e.do("hello", "getex", "k", "ex", "100")
	if ttl := e.pttl("k"); ttl <= 99_000 {
		t.Fatalf("GETEX EX: pttl %d", ttl)
	}
	e.do("hello", "getex", "k", "px", "50000")
	e.do("hello", "getex", "k", "persist")
	if ttl := e.pttl("k"); ttl != -1 {
		t.Fatalf("GETEX PERSIST: pttl %d", ttl)
	}
	e.do("hello", "getex", "k", "exat", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	e.do("hello", "getex", "k", "pxat", "1")
	if e.exists("k") {
		t.Fatal("GETEX PXAT in the past left the key")
	}
	e.do("OK", "set", "k", "v")
	for _, args := range [][]any{{"persist", "ex", "10"}, {"ex", "10", "persist"}, {"keepttl"},
		{"get"}, {"nx"}, {"foo"}, {"ex"}, {"ex", "1", "px", "1"}} {
		e.do(errSyntax, append([]any{"getex", "k"}, args...)...)
	}
	e.do(errReply("ERR invalid expire time in 'getex' command"), "getex", "k", "ex", "0")
	e.do(errNotInt, "getex", "k", "px", "1.5")
	e.do(errReply("ERR wrong number of arguments for 'getex' command"), "getex")
}

func TestStringsDelIfEq(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(0), "delifeq", "k", "v")
	e.do("OK", "set", "k", "v")
	e.do(int64(0), "delifeq", "k", "w")
	e.do(int64(1), "delifeq", "k", "v")
	e.do(nilReply{}, "get", "k")
}

func TestStringsMultiKey(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "mset", "a", "1", "b", "2")
	e.do([]any{"1", "2", nil}, "mget", "a", "b", "c")
	e.do(errReply("ERR wrong number of arguments for 'mset' command"), "mset", "a", "1", "b")
	e.do(errReply("ERR wrong number of arguments for 'msetnx' command"), "msetnx", "a", "1", "b")
	e.do(int64(0), "msetnx", "c", "3", "a", "9")
	e.do(nilReply{}, "get", "c")
	e.do(int64(1), "msetnx", "c", "3", "d", "4")
	e.do(int64(1), "msetnx", "x", "1", "x", "2")
	e.do("2", "get", "x")
	e.do("OK", "mset", "x", "a", "x", "b")
	e.do("b", "get", "x")
	e.do([]any{"1", "2", "3", "4"}, "mget", "a", "b", "c", "d")
}

func TestStringsWrongType(t *testing.T) {
	e := newStrEnv(t, 2)
	// No other family is present in this branch: make a non-string entry
	// directly through the keyspace.
	putList(e, "l")
	for _, args := range [][]any{
		{"get", "l"}, {"getset", "l", "x"}, {"getdel", "l"}, {"getex", "l"}, {"getex", "l", "ex", "abc"},
		{"set", "l", "x", "get"}, {"set", "l", "x", "ifeq", "y"}, {"delifeq", "l", "x"},
		{"append", "l", "x"}, {"strlen", "l"}, {"incr", "l"}, {"decrby", "l", "1"},
		{"incrbyfloat", "l", "1"}, {"setrange", "l", "0", "x"}, {"getrange", "l", "0", "1"},
		{"setbit", "l", "0", "1"}, {"getbit", "l", "0"}, {"bitcount", "l"}, {"bitpos", "l", "1"},
		{"bitop", "and", "d", "l"}, {"bitfield", "l", "get", "u8", "0"}, {"bitfield_ro", "l", "get", "u8", "0"},
		{"bitfield", "l", "set", "u8", "0", "1"},
	} {
		e.do(errWrongTyp, args...)
	}
	e.do([]any{nil}, "mget", "l")
	e.do(errReply("ERR The specified keys must contain string values"), "lcs", "l", "x")
	// SET without GET overwrites any type.
	e.do("OK", "set", "l", "x")
	e.do("x", "get", "l")
}
