package types

import (
	"strconv"
	"testing"
)

func benchZSet(b *testing.B, n int) *ZSet {
	b.Helper()
	lim := DefaultLimits()
	z := NewZSetSized(n, 0, lim)
	for i := 0; i < n; i++ {
		z.Set([]byte("member:"+strconv.Itoa(i)), float64(i*7%n), lim)
	}
	return z
}

func BenchmarkZSetSet(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z, lim := benchZSet(b, n), DefaultLimits()
			m := []byte("member:0")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				z.Set(m, float64(i%n), lim)
			}
		})
	}
}

func BenchmarkZSetRankAndRange(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z := benchZSet(b, n)
			r := ScoreRange{Min: float64(n / 3), Max: float64(n/3 + 10)}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				z.Rank([]byte("member:"+strconv.Itoa(i%n)), false)
				lo, hi := z.ScoreBounds(r)
				z.RangeRanks(lo, hi, i%2 == 0, func([]byte, float64) bool { return true })
			}
		})
	}
}
