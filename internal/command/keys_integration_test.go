package command_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// keysTest is a go-redis client on a fresh server, with helpers that check
// replies and errors byte for byte.
type keysTest struct {
	t   *testing.T
	ctx context.Context
	rdb *redis.Client
}

func newKeysTest(t *testing.T, directives ...string) *keysTest {
	t.Helper()
	srv := testutil.StartServer(t, directives...)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	t.Cleanup(func() { rdb.Close() })
	return &keysTest{t: t, ctx: context.Background(), rdb: rdb}
}

func keysArgs(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

// do runs a command that must succeed and returns its reply.
func (k *keysTest) do(args ...string) any {
	k.t.Helper()
	v, err := k.rdb.Do(k.ctx, keysArgs(args)...).Result()
	if err != nil && err != redis.Nil {
		k.t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if err == redis.Nil {
		return nil
	}
	return v
}

// eq runs a command and compares its reply (nil for a null reply).
func (k *keysTest) eq(want any, args ...string) {
	k.t.Helper()
	if got := k.do(args...); !reflect.DeepEqual(got, want) {
		k.t.Fatalf("%s: got %#v, want %#v", strings.Join(args, " "), got, want)
	}
}

// fails runs a command that must fail with exactly msg.
func (k *keysTest) fails(msg string, args ...string) {
	k.t.Helper()
	_, err := k.rdb.Do(k.ctx, keysArgs(args)...).Result()
	if err == nil || err == redis.Nil || err.Error() != msg {
		k.t.Fatalf("%s: error %v, want %q", strings.Join(args, " "), err, msg)
	}
}

func (k *keysTest) int(args ...string) int64 {
	k.t.Helper()
	v, ok := k.do(args...).(int64)
	if !ok {
		k.t.Fatalf("%s: not an integer reply", strings.Join(args, " "))
	}
	return v
}

func TestKeysDelExistsTouchType(t *testing.T) {
	k := newKeysTest(t)
	k.eq("OK", "SET", "a", "1")
	k.eq("OK", "SET", "b", "2")
	k.eq(int64(3), "EXISTS", "a", "a", "b", "nokey")
	k.eq(int64(2), "TOUCH", "a", "b", "nokey")
	k.eq("string", "TYPE", "a")
	k.eq("none", "TYPE", "nokey")
	k.eq(int64(1), "DEL", "a", "a", "nokey")
	k.eq(int64(1), "UNLINK", "b")
	k.eq(int64(0), "EXISTS", "a", "b")
	for _, cmd := range []string{"del", "unlink", "exists", "touch", "type"} {
		k.fails("ERR wrong number of arguments for '"+cmd+"' command", cmd)
	}
	k.fails("ERR wrong number of arguments for 'type' command", "TYPE", "a", "b")
	k.eq(int64(0), "DBSIZE")
	k.fails("ERR wrong number of arguments for 'dbsize' command", "DBSIZE", "x")
}

func TestKeysExpireFamily(t *testing.T) {
	k := newKeysTest(t)
	k.eq(int64(0), "EXPIRE", "nokey", "100")
	k.eq("OK", "SET", "k", "v")
	k.eq(int64(-1), "TTL", "k")
	k.eq(int64(-1), "PTTL", "k")
	k.eq(int64(-1), "EXPIRETIME", "k")
	k.eq(int64(-1), "PEXPIRETIME", "k")
	k.eq(int64(-2), "TTL", "nokey")
	k.eq(int64(-2), "PTTL", "nokey")
	k.eq(int64(-2), "EXPIRETIME", "nokey")
	k.eq(int64(-2), "PEXPIRETIME", "nokey")

	k.eq(int64(1), "EXPIRE", "k", "100")
	if ttl := k.int("TTL", "k"); ttl != 100 {
		t.Fatalf("TTL = %d", ttl)
	}
	if pttl := k.int("PTTL", "k"); pttl <= 99_000 || pttl > 100_000 {
		t.Fatalf("PTTL = %d", pttl)
	}
	now := time.Now().Unix()
	if et := k.int("EXPIRETIME", "k"); et < now+99 || et > now+101 {
		t.Fatalf("EXPIRETIME = %d, now %d", et, now)
	}

	// NX / XX / GT / LT.
	k.eq(int64(0), "EXPIRE", "k", "200", "NX")
	k.eq(int64(1), "EXPIRE", "k", "200", "XX")
	k.eq(int64(0), "EXPIRE", "k", "100", "GT")
	k.eq(int64(1), "EXPIRE", "k", "300", "gt")
	k.eq(int64(0), "EXPIRE", "k", "400", "LT")
	k.eq(int64(1), "EXPIRE", "k", "50", "lt")
	k.eq(int64(1), "EXPIRE", "k", "60", "XX", "GT")
	k.eq(int64(1), "PERSIST", "k")
	k.eq(int64(0), "PERSIST", "k")
	k.eq(int64(0), "PERSIST", "nokey")
	k.eq(int64(0), "EXPIRE", "k", "100", "XX")
	k.eq(int64(0), "EXPIRE", "k", "100", "GT") // no TTL counts as infinite
	k.eq(int64(1), "EXPIRE", "k", "100", "LT")

	at := time.Now().Add(time.Hour).UnixMilli()
	k.eq(int64(1), "PEXPIREAT", "k", strconv.FormatInt(at, 10))
	k.eq(at, "PEXPIRETIME", "k")
	k.eq((at+500)/1000, "EXPIRETIME", "k")
	k.eq(int64(1), "EXPIREAT", "k", strconv.FormatInt(at/1000, 10))
	k.eq(at/1000*1000, "PEXPIRETIME", "k")

	// Errors, checked in Valkey's order: options first, then the number.
	k.fails("ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "k", "10", "NX", "XX")
	k.fails("ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "k", "abc", "NX", "GT")
	k.fails("ERR NX and XX, GT or LT options at the same time are not compatible", "PEXPIRE", "k", "10", "NX", "LT")
	k.fails("ERR GT and LT options at the same time are not compatible", "EXPIRE", "k", "10", "GT", "LT")
	k.fails("ERR Unsupported option foo", "EXPIRE", "k", "10", "foo")
	k.fails("ERR Unsupported option bar", "PEXPIREAT", "k", "10", "NX", "bar")
	k.fails("ERR value is not an integer or out of range", "EXPIRE", "k", "abc")
	k.fails("ERR value is not an integer or out of range", "EXPIRE", "k", "1.5")
	k.fails("ERR invalid expire time in 'expire' command", "EXPIRE", "k", "9223372036854775807")
	k.fails("ERR invalid expire time in 'pexpire' command", "PEXPIRE", "k", "9223372036854775807")
	k.fails("ERR invalid expire time in 'expireat' command", "EXPIREAT", "k", "9223372036854775807")
	k.fails("ERR invalid expire time in 'expire' command", "EXPIRE", "k", "-9223372036854775808")
	k.eq(int64(1), "PEXPIREAT", "k", "9223372036854775807")
	k.fails("ERR wrong number of arguments for 'expire' command", "EXPIRE", "k")
	k.fails("ERR wrong number of arguments for 'ttl' command", "TTL", "k", "x")
	k.fails("ERR wrong number of arguments for 'persist' command", "PERSIST")

	// A time in the past deletes the key at once.
	for _, args := range [][]string{{"EXPIRE", "k", "0"}, {"PEXPIRE", "k", "-1"}, {"EXPIREAT", "k", "1"}, {"PEXPIREAT", "k", "0"}} {
		k.eq("OK", "SET", "k", "v")
		k.eq(int64(1), args...)
		k.eq(int64(0), "EXISTS", "k")
	}

	// A key with a short TTL disappears on its own.
	k.eq("OK", "SET", "short", "v")
	k.eq(int64(1), "PEXPIRE", "short", "30")
	testutil.WaitFor(t, 5*time.Second, "short key to expire", func() bool {
		return k.int("EXISTS", "short") == 0
	})
}

func TestKeysActiveExpiry(t *testing.T) {
	k := newKeysTest(t, "--hz", "100")
	for i := 0; i < 200; i++ {
		key := fmt.Sprintf("vol:%d", i)
		k.eq("OK", "SET", key, "v")
		k.eq(int64(1), "PEXPIRE", key, "20")
	}
	k.eq("OK", "SET", "keep", "v")
	// Nothing reads the volatile keys: only the background cycle can
	// reclaim them.
	testutil.WaitFor(t, 10*time.Second, "active expiry to reclaim every volatile key", func() bool {
		return k.int("DBSIZE") == 1
	})
}

func TestKeysRename(t *testing.T) {
	k := newKeysTest(t)
	k.eq("OK", "SET", "a", "1")
	k.eq(int64(1), "EXPIRE", "a", "1000")
	k.eq("OK", "SET", "b", "2")
	k.eq("OK", "RENAME", "a", "b")
	k.eq("1", "GET", "b")
	k.eq(int64(0), "EXISTS", "a")
	if ttl := k.int("TTL", "b"); ttl != 1000 {
		t.Fatalf("TTL after RENAME = %d", ttl)
	}
	k.eq("OK", "RENAME", "b", "b")
	k.eq(int64(0), "RENAMENX", "b", "b")
	k.fails("ERR no such key", "RENAME", "nokey", "x")
	k.fails("ERR no such key", "RENAME", "nokey", "nokey")
	k.fails("ERR no such key", "RENAMENX", "nokey", "x")
	k.eq("OK", "SET", "c", "3")
	k.eq(int64(0), "RENAMENX", "b", "c")
	k.eq("3", "GET", "c")
	k.eq(int64(1), "RENAMENX", "b", "d")
	k.eq(int64(1000), "TTL", "d")
	k.eq("OK", "RENAME", "c", "e")
	k.eq(int64(-1), "TTL", "e")
	k.fails("ERR wrong number of arguments for 'rename' command", "RENAME", "a")
	k.fails("ERR wrong number of arguments for 'renamenx' command", "RENAMENX", "a", "b", "c")
}

func TestKeysMoveCopySelect(t *testing.T) {
	k := newKeysTest(t)
	conn := k.rdb.Conn()
	defer conn.Close()
	do := func(args ...string) any {
		t.Helper()
		v, err := conn.Do(k.ctx, keysArgs(args)...).Result()
		if err != nil && err != redis.Nil {
			t.Fatalf("%v: %v", args, err)
		}
		return v
	}
	k.eq("OK", "SET", "k", "v")
	k.eq(int64(1), "EXPIRE", "k", "500")
	k.eq(int64(1), "MOVE", "k", "1")
	k.eq(int64(0), "MOVE", "k", "1")
	k.eq(int64(0), "EXISTS", "k")
	k.fails("ERR source and destination objects are the same", "MOVE", "k", "0")
	k.fails("ERR source and destination objects are the same", "MOVE", "nokey", "0")
	k.fails("ERR value is not an integer or out of range", "MOVE", "k", "x")
	k.fails("ERR value is not an integer or out of range", "MOVE", "k", "4294967296")
	k.fails("ERR DB index is out of range", "MOVE", "k", "16")
	k.fails("ERR DB index is out of range", "MOVE", "k", "-1")
	do("SELECT", "1")
	if v := do("GET", "k"); v != "v" {
		t.Fatalf("GET in db 1 = %v", v)
	}
	if v := do("TTL", "k"); v != int64(500) {
		t.Fatalf("TTL in db 1 = %v", v)
	}
	// MOVE refuses to overwrite.
	k.eq("OK", "SET", "k", "db0")
	if v := do("MOVE", "k", "0"); v != int64(0) {
		t.Fatalf("MOVE onto an existing key = %v", v)
	}

	// COPY within and across databases.
	if v := do("COPY", "k", "k2"); v != int64(1) {
		t.Fatalf("COPY = %v", v)
	}
	if v := do("COPY", "k", "k2"); v != int64(0) {
		t.Fatalf("COPY onto an existing key = %v", v)
	}
	if v := do("COPY", "k", "k", "DB", "0"); v != int64(0) {
		t.Fatalf("COPY DB 0 onto an existing key = %v", v)
	}
	if v := do("COPY", "k", "k", "DB", "0", "REPLACE"); v != int64(1) {
		t.Fatalf("COPY DB 0 REPLACE = %v", v)
	}
	k.eq("v", "GET", "k")
	k.eq(int64(500), "TTL", "k")
	if v := do("COPY", "nokey", "x"); v != int64(0) {
		t.Fatalf("COPY of a missing key = %v", v)
	}
	k.fails("ERR source and destination objects are the same", "COPY", "k", "k")
	k.fails("ERR source and destination objects are the same", "COPY", "k", "k", "DB", "0")
	k.eq(int64(1), "COPY", "k", "k", "DB", "2")
	k.fails("ERR value is not an integer or out of range", "COPY", "k", "x", "DB", "x")
	k.fails("ERR DB index is out of range", "COPY", "k", "x", "DB", "99")
	k.fails("ERR syntax error", "COPY", "k", "x", "DB")
	k.fails("ERR syntax error", "COPY", "k", "x", "foo")
	k.fails("ERR wrong number of arguments for 'copy' command", "COPY", "k")
	k.fails("ERR wrong number of arguments for 'move' command", "MOVE", "k")
}

func TestKeysSwapDBAndFlush(t *testing.T) {
	k := newKeysTest(t)
	other := redis.NewClient(&redis.Options{Addr: k.rdb.Options().Addr, DB: 1, Protocol: 2})
	defer other.Close()
	k.eq("OK", "SET", "in0", "a")
	if err := other.Set(k.ctx, "in1", "b", 0).Err(); err != nil {
		t.Fatal(err)
	}
	k.eq("OK", "SWAPDB", "0", "1")
	k.eq("b", "GET", "in1")
	k.eq(int64(0), "EXISTS", "in0")
	if v, err := other.Get(k.ctx, "in0").Result(); err != nil || v != "a" {
		t.Fatalf("db 1 after SWAPDB: %q %v", v, err)
	}
	k.eq("OK", "SWAPDB", "1", "1")
	k.fails("ERR invalid first DB index", "SWAPDB", "x", "1")
	k.fails("ERR invalid second DB index", "SWAPDB", "1", "x")
	k.fails("ERR invalid first DB index", "SWAPDB", "4294967296", "1")
	k.fails("ERR DB index is out of range", "SWAPDB", "1", "16")
	k.fails("ERR DB index is out of range", "SWAPDB", "-1", "1")
	k.fails("ERR wrong number of arguments for 'swapdb' command", "SWAPDB", "1")

	k.eq("OK", "FLUSHDB")
	k.eq(int64(0), "DBSIZE")
	if n, _ := other.DBSize(k.ctx).Result(); n != 1 {
		t.Fatalf("FLUSHDB emptied another database: %d keys left", n)
	}
	k.eq("OK", "SET", "x", "1")
	k.eq("OK", "FLUSHDB", "SYNC")
	k.eq("OK", "FLUSHDB", "async")
	k.eq("OK", "FLUSHALL", "ASYNC")
	if n, _ := other.DBSize(k.ctx).Result(); n != 0 {
		t.Fatalf("FLUSHALL left %d keys in db 1", n)
	}
	k.eq("OK", "FLUSHALL", "sync")
	k.eq("OK", "FLUSHALL")
	k.fails("ERR syntax error", "FLUSHDB", "foo")
	k.fails("ERR syntax error", "FLUSHDB", "ASYNC", "SYNC")
	k.fails("ERR syntax error", "FLUSHALL", "NOW")
}

func TestKeysObject(t *testing.T) {
	k := newKeysTest(t)
	k.eq("OK", "SET", "int", "12345")
	k.eq("OK", "SET", "str", "hello")
	k.eq("OK", "SET", "long", strings.Repeat("x", 45))
	k.eq("int", "OBJECT", "ENCODING", "int")
	k.eq("embstr", "OBJECT", "encoding", "str")
	k.eq("raw", "OBJECT", "ENCODING", "long")
	k.eq(nil, "OBJECT", "ENCODING", "nokey")
	k.eq(int64(1), "OBJECT", "REFCOUNT", "int")
	k.eq(nil, "OBJECT", "REFCOUNT", "nokey")
	if idle := k.int("OBJECT", "IDLETIME", "str"); idle < 0 || idle > 2 {
		t.Fatalf("IDLETIME = %d", idle)
	}
	k.fails("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
		"OBJECT", "FREQ", "str")
	k.eq(nil, "OBJECT", "FREQ", "nokey")
	help := k.do("OBJECT", "HELP").([]any)
	if len(help) != 15 || help[0] != "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" ||
		help[1] != "ENCODING <key>" || help[13] != "HELP" || help[14] != "    Print this help." {
		t.Fatalf("OBJECT HELP = %q", help)
	}
	k.fails("ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo", "str")
	k.fails("ERR wrong number of arguments for 'object' command", "OBJECT")
	k.fails("ERR wrong number of arguments for 'object|encoding' command", "OBJECT", "ENCODING")
	k.fails("ERR wrong number of arguments for 'object|encoding' command", "OBJECT", "ENCODING", "a", "b")
	k.fails("ERR wrong number of arguments for 'object|help' command", "OBJECT", "HELP", "x")
}

func TestKeysObjectUnderLFU(t *testing.T) {
	k := newKeysTest(t, "--maxmemory-policy", "allkeys-lfu")
	k.eq("OK", "SET", "k", "v")
	if f := k.int("OBJECT", "FREQ", "k"); f < 1 || f > 255 {
		t.Fatalf("FREQ = %d", f)
	}
	for i := 0; i < 200; i++ {
		k.do("GET", "k")
	}
	if f := k.int("OBJECT", "FREQ", "k"); f <= 5 {
		t.Fatalf("FREQ after 200 reads = %d", f)
	}
	k.fails("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
		"OBJECT", "IDLETIME", "k")
}

func TestKeysWait(t *testing.T) {
	k := newKeysTest(t)
	k.eq(int64(0), "WAIT", "0", "0")
	k.eq(int64(0), "WAIT", "0", "100")
	start := time.Now()
	k.eq(int64(0), "WAIT", "1", "100")
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("WAIT 1 100 returned after %v", d)
	}
	k.fails("ERR value is not an integer or out of range", "WAIT", "x", "0")
	k.fails("ERR timeout is not an integer or out of range", "WAIT", "1", "x")
	k.fails("ERR timeout is negative", "WAIT", "1", "-1")
	k.fails("ERR timeout is out of range", "WAIT", "1", "9223372036854775807")
	k.fails("ERR wrong number of arguments for 'wait' command", "WAIT", "1")
}

// TestKeysWholeKeyspaceInMulti runs the commands that lock every slot (or
// iterate them) inside MULTI, where EXEC takes every lock up front.
func TestKeysWholeKeyspaceInMulti(t *testing.T) {
	k := newKeysTest(t)
	k.eq("OK", "SET", "a", "1")
	cmds, err := k.rdb.TxPipelined(k.ctx, func(p redis.Pipeliner) error {
		p.Set(k.ctx, "b", "2", 0)
		p.Keys(k.ctx, "*")
		p.DBSize(k.ctx)
		p.Scan(k.ctx, 0, "", 1000)
		p.RandomKey(k.ctx)
		p.SwapDB(k.ctx, 0, 1)
		p.DBSize(k.ctx)
		p.Set(k.ctx, "c", "3", 0) // lands in db 0, which now holds db 1's data
		p.FlushAll(k.ctx)
		p.DBSize(k.ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := cmds[2].(*redis.IntCmd).Val(); n != 2 {
		t.Fatalf("DBSIZE in MULTI = %d", n)
	}
	if keys := cmds[1].(*redis.StringSliceCmd).Val(); len(keys) != 2 {
		t.Fatalf("KEYS in MULTI = %q", keys)
	}
	if keys, _ := cmds[3].(*redis.ScanCmd).Val(); len(keys) != 2 {
		t.Fatalf("SCAN in MULTI = %q", keys)
	}
	if n := cmds[6].(*redis.IntCmd).Val(); n != 0 {
		t.Fatalf("DBSIZE after SWAPDB in MULTI = %d", n)
	}
	if n := cmds[9].(*redis.IntCmd).Val(); n != 0 {
		t.Fatalf("DBSIZE after FLUSHALL in MULTI = %d", n)
	}
	k.eq(int64(0), "DBSIZE")
}
