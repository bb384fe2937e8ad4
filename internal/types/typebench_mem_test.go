package types

import (
	"fmt"
	"runtime"
	"testing"
)

// typebenchHeap is the live heap after two collections.
func typebenchHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// typebenchMemCase builds n values with build and compares the heap they
// really occupy with the sum of their MemUsage, which the keyspace adds up
// for INFO memory and maxmemory: the estimate must stay within 10%.
func typebenchMemCase(t *testing.T, n int, build func(i int) Object) {
	t.Helper()
	objs := make([]Object, n)
	before := typebenchHeap()
	var est int64
	for i := range objs {
		objs[i] = build(i)
	}
	grown := typebenchHeap() - before
	for _, o := range objs {
		est += o.MemUsage()
	}
	ratio := float64(est) / float64(grown)
	t.Logf("%d values: MemUsage %d B (%.1f B/value), heap grew %d B (%.1f B/value), ratio %.3f",
		n, est, float64(est)/float64(n), grown, float64(grown)/float64(n), ratio)
	if ratio < 0.9 || ratio > 1.1 {
		t.Errorf("MemUsage is off by more than 10%%: ratio %.3f", ratio)
	}
	runtime.KeepAlive(objs)
}

// typebenchSmallHashArgs are the field/value pairs bench/types.sh loads:
// five 16-byte fields with 16-byte values.
func typebenchSmallHashArgs(i int) [][]byte {
	args := make([][]byte, 0, 10)
	for j := 0; j < 5; j++ {
		args = append(args, []byte(fmt.Sprintf("field:%010d", j)), []byte(fmt.Sprintf("value:%010d", i*5+j)))
	}
	return args
}

// typebenchHSet does what HSET does to a new hash.
func typebenchHSet(args [][]byte, lim Limits) *Hash {
	h := NewHash()
	h.PrepareSet(args, lim)
	for k := 0; k < len(args); k += 2 {
		h.Put(args[k], args[k+1], NoExpiry, false, 0, lim)
	}
	return h
}

func TestTypebenchSmallHashMemUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~50 MB")
	}
	const n = 100_000
	lim := DefaultLimits()
	inputs := make([][][]byte, n)
	for i := range inputs {
		inputs[i] = typebenchSmallHashArgs(i)
	}
	typebenchMemCase(t, n, func(i int) Object { return typebenchHSet(inputs[i], lim) })
	runtime.KeepAlive(inputs)
}

// The other shapes the benchmark and typical workloads create: hashes and
// sets past their listpack thresholds, small sets, and lists in both
// encodings. Each must account for its memory within 10%.
func TestTypebenchCollectionsMemUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~100 MB")
	}
	lim := DefaultLimits()
	member := func(i, j int) []byte { return []byte(fmt.Sprintf("member:%08d:%04d", i, j)) }
	for _, tc := range []struct {
		name  string
		n     int
		build func(i int) Object
	}{
		{"hash of 200 fields", 2_000, func(i int) Object {
			h := NewHash()
			for j := 0; j < 200; j++ {
				h.Put(member(i, j), member(j, i), NoExpiry, false, 0, lim)
			}
			return h
		}},
		{"listpack set of 5", 50_000, func(i int) Object {
			s := NewSetFor(member(i, 0), lim)
			for j := 0; j < 5; j++ {
				s.Add(member(i, j), lim)
			}
			return s
		}},
		{"intset of 5", 50_000, func(i int) Object {
			s := NewSetFor([]byte("1"), lim)
			for j := 0; j < 5; j++ {
				s.Add([]byte(fmt.Sprint(i*5+j)), lim)
			}
			return s
		}},
		{"hashtable set of 300", 1_000, func(i int) Object {
			s := NewSetFor(member(i, 0), lim)
			for j := 0; j < 300; j++ {
				s.Add(member(i, j), lim)
			}
			return s
		}},
		{"listpack list of 10", 50_000, func(i int) Object {
			l := NewList()
			for j := 0; j < 10; j++ {
				l.Push(member(i, j), j%2 == 0, lim)
			}
			return l
		}},
		{"quicklist of 2000", 200, func(i int) Object {
			l := NewList()
			for j := 0; j < 2000; j++ {
				l.Push(member(i, j), j%2 == 0, lim)
			}
			return l
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { typebenchMemCase(t, tc.n, tc.build) })
	}
}
