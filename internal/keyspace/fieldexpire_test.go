package keyspace

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/types"
)

// putVolatileHash stores a hash whose fields f0..f(n-1) expire at at (a
// field "keep" without TTL is added when keep is set).
func (k *testKS) putVolatileHash(db int, key string, n int, at int64, keep bool) {
	k.run(db, []string{key}, func(tx *Tx) {
		h := types.NewHash()
		lim := types.DefaultLimits()
		for i := 0; i < n; i++ {
			h.Put([]byte(fmt.Sprint("f", i)), []byte("v"), at, false, tx.Now(), lim)
		}
		if keep {
			h.Put([]byte("keep"), []byte("v"), types.NoExpiry, false, tx.Now(), lim)
		}
		tx.Set([]byte(key), NewObject(h), false)
	})
}

func (k *testKS) volatileCount(db int) int64 { return k.DB(db).KeysWithVolatileItems() }

func TestVolatileTrackingFollowsTheKey(t *testing.T) {
	k := newTestKS(t)
	k.putVolatileHash(0, "h", 3, testEpoch+1000, false)
	if n := k.volatileCount(0); n != 1 {
		t.Fatalf("keys_with_volatile_items = %d", n)
	}
	// Overwriting with a string untracks.
	k.set(0, "h", "x", 0)
	if n := k.volatileCount(0); n != 0 {
		t.Fatalf("after overwrite = %d", n)
	}
	// Delete untracks.
	k.putVolatileHash(0, "h", 3, testEpoch+1000, false)
	k.run(0, []string{"h"}, func(tx *Tx) { tx.Delete([]byte("h")) })
	if n := k.volatileCount(0); n != 0 {
		t.Fatalf("after delete = %d", n)
	}
	// MOVE carries the tracking to the other database.
	k.putVolatileHash(0, "h", 3, testEpoch+1000, false)
	k.run(0, []string{"h"}, func(tx *Tx) { tx.MoveKey([]byte("h"), 1) })
	if a, b := k.volatileCount(0), k.volatileCount(1); a != 0 || b != 1 {
		t.Fatalf("after move: db0 %d db1 %d", a, b)
	}
	// SWAPDB swaps the counts with the data.
	k.runAll(0, func(tx *Tx) { tx.SwapDB(0, 1) })
	if a, b := k.volatileCount(0), k.volatileCount(1); a != 1 || b != 0 {
		t.Fatalf("after swapdb: db0 %d db1 %d", a, b)
	}
	// FLUSHALL forgets everything.
	k.runAll(0, func(tx *Tx) { tx.FlushAll() })
	if a := k.volatileCount(0); a != 0 || k.DB(0).vol.nextSlot(0) != -1 {
		t.Fatalf("after flush: %d", a)
	}
	// An in-place TTL change is picked up by SyncVolatile.
	k.run(0, []string{"p"}, func(tx *Tx) {
		h := types.NewHash()
		h.Set([]byte("a"), []byte("1"), false, tx.Now(), types.DefaultLimits())
		tx.Set([]byte("p"), NewObject(h), false)
	})
	if n := k.volatileCount(0); n != 0 {
		t.Fatalf("plain hash tracked: %d", n)
	}
	k.run(0, []string{"p"}, func(tx *Tx) {
		e := tx.LookupWrite([]byte("p"))
		tx.Modify([]byte("p"), e)
		e.Obj.(*types.Hash).SetFieldTTL([]byte("a"), testEpoch+10, tx.Now())
		tx.SyncVolatile([]byte("p"), e)
	})
	if n := k.volatileCount(0); n != 1 {
		t.Fatalf("after HEXPIRE-like change: %d", n)
	}
}

func TestActiveExpireFieldsReclaims(t *testing.T) {
	k := newTestKS(t)
	k.putVolatileHash(0, "gone", 2, testEpoch+100, false)
	k.putVolatileHash(0, "kept", 2, testEpoch+100, true)
	k.putVolatileHash(2, "later", 2, testEpoch+10_000, false)
	k.sink.take()
	k.notes.take()
	k.ActiveExpireCycle(time.Second, 1)
	k.ActiveExpireCycle(time.Second, 1)
	if got := k.sink.take(); len(got) != 0 {
		t.Fatalf("nothing is due yet, propagated %q", got)
	}
	k.advance(101)
	k.ActiveExpireCycle(time.Second, 1)
	k.ActiveExpireCycle(time.Second, 1)
	got := k.sink.take()
	sort.Strings(got)
	want := []string{"0: HDEL gone f0 f1", "0: HDEL kept f0 f1"}
	for i := range got {
		// Fields come out in expiry order; both have the same expiry.
		if len(got) == 2 && (got[i] == "0: HDEL gone f1 f0" || got[i] == "0: HDEL kept f1 f0") {
			got[i] = want[i]
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("propagated %q, want %q", got, want)
	}
	if k.exists(0, "gone") || !k.exists(0, "kept") || !k.exists(2, "later") {
		t.Fatal("wrong keys survived")
	}
	if n := k.Stats().ExpiredFields.Load(); n != 4 {
		t.Fatalf("expired_fields = %d", n)
	}
	if a, b := k.volatileCount(0), k.volatileCount(2); a != 0 || b != 1 {
		t.Fatalf("keys_with_volatile_items db0 %d db2 %d", a, b)
	}
	notes := k.notes.take()
	sort.Strings(notes)
	wantNotes := []string{
		"__keyevent@0__:del gone",
		"__keyevent@0__:hexpired gone",
		"__keyevent@0__:hexpired kept",
		"__keyspace@0__:gone del",
		"__keyspace@0__:gone hexpired",
		"__keyspace@0__:kept hexpired",
	}
	if fmt.Sprint(notes) != fmt.Sprint(wantNotes) {
		t.Fatalf("notified %q", notes)
	}
	if k.DatasetBytes() <= 0 {
		t.Fatal("memory accounting went negative")
	}
}

func TestActiveExpireFieldsBoundsOneHash(t *testing.T) {
	k := newTestKS(t)
	k.putVolatileHash(0, "big", 1000, testEpoch+1, false)
	k.advance(10)
	// A generous budget reclaims everything, in batches of at most 80
	// fields (effort 1), re-visiting the hash.
	k.ActiveExpireCycle(time.Second, 1)
	k.ActiveExpireCycle(time.Second, 1)
	batches := k.sink.take()
	if len(batches) < 1000/80 || k.exists(0, "big") {
		t.Fatalf("%d batches, key exists %v", len(batches), k.exists(0, "big"))
	}
	for _, b := range batches {
		if n := len(splitFields(b)) - 3; n > 80 {
			t.Fatalf("batch of %d fields", n)
		}
	}
	// A zero budget still makes progress one slot at a time without
	// spinning.
	k.putVolatileHash(0, "big2", 500, k.Now()+1, false)
	k.advance(10)
	for i := 0; i < 100 && k.exists(0, "big2"); i++ {
		k.ActiveExpireCycle(0, 1)
	}
	if k.exists(0, "big2") {
		t.Fatal("zero-budget cycles never finished the hash")
	}
}

func splitFields(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		if r == ' ' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	return append(out, cur)
}

func TestActiveExpireFieldsManySlotsAndCursor(t *testing.T) {
	k := newTestKS(t)
	for i := 0; i < 300; i++ {
		k.putVolatileHash(1, fmt.Sprint("k", i), 1, testEpoch+5, i%2 == 0)
	}
	if n := k.volatileCount(1); n != 300 {
		t.Fatalf("tracked %d", n)
	}
	k.advance(10)
	for i := 0; i < 4; i++ {
		k.ActiveExpireCycle(time.Second, 1)
	}
	if n := k.volatileCount(1); n != 0 {
		t.Fatalf("still tracked %d", n)
	}
	if n := k.DB(1).Size(); n != 150 {
		t.Fatalf("keys left %d, want the 150 with a persistent field", n)
	}
	if n := k.Stats().ExpiredFields.Load(); n != 300 {
		t.Fatalf("expired_fields %d", n)
	}
}

// TestActiveExpireFieldsRespectsBudget fills many volatile hashes and
// checks that one cycle with a small budget stops early (and says so in
// expired_time_cap_reached_count) while later cycles finish the work.
func TestActiveExpireFieldsRespectsBudget(t *testing.T) {
	k := newTestKS(t)
	const keys = 3000
	for i := 0; i < keys; i++ {
		k.putVolatileHash(0, fmt.Sprint("h", i), 20, testEpoch+1, true)
	}
	k.advance(10)
	k.sink.take()
	start := time.Now()
	k.ActiveExpireCycle(200*time.Microsecond, 1) // keys first: no field work
	k.ActiveExpireCycle(200*time.Microsecond, 1) // fields first
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Fatalf("two 200µs cycles took %v", el)
	}
	if k.Stats().ExpiredTimeCapReached.Load() == 0 {
		t.Fatal("the time cap was not reported")
	}
	if n := k.volatileCount(0); n == 0 || n == keys {
		t.Fatalf("after one short cycle %d of %d hashes still volatile", n, keys)
	}
	for i := 0; i < 10000 && k.volatileCount(0) > 0; i++ {
		k.ActiveExpireCycle(time.Millisecond, 1)
	}
	if n := k.volatileCount(0); n != 0 {
		t.Fatalf("%d hashes still volatile", n)
	}
	if n := k.Stats().ExpiredFields.Load(); n != keys*20 {
		t.Fatalf("expired_fields = %d, want %d", n, keys*20)
	}
	if n := k.DB(0).Size(); n != keys {
		t.Fatalf("%d keys left, want %d (each keeps a persistent field)", n, keys)
	}
}
