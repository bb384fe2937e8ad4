package server

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestGCLimitFor(t *testing.T) {
	for _, tc := range []struct{ live, nonHeap, want int64 }{
		{0, 10 << 20, 10<<20 + gcMinHeadroom},
		{100 << 20, 10 << 20, 10<<20 + 100<<20 + gcMinHeadroom},
		{1 << 30, 20 << 20, 20<<20 + 1<<30 + (1<<30)*gcHeadroomPercent/100},
	} {
		if got := gcLimitFor(tc.live, tc.nonHeap, gcHeadroomPercent); got != tc.want {
			t.Errorf("gcLimitFor(%d, %d) = %d, want %d", tc.live, tc.nonHeap, got, tc.want)
		}
	}
}

// A live heap that shrank below the pages the runtime still holds does not
// pull the limit under them (the GC would run back to back).
func TestGCLimitNotBelowFootprint(t *testing.T) {
	limit := gcLimitFor(100<<20, 10<<20, gcHeadroomPercent) // 174 MiB
	if got := gcLimitAtLeast(limit, 400<<20); got != 400<<20 {
		t.Fatalf("limit %d under a 400 MiB footprint", got)
	}
	if got := gcLimitAtLeast(limit, 50<<20); got != limit {
		t.Fatalf("limit %d, want the formula's %d above a small footprint", got, limit)
	}
}

// The tuner reads the runtime's metrics without error and, once a
// collection happened, sets a limit above the live heap.
func TestGCTunerTick(t *testing.T) {
	defer debug.SetMemoryLimit(math.MaxInt64)
	g := newGCTuner()
	g.enabled = true
	g.tick()
	if g.last != 0 && g.last < gcMinHeadroom {
		t.Fatalf("limit %d below the minimum headroom", g.last)
	}
}
