package types

import (
	"fmt"
	"testing"
)

// Microbenchmarks of the paths bench/types.sh exercises, through the
// public API so they run unchanged against earlier layouts.

// BenchmarkTypebenchHSetNewSmall is HSET of five 16-byte pairs into a new
// hash: the 1M-small-hash load.
func BenchmarkTypebenchHSetNewSmall(b *testing.B) {
	lim := DefaultLimits()
	args := typebenchSmallHashArgs(7)
	b.ReportAllocs()
	for b.Loop() {
		typebenchHSet(args, lim)
	}
}

// BenchmarkTypebenchHSetOverwrite is redis-benchmark's HSET: one field of
// a one-field hash overwritten with a value of the same size.
func BenchmarkTypebenchHSetOverwrite(b *testing.B) {
	lim := DefaultLimits()
	h := NewHash()
	f, v := []byte("element:__rand_int__"), []byte("xxx")
	h.Put(f, v, NoExpiry, false, 0, lim)
	b.ReportAllocs()
	for b.Loop() {
		h.Put(f, v, NoExpiry, false, 0, lim)
	}
}

// BenchmarkTypebenchHGetSmall looks up the last field of a small hash.
func BenchmarkTypebenchHGetSmall(b *testing.B) {
	lim := DefaultLimits()
	args := typebenchSmallHashArgs(7)
	h := typebenchHSet(args, lim)
	f := args[8]
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := h.Get(f, 0); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkTypebenchHSetTable overwrites and adds fields of a hash in the
// hashtable encoding.
func BenchmarkTypebenchHSetTable(b *testing.B) {
	lim := DefaultLimits()
	h := NewHash()
	fields := make([][]byte, 1024)
	for i := range fields {
		fields[i] = []byte(fmt.Sprintf("field:%010d", i))
		h.Put(fields[i], fields[i], NoExpiry, false, 0, lim)
	}
	v := []byte("value:0123456789")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.Put(fields[i&1023], v, NoExpiry, false, 0, lim)
		i++
	}
}

// BenchmarkTypebenchSAddExisting is redis-benchmark's SADD: the one
// member a small set already holds.
func BenchmarkTypebenchSAddExisting(b *testing.B) {
	lim := DefaultLimits()
	m := []byte("element:__rand_int__")
	s := NewSetFor(m, lim)
	s.Add(m, lim)
	b.ReportAllocs()
	for b.Loop() {
		s.Add(m, lim)
	}
}

// BenchmarkTypebenchListPushPop is LPUSH then LPOP (as the command does it) of a 3-byte value on a
// long quicklist (redis-benchmark's LPUSH and LPOP).
func BenchmarkTypebenchListPushPop(b *testing.B) {
	lim := DefaultLimits()
	l := NewList()
	v := []byte("xxx")
	for i := 0; i < 10_000; i++ {
		l.Push(v, true, lim)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Push(v, true, lim)
		if _, ok := l.End(true); !ok {
			b.Fatal("empty")
		}
		l.Discard(true)
		l.Shrink(lim)
	}
}

// BenchmarkTypebenchListRange100 reads the first 100 elements of a long
// list (LRANGE_100).
func BenchmarkTypebenchListRange100(b *testing.B) {
	lim := DefaultLimits()
	l := NewList()
	v := []byte("xxx")
	for i := 0; i < 10_000; i++ {
		l.Push(v, true, lim)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		l.Range(0, 99, func(_ int, e []byte) bool { n += len(e); return true })
	}
}
