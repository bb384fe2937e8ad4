package keyspace

import (
	"bytes"
	"testing"
)

type perfWatcher struct{ n int }

func (w *perfWatcher) Touch() { w.n++ }

func setStringTx(t *testing.T) (*Keyspace, *Tx) {
	t.Helper()
	ks := New(Options{Databases: 1})
	tx := ks.NewTx()
	ks.LockAll()
	t.Cleanup(ks.UnlockAll)
	tx.HoldsAll = true
	tx.Begin(0)
	return ks, tx
}

func TestSetStringRewritesInPlace(t *testing.T) {
	ks, tx := setStringTx(t)
	key := []byte("key:000000000001")
	e1 := tx.SetString(key, bytes.Repeat([]byte{'a'}, 64), false)
	tx.SetExpire(key, tx.Now()+100000)
	tx.Finish()
	w := &perfWatcher{}
	ks.Watch(w, 0, string(key))
	v1, size1 := e1.Version(), ks.DatasetBytes()

	tx.Begin(0)
	var e2 *Entry
	val := bytes.Repeat([]byte{'b'}, 60)
	if n := testing.AllocsPerRun(1, func() { e2 = tx.SetString(key, val, false) }); n != 0 {
		t.Errorf("overwrite allocated %v times", n)
	}
	tx.Finish()
	if e2 != e1 {
		t.Fatal("overwrite did not reuse the entry")
	}
	if got := tx.Lookup(key, NoStats); got != e1 || string(got.Str) != string(bytes.Repeat([]byte{'b'}, 60)) {
		t.Fatalf("value after overwrite: %q", got.Str)
	}
	if tx.TTL(key) != -1 {
		t.Fatal("SET without KEEPTTL kept the TTL")
	}
	if e2.Version() <= v1 || w.n == 0 {
		t.Fatalf("version %d -> %d, watch touches %d", v1, e2.Version(), w.n)
	}
	// Same block, TTL gone: the accounting drops by the expires entry only.
	if got := ks.DatasetBytes(); got != size1-expireEntryCost {
		t.Fatalf("DatasetBytes %d, want %d", got, size1-expireEntryCost)
	}
}

func TestSetStringKeepTTLAndFallbacks(t *testing.T) {
	ks, tx := setStringTx(t)
	key := []byte("k")
	tx.SetString(key, []byte("short"), false)
	tx.SetExpire(key, tx.Now()+100000)
	tx.SetString(key, []byte("other"), true)
	if tx.TTL(key) == -1 {
		t.Fatal("KEEPTTL lost the TTL")
	}
	// Too long for the block: a new entry.
	e := tx.Lookup(key, NoStats)
	big := bytes.Repeat([]byte{'x'}, 1000)
	if got := tx.SetString(key, big, true); got == e || !bytes.Equal(got.Str, big) {
		t.Fatal("a value too long for the block was not stored in a new entry")
	}
	// A collection is replaced, not rewritten.
	tx.Set([]byte("obj"), NewObject(nil), false)
	tx.Finish()
	tx.Begin(0)
	tx.Delete(key)
	tx.Delete([]byte("obj"))
	tx.Finish()
	if got := ks.DatasetBytes(); got != 0 {
		t.Fatalf("DatasetBytes after deleting everything = %d", got)
	}
}

// A key stored in the slack after the value bounds in-place rewrites to
// the original value length, so the key bytes are never overwritten.
func TestSetStringKeyInTail(t *testing.T) {
	_, tx := setStringTx(t)
	val := bytes.Repeat([]byte{'v'}, 161)
	e := NewString(val)
	if e.tailRoomLen() < 28 {
		t.Skip("no tail room with these size classes")
	}
	key := bytes.Repeat([]byte{'k'}, 28)
	tx.Set(key, e, false)
	if !e.keyInTail() {
		t.Fatal("key not in the tail")
	}
	if e.canRewriteInline(162) || !e.canRewriteInline(161) {
		t.Fatal("rewrite bound ignores the key in the tail")
	}
	tx.SetString(key, bytes.Repeat([]byte{'w'}, 150), false)
	if e.key != string(key) || tx.Lookup(key, NoStats) != e {
		t.Fatalf("key damaged: %q", e.key)
	}
	tx.Finish()
}
