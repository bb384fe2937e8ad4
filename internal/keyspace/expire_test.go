package keyspace

import (
	"fmt"
	"testing"
	"time"
)

func TestLazyExpiryOnAccess(t *testing.T) {
	k := newTestKS(t)
	k.set(0, "k", "v", testEpoch+1000)
	k.set(0, "plain", "v", 0)
	k.sink.take()
	k.notes.take()
	if db := k.DB(0); db.Size() != 2 || db.Expires() != 1 {
		t.Fatalf("size %d expires %d", db.Size(), db.Expires())
	}

	k.advance(999)
	if !k.exists(0, "k") {
		t.Fatal("key expired early")
	}
	k.run(0, []string{"k"}, func(tx *Tx) {
		if at := tx.TTL([]byte("k")); at != testEpoch+1000 {
			t.Fatalf("TTL = %d", at)
		}
	})

	k.advance(2)
	// Until something touches it, an expired key still counts (as DBSIZE
	// in Valkey), but no read returns it.
	if db := k.DB(0); db.Size() != 2 {
		t.Fatalf("size before reclaim %d", db.Size())
	}
	if k.exists(0, "k") {
		t.Fatal("expired key still visible")
	}
	if db := k.DB(0); db.Size() != 1 || db.Expires() != 0 {
		t.Fatalf("after reclaim size %d expires %d", db.Size(), db.Expires())
	}
	if got := k.sink.take(); len(got) != 1 || got[0] != "0: DEL k" {
		t.Fatalf("propagated %q", got)
	}
	if got := k.notes.take(); len(got) != 2 || got[0] != "__keyspace@0__:k expired" || got[1] != "__keyevent@0__:expired k" {
		t.Fatalf("notified %q", got)
	}
	if n := k.Stats().ExpiredKeys.Load(); n != 1 {
		t.Fatalf("expired_keys %d", n)
	}
	if !k.exists(0, "plain") {
		t.Fatal("non-volatile key lost")
	}
}

func TestExpiredKeysInvisibleToIteration(t *testing.T) {
	k := newTestKS(t)
	for i := 0; i < 100; i++ {
		at := int64(0)
		if i%2 == 0 {
			at = testEpoch + 10
		}
		k.set(0, fmt.Sprintf("key:%d", i), "v", at)
	}
	k.advance(20)
	seen := 0
	tx := k.NewTx()
	tx.Begin(0)
	tx.ForEachKey(func(string, *Entry) bool { seen++; return true })
	if seen != 50 {
		t.Fatalf("ForEachKey saw %d keys, want 50", seen)
	}
	seen = 0
	for cur := tx.Scan(0, 7, func(string, *Entry) { seen++ }); cur != 0; cur = tx.Scan(cur, 7, func(string, *Entry) { seen++ }) {
	}
	if seen != 50 {
		t.Fatalf("Scan saw %d keys, want 50", seen)
	}
	for i := 0; i < 200; i++ {
		key, ok := tx.RandomKey()
		if !ok {
			t.Fatal("RandomKey found nothing")
		}
		var n int
		fmt.Sscanf(key, "key:%d", &n)
		if n%2 == 0 {
			t.Fatalf("RandomKey returned expired key %q", key)
		}
	}
	tx.Finish()
}

func TestRandomKeyOnlyExpired(t *testing.T) {
	k := newTestKS(t)
	for i := 0; i < 5; i++ {
		k.set(0, fmt.Sprintf("k%d", i), "v", testEpoch+1)
	}
	k.advance(10)
	tx := k.NewTx()
	tx.Begin(0)
	defer tx.Finish()
	for i := 0; i < 10; i++ {
		if key, ok := tx.RandomKey(); ok {
			t.Fatalf("RandomKey returned %q from a database of expired keys", key)
		}
	}
}

func TestActiveExpireCycle(t *testing.T) {
	k := newTestKS(t)
	const n = 5000
	for i := 0; i < n; i++ {
		k.set(i%2, fmt.Sprintf("gone:%d", i), "v", testEpoch+100)
		k.set(i%2, fmt.Sprintf("later:%d", i), "v", testEpoch+1_000_000)
		k.set(i%2, fmt.Sprintf("kept:%d", i), "v", 0)
	}
	k.sink.take()
	if got := k.ActiveExpireCycle(time.Second, 1); got != 0 {
		t.Fatalf("reclaimed %d keys before any expired", got)
	}
	k.advance(200)
	total := 0
	for round := 0; round < 100 && total < n; round++ {
		total += k.ActiveExpireCycle(time.Second, 1)
	}
	if total != n {
		t.Fatalf("reclaimed %d keys, want %d", total, n)
	}
	for db := 0; db < 2; db++ {
		if size, exp := k.DB(db).Size(), k.DB(db).Expires(); size != n || exp != n/2 {
			t.Fatalf("db%d: size %d expires %d", db, size, exp)
		}
	}
	if got := len(k.sink.take()); got != n {
		t.Fatalf("%d deletions propagated, want %d", got, n)
	}
	if got := k.Stats().ExpiredKeys.Load(); got != n {
		t.Fatalf("expired_keys %d", got)
	}
	// A tiny budget still makes progress and reports the time cap.
	k.advance(1_000_000)
	first := k.ActiveExpireCycle(time.Nanosecond, 10)
	if first == 0 {
		t.Fatal("a cycle with a tiny budget reclaimed nothing")
	}
	for i := 0; i < 10_000 && k.DB(0).Expires()+k.DB(1).Expires() > 0; i++ {
		k.ActiveExpireCycle(time.Millisecond, 10)
	}
	if k.DB(0).Expires()+k.DB(1).Expires() != 0 {
		t.Fatal("volatile keys left after many cycles")
	}
}

func TestSetClearsOrKeepsTTL(t *testing.T) {
	k := newTestKS(t)
	k.set(0, "k", "v", testEpoch+5000)
	k.run(0, []string{"k"}, func(tx *Tx) {
		tx.Set([]byte("k"), NewString([]byte("w")), true)
		if tx.TTL([]byte("k")) != testEpoch+5000 {
			t.Fatal("keepTTL lost the TTL")
		}
		tx.Set([]byte("k"), NewString([]byte("x")), false)
		if tx.TTL([]byte("k")) != -1 {
			t.Fatal("Set without keepTTL kept the TTL")
		}
	})
	if k.DB(0).Expires() != 0 {
		t.Fatalf("expires %d", k.DB(0).Expires())
	}
	k.run(0, []string{"k"}, func(tx *Tx) {
		tx.SetExpire([]byte("k"), testEpoch+10)
		if !tx.Persist([]byte("k")) || tx.Persist([]byte("k")) {
			t.Fatal("Persist results wrong")
		}
		if tx.SetExpire([]byte("missing"), testEpoch+10) {
			t.Fatal("SetExpire on a missing key succeeded")
		}
	})
}
