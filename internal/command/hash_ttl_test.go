package command

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Hash field expiration tests against the spec (valkey9-cluster.md §4)
// and Valkey's t_hash.c, on a fake clock (keysHarness, keysEpoch).

// hashRESPInts is the RESP2 array of integers.
func hashRESPInts(vals ...int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(vals))
	for _, v := range vals {
		fmt.Fprintf(&b, ":%d\r\n", v)
	}
	return b.String()
}

// hashRESPBulks is the RESP2 array of bulk strings; nil is a null bulk.
func hashRESPBulks(vals ...any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(vals))
	for _, v := range vals {
		if v == nil {
			b.WriteString("$-1\r\n")
			continue
		}
		s := v.(string)
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(s), s)
	}
	return b.String()
}

func hashRESPErr(msg string) string { return "-" + msg + "\r\n" }

func hashRESPInt(v int64) string { return ":" + strconv.FormatInt(v, 10) + "\r\n" }

func hashAt(ms int64) string { return strconv.FormatInt(keysEpoch+ms, 10) }

// newHashHarness is a keysHarness with a hash h = {a:1, b:2, c:3} and the
// recorders emptied.
func newHashHarness(t *testing.T) *keysHarness {
	h := newKeysHarness(t)
	h.do("HSET", "h", "a", "1", "b", "2", "c", "3")
	h.sink.take()
	h.notes.take()
	return h
}

func TestHashExpireCodes(t *testing.T) {
	h := newHashHarness(t)
	h.expect(hashRESPInts(-2, -2), "HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b")
	h.expectEffects()
	h.expectEvents()
	h.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	// A listpack has no TTLs: XX and GT fail without converting it.
	h.expect(hashRESPInts(0, 0, -2), "HEXPIRE", "h", "10", "XX", "FIELDS", "3", "a", "b", "zz")
	h.expect(hashRESPInts(0), "HEXPIRE", "h", "10", "GT", "FIELDS", "1", "a")
	h.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h")
	h.expectEffects()
	h.expect(hashRESPInts(1, -2), "HEXPIRE", "h", "10", "FIELDS", "2", "a", "zz")
	h.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(10_000) + " FIELDS 2 a zz")
	h.expectEvents(keyEvents(0, "hexpire", "h")...)
	steps := []struct {
		args []string
		code int64
	}{
		{[]string{"20", "NX"}, 0},
		{[]string{"20", "XX"}, 1},
		{[]string{"10", "GT"}, 0},
		{[]string{"20", "GT"}, 0}, // equal is not greater
		{[]string{"30", "GT"}, 1},
		{[]string{"40", "LT"}, 0},
		{[]string{"30", "LT"}, 0},
		{[]string{"5", "lt"}, 1},
	}
	for _, s := range steps {
		args := []string{"HEXPIRE", "h", s.args[0], s.args[1], "FIELDS", "1", "a"}
		h.expect(hashRESPInts(s.code), args...)
	}
	h.expect(hashRESPInts(5), "HTTL", "h", "FIELDS", "1", "a")
	h.sink.take()
	h.notes.take()
	h.expect(hashRESPInts(0, 0), "HEXPIRE", "h", "5", "XX", "FIELDS", "2", "b", "c")
	h.expect(hashRESPInts(0), "HEXPIRE", "h", "5", "GT", "FIELDS", "1", "b")
	h.expectEffects()
	h.expectEvents()
	h.expect(hashRESPInts(1), "HEXPIRE", "h", "5", "LT", "FIELDS", "1", "b") // no TTL is infinite
	h.expect(hashRESPInts(1), "HEXPIRE", "h", "5", "NX", "FIELDS", "1", "c")
	h.expect(hashRESPInts(5000), "HPTTL", "h", "FIELDS", "1", "c")
	h.sink.take()
	h.expect(hashRESPInts(1), "HPEXPIRE", "h", "1500", "FIELDS", "1", "c")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(1500) + " FIELDS 1 c")
	abs := strconv.FormatInt(keysEpoch/1000+100, 10)
	h.expect(hashRESPInts(1), "HEXPIREAT", "h", abs, "FIELDS", "1", "c")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(100_000) + " FIELDS 1 c")
	// HPEXPIREAT propagates as received.
	h.expect(hashRESPInts(-2), "hpexpireat", "h", hashAt(7000), "nx", "FIELDS", "1", "zz")
	h.expectEffects()
	h.expect(hashRESPInts(1), "hpexpireat", "h", hashAt(7000), "FIELDS", "1", "c")
	h.expectEffects("0: hpexpireat h " + hashAt(7000) + " FIELDS 1 c")
	h.expect(hashRESPInts(keysEpoch+7000), "HPEXPIRETIME", "h", "FIELDS", "1", "c")
}

func TestHashExpirePastDeletes(t *testing.T) {
	h := newHashHarness(t)
	// A time 0 or not after now deletes the fields at once (code 2), for
	// listpacks too, propagated as HDEL of the deleted fields only.
	h.expect(hashRESPInts(2, -2), "HEXPIRE", "h", "0", "FIELDS", "2", "a", "zz")
	h.expectEffects("0: HDEL h a")
	h.expectEvents(keyEvents(0, "hexpired", "h")...)
	h.expect(hashRESPInts(2), "HPEXPIREAT", "h", hashAt(0), "FIELDS", "1", "b")
	h.expectEffects("0: HDEL h b")
	h.notes.take()
	h.expect(hashRESPInts(2, -2), "HEXPIREAT", "h", "1", "FIELDS", "2", "c", "c")
	h.expectEffects("0: HDEL h c")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "h"), keyEvents(0, "del", "h"))...)
	h.expect(":0\r\n", "EXISTS", "h")
	// Conditions are checked before the deletion.
	h.do("HSET", "k", "a", "1")
	h.expect(hashRESPInts(0), "HEXPIRE", "k", "0", "XX", "FIELDS", "1", "a")
	h.expect(":1\r\n", "HLEN", "k")
	if s := h.do("INFO", "stats"); !strings.Contains(s, "expired_fields:3\r\n") {
		t.Fatalf("INFO stats: %q", s)
	}
}

func TestHashExpireErrors(t *testing.T) {
	h := newHashHarness(t)
	h.do("SET", "str", "v")
	nf := hashRESPErr(ErrHashNumFields)
	cases := []struct {
		want string
		args []string
	}{
		{nf, []string{"HEXPIRE", "h", "10", "FIELDS", "0", "a"}},
		{nf, []string{"HEXPIRE", "h", "10", "FIELDS", "2", "a"}},
		{nf, []string{"HEXPIRE", "h", "10", "FIELDS", "1", "a", "b"}},
		{nf, []string{"HEXPIRE", "h", "10", "FIELDS", "-1", "a"}},
		{nf, []string{"HEXPIRE", "h", "10", "a", "b", "c"}},
		{nf, []string{"HEXPIRE", "h", "10", "NX", "b", "c"}},
		{hashRESPErr(ErrNotInt), []string{"HEXPIRE", "h", "10", "FIELDS", "x", "a"}},
		{hashRESPErr(ErrKeysNXXXGTLT), []string{"HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrKeysNXXXGTLT), []string{"HEXPIRE", "h", "10", "GT", "NX", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrKeysGTLT), []string{"HEXPIRE", "h", "10", "GT", "LT", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR Unsupported option FOO"), []string{"HEXPIRE", "h", "10", "FOO", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR Unsupported option FOO"), []string{"HEXPIRE", "h", "x", "FOO", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrNotInt), []string{"HEXPIRE", "h", "abc", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hexpire' command"), []string{"HEXPIRE", "h", "-1", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hexpire' command"), []string{"HEXPIRE", "h", "9223372036854775807", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hpexpire' command"), []string{"HPEXPIRE", "h", "9223372036854775807", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hexpireat' command"), []string{"HEXPIREAT", "h", "-5", "FIELDS", "1", "a"}},
		{hashRESPInts(1), []string{"HPEXPIREAT", "h", "9223372036854775807", "FIELDS", "1", "a"}},
		// Numfields and the time are checked before the type.
		{hashRESPErr(ErrWrongType), []string{"HEXPIRE", "str", "10", "FIELDS", "1", "a"}},
		{nf, []string{"HEXPIRE", "str", "10", "FIELDS", "2", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hexpire' command"), []string{"HEXPIRE", "str", "-1", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrWrongArgs("hexpire")), []string{"HEXPIRE", "h", "10", "FIELDS", "1"}},
		// A field may be called FIELDS.
		{hashRESPInts(-2, 1), []string{"HEXPIRE", "h", "10", "FIELDS", "2", "FIELDS", "b"}},
	}
	for _, c := range cases {
		if got := h.do(c.args...); got != c.want {
			t.Errorf("%v: got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestHashTTLReads(t *testing.T) {
	h := newHashHarness(t)
	h.do("HPEXPIRE", "h", "1499", "FIELDS", "1", "a")
	h.expect(hashRESPInts(1, -1, -2), "HTTL", "h", "FIELDS", "3", "a", "b", "zz")
	h.expect(hashRESPInts(1499), "HPTTL", "h", "FIELDS", "1", "a")
	h.expect(hashRESPInts((keysEpoch+1499+500)/1000, -1, -2), "HEXPIRETIME", "h", "FIELDS", "3", "a", "b", "zz")
	h.expect(hashRESPInts(keysEpoch+1499), "HPEXPIRETIME", "h", "FIELDS", "1", "a")
	h.advance(1000)
	h.expect(hashRESPInts(499), "HPTTL", "h", "FIELDS", "1", "a")
	h.expect(hashRESPInts(0), "HTTL", "h", "FIELDS", "1", "a") // (499+500)/1000
	h.advance(499)
	h.expect(hashRESPInts(0), "HPTTL", "h", "FIELDS", "1", "a") // expires when now > at
	h.advance(1)
	h.expect(hashRESPInts(-2), "HPTTL", "h", "FIELDS", "1", "a")
	h.expect(hashRESPInts(-2, -2), "HTTL", "nokey", "FIELDS", "2", "a", "b")
	// Valkey reads numfields at argv[3] without checking the FIELDS token,
	// and a count mismatch is a syntax error here.
	h.expect(hashRESPInts(-1), "HTTL", "h", "XYZ", "1", "b")
	h.expect(hashRESPErr(ErrSyntax), "HTTL", "h", "FIELDS", "2", "a")
	h.expect(hashRESPErr(ErrSyntax), "HPTTL", "h", "FIELDS", "0", "a")
	h.expect(hashRESPErr(ErrNotInt), "HEXPIRETIME", "h", "FIELDS", "x", "a")
	h.do("SET", "str", "v")
	h.expect(hashRESPErr(ErrWrongType), "HPEXPIRETIME", "str", "FIELDS", "1", "a")
	h.expect(hashRESPErr(ErrWrongArgs("httl")), "HTTL", "h", "FIELDS", "1")
}

func TestHashPersist(t *testing.T) {
	h := newHashHarness(t)
	h.do("HEXPIRE", "h", "100", "FIELDS", "1", "a")
	h.sink.take()
	h.notes.take()
	h.expect(hashRESPInts(1, -1, -2), "HPERSIST", "h", "FIELDS", "3", "a", "b", "zz")
	h.expectEffects("0: HPERSIST h FIELDS 3 a b zz")
	h.expectEvents(keyEvents(0, "hpersist", "h")...)
	h.expect(hashRESPInts(-1), "HTTL", "h", "FIELDS", "1", "a")
	h.expect(hashRESPInts(-1), "HPERSIST", "h", "FIELDS", "1", "a")
	h.expectEffects()
	h.expectEvents()
	h.expect(hashRESPInts(-2), "HPERSIST", "nokey", "FIELDS", "1", "a")
	h.expect(hashRESPErr(ErrHashNumFields), "HPERSIST", "h", "FIELDS", "2", "a")
	h.expect(hashRESPErr(ErrNotInt), "HPERSIST", "h", "FIELDS", "x", "a")
	if s := h.do("INFO", "keyspace"); !strings.Contains(s, "keys_with_volatile_items=0") {
		t.Fatalf("INFO keyspace after HPERSIST: %q", s)
	}
}

func TestHashGetEx(t *testing.T) {
	h := newHashHarness(t)
	h.expect(hashRESPBulks("1", nil, "2"), "HGETEX", "h", "EX", "100", "FIELDS", "3", "a", "zz", "b")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(100_000) + " FIELDS 2 a b")
	h.expectEvents(keyEvents(0, "hexpire", "h")...)
	h.expect(hashRESPInts(100, 100, -1), "HTTL", "h", "FIELDS", "3", "a", "b", "c")
	h.expect(hashRESPBulks("1", nil), "HGETEX", "h", "PERSIST", "FIELDS", "2", "a", "zz")
	h.expectEffects("0: HPERSIST h FIELDS 1 a")
	h.expectEvents(keyEvents(0, "hpersist", "h")...)
	h.expect(hashRESPBulks("1"), "HGETEX", "h", "PERSIST", "FIELDS", "1", "a")
	h.expect(hashRESPBulks("1", "3"), "HGETEX", "h", "FIELDS", "2", "a", "c")
	h.expectEffects()
	h.expectEvents()
	h.expect(hashRESPBulks("3"), "HGETEX", "h", "PXAT", hashAt(5000), "FIELDS", "1", "c")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(5000) + " FIELDS 1 c")
	h.expect(hashRESPBulks("3"), "HGETEX", "h", "EXAT", strconv.FormatInt(keysEpoch/1000+9, 10), "FIELDS", "1", "c")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(9000) + " FIELDS 1 c")
	h.expect(hashRESPBulks("3"), "HGETEX", "h", "PX", "20", "FIELDS", "1", "c")
	h.expectEffects("0: HPEXPIREAT h " + hashAt(20) + " FIELDS 1 c")
	h.notes.take()
	// A time 0 or in the past deletes what it returned.
	h.expect(hashRESPBulks("1", nil), "HGETEX", "h", "EXAT", "1", "FIELDS", "2", "a", "a")
	h.expectEffects("0: HDEL h a")
	h.expectEvents(keyEvents(0, "hexpired", "h")...)
	h.expect(hashRESPBulks("2", "3"), "HGETEX", "h", "PX", "0", "FIELDS", "2", "b", "c")
	h.expectEffects("0: HDEL h b c")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "h"), keyEvents(0, "del", "h"))...)
	h.expect(":0\r\n", "EXISTS", "h")
	h.expect(hashRESPBulks(nil, nil), "HGETEX", "h", "EX", "10", "FIELDS", "2", "a", "b")
	h.expect(hashRESPBulks(nil), "HGETEX", "h", "PERSIST", "FIELDS", "1", "a")
	h.expectEffects()
}

func TestHashGetExErrors(t *testing.T) {
	h := newHashHarness(t)
	h.do("SET", "str", "v")
	nf := hashRESPErr(ErrHashNumFields)
	syn := hashRESPErr(ErrSyntax)
	cases := []struct {
		want string
		args []string
	}{
		{syn, []string{"HGETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "EX", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "PERSIST", "EX", "10", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "EX", "10", "PERSIST", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "KEEPTTL", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "FNX", "FIELDS", "1", "a"}},
		{syn, []string{"HGETEX", "h", "foo", "FIELDS", "1", "a"}},
		{hashRESPBulks("1"), []string{"HGETEX", "h", "EX", "10", "EX", "20", "FIELDS", "1", "a"}},
		{hashRESPBulks("1"), []string{"HGETEX", "h", "PERSIST", "PERSIST", "FIELDS", "1", "a"}},
		{hashRESPErr("ERR invalid expire time in 'hgetex' command"), []string{"HGETEX", "h", "EX", "-1", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrNotInt), []string{"HGETEX", "h", "EX", "x", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrNotInt), []string{"HGETEX", "h", "EX", "10", "FIELDS", "x", "a"}},
		{nf, []string{"HGETEX", "h", "EX", "10", "FIELDS", "2", "a"}},
		{nf, []string{"HGETEX", "h", "EX", "10", "FIELDS", "0", "a"}},
		{nf, []string{"HGETEX", "h", "EX", "10", "1", "a"}},
		{hashRESPErr(ErrWrongType), []string{"HGETEX", "str", "EX", "10", "FIELDS", "1", "a"}},
		// The type is checked before the time.
		{hashRESPErr(ErrWrongType), []string{"HGETEX", "str", "EX", "-1", "FIELDS", "1", "a"}},
		{hashRESPErr(ErrWrongArgs("hgetex")), []string{"HGETEX", "h", "FIELDS", "1"}},
	}
	for _, c := range cases {
		if got := h.do(c.args...); got != c.want {
			t.Errorf("%v: got %q, want %q", c.args, got, c.want)
		}
	}
}

func TestHashSetEx(t *testing.T) {
	h := newKeysHarness(t)
	h.expect(":1\r\n", "HSETEX", "h", "EX", "100", "FIELDS", "2", "a", "1", "b", "2")
	h.expectEffects("0: HSETEX h PXAT " + hashAt(100_000) + " FIELDS 2 a 1 b 2")
	h.expectEvents(joinEvents(keyEvents(0, "hset", "h"), keyEvents(0, "hexpire", "h"))...)
	h.expect(hashRESPInts(100, 100), "HTTL", "h", "FIELDS", "2", "a", "b")
	h.expect(":0\r\n", "HSETEX", "h", "FNX", "FIELDS", "1", "a", "x")
	h.expect(":0\r\n", "HSETEX", "h", "FXX", "FIELDS", "2", "a", "x", "c", "y")
	h.expect(":0\r\n", "HSETEX", "nokey", "FXX", "FIELDS", "1", "a", "x")
	h.expectEffects()
	h.expectEvents()
	h.expect(":1\r\n", "HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "a", "x")
	h.expectEffects("0: HSETEX h KEEPTTL FIELDS 1 a x")
	h.expectEvents(keyEvents(0, "hset", "h")...)
	h.expect(hashRESPInts(100), "HTTL", "h", "FIELDS", "1", "a")
	h.expect(hashRESPBulks("x"), "HMGET", "h", "a")
	h.expect(":1\r\n", "HSETEX", "h", "FIELDS", "1", "a", "y")
	h.expectEffects("0: HSETEX h FIELDS 1 a y")
	h.expect(hashRESPInts(-1), "HTTL", "h", "FIELDS", "1", "a")
	h.expect(":1\r\n", "HSETEX", "h", "PXAT", hashAt(7000), "FIELDS", "1", "c", "3")
	h.expectEffects("0: HSETEX h PXAT " + hashAt(7000) + " FIELDS 1 c 3")
	h.expect(":1\r\n", "HSETEX", "h", "FNX", "PXAT", hashAt(7000), "FIELDS", "1", "d", "4")
	h.expectEffects("0: HSETEX h PXAT " + hashAt(7000) + " FIELDS 1 d 4")
	h.expect(":1\r\n", "hsetex", "h", "ex", "1", "fnx", "ex", "2", "FIELDS", "1", "e", "5")
	h.expectEffects("0: hsetex h PXAT " + hashAt(2000) + " FIELDS 1 e 5")
	h.notes.take()
	// A past time deletes the named fields (propagated as HDEL) and every
	// event is still announced.
	h.expect(":1\r\n", "HSETEX", "h", "EX", "0", "FIELDS", "2", "c", "x", "zz", "y")
	h.expectEffects("0: HDEL h c")
	h.expectEvents(joinEvents(keyEvents(0, "hset", "h"), keyEvents(0, "hexpire", "h"), keyEvents(0, "hexpired", "h"))...)
	h.expect(hashRESPInts(-2), "HTTL", "h", "FIELDS", "1", "c")
	h.expect(":1\r\n", "HSETEX", "nokey", "PXAT", "1", "FIELDS", "1", "a", "1")
	h.expectEffects()
	h.expectEvents(joinEvents(keyEvents(0, "hset", "nokey"), keyEvents(0, "hexpire", "nokey"),
		keyEvents(0, "hexpired", "nokey"), keyEvents(0, "del", "nokey"))...)
	h.expect(":0\r\n", "EXISTS", "nokey")
	// KEEPTTL over a logically expired field: the old TTL is not kept and
	// the field is propagated as deleted first.
	h.do("HSETEX", "k", "PX", "100", "FIELDS", "2", "f", "v", "g", "v")
	h.advance(101)
	h.sink.take()
	h.notes.take()
	h.expect(":1\r\n", "HSETEX", "k", "KEEPTTL", "FIELDS", "2", "f", "w", "n", "1")
	h.expectEffects("0: HDEL k f", "0: HSETEX k KEEPTTL FIELDS 2 f w n 1")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "k"), keyEvents(0, "hset", "k"))...)
	h.expect(hashRESPInts(-1, -2, -1), "HTTL", "k", "FIELDS", "3", "f", "g", "n")
}

func TestHashSetExErrors(t *testing.T) {
	h := newHashHarness(t)
	h.do("SET", "str", "v")
	h.sink.take()
	nf := hashRESPErr(ErrHashNumFields)
	syn := hashRESPErr(ErrSyntax)
	cases := []struct {
		want string
		args []string
	}{
		{nf, []string{"HSETEX", "h", "EX", "10", "FIELDS", "2", "a", "1"}},
		{nf, []string{"HSETEX", "h", "EX", "10", "FIELDS", "1", "a"}},
		{nf, []string{"HSETEX", "h", "EX", "10", "FIELDS", "0"}},
		{nf, []string{"HSETEX", "h", "EX", "10", "a", "1"}},
		{nf, []string{"HSETEX", "h", "FIELDS", "4611686018427387904", "a", "1"}},
		{syn, []string{"HSETEX", "h", "FNX", "FXX", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "EX", "10", "KEEPTTL", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "KEEPTTL", "PX", "10", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "PERSIST", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "EX", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "NX", "FIELDS", "1", "a", "1"}},
		{syn, []string{"HSETEX", "h", "EX", "10", "EXAT", "10", "FIELDS", "1", "a", "1"}},
		{hashRESPErr("ERR invalid expire time in 'hsetex' command"), []string{"HSETEX", "h", "EX", "-5", "FIELDS", "1", "a", "1"}},
		{hashRESPErr(ErrNotInt), []string{"HSETEX", "h", "PX", "1.5", "FIELDS", "1", "a", "1"}},
		{hashRESPErr(ErrNotInt), []string{"HSETEX", "h", "FIELDS", "one", "a", "1"}},
		{hashRESPErr(ErrWrongType), []string{"HSETEX", "str", "EX", "10", "FIELDS", "1", "a", "1"}},
		{hashRESPErr(ErrWrongType), []string{"HSETEX", "str", "EX", "-1", "FIELDS", "1", "a", "1"}},
		{hashRESPErr(ErrWrongArgs("hsetex")), []string{"HSETEX", "h", "FIELDS", "1", "a"}},
	}
	for _, c := range cases {
		if got := h.do(c.args...); got != c.want {
			t.Errorf("%v: got %q, want %q", c.args, got, c.want)
		}
	}
	h.expectEffects()
	h.expect(hashRESPBulks("1", "2", "3"), "HMGET", "h", "a", "b", "c")
}
