package command

import (
	"strings"
	"testing"
	"time"
)

// TestHashExpiredFieldsInvisible checks that a logically expired field is
// absent for every read, that reads never delete it (HLEN still counts it
// until reclaimed), and that writes over it count as an expiration.
func TestHashExpiredFieldsInvisible(t *testing.T) {
	h := newHashHarness(t)
	h.do("HPEXPIRE", "h", "100", "FIELDS", "2", "a", "b")
	h.advance(101)
	h.sink.take()
	h.notes.take()
	reads := []struct {
		want string
		args []string
	}{
		{"$-1\r\n", []string{"HGET", "h", "a"}},
		{hashRESPBulks(nil, nil, "3"), []string{"HMGET", "h", "a", "b", "c"}},
		{":0\r\n", []string{"HEXISTS", "h", "a"}},
		{":0\r\n", []string{"HSTRLEN", "h", "b"}},
		{hashRESPBulks("c", "3"), []string{"HGETALL", "h"}},
		{hashRESPBulks("c"), []string{"HKEYS", "h"}},
		{hashRESPBulks("3"), []string{"HVALS", "h"}},
		{"*2\r\n$1\r\n0\r\n" + hashRESPBulks("c", "3"), []string{"HSCAN", "h", "0"}},
		{hashRESPBulks("c"), []string{"HRANDFIELD", "h", "5"}},
		{hashRESPBulks("c", "c", "c"), []string{"HRANDFIELD", "h", "-3"}},
		{hashRESPBulks("c", "3"), []string{"HRANDFIELD", "h", "-1", "WITHVALUES"}},
		{"$1\r\nc\r\n", []string{"HRANDFIELD", "h"}},
		{hashRESPInts(-2, -2, -1), []string{"HTTL", "h", "FIELDS", "3", "a", "b", "c"}},
		{hashRESPInts(-2), []string{"HPERSIST", "h", "FIELDS", "1", "a"}},
		{hashRESPInts(-2), []string{"HEXPIRE", "h", "10", "FIELDS", "1", "a"}},
		{hashRESPBulks(nil), []string{"HGETEX", "h", "EX", "10", "FIELDS", "1", "a"}},
		{":0\r\n", []string{"HSETEX", "h", "FXX", "FIELDS", "1", "a", "x"}},
		// HDEL leaves expired fields to the reclaimer and does not count them.
		{":0\r\n", []string{"HDEL", "h", "a", "b"}},
		{":3\r\n", []string{"HLEN", "h"}},
	}
	for _, r := range reads {
		if got := h.do(r.args...); got != r.want {
			t.Errorf("%v: got %q, want %q", r.args, got, r.want)
		}
	}
	h.expectEffects()
	h.expectEvents()
	// HSETNX treats the expired field as absent; the hash has volatile
	// fields, so it propagates as HSET.
	h.expect(":1\r\n", "HSETNX", "h", "a", "new")
	h.expectEffects("0: HSET h a new")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "h"), keyEvents(0, "hset", "h"))...)
	h.expect(hashRESPInts(-1), "HTTL", "h", "FIELDS", "1", "a")
	// HINCRBY on the expired field starts from 0.
	h.expect(":5\r\n", "HINCRBY", "h", "b", "5")
	h.expectEffects("0: HSET h b 5")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "h"), keyEvents(0, "hincrby", "h"))...)
	// No volatile field is left: HINCRBY propagates as received.
	h.expect(":6\r\n", "HINCRBY", "h", "b", "1")
	h.expectEffects("0: HINCRBY h b 1")
	h.do("HPEXPIRE", "h", "10", "FIELDS", "1", "c")
	h.advance(11)
	h.sink.take()
	h.notes.take()
	h.expect(":2\r\n", "HSET", "h", "c", "x", "d", "y")
	h.expectEffects("0: HSET h c x d y")
	h.expectEvents(joinEvents(keyEvents(0, "hexpired", "h"), keyEvents(0, "hset", "h"))...)
	if s := h.do("INFO", "stats"); !strings.Contains(s, "expired_fields:3\r\n") {
		t.Fatalf("overwrites of expired fields count as expirations: %q", s)
	}
}

// TestHashOverwriteAndCounters checks which writes keep a field's TTL.
func TestHashOverwriteAndCounters(t *testing.T) {
	h := newHashHarness(t)
	h.do("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "c")
	h.sink.take()
	h.expect(":0\r\n", "HSET", "h", "a", "x")
	h.expect(hashRESPInts(-1, 100), "HTTL", "h", "FIELDS", "2", "a", "b")
	h.expect(":0\r\n", "HSETNX", "h", "b", "y")
	h.expect(hashRESPInts(100), "HTTL", "h", "FIELDS", "1", "b")
	h.sink.take()
	// Counters keep a live field's TTL and propagate it with HSETEX.
	h.expect(":4\r\n", "HINCRBY", "h", "b", "2")
	h.expectEffects("0: HSETEX h PXAT " + hashAt(100_000) + " FIELDS 1 b 4")
	h.expect("$3\r\n4.5\r\n", "HINCRBYFLOAT", "h", "b", "0.5")
	h.expectEffects("0: HSETEX h PXAT " + hashAt(100_000) + " FIELDS 1 b 4.5")
	h.expect(hashRESPInts(100), "HTTL", "h", "FIELDS", "1", "b")
	h.expect("$1\r\n1\r\n", "HINCRBYFLOAT", "h", "n", "1")
	h.expectEffects("0: HSET h n 1")
	h.expect(":0\r\n", "HINCRBY", "h", "z", "0")
	h.expectEffects("0: HSET h z 0")
	h.expect(hashRESPInts(-1), "HTTL", "h", "FIELDS", "1", "z")
}

// TestHashActiveReclaim runs the active expiry cycle on the fake clock:
// reclaimed fields are propagated as HDEL and announced as "hexpired", an
// emptied hash is deleted with "del", and INFO reports the counters.
func TestHashActiveReclaim(t *testing.T) {
	h := newHashHarness(t)
	h.do("HPEXPIRE", "h", "100", "FIELDS", "1", "a")
	h.do("HPEXPIRE", "h", "200", "FIELDS", "1", "b")
	h.do("HSETEX", "gone", "PX", "150", "FIELDS", "1", "f", "v")
	h.do("SELECT", "3")
	h.do("HSETEX", "other", "PX", "50", "FIELDS", "1", "f", "v")
	h.do("SELECT", "0")
	if s := h.do("INFO", "keyspace"); !strings.Contains(s, "db0:keys=2,expires=0,avg_ttl=0,keys_with_volatile_items=2\r\n") ||
		!strings.Contains(s, "db3:keys=1,expires=0,avg_ttl=0,keys_with_volatile_items=1\r\n") {
		t.Fatalf("INFO keyspace: %q", s)
	}
	h.sink.take()
	h.notes.take()
	h.advance(160)
	for i := 0; i < 2; i++ {
		h.ks.ActiveExpireCycle(time.Second, 1)
	}
	got := h.sink.take()
	want := map[string]bool{"0: HDEL h a": true, "0: HDEL gone f": true, "3: HDEL other f": true}
	if len(got) != len(want) {
		t.Fatalf("propagated %q", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Fatalf("propagated %q", got)
		}
	}
	events := strings.Join(h.notes.take(), "\n")
	for _, e := range []string{"__keyevent@0__:hexpired h", "__keyevent@0__:hexpired gone",
		"__keyevent@0__:del gone", "__keyevent@3__:hexpired other", "__keyevent@3__:del other"} {
		if !strings.Contains(events, e) {
			t.Fatalf("missing %q in %s", e, events)
		}
	}
	h.expect(":2\r\n", "HLEN", "h")
	h.expect(":0\r\n", "EXISTS", "gone")
	s := h.do("INFO", "keyspace")
	if !strings.Contains(s, "db0:keys=1,expires=0,avg_ttl=0,keys_with_volatile_items=1\r\n") || strings.Contains(s, "db3") {
		t.Fatalf("INFO keyspace after reclaim: %q", s)
	}
	h.advance(100)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.expect(hashRESPBulks("c", "3"), "HGETALL", "h")
	h.expect(":1\r\n", "HLEN", "h")
	if s := h.do("INFO", "stats"); !strings.Contains(s, "expired_fields:4\r\n") {
		t.Fatalf("INFO stats: %q", s)
	}
	if s := h.do("INFO", "keyspace"); !strings.Contains(s, "keys_with_volatile_items=0") {
		t.Fatalf("INFO keyspace: %q", s)
	}
	h.do("CONFIG", "RESETSTAT")
	if s := h.do("INFO", "stats"); !strings.Contains(s, "expired_fields:0\r\n") {
		t.Fatalf("CONFIG RESETSTAT: %q", s)
	}
}

// TestHashTTLsFollowTheKey checks that RENAME, COPY, MOVE and
// DUMP/RESTORE keep field TTLs and the volatile-key index.
func TestHashTTLsFollowTheKey(t *testing.T) {
	h := newHashHarness(t)
	h.do("HPEXPIRE", "h", "5000", "FIELDS", "1", "a")
	volatile := func(db, n string) {
		t.Helper()
		s := h.do("INFO", "keyspace")
		if !strings.Contains(s, "db"+db+":") || !strings.Contains(s, "keys_with_volatile_items="+n+"\r\n") {
			t.Fatalf("db%s keys_with_volatile_items=%s: %q", db, n, s)
		}
	}
	h.expect("+OK\r\n", "RENAME", "h", "h2")
	h.expect(hashRESPInts(5000, -1), "HPTTL", "h2", "FIELDS", "2", "a", "b")
	volatile("0", "1")
	h.expect(":1\r\n", "COPY", "h2", "h3")
	h.expect(hashRESPInts(5000, -1), "HPTTL", "h3", "FIELDS", "2", "a", "b")
	volatile("0", "2")
	// The copy is independent.
	h.do("HPERSIST", "h3", "FIELDS", "1", "a")
	h.expect(hashRESPInts(5000), "HPTTL", "h2", "FIELDS", "1", "a")
	volatile("0", "1")
	h.expect(":1\r\n", "MOVE", "h2", "1")
	h.do("SELECT", "1")
	h.expect(hashRESPInts(5000, -1), "HPTTL", "h2", "FIELDS", "2", "a", "b")
	volatile("1", "1")
	dump := h.do("DUMP", "h2")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	h.expect(":1\r\n", "DEL", "h2")
	h.expect("+OK\r\n", "RESTORE", "h2", "0", payload)
	h.expect(hashRESPInts(keysEpoch+5000, -1), "HPEXPIRETIME", "h2", "FIELDS", "2", "a", "b")
	h.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h2")
	volatile("1", "1")
	h.do("SELECT", "0")
	plain := payloadOf(h.do("DUMP", "h3"))
	h.do("SELECT", "1")
	h.expect("+OK\r\n", "RESTORE", "plain", "0", plain)
	h.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "plain")
	h.advance(5001)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.expect(hashRESPBulks(nil, "2", "3"), "HMGET", "h2", "a", "b", "c")
	h.expect(":2\r\n", "HLEN", "h2")
	// SWAPDB moves the index with the data; FLUSHALL clears it.
	h.do("HSETEX", "s", "EX", "100", "FIELDS", "1", "f", "v")
	h.do("SWAPDB", "1", "2")
	volatile("2", "1")
	h.do("FLUSHALL")
	if s := h.do("INFO", "keyspace"); strings.Contains(s, "db") {
		t.Fatalf("INFO keyspace after FLUSHALL: %q", s)
	}
}

func payloadOf(bulk string) string { return bulk[strings.Index(bulk, "\r\n")+2 : len(bulk)-2] }

// TestHashTTLInMulti checks that rewritten effects inside MULTI/EXEC are
// wrapped and that WATCH sees field expiry changes.
func TestHashTTLInMulti(t *testing.T) {
	h := newHashHarness(t)
	h.do("MULTI")
	h.do("HEXPIRE", "h", "10", "FIELDS", "1", "a")
	h.do("HGETEX", "h", "PX", "0", "FIELDS", "1", "b")
	h.do("HINCRBYFLOAT", "h", "c", "1")
	h.expect("*3\r\n"+hashRESPInts(1)+hashRESPBulks("2")+"$1\r\n4\r\n", "EXEC")
	h.expectEffects("0: MULTI", "0: HPEXPIREAT h "+hashAt(10_000)+" FIELDS 1 a", "0: HDEL h b",
		"0: HSET h c 4", "0: EXEC")
	other := h.newClient()
	h.do("WATCH", "h")
	h.doAs(other, "HPERSIST", "h", "FIELDS", "1", "a")
	h.do("MULTI")
	h.do("HGET", "h", "a")
	h.expect("*-1\r\n", "EXEC")
	// A field reclaimed in the background also invalidates WATCH.
	h.do("HPEXPIRE", "h", "10", "FIELDS", "1", "a")
	h.do("WATCH", "h")
	h.advance(11)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.ks.ActiveExpireCycle(time.Second, 1)
	h.do("MULTI")
	h.do("HLEN", "h")
	h.expect("*-1\r\n", "EXEC")
}
