package loadgen

import (
	"math"
	"math/rand/v2"
	"testing"
)

func testRNG(t *testing.T) *rand.Rand {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, 7))
}

func keysConfig(min, max int64) *Config {
	c := DefaultConfig()
	c.KeyMin, c.KeyMax = min, max
	return &c
}

func TestUniformKeysCoverRangeEvenly(t *testing.T) {
	cfg := keysConfig(100, 1099) // 1000 keys, 10 buckets of 100
	g := newKeyGen(cfg, PatternRandom, 0, 1, testRNG(t))
	const n = 200000
	var buckets [10]int
	for i := 0; i < n; i++ {
		k := g.next()
		if k < 100 || k > 1099 {
			t.Fatalf("key %d outside [100, 1099]", k)
		}
		buckets[(k-100)/100]++
	}
	for i, b := range buckets {
		if math.Abs(float64(b)-n/10) > 0.05*n/10 {
			t.Errorf("bucket %d has %d keys, want %d ± 5%%", i, b, n/10)
		}
	}
}

func TestGaussianKeysMeanAndSpread(t *testing.T) {
	cfg := keysConfig(0, 60000)
	g := newKeyGen(cfg, PatternGaussian, 0, 1, testRNG(t))
	const n = 200000
	var sum, sq float64
	for i := 0; i < n; i++ {
		k := float64(g.next())
		if k < 0 || k > 60000 {
			t.Fatalf("key %v outside the range", k)
		}
		sum += k
		sq += k * k
	}
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	// Defaults: median = middle, stddev = range/6 (10000); clipping at
	// ±3σ trims the spread by ~1.5%.
	if math.Abs(mean-30000) > 200 {
		t.Errorf("mean %.0f, want 30000 ± 200", mean)
	}
	if sd < 9500 || sd > 10100 {
		t.Errorf("stddev %.0f, want about 10000", sd)
	}

	cfg.KeyMedian, cfg.KeyStddev = 1000, 10
	g = newKeyGen(cfg, PatternGaussian, 0, 1, testRNG(t))
	for i := 0; i < 1000; i++ {
		if k := g.next(); k < 940 || k > 1060 {
			t.Fatalf("key %d more than 6σ from the median 1000", k)
		}
	}
}

func TestGaussianKeysMedianOutsideRangeClamps(t *testing.T) {
	cfg := keysConfig(10, 20)
	cfg.KeyMedian, cfg.KeyStddev = 1e6, 1
	g := newKeyGen(cfg, PatternGaussian, 0, 1, testRNG(t))
	for i := 0; i < 100; i++ {
		if k := g.next(); k != 20 {
			t.Fatalf("key %d, want the clamp at 20", k)
		}
	}
}

// zipfExact is P(rank = k) for n ranks and exponent s.
func zipfExact(n int, s float64) []float64 {
	p := make([]float64, n+1)
	var h float64
	for k := 1; k <= n; k++ {
		p[k] = math.Pow(float64(k), -s)
		h += p[k]
	}
	for k := range p {
		p[k] /= h
	}
	return p
}

func TestZipfMatchesDistribution(t *testing.T) {
	rng := testRNG(t)
	const n, draws = 1000, 400000
	for _, s := range []float64{0.5, 0.99, 1, 1.5, 3} {
		z := newZipf(rng, n, s)
		counts := make([]int, n+1)
		for i := 0; i < draws; i++ {
			k := z.next()
			if k < 1 || k > n {
				t.Fatalf("s=%v: rank %d outside [1, %d]", s, k, n)
			}
			counts[k]++
		}
		want := zipfExact(n, s)
		// The hottest ranks, where the shape is: within 5σ of a binomial.
		for k := 1; k <= 5; k++ {
			exp := want[k] * draws
			sigma := math.Sqrt(exp * (1 - want[k]))
			if math.Abs(float64(counts[k])-exp) > 5*sigma+1 {
				t.Errorf("s=%v rank %d: %d draws, want %.0f ± %.0f", s, k, counts[k], exp, 5*sigma)
			}
		}
		// And the tail as a whole.
		var tail, wantTail float64
		for k := n / 2; k <= n; k++ {
			tail += float64(counts[k])
			wantTail += want[k] * draws
		}
		if math.Abs(tail-wantTail) > 5*math.Sqrt(wantTail)+1 {
			t.Errorf("s=%v tail: %.0f draws, want %.0f", s, tail, wantTail)
		}
	}
}

func TestZipfKeysArePositive(t *testing.T) {
	cfg := keysConfig(0, 50)
	cfg.ZipfExp = 1
	g := newKeyGen(cfg, PatternZipf, 0, 1, testRNG(t))
	hot := 0
	for i := 0; i < 10000; i++ {
		k := g.next()
		if k < 1 || k > 50 {
			t.Fatalf("zipf key %d outside [1, 50]", k)
		}
		if k == 1 {
			hot++
		}
	}
	if hot < 1500 { // P(1) = 1/H(50) ≈ 0.22
		t.Errorf("key 1 drawn %d times in 10000, want about 2200", hot)
	}
}

func TestSequentialKeysWrap(t *testing.T) {
	cfg := keysConfig(5, 8)
	g := newKeyGen(cfg, PatternSequential, 3, 10, testRNG(t))
	var got []int64
	for i := 0; i < 10; i++ {
		got = append(got, g.next())
	}
	want := []int64{5, 6, 7, 8, 5, 6, 7, 8, 5, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sequence %v, want %v", got, want)
		}
	}
}

func TestParallelKeysPartitionTheRange(t *testing.T) {
	for _, tc := range []struct {
		min, max int64
		n        int
	}{{0, 99, 4}, {1, 10, 3}, {0, 1000, 7}, {10, 12, 3}} {
		seen := map[int64]int{}
		for i := 0; i < tc.n; i++ {
			lo, hi := parallelShare(tc.min, tc.max, i, tc.n)
			g := newKeyGen(keysConfig(tc.min, tc.max), PatternParallel, i, tc.n, nil)
			for k := lo; k <= hi; k++ {
				if v := g.next(); v != k {
					t.Fatalf("%+v client %d: got %d, want %d", tc, i, v, k)
				}
				seen[k]++
			}
			if v := g.next(); v != lo {
				t.Fatalf("%+v client %d: did not wrap to %d (got %d)", tc, i, lo, v)
			}
		}
		if int64(len(seen)) != tc.max-tc.min+1 {
			t.Fatalf("%+v: shares cover %d keys, want %d", tc, len(seen), tc.max-tc.min+1)
		}
		for k, c := range seen {
			if c != 1 || k < tc.min || k > tc.max {
				t.Fatalf("%+v: key %d in %d shares", tc, k, c)
			}
		}
	}
	// More clients than keys: a client with no share walks everything.
	if lo, hi := parallelShare(0, 1, 5, 8); lo != 0 || hi != 1 {
		t.Fatalf("empty share = [%d, %d], want the whole range", lo, hi)
	}
}

func TestRatioCycle(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RatioSet, cfg.RatioGet = 2, 3
	cfg.Threads, cfg.Clients = 1, 1
	c := newClient(&runState{cfg: &cfg}, 0, &sink{})
	c.build(10)
	var got string
	for _, o := range c.ops {
		got += map[uint8]string{kindSet: "S", kindGet: "G"}[o.kind]
	}
	if got != "SSGGGSSGGG" {
		t.Fatalf("cycle %s, want SSGGGSSGGG", got)
	}
	if k := string(c.key(&c.ops[0])); len(k) < len("memtier-") || k[:8] != "memtier-" {
		t.Fatalf("key %q lacks the memtier- prefix", k)
	}
}
