package server

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// gcTuner bounds the garbage collector's memory headroom for big
// datasets (docs/design/memory-and-gc.md). With the default GOGC=100 the
// heap may grow to twice the live data between collections, which for an
// in-memory database means twice the RSS of its dataset. The tuner sets a
// soft memory limit at the live heap plus max(gcMinHeadroom, live ×
// gcHeadroomPercent%), plus the runtime's own non-heap memory, and keeps
// GOGC for small heaps, where the headroom floor dominates and a few
// megabytes of garbage cost nothing. The price of a tighter bound is
// collections that start earlier; they only happen when the workload
// allocates (overwriting strings in place does not).
//
// The limit follows the live heap measured by the last collection, read
// by the cron; it is only changed when it moves by more than 1/16. It is
// never set below what the process holds now (total minus released):
// when the live heap shrinks (big values replaced by small ones), the
// freed pages stay mapped until the scavenger returns them, and a limit
// under them made the GC run back to back (p99 from 0.8 to 12 ms in a
// measurement, docs/design/0009); the scavenger's own pace lowers the
// footprint, and the limit follows it down. Setting
// GOMEMLIMIT in the environment disables the tuner; SHOAL_GC_HEADROOM
// (percent) overrides the headroom. The measurements behind the default
// are in docs/design/memory-and-gc.md.
type gcTuner struct {
	enabled bool
	percent int64
	last    int64
	samples []metrics.Sample
}

const (
	gcHeadroomPercent = 50
	gcMinHeadroom     = 64 << 20
)

func newGCTuner() *gcTuner {
	t := &gcTuner{enabled: os.Getenv("GOMEMLIMIT") == "", percent: gcHeadroomPercent}
	if v, err := strconv.Atoi(os.Getenv("SHOAL_GC_HEADROOM")); err == nil && v > 0 {
		t.percent = int64(v)
	}
	for _, name := range []string{
		"/gc/heap/live:bytes",
		"/memory/classes/total:bytes",
		"/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/free:bytes",
		"/memory/classes/heap/released:bytes",
	} {
		t.samples = append(t.samples, metrics.Sample{Name: name})
	}
	return t
}

// limitFor computes the memory limit for a live heap of live bytes when
// the runtime uses nonHeap bytes outside the heap.
func gcLimitFor(live, nonHeap, percent int64) int64 {
	headroom := live * percent / 100
	if headroom < gcMinHeadroom {
		headroom = gcMinHeadroom
	}
	return nonHeap + live + headroom
}

// gcLimitAtLeast keeps a limit at or above the process's footprint (the
// runtime's total memory minus what it released to the OS).
func gcLimitAtLeast(limit, footprint int64) int64 { return max(limit, footprint) }

// tick reads the runtime's figures and adjusts the limit. It runs on the
// cron goroutine.
func (t *gcTuner) tick() {
	if !t.enabled {
		return
	}
	metrics.Read(t.samples)
	v := func(i int) int64 {
		if t.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		u := t.samples[i].Value.Uint64()
		if u > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(u)
	}
	live := v(0)
	if live == 0 {
		return // no collection yet
	}
	heap := v(2) + v(3) + v(4) + v(5)
	limit := gcLimitAtLeast(gcLimitFor(live, v(1)-heap, t.percent), v(1)-v(5))
	if d := limit - t.last; d < -t.last/16 || d > t.last/16 {
		debug.SetMemoryLimit(limit)
		t.last = limit
	}
}
