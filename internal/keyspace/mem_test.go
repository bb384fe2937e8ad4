package keyspace

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestDatasetBytesMatchesHeap stores 100k string keys and checks that the
// incremental estimate (DatasetBytes) is within 20% of what the Go heap
// really grew by, which keeps maxmemory and INFO memory honest. It is the
// test the per-key constants in mem.go are calibrated against.
func TestDatasetBytesMatchesHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~20 MB")
	}
	for _, tc := range []struct {
		name           string
		n              int
		minVal, maxVal int
		ttl            bool
		// unchecked cases are only logged: the expires table of volatile
		// keys (~65 B/key) is not accounted by the choke point yet.
		unchecked bool
	}{
		{"small values", 100_000, 1, 16, false, false},
		{"medium values", 100_000, 20, 120, false, false},
		{"with ttl", 100_000, 20, 120, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := rand.Uint64()
			rng := rand.New(rand.NewPCG(seed, 1))
			ks := New(Options{Databases: 1})
			// Pre-build the inputs so only the stored data is measured.
			keys := make([][]byte, tc.n)
			vals := make([][]byte, tc.n)
			for i := range keys {
				keys[i] = []byte(fmt.Sprintf("key:%08d", i))
				vals[i] = make([]byte, tc.minVal+rng.IntN(tc.maxVal-tc.minVal+1))
			}
			before := heapInUse()
			ks.LockAll()
			tx := ks.NewTx()
			tx.HoldsAll = true
			tx.Begin(0)
			for i := range keys {
				tx.Set(keys[i], NewString(vals[i]), false)
				if tc.ttl {
					tx.SetExpire(keys[i], ks.Now()+3_600_000)
				}
			}
			tx.Finish()
			ks.UnlockAll()
			grown := heapInUse() - before
			est := ks.DatasetBytes()
			ratio := float64(est) / float64(grown)
			t.Logf("seed %d: %d keys: estimate %d bytes, heap grew %d bytes (ratio %.3f, %.1f B/key real)",
				seed, tc.n, est, grown, ratio, float64(grown)/float64(tc.n))
			if !tc.unchecked && (ratio < 0.8 || ratio > 1.2) {
				t.Fatalf("DatasetBytes is off by more than 20%%: ratio %.3f", ratio)
			}
			runtime.KeepAlive(keys)
			runtime.KeepAlive(vals)
			runtime.KeepAlive(ks)
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
