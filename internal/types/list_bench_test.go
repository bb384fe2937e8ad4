package types

import (
	"strconv"
	"testing"
)

func benchList(n int) *List {
	lim := DefaultLimits()
	l := NewList()
	for i := 0; i < n; i++ {
		l.Push([]byte("element-"+strconv.Itoa(i)), false, lim)
	}
	return l
}

// BenchmarkListQueue pushes at one end and pops at the other (a queue of
// steady length, in the quicklist encoding).
func BenchmarkListQueue(b *testing.B) {
	lim := DefaultLimits()
	l := benchList(10000)
	v := []byte("element-xxxxx")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Push(v, true, lim)
		l.Pop(false, lim)
	}
}

// BenchmarkListStack pushes and pops at the tail.
func BenchmarkListStack(b *testing.B) {
	lim := DefaultLimits()
	l := benchList(10000)
	v := []byte("element-xxxxx")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Push(v, false, lim)
		l.Pop(false, lim)
	}
}

// BenchmarkListRange reads 100 elements from the head.
func BenchmarkListRange(b *testing.B) {
	l := benchList(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Range(0, 99, func(int, []byte) bool { return true })
	}
}
