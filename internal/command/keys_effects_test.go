package command

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

func TestExpirePropagatesAbsoluteTime(t *testing.T) {
	h := newKeysHarness(t)
	h.expect("+OK\r\n", "SET", "k", "v")
	h.sink.take()
	h.notes.take()

	h.expect(":1\r\n", "EXPIRE", "k", "100")
	h.expectEffects(fmt.Sprintf("0: PEXPIREAT k %d", keysEpoch+100_000))
	h.expectEvents(keyEvents(0, "expire", "k")...)

	h.expect(":1\r\n", "PEXPIRE", "k", "500000", "gt")
	h.expectEffects(fmt.Sprintf("0: PEXPIREAT k %d gt", keysEpoch+500_000))

	h.expect(":1\r\n", "EXPIREAT", "k", strconv.FormatInt(keysEpoch/1000+1000, 10))
	h.expectEffects(fmt.Sprintf("0: PEXPIREAT k %d", keysEpoch+1_000_000))

	at := strconv.FormatInt(keysEpoch+2_000_000, 10)
	h.expect(":1\r\n", "PEXPIREAT", "k", at, "XX")
	h.expectEffects("0: PEXPIREAT k " + at + " XX")

	// A condition that does not hold changes and propagates nothing.
	h.notes.take()
	h.expect(":0\r\n", "EXPIRE", "k", "10", "GT")
	h.expect(":0\r\n", "EXPIRE", "k", "10", "NX")
	h.expect(":0\r\n", "EXPIRE", "missing", "10")
	h.expectEffects()
	h.expectEvents()
	h.expect(":2000\r\n", "TTL", "k")
	h.expect(":"+at+"\r\n", "PEXPIRETIME", "k")
}

func TestExpireInThePastDeletesAsExpiry(t *testing.T) {
	for _, args := range [][]string{
		{"EXPIRE", "k", "0"},
		{"EXPIRE", "k", "-10"},
		{"PEXPIRE", "k", "-9223372036854775807"},
		{"EXPIREAT", "k", "1"},
		{"PEXPIREAT", "k", strconv.FormatInt(keysEpoch, 10)},
	} {
		h := newKeysHarness(t)
		h.do("SET", "k", "v")
		h.sink.take()
		h.notes.take()
		h.expect(":1\r\n", args...)
		h.expectEffects("0: DEL k")
		h.expectEvents(keyEvents(0, "expired", "k")...)
		h.expect(":0\r\n", "EXISTS", "k")
		if n := h.ks.Stats().ExpiredKeys.Load(); n != 1 {
			t.Fatalf("%v: expired_keys = %d", args, n)
		}
	}
}

func TestLazyExpiryWithFakeClock(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "k", "v")
	h.do("PEXPIRE", "k", "1500")
	h.sink.take()
	h.notes.take()
	h.expect(":2\r\n", "TTL", "k") // 1.5 s rounds up
	h.expect(":1500\r\n", "PTTL", "k")
	h.advance(1000)
	h.expect(":1\r\n", "TTL", "k") // 0.5 s rounds up
	h.expect(":500\r\n", "PTTL", "k")
	h.advance(501)
	h.expect(":-2\r\n", "TTL", "k")
	h.expectEffects("0: DEL k")
	h.expectEvents(keyEvents(0, "expired", "k")...)
	h.expect(":0\r\n", "DBSIZE")
}

func TestPersistAndTTLReplies(t *testing.T) {
	h := newKeysHarness(t)
	h.expect(":-2\r\n", "TTL", "k")
	h.expect(":-2\r\n", "PEXPIRETIME", "k")
	h.do("SET", "k", "v")
	h.expect(":-1\r\n", "TTL", "k")
	h.expect(":-1\r\n", "EXPIRETIME", "k")
	h.expect(":0\r\n", "PERSIST", "k")
	h.do("EXPIRE", "k", "100")
	h.sink.take()
	h.notes.take()
	h.expect(":1\r\n", "PERSIST", "k")
	h.expectEffects("0: PERSIST k")
	h.expectEvents(keyEvents(0, "persist", "k")...)
	h.expect(":-1\r\n", "PTTL", "k")
	h.expect(":0\r\n", "PERSIST", "nokey")
	h.expectEffects()
}

func TestDelPropagatesOnlyWhenSomethingWasDeleted(t *testing.T) {
	h := newKeysHarness(t)
	h.expect(":0\r\n", "DEL", "a", "b")
	h.expectEffects()
	h.do("SET", "a", "1")
	h.sink.take()
	h.notes.take()
	h.expect(":1\r\n", "UNLINK", "a", "b")
	h.expectEffects("0: UNLINK a b")
	h.expectEvents(keyEvents(0, "del", "a")...)
}

func TestRenameKeepsTTLAndNotifies(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "a", "1")
	h.do("PEXPIRE", "a", "5000")
	h.do("SET", "b", "2")
	h.sink.take()
	h.notes.take()
	h.expect("+OK\r\n", "RENAME", "a", "b")
	h.expectEffects("0: RENAME a b")
	h.expectEvents(joinEvents(keyEvents(0, "rename_from", "a"), keyEvents(0, "rename_to", "b"))...)
	h.expect(":5000\r\n", "PTTL", "b")
	h.expect(":0\r\n", "EXISTS", "a")
	h.expect("-ERR no such key\r\n", "RENAME", "a", "c")
	h.expect("+OK\r\n", "RENAME", "b", "b")
	h.expect(":0\r\n", "RENAMENX", "b", "b")
	h.do("SET", "c", "3")
	h.expect(":0\r\n", "RENAMENX", "b", "c")
	h.expect(":1\r\n", "RENAMENX", "b", "d")
	h.expect(":5000\r\n", "PTTL", "d")
}

func TestMoveAndCopyAcrossDatabases(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "k", "v")
	h.do("PEXPIRE", "k", "9000")
	h.sink.take()
	h.notes.take()
	h.expect(":1\r\n", "MOVE", "k", "1")
	h.expectEffects("0: MOVE k 1")
	h.expectEvents(joinEvents(keyEvents(0, "move_from", "k"), keyEvents(1, "move_to", "k"))...)
	h.expect(":0\r\n", "EXISTS", "k")
	h.expect(":0\r\n", "MOVE", "k", "1")

	h.do("SELECT", "1")
	h.expect(":9000\r\n", "PTTL", "k")
	h.sink.take()
	h.notes.take()
	h.expect(":1\r\n", "COPY", "k", "k2", "DB", "0")
	h.expectEffects("1: COPY k k2 DB 0")
	h.expectEvents(keyEvents(0, "copy_to", "k2")...)
	h.expect(":0\r\n", "COPY", "k", "k2", "DB", "0")
	h.expect(":1\r\n", "COPY", "k", "k2", "DB", "0", "REPLACE")
	h.do("SELECT", "0")
	h.expect("$1\r\nv\r\n", "GET", "k2")
	h.expect(":9000\r\n", "PTTL", "k2")

	// A copy is independent of its source.
	h.expect(":1\r\n", "COPY", "k2", "k3")
	h.expect(":1\r\n", "DEL", "k2")
	h.expect("$1\r\nv\r\n", "GET", "k3")

	// MOVE onto an existing key changes nothing.
	h.do("SET", "x", "0")
	h.do("SELECT", "1")
	h.do("SET", "x", "1")
	h.expect(":0\r\n", "MOVE", "x", "0")
	h.expect("$1\r\n1\r\n", "GET", "x")
}

func TestFlushAndSwapDBPropagateEvenWhenEmpty(t *testing.T) {
	h := newKeysHarness(t)
	h.expect("+OK\r\n", "FLUSHALL")
	h.expect("+OK\r\n", "FLUSHDB", "ASYNC")
	h.expect("+OK\r\n", "SWAPDB", "3", "3")
	h.expectEffects("0: FLUSHALL", "0: FLUSHDB ASYNC", "0: SWAPDB 3 3")
	h.expectEvents()

	h.do("SET", "a", "1")
	h.do("SELECT", "2")
	h.do("SET", "b", "2")
	h.expect("+OK\r\n", "SWAPDB", "0", "2")
	h.expect("$1\r\n1\r\n", "GET", "a")
	h.expect(":0\r\n", "EXISTS", "b")
	h.do("SELECT", "0")
	h.expect("$1\r\n2\r\n", "GET", "b")
}

func TestSwapDBRejectedInCluster(t *testing.T) {
	h := newKeysHarness(t)
	h.node.ClusterEnabled = true
	h.expect("-"+ErrKeysSwapDBCluster+"\r\n", "SWAPDB", "0", "1")
}

func TestRestorePropagationAndEvents(t *testing.T) {
	h := newKeysHarness(t)
	payload := string(types.DumpString([]byte("value")))
	h.expect("+OK\r\n", "RESTORE", "k", "5000", payload)
	h.expectEffects(fmt.Sprintf("0: RESTORE k %d %s ABSTTL", keysEpoch+5000, payload))
	h.expectEvents(keyEvents(0, "restore", "k")...)
	h.expect(":5000\r\n", "PTTL", "k")

	h.expect("-BUSYKEY Target key name already exists.\r\n", "RESTORE", "k", "0", payload)
	abs := strconv.FormatInt(keysEpoch+7000, 10)
	h.expect("+OK\r\n", "RESTORE", "k", abs, payload, "ABSTTL", "REPLACE")
	h.expectEffects("0: RESTORE k " + abs + " " + payload + " ABSTTL REPLACE")
	h.expect(":7000\r\n", "PTTL", "k")

	// REPLACE with a TTL already past deletes the old value only.
	h.notes.take()
	h.expect("+OK\r\n", "RESTORE", "k", "1", payload, "ABSTTL", "REPLACE")
	h.expectEffects("0: DEL k")
	h.expectEvents(keyEvents(0, "del", "k")...)
	h.expect(":0\r\n", "EXISTS", "k")
	// Without a key to replace, nothing happens at all.
	h.expect("+OK\r\n", "RESTORE", "k", "1", payload, "ABSTTL")
	h.expectEffects()
	h.expect(":0\r\n", "EXISTS", "k")
}

func TestRestoreIdleTimeAndFreq(t *testing.T) {
	h := newKeysHarness(t)
	payload := string(types.DumpString([]byte("v")))
	h.expect("+OK\r\n", "RESTORE", "idle", "0", payload, "IDLETIME", "120")
	h.expect(":120\r\n", "OBJECT", "IDLETIME", "idle")
	h.advance(3000)
	h.expect(":123\r\n", "OBJECT", "IDLETIME", "idle")
	h.expect("-"+ErrLFUNotSelected+"\r\n", "OBJECT", "FREQ", "idle")

	h.ks.SetMaxmemory(0, keyspace.AllKeysLFU, 5)
	h.expect("+OK\r\n", "RESTORE", "hot", "0", payload, "FREQ", "100")
	h.expect(":100\r\n", "OBJECT", "FREQ", "hot")
	h.expect("-"+ErrKeysLFUSelected+"\r\n", "OBJECT", "IDLETIME", "hot")
	h.expect("$-1\r\n", "OBJECT", "FREQ", "missing")
}

func TestObjectIdleTimeFollowsAccess(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "k", "v")
	h.advance(10_000)
	h.expect(":10\r\n", "OBJECT", "IDLETIME", "k")
	// TYPE, EXISTS, TTL and OBJECT itself do not touch; GET and TOUCH do.
	h.do("TYPE", "k")
	h.do("EXISTS", "k")
	h.do("TTL", "k")
	h.expect(":10\r\n", "OBJECT", "IDLETIME", "k")
	h.do("GET", "k")
	h.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
	h.advance(5000)
	h.client.SetFlag(ClientNoTouch, true)
	h.do("GET", "k")
	h.expect(":5\r\n", "OBJECT", "IDLETIME", "k")
	h.expect(":1\r\n", "TOUCH", "k", "nokey")
	h.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
}

// keysFakeList is a collection with no dump encoding, standing in for the
// types other families add.
type keysFakeList struct{}

func (keysFakeList) Kind() types.Kind    { return types.KindList }
func (keysFakeList) Encoding() string    { return "quicklist" }
func (keysFakeList) Len() int            { return 1 }
func (keysFakeList) MemUsage() int64     { return 16 }
func (keysFakeList) Clone() types.Object { return keysFakeList{} }

func TestCollectionKeysInTypeScanObject(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "s", "v")
	tx := h.ks.NewTx()
	h.ks.LockAll()
	tx.Begin(0)
	tx.Set([]byte("l"), keyspace.NewObject(keysFakeList{}), false)
	tx.Finish()
	h.ks.UnlockAll()

	h.expect("+list\r\n", "TYPE", "l")
	h.expect("$9\r\nquicklist\r\n", "OBJECT", "ENCODING", "l")
	h.expect("*2\r\n$1\r\n0\r\n*1\r\n$1\r\nl\r\n", "SCAN", "0", "TYPE", "LIST", "COUNT", "100")
	h.expect("*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n", "SCAN", "0", "TYPE", "string", "COUNT", "100")
	h.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "TYPE", "hash", "COUNT", "100")
	h.expect("-"+ErrKeysDumpUnsupported+"\r\n", "DUMP", "l")
	h.expect(":1\r\n", "COPY", "l", "l2")
	h.expect("+list\r\n", "TYPE", "l2")
}

func TestWaitWithoutReplicas(t *testing.T) {
	h := newKeysHarness(t)
	h.expect(":0\r\n", "WAIT", "0", "0")
	h.expect(":0\r\n", "WAIT", "-1", "0")
	start := time.Now()
	h.expect(":0\r\n", "WAIT", "1", "60")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("WAIT 1 60 returned after %v", d)
	}
	// Inside MULTI, WAIT never blocks.
	h.expect("+OK\r\n", "MULTI")
	h.expect("+QUEUED\r\n", "WAIT", "5", "0")
	start = time.Now()
	h.expect("*1\r\n:0\r\n", "EXEC")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("WAIT inside EXEC blocked for %v", d)
	}
	// A client being closed ends an endless WAIT.
	done := make(chan string)
	c := h.newClient()
	go func() {
		w := resp.NewWriter(nil)
		h.node.Exec(c, w, [][]byte{[]byte("WAIT"), []byte("1"), []byte("0")})
		done <- string(w.Bytes())
	}()
	c.SetFlag(ClientCloseASAP, true)
	select {
	case got := <-done:
		if got != ":0\r\n" {
			t.Fatalf("WAIT reply %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WAIT 1 0 did not end when its client was closed")
	}
}

func TestWatchedKeyTouchedByKeyCommands(t *testing.T) {
	for _, cmd := range [][]string{
		{"EXPIRE", "k", "100"},
		{"PERSIST", "k"},
		{"DEL", "k"},
		{"RENAME", "k", "other"},
		{"RENAME", "src", "k"},
		{"MOVE", "k", "1"},
		{"COPY", "src", "k", "REPLACE"},
		{"RESTORE", "k", "0", string(types.DumpString([]byte("x"))), "REPLACE"},
		{"FLUSHDB"},
		{"FLUSHALL"},
		{"SWAPDB", "0", "1"},
	} {
		h := newKeysHarness(t)
		h.do("SET", "k", "v")
		h.do("PEXPIRE", "k", "100000")
		h.do("SET", "src", "s")
		other := h.newClient()
		h.expect("+OK\r\n", "WATCH", "k")
		if got := h.doAs(other, cmd...); got[0] == '-' {
			t.Fatalf("%v: %q", cmd, got)
		}
		h.expect("+OK\r\n", "MULTI")
		h.expect("+QUEUED\r\n", "PING")
		h.expect("*-1\r\n", "EXEC")
	}
	// Commands that change nothing leave a WATCH alone.
	h := newKeysHarness(t)
	h.do("SET", "k", "v")
	h.expect("+OK\r\n", "WATCH", "k")
	other := h.newClient()
	for _, cmd := range [][]string{{"PERSIST", "k"}, {"EXPIRE", "k", "10", "XX"}, {"RENAMENX", "src", "k"}, {"TOUCH", "k"}, {"OBJECT", "ENCODING", "k"}} {
		h.doAs(other, cmd...)
	}
	h.expect("+OK\r\n", "MULTI")
	h.expect("+QUEUED\r\n", "PING")
	h.expect("*1\r\n+PONG\r\n", "EXEC")
}

// FuzzRestoreCommand runs RESTORE with arbitrary payloads through the
// dispatcher: every payload is either restored or refused with one of
// Valkey's two payload errors, never a crash (which the dispatcher would
// turn into an internal error).
func FuzzRestoreCommand(f *testing.F) {
	f.Add(types.DumpString([]byte("hello")))
	f.Add([]byte("\x00\x05hello\n\x00cr\xdfve4 \n"))
	f.Add([]byte{})
	h := newKeysHarness(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		got := h.do("RESTORE", "k", "0", string(payload), "REPLACE")
		switch got {
		case "+OK\r\n", "-" + ErrDumpPayload + "\r\n", "-" + ErrKeysBadDataFormat + "\r\n":
		default:
			t.Fatalf("RESTORE replied %q", got)
		}
	})
}

func TestScanReclaimsMatchingExpiredKeys(t *testing.T) {
	h := newKeysHarness(t)
	for i := 0; i < 10; i++ {
		for _, p := range []string{"a", "b"} {
			key := fmt.Sprintf("%s:%d", p, i)
			h.do("SET", key, "v")
			h.do("PEXPIRE", key, "10")
		}
	}
	h.do("SET", "live", "v")
	h.sink.take()
	h.advance(20)
	h.expect(":21\r\n", "DBSIZE")
	// KEYS skips expired keys without deleting them.
	h.expect("*1\r\n$4\r\nlive\r\n", "KEYS", "*")
	h.expect(":21\r\n", "DBSIZE")
	// SCAN ... TYPE list filters the expired strings out before expiry.
	h.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "TYPE", "list", "COUNT", "100000")
	h.expect(":21\r\n", "DBSIZE")
	h.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "MATCH", "a:*", "COUNT", "100000")
	h.expect(":11\r\n", "DBSIZE")
	if got := h.sink.take(); len(got) != 10 {
		t.Fatalf("propagated %q", got)
	}
	h.expect("*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", "SCAN", "0", "COUNT", "100000")
	h.expect(":1\r\n", "DBSIZE")
}

// TestSwapDBInsideMulti checks that commands after SWAPDB in the same
// EXEC keep working on the client's database number.
func TestSwapDBInsideMulti(t *testing.T) {
	h := newKeysHarness(t)
	h.do("SET", "a", "in0")
	h.sink.take()
	h.do("MULTI")
	h.do("SWAPDB", "0", "1")
	h.do("SET", "c", "new")
	h.do("SWAPDB", "0", "1")
	h.expect("*3\r\n+OK\r\n+OK\r\n+OK\r\n", "EXEC")
	// c was written to database 0 between the swaps, so it now lives in 1.
	h.expect("$3\r\nin0\r\n", "GET", "a")
	h.expect(":0\r\n", "EXISTS", "c")
	h.do("SELECT", "1")
	h.expect("$3\r\nnew\r\n", "GET", "c")
	h.expectEffects("0: MULTI", "0: SWAPDB 0 1", "0: SET c new", "0: SWAPDB 0 1", "0: EXEC")
}
