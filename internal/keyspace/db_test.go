package keyspace

import (
	"fmt"
	"testing"
)

func TestVersionsOnlyGrow(t *testing.T) {
	k := newTestKS(t)
	var last uint64
	check := func(what string, e *Entry) {
		t.Helper()
		if e.Version() <= last {
			t.Fatalf("%s: version %d after %d", what, e.Version(), last)
		}
		if e.Version() > k.CurrentVersion() {
			t.Fatalf("%s: version %d beyond CurrentVersion %d", what, e.Version(), k.CurrentVersion())
		}
		last = e.Version()
	}
	key := []byte("k")
	k.run(0, []string{"k", "other"}, func(tx *Tx) {
		e := NewString([]byte("v"))
		tx.Set(key, e, false)
		check("Set", e)
		tx.Set([]byte("other"), NewString([]byte("o")), false)
		tx.Modify(key, e)
		e.Str = append(e.Str, "more"...)
		check("Modify", e)
		tx.SetExpire(key, testEpoch+100)
		check("SetExpire", e)
		tx.Persist(key)
		check("Persist", e)
		before := e.Version()
		tx.Lookup(key, 0)
		if e.Version() != before {
			t.Fatal("a read changed the version")
		}
	})
	// Deleting bumps the keyspace version (snapshot cut) too.
	v := k.CurrentVersion()
	k.run(0, []string{"k"}, func(tx *Tx) { tx.Delete(key) })
	if k.CurrentVersion() <= v {
		t.Fatal("Delete did not advance the keyspace version")
	}
}

func TestModifySettlesMemory(t *testing.T) {
	k := newTestKS(t)
	k.set(0, "k", "v", 0)
	before := k.DatasetBytes()
	k.run(0, []string{"k"}, func(tx *Tx) {
		e := tx.LookupWrite([]byte("k"))
		tx.Modify([]byte("k"), e)
		e.Str = make([]byte, 4000)
	})
	if grown := k.DatasetBytes() - before; grown < 4000 {
		t.Fatalf("dataset grew by %d after a 4000-byte append", grown)
	}
	k.run(0, []string{"k"}, func(tx *Tx) { tx.Delete([]byte("k")) })
	if got := k.DatasetBytes(); got != 0 {
		t.Fatalf("dataset %d after deleting everything", got)
	}
}

func TestWatchTouch(t *testing.T) {
	k := newTestKS(t)
	w := &countingWatcher{}
	k.Watch(w, 0, "k")
	defer k.Unwatch(w, 0, "k")
	steps := []struct {
		what string
		db   int
		fn   func(tx *Tx)
		want bool
	}{
		{"create", 0, func(tx *Tx) { tx.Set([]byte("k"), NewString([]byte("v")), false) }, true},
		{"other key", 0, func(tx *Tx) { tx.Set([]byte("x"), NewString([]byte("v")), false) }, false},
		{"other db", 1, func(tx *Tx) { tx.Set([]byte("k"), NewString([]byte("v")), false) }, false},
		{"read", 0, func(tx *Tx) { tx.Lookup([]byte("k"), 0) }, false},
		{"expire", 0, func(tx *Tx) { tx.SetExpire([]byte("k"), testEpoch+50) }, true},
		{"persist", 0, func(tx *Tx) { tx.Persist([]byte("k")) }, true},
		{"persist again", 0, func(tx *Tx) { tx.Persist([]byte("k")) }, false},
		{"modify", 0, func(tx *Tx) { tx.Modify([]byte("k"), tx.LookupWrite([]byte("k"))) }, true},
		{"delete", 0, func(tx *Tx) { tx.Delete([]byte("k")) }, true},
		{"delete missing", 0, func(tx *Tx) { tx.Delete([]byte("k")) }, false},
	}
	for _, s := range steps {
		k.run(s.db, []string{"k", "x"}, s.fn)
		if got := w.reset() > 0; got != s.want {
			t.Fatalf("%s: touched=%v, want %v", s.what, got, s.want)
		}
	}
	// Lazy expiry of a watched key touches it.
	k.set(0, "k", "v", testEpoch+10)
	w.reset()
	k.advance(20)
	k.exists(0, "k")
	if w.reset() == 0 {
		t.Fatal("lazy expiry did not touch the watch")
	}
	// FLUSHDB touches watched keys that exist, and only those.
	k.runAll(0, func(tx *Tx) { tx.FlushDB() })
	if w.reset() != 0 {
		t.Fatal("FLUSHDB of a database without the key touched it")
	}
	k.set(0, "k", "v", 0)
	w.reset()
	k.runAll(1, func(tx *Tx) { tx.FlushDB() })
	if w.reset() != 0 {
		t.Fatal("FLUSHDB of another database touched the watch")
	}
	k.runAll(1, func(tx *Tx) { tx.FlushAll() })
	if w.reset() == 0 {
		t.Fatal("FLUSHALL did not touch the watch")
	}
	// SWAPDB touches a watched key present on either side.
	k.set(2, "k", "v", 0)
	w.reset()
	k.runAll(0, func(tx *Tx) { tx.SwapDB(0, 2) })
	if w.reset() == 0 {
		t.Fatal("SWAPDB did not touch the watch")
	}
}

func TestSwapDB(t *testing.T) {
	k := newTestKS(t)
	k.set(0, "a", "in0", 0)
	k.set(1, "b", "in1", testEpoch+1000)
	k.set(1, "c", "in1", 0)
	k.runAll(0, func(tx *Tx) {
		tx.SwapDB(0, 1)
		// The Tx stays on database number 0, which now holds db 1's data.
		if tx.DB().Index() != 0 || !tx.Exists([]byte("b")) || tx.Exists([]byte("a")) {
			t.Fatal("Tx does not see the swapped data under its number")
		}
	})
	if k.DB(0).Size() != 2 || k.DB(1).Size() != 1 || k.DB(0).Expires() != 1 || k.DB(1).Expires() != 0 {
		t.Fatalf("sizes after swap: %d/%d expires %d/%d", k.DB(0).Size(), k.DB(1).Size(), k.DB(0).Expires(), k.DB(1).Expires())
	}
	if k.DB(0).Index() != 0 || k.DB(1).Index() != 1 {
		t.Fatal("database indexes not fixed up")
	}
	if !k.exists(1, "a") || k.exists(1, "b") {
		t.Fatal("db 1 does not hold db 0's old data")
	}
	// Expiry still works on the moved data, reported on its new number.
	k.sink.take()
	k.advance(2000)
	if k.exists(0, "b") {
		t.Fatal("expired key visible after swap")
	}
	if got := k.sink.take(); len(got) != 1 || got[0] != "0: DEL b" {
		t.Fatalf("propagated %q", got)
	}
}

func TestFlushDB(t *testing.T) {
	k := newTestKS(t)
	for i := 0; i < 1000; i++ {
		k.set(i%2, fmt.Sprintf("k%d", i), "value", int64(i%3)*(testEpoch+1_000_000))
	}
	inDB1 := k.DB(1).Size()
	k.runAll(0, func(tx *Tx) { tx.FlushDB() })
	if k.DB(0).Size() != 0 || k.DB(0).Expires() != 0 {
		t.Fatalf("db0 after flush: %d keys, %d expires", k.DB(0).Size(), k.DB(0).Expires())
	}
	if k.DB(1).Size() != inDB1 {
		t.Fatal("FLUSHDB touched another database")
	}
	for s := 0; s < len(k.DB(0).slotKeys); s++ {
		if k.DB(0).SlotSize(s) != 0 {
			t.Fatalf("slot %d still counts keys", s)
		}
	}
	k.runAll(0, func(tx *Tx) { tx.FlushAll() })
	if k.DB(1).Size() != 0 || k.DatasetBytes() != 0 {
		t.Fatalf("after FLUSHALL: db1 %d keys, dataset %d bytes", k.DB(1).Size(), k.DatasetBytes())
	}
	// The flushed database is usable again.
	k.set(0, "again", "v", 0)
	if !k.exists(0, "again") || k.DB(0).Size() != 1 {
		t.Fatal("cannot write after a flush")
	}
}

func TestMoveKey(t *testing.T) {
	k := newTestKS(t)
	k.set(0, "k", "v", testEpoch+5000)
	bytesBefore := k.DatasetBytes()
	k.run(0, []string{"k"}, func(tx *Tx) {
		if !tx.MoveKey([]byte("k"), 1) {
			t.Fatal("MoveKey failed")
		}
		if tx.DB().Index() != 0 {
			t.Fatal("MoveKey left the Tx on the target database")
		}
		if tx.MoveKey([]byte("k"), 1) {
			t.Fatal("moved a missing key")
		}
	})
	if k.exists(0, "k") || !k.exists(1, "k") {
		t.Fatal("key not moved")
	}
	if k.DB(0).Size() != 0 || k.DB(1).Size() != 1 || k.DB(1).Expires() != 1 || k.DB(0).Expires() != 0 {
		t.Fatal("counts not moved")
	}
	if k.DatasetBytes() != bytesBefore {
		t.Fatalf("dataset %d after move, %d before", k.DatasetBytes(), bytesBefore)
	}
	k.run(1, []string{"k"}, func(tx *Tx) {
		if tx.TTL([]byte("k")) != testEpoch+5000 {
			t.Fatal("TTL not moved")
		}
	})
	k.set(0, "k", "other", 0)
	k.run(1, []string{"k"}, func(tx *Tx) {
		if tx.MoveKey([]byte("k"), 0) {
			t.Fatal("moved onto an existing key")
		}
	})
}
