package keyspace

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
)

// TestScanGuaranteeUnderConcurrentWrites checks SCAN's contract while other
// goroutines add and delete keys: every key present for the whole
// iteration is returned at least once, and nothing returned is a key that
// never existed.
func TestScanGuaranteeUnderConcurrentWrites(t *testing.T) {
	k := newTestKS(t)
	const stable = 10_000
	for i := 0; i < stable; i++ {
		k.set(0, fmt.Sprintf("stable:%d", i), "v", 0)
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)

	var stop atomic.Bool
	var ops atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			tx := k.NewTx()
			for i := 0; !stop.Load(); i++ {
				key := fmt.Sprintf("churn:%d:%d", w, rng.IntN(5000))
				s := slot.OfString(key)
				k.LockSlot(s)
				tx.Begin(0)
				if rng.IntN(2) == 0 {
					tx.Set([]byte(key), NewString([]byte("x")), false)
				} else {
					tx.Delete([]byte(key))
				}
				tx.Finish()
				k.UnlockSlot(s)
				ops.Add(1)
				runtime.Gosched() // let the scanner make progress on small machines
			}
		}(w)
	}

	for pass := 0; pass < 3; pass++ {
		seen := make(map[string]int, stable)
		tx := k.NewTx()
		tx.Begin(0)
		count := []int{1, 10, 200}[pass]
		cursor := uint64(0)
		for {
			cursor = tx.Scan(cursor, count, func(key string, _ *Entry) { seen[key]++ })
			if cursor == 0 {
				break
			}
		}
		tx.Finish()
		for i := 0; i < stable; i++ {
			if seen[fmt.Sprintf("stable:%d", i)] == 0 {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("pass %d (COUNT %d): stable:%d never returned", pass, count, i)
			}
		}
		for key := range seen {
			var a, b int
			if _, err := fmt.Sscanf(key, "churn:%d:%d", &a, &b); err != nil {
				if _, err := fmt.Sscanf(key, "stable:%d", &a); err != nil {
					t.Fatalf("SCAN returned unknown key %q", key)
				}
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d concurrent writes during the scans", ops.Load())
	if ops.Load() == 0 {
		t.Fatal("no write ran concurrently with the scans")
	}
}

// TestScanCursorIsSlotGranular checks the cursor contract SCAN relies on:
// cursors are slot numbers, every call visits whole slots, and the
// iteration ends with cursor 0.
func TestScanCursorIsSlotGranular(t *testing.T) {
	k := newTestKS(t)
	for i := 0; i < 500; i++ {
		k.set(0, fmt.Sprintf("k%d", i), "v", 0)
	}
	tx := k.NewTx()
	tx.Begin(0)
	defer tx.Finish()
	cursor := uint64(0)
	total := 0
	for calls := 0; ; calls++ {
		if calls > slot.Count {
			t.Fatal("scan does not terminate")
		}
		start := cursor
		var slots []int
		n := 0
		cursor = tx.Scan(cursor, 3, func(key string, _ *Entry) {
			n++
			if s := slot.OfString(key); len(slots) == 0 || slots[len(slots)-1] != s {
				slots = append(slots, s)
			}
		})
		for _, s := range slots {
			if s < int(start) || (cursor != 0 && s >= int(cursor)) {
				t.Fatalf("slot %d returned by a call covering [%d, %d)", s, start, cursor)
			}
		}
		// Whole slots: the keys returned are exactly those of the slots.
		want := 0
		for _, s := range slots {
			want += k.DB(0).SlotSize(s)
		}
		if n != want {
			t.Fatalf("call returned %d keys of slots %v holding %d", n, slots, want)
		}
		total += n
		if cursor == 0 {
			break
		}
		if n < 3 {
			t.Fatalf("call returned %d keys before the end", n)
		}
	}
	if total != 500 {
		t.Fatalf("scan returned %d keys, want 500", total)
	}
	if next := tx.Scan(slot.Count+5, 10, func(string, *Entry) { t.Fatal("visited a key past the end") }); next != 0 {
		t.Fatalf("cursor past the end returned %d", next)
	}
}
