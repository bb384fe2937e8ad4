package loadgen

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Operation kinds and outcomes.
const (
	kindSet uint8 = iota
	kindGet
)

const (
	resOK   uint8 = iota // a SET was acknowledged
	resHit               // a GET found its key
	resMiss              // a GET found nothing
	resErr               // the request failed (error reply, connection lost, too many redirections)
)

// sample is one finished request, as a client hands it to the collector.
type sample struct {
	done  int64 // completion, ns since the run started
	lat   int64 // ns, from the intended (open loop) or actual (closed loop) send
	bytes int32 // request + reply bytes on the wire, redirections included
	kind  uint8
	res   uint8
	// Redirections this request went through before its final reply.
	moved, ask, tryagain uint8
}

// sink is where one client leaves its samples; the collector swaps the
// buffer out. One lock per batch, never per request.
type sink struct {
	mu   sync.Mutex
	buf  []sample
	errs map[string]int64
}

func (s *sink) push(batch []sample, errs []string) {
	s.mu.Lock()
	s.buf = append(s.buf, batch...)
	for _, e := range errs {
		if s.errs == nil {
			s.errs = map[string]int64{}
		}
		s.errs[e]++
	}
	s.mu.Unlock()
}

// take swaps the buffer with spare and returns what was collected.
func (s *sink) take(spare []sample, errs map[string]int64) []sample {
	s.mu.Lock()
	out := s.buf
	s.buf = spare[:0]
	for e, n := range s.errs {
		errs[e] += n
		delete(s.errs, e)
	}
	s.mu.Unlock()
	return out
}

// Histogram geometry, in microseconds up to an hour. Totals keep three
// significant digits (what memtier reports); the per-second rows keep two,
// which is 1% resolution at a tenth of the memory — a long run has a row
// per second.
const (
	histMaxMicros   = int64(time.Hour / time.Microsecond)
	totalSigFigs    = 3
	perSecondDigits = 2
)

func newHist(sig int) *hdrhistogram.Histogram { return hdrhistogram.New(1, histMaxMicros, sig) }

func record(h *hdrhistogram.Histogram, latNs int64) {
	us := latNs / 1000
	if us < 1 {
		us = 1
	}
	if us > histMaxMicros {
		us = histMaxMicros
	}
	_ = h.RecordValue(us)
}

// typeTotals accumulates one request kind over the whole run.
type typeTotals struct {
	ops, hits, misses, bytes, latSum int64
	moved, ask, tryagain             int64
	hist                             *hdrhistogram.Histogram
}

// secAcc accumulates one second of the timeline until it is finalized.
type secAcc struct {
	row  Second
	lat  int64 // ns sum of the successful requests
	hist *hdrhistogram.Histogram
}

// collector owns every histogram and the timeline. Only its goroutine
// (and Run, after the clients stopped) touches it.
type collector struct {
	sinks  []*sink
	spares [][]sample
	start  time.Time

	set, get typeTotals
	all      *hdrhistogram.Histogram
	errors   int64
	errMsgs  map[string]int64

	secs      []*secAcc
	finalized int // rows [0, finalized) have their percentiles computed
	free      []*hdrhistogram.Histogram
}

func newCollector(sinks []*sink, start time.Time) *collector {
	return &collector{
		sinks:   sinks,
		spares:  make([][]sample, len(sinks)),
		start:   start,
		set:     typeTotals{hist: newHist(totalSigFigs)},
		get:     typeTotals{hist: newHist(totalSigFigs)},
		all:     newHist(totalSigFigs),
		errMsgs: map[string]int64{},
	}
}

// drain takes every client's samples.
func (c *collector) drain() {
	for i, s := range c.sinks {
		got := s.take(c.spares[i], c.errMsgs)
		for j := range got {
			c.add(&got[j])
		}
		c.spares[i] = got
	}
}

func (c *collector) add(s *sample) {
	acc := c.second(int(s.done / int64(time.Second)))
	r := &acc.row
	r.Moved += int64(s.moved)
	r.Ask += int64(s.ask)
	r.TryAgain += int64(s.tryagain)
	r.Bytes += int64(s.bytes)
	t := &c.set
	if s.kind == kindGet {
		t = &c.get
	}
	t.moved += int64(s.moved)
	t.ask += int64(s.ask)
	t.tryagain += int64(s.tryagain)
	if s.res == resErr {
		r.Errors++
		c.errors++
		return
	}
	r.Ops++
	t.ops++
	t.bytes += int64(s.bytes)
	t.latSum += s.lat
	acc.lat += s.lat
	switch s.res {
	case resHit:
		r.Hits++
		t.hits++
	case resMiss:
		r.Misses++
		t.misses++
	}
	if s.kind == kindGet {
		r.Gets++
	} else {
		r.Sets++
	}
	record(t.hist, s.lat)
	record(c.all, s.lat)
	if acc.hist != nil { // a late sample for a finalized second: counted, not in its percentiles
		record(acc.hist, s.lat)
	}
}

// second returns the accumulator of second i, growing the timeline.
func (c *collector) second(i int) *secAcc {
	if i < 0 {
		i = 0
	}
	for len(c.secs) <= i {
		n := len(c.secs)
		c.secs = append(c.secs, &secAcc{
			row:  Second{Second: n, UnixMs: c.start.Add(time.Duration(n) * time.Second).UnixMilli()},
			hist: c.newSecHist(),
		})
	}
	return c.secs[i]
}

func (c *collector) newSecHist() *hdrhistogram.Histogram {
	if n := len(c.free); n > 0 {
		h := c.free[n-1]
		c.free = c.free[:n-1]
		return h
	}
	return newHist(perSecondDigits)
}

// finalize computes the percentiles of rows before second upTo and
// recycles their histograms.
func (c *collector) finalize(upTo int) {
	for ; c.finalized < upTo && c.finalized < len(c.secs); c.finalized++ {
		acc := c.secs[c.finalized]
		r := &acc.row
		if r.Ops > 0 {
			r.AvgMs = float64(acc.lat) / float64(r.Ops) / 1e6
			r.P50Ms = micros(acc.hist.ValueAtPercentile(50))
			r.P99Ms = micros(acc.hist.ValueAtPercentile(99))
			r.P999Ms = micros(acc.hist.ValueAtPercentile(99.9))
			r.MaxMs = micros(acc.hist.Max())
		}
		acc.hist.Reset()
		c.free = append(c.free, acc.hist)
		acc.hist = nil
	}
}

func micros(us int64) float64 { return float64(us) / 1000 }

// timeline returns the finished rows, the last one clipped to the run's
// duration (its span says how much of the second the run covered).
func (c *collector) timeline(d time.Duration) []Second {
	full := int((d + time.Second - 1) / time.Second)
	c.second(full - 1) // rows up to the end exist even when idle
	c.finalize(len(c.secs))
	out := make([]Second, 0, len(c.secs))
	for i, acc := range c.secs {
		r := acc.row
		r.SpanMs = 1000
		if end := time.Duration(i+1) * time.Second; end > d {
			r.SpanMs = (d - time.Duration(i)*time.Second).Milliseconds()
		}
		if r.SpanMs <= 0 {
			r.SpanMs = 1 // samples that landed just past the end
		}
		if r.Ops > 0 { // again: late samples may have come after finalize
			r.AvgMs = float64(acc.lat) / float64(r.Ops) / 1e6
		}
		out = append(out, r)
	}
	return out
}

// live is the running tally for Bench.Live.
func (c *collector) live() *Live {
	return &Live{
		Ops:      c.set.ops + c.get.ops,
		Errors:   c.errors,
		Moved:    c.set.moved + c.get.moved,
		Ask:      c.set.ask + c.get.ask,
		TryAgain: c.set.tryagain + c.get.tryagain,
	}
}
