package loadgen

import (
	"math"
	"math/rand/v2"
)

// keyGen yields key numbers for one side (SETs or GETs) of one client. It
// is used by a single goroutine.
type keyGen interface {
	next() int64
}

// newKeyGen builds the generator for pattern p over [min, max] for client
// idx of n clients, drawing from rng.
func newKeyGen(cfg *Config, p Pattern, idx, n int, rng *rand.Rand) keyGen {
	min, max := cfg.KeyMin, cfg.KeyMax
	switch p {
	case PatternGaussian:
		median, stddev := cfg.KeyMedian, cfg.KeyStddev
		if median == 0 {
			median = float64(min) + float64(max-min)/2
		}
		if stddev == 0 {
			stddev = float64(max-min) / 6
		}
		return &gaussianKeys{rng: rng, min: min, max: max, median: median, stddev: stddev}
	case PatternZipf:
		if min < 1 {
			min = 1
		}
		return &zipfKeys{min: min, z: newZipf(rng, uint64(max-min+1), cfg.ZipfExp)}
	case PatternSequential:
		return &seqKeys{min: min, max: max, cur: min}
	case PatternParallel:
		lo, hi := parallelShare(min, max, idx, n)
		return &seqKeys{min: lo, max: hi, cur: lo}
	default:
		return &uniformKeys{rng: rng, min: min, span: uint64(max-min) + 1}
	}
}

// parallelShare is client idx's slice of [min, max] when n clients split
// it evenly (the last clients get one key fewer when it does not divide;
// a client whose share would be empty walks the whole range).
func parallelShare(min, max int64, idx, n int) (lo, hi int64) {
	span := max - min + 1
	per, extra := span/int64(n), span%int64(n)
	i := int64(idx)
	lo = min + i*per + minInt64(i, extra)
	size := per
	if i < extra {
		size++
	}
	if size == 0 {
		return min, max
	}
	return lo, lo + size - 1
}

func minInt64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

type uniformKeys struct {
	rng  *rand.Rand
	min  int64
	span uint64
}

func (u *uniformKeys) next() int64 { return u.min + int64(u.rng.Uint64N(u.span)) }

type gaussianKeys struct {
	rng            *rand.Rand
	min, max       int64
	median, stddev float64
}

// next draws from N(median, stddev²) and redraws values outside the range
// (as memtier does); after a few misses it clamps, so a median far
// outside the range cannot spin.
func (g *gaussianKeys) next() int64 {
	var v float64
	for try := 0; try < 16; try++ {
		v = math.Round(g.median + g.rng.NormFloat64()*g.stddev)
		if v >= float64(g.min) && v <= float64(g.max) {
			return int64(v)
		}
	}
	return int64(math.Max(float64(g.min), math.Min(float64(g.max), v)))
}

type zipfKeys struct {
	min int64
	z   *zipf
}

// next maps rank 1 (the hottest) to min.
func (z *zipfKeys) next() int64 { return z.min + int64(z.z.next()) - 1 }

type seqKeys struct {
	min, max, cur int64
}

func (s *seqKeys) next() int64 {
	v := s.cur
	if s.cur >= s.max {
		s.cur = s.min
	} else {
		s.cur++
	}
	return v
}
