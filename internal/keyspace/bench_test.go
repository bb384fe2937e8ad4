package keyspace

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
)

const benchKeys = 1 << 20 // as many keys as the single-node target, far beyond the CPU caches

// scatter maps the i-th access to a key index in a fixed pseudo-random
// order (a multiplicative permutation of the power-of-two n), so that
// accesses do not walk memory in allocation order, which the hardware
// prefetcher would hide; redis-benchmark -r picks keys at random too.
func scatter(i, n int) int { return int(uint32(i)*0x9E3779B1) & (n - 1) }

func benchKeyNames(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%012d", i))
	}
	return keys
}

// benchSet writes key through a Tx the way the dispatcher does for a
// single-key command: lock the slot, Begin, write, Finish, unlock.
func benchSet(ks *Keyspace, tx *Tx, key, val []byte) {
	s := slot.Of(key)
	ks.LockSlot(s)
	tx.Begin(0)
	tx.Set(key, NewString(val), false)
	tx.Finish()
	ks.UnlockSlot(s)
}

func benchLoaded(b *testing.B, keys [][]byte, val []byte) (*Keyspace, *Tx) {
	ks := New(Options{Databases: 16})
	tx := ks.NewTx()
	for _, k := range keys {
		benchSet(ks, tx, k, val)
	}
	return ks, tx
}

// BenchmarkTxSetOverwrite is SET of an existing key (64-byte values).
func BenchmarkTxSetOverwrite(b *testing.B) {
	keys := benchKeyNames(benchKeys)
	val := bytes.Repeat([]byte{'v'}, 64)
	ks, tx := benchLoaded(b, keys, val)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	for i := 0; i < b.N; i++ {
		benchSet(ks, tx, keys[scatter(i, benchKeys)], val)
	}
}

// BenchmarkTxSetNew is SET of keys that do not exist yet.
func BenchmarkTxSetNew(b *testing.B) {
	keys := benchKeyNames(benchKeys)
	val := bytes.Repeat([]byte{'v'}, 64)
	ks := New(Options{Databases: 16})
	tx := ks.NewTx()
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	for i := 0; i < b.N; i++ {
		if i&(benchKeys-1) == 0 && i > 0 {
			b.StopTimer()
			ks = New(Options{Databases: 16})
			tx = ks.NewTx()
			b.StartTimer()
		}
		benchSet(ks, tx, keys[scatter(i, benchKeys)], val)
	}
}

// BenchmarkTxLookup is GET's read path on an existing key.
func BenchmarkTxLookup(b *testing.B) {
	keys := benchKeyNames(benchKeys)
	val := bytes.Repeat([]byte{'v'}, 64)
	ks, tx := benchLoaded(b, keys, val)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	for i := 0; i < b.N; i++ {
		key := keys[scatter(i, benchKeys)]
		s := slot.Of(key)
		ks.LockSlot(s)
		tx.Begin(0)
		if tx.Lookup(key, 0) == nil {
			b.Fatal("missing key")
		}
		tx.Finish()
		ks.UnlockSlot(s)
	}
}

// BenchmarkHeapPerKey reports the live heap per key of 1M string keys
// with 64-byte values (key:%012d, as redis-benchmark names them) and how
// far the keyspace's own accounting (DatasetBytes) is from it. It loads
// the keys once whatever b.N is (the metrics, not ns/op, are the result).
func BenchmarkHeapPerKey(b *testing.B) {
	const n = 1_000_000
	val := bytes.Repeat([]byte{'v'}, 64)
	b.N = 1
	for i := 0; i < 1; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ks := New(Options{Databases: 16})
		tx := ks.NewTx()
		var key [16]byte
		for j := 0; j < n; j++ {
			k := fmt.Appendf(key[:0], "key:%012d", j)
			benchSet(ks, tx, k, val)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		live := float64(after.HeapAlloc - before.HeapAlloc)
		b.ReportMetric(live/n, "heapB/key")
		b.ReportMetric(float64(ks.DatasetBytes())/n, "acctB/key")
		runtime.KeepAlive(ks)
	}
}
