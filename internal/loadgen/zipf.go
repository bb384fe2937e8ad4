package loadgen

import (
	"math"
	"math/rand/v2"
)

// zipf samples ranks 1..n with P(k) ∝ k^-s for any s > 0, by
// rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion
// to generate variates from monotone discrete distributions", 1996). It
// needs O(1) memory and setup, unlike a CDF table over millions of keys,
// and, unlike math/rand's Zipf, accepts exponents up to and including 1
// (memtier's default exponent is 1).
type zipf struct {
	rng *rand.Rand
	n   float64
	s   float64
	// hX1 is H(1.5) - 1 and hN is H(n + 0.5): the sampled range of the
	// integral of the hat function.
	hX1, hN float64
	// accept is the squeeze: ranks within it of the inverse are accepted
	// without evaluating the density.
	accept float64
}

func newZipf(rng *rand.Rand, n uint64, s float64) *zipf {
	z := &zipf{rng: rng, n: float64(n), s: s}
	z.hX1 = z.hIntegral(1.5) - 1
	z.hN = z.hIntegral(z.n + 0.5)
	z.accept = 2 - z.hIntegralInverse(z.hIntegral(2.5)-z.h(2))
	return z
}

// next returns a rank in [1, n].
func (z *zipf) next() uint64 {
	for {
		u := z.hN + z.rng.Float64()*(z.hX1-z.hN)
		x := z.hIntegralInverse(u)
		k := math.Floor(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > z.n {
			k = z.n
		}
		if k-x <= z.accept || u >= z.hIntegral(k+0.5)-z.h(k) {
			return uint64(k)
		}
	}
}

// h is the (unnormalised) density x^-s.
func (z *zipf) h(x float64) float64 { return math.Exp(-z.s * math.Log(x)) }

// hIntegral is ∫ h, written so it stays exact near s = 1 (where it
// becomes log x).
func (z *zipf) hIntegral(x float64) float64 {
	lx := math.Log(x)
	return expm1Over((1-z.s)*lx) * lx
}

// hIntegralInverse inverts hIntegral.
func (z *zipf) hIntegralInverse(x float64) float64 {
	t := x * (1 - z.s)
	if t < -1 {
		t = -1 // numerical guard: x is at the edge of the domain
	}
	return math.Exp(log1pOver(t) * x)
}

// log1pOver is log(1+x)/x, continuous at 0.
func log1pOver(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

// expm1Over is (e^x - 1)/x, continuous at 0.
func expm1Over(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x*(1.0/3)*(1+0.25*x))
}
