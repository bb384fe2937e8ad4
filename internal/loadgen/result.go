package loadgen

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Second is one row of the per-second timeline. Counts are requests that
// completed in [UnixMs, UnixMs+1000); latencies are in milliseconds.
type Second struct {
	Second   int     `json:"second"`
	UnixMs   int64   `json:"unix_ms"`
	SpanMs   int64   `json:"span_ms"` // 1000, except for a last, partial second
	Ops      int64   `json:"ops"`
	Sets     int64   `json:"sets"`
	Gets     int64   `json:"gets"`
	Hits     int64   `json:"hits"`
	Misses   int64   `json:"misses"`
	Errors   int64   `json:"errors"`
	Moved    int64   `json:"moved"`
	Ask      int64   `json:"ask"`
	TryAgain int64   `json:"tryagain"`
	Bytes    int64   `json:"bytes"`
	AvgMs    float64 `json:"avg_ms"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	P999Ms   float64 `json:"p999_ms"`
	MaxMs    float64 `json:"max_ms"`
}

// OpsPerSec is the row's throughput, scaled by its span.
func (s Second) OpsPerSec() float64 { return float64(s.Ops) * 1000 / float64(s.SpanMs) }

// TypeStats summarizes one request kind (or all of them) over the run, as
// memtier's ALL STATS table does.
type TypeStats struct {
	Ops       int64   `json:"ops"`
	OpsSec    float64 `json:"ops_sec"`
	Hits      int64   `json:"hits"`
	HitsSec   float64 `json:"hits_sec"`
	Misses    int64   `json:"misses"`
	MissesSec float64 `json:"misses_sec"`
	Moved     int64   `json:"moved"`
	MovedSec  float64 `json:"moved_sec"`
	Ask       int64   `json:"ask"`
	AskSec    float64 `json:"ask_sec"`
	TryAgain  int64   `json:"tryagain"`
	AvgMs     float64 `json:"avg_latency_ms"`
	P50Ms     float64 `json:"p50_latency_ms"`
	P90Ms     float64 `json:"p90_latency_ms"`
	P99Ms     float64 `json:"p99_latency_ms"`
	P999Ms    float64 `json:"p999_latency_ms"`
	MaxMs     float64 `json:"max_latency_ms"`
	Bytes     int64   `json:"bytes"`
	KBSec     float64 `json:"kb_sec"`
}

// Event is a labelled moment on the timeline (a migration started, writes
// paused, the slots were handed over).
type Event struct {
	UnixMs int64  `json:"unix_ms"`
	Label  string `json:"label"`
}

// Result is everything a run measured.
type Result struct {
	Start    time.Time     `json:"-"`
	StartMs  int64         `json:"start_unix_ms"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"duration_s"`

	Server   string  `json:"server"`
	Cluster  bool    `json:"cluster_mode"`
	Threads  int     `json:"threads"`
	Clients  int     `json:"clients_per_thread"`
	Pipeline int     `json:"pipeline"`
	Requests int64   `json:"requests_per_client,omitempty"`
	TestTime float64 `json:"test_time_s,omitempty"`
	Rate     float64 `json:"rate,omitempty"`
	Ratio    string  `json:"ratio"`
	DataSize int     `json:"data_size"`

	Sets   TypeStats `json:"sets"`
	Gets   TypeStats `json:"gets"`
	Totals TypeStats `json:"totals"`

	Errors            int64            `json:"errors"`
	ErrorMessages     map[string]int64 `json:"error_messages,omitempty"`
	TopologyRefreshes int64            `json:"topology_refreshes,omitempty"`

	Events   []Event  `json:"events,omitempty"`
	Timeline []Second `json:"-"`
}

// summarize fills the per-kind and total stats from the collector.
func (c *collector) summarize(r *Result) {
	secs := r.Duration.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	r.Sets = typeStats(&c.set, c.set.hist, secs)
	r.Gets = typeStats(&c.get, c.get.hist, secs)
	all := typeTotals{
		ops:      c.set.ops + c.get.ops,
		hits:     c.get.hits,
		misses:   c.get.misses,
		bytes:    c.set.bytes + c.get.bytes,
		latSum:   c.set.latSum + c.get.latSum,
		moved:    c.set.moved + c.get.moved,
		ask:      c.set.ask + c.get.ask,
		tryagain: c.set.tryagain + c.get.tryagain,
	}
	r.Totals = typeStats(&all, c.all, secs)
	r.Errors = c.errors
	if len(c.errMsgs) > 0 {
		r.ErrorMessages = c.errMsgs
	}
}

func typeStats(t *typeTotals, h *hdrhistogram.Histogram, secs float64) TypeStats {
	s := TypeStats{
		Ops: t.ops, OpsSec: float64(t.ops) / secs,
		Hits: t.hits, HitsSec: float64(t.hits) / secs,
		Misses: t.misses, MissesSec: float64(t.misses) / secs,
		Moved: t.moved, MovedSec: float64(t.moved) / secs,
		Ask: t.ask, AskSec: float64(t.ask) / secs,
		TryAgain: t.tryagain,
		Bytes:    t.bytes, KBSec: float64(t.bytes) / 1024 / secs,
	}
	if t.ops > 0 {
		s.AvgMs = float64(t.latSum) / float64(t.ops) / 1e6
		s.P50Ms = micros(h.ValueAtPercentile(50))
		s.P90Ms = micros(h.ValueAtPercentile(90))
		s.P99Ms = micros(h.ValueAtPercentile(99))
		s.P999Ms = micros(h.ValueAtPercentile(99.9))
		s.MaxMs = micros(h.Max())
	}
	return s
}
