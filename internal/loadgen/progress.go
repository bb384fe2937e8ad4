package loadgen

import (
	"fmt"
	"io"
)

// progress prints memtier's running line once a second:
//
//	[RUN #1 40%,   4 secs]  4 threads:  123456 ops,  30864 (avg:  30864) ops/sec, 1.2MB/sec (avg: 1.2MB/sec),  0.52 (avg:  0.50) msec latency
//
// It overwrites itself with \r, as memtier does.
type progress struct {
	w   io.Writer
	cfg *Config
	// Cumulative counts over the seconds reported so far.
	ops, bytes int64
	lat        float64 // ms·ops, for the running average
	printed    bool
}

func newProgress(w io.Writer, cfg *Config) *progress { return &progress{w: w, cfg: cfg} }

// update reports second sec-1 (just finished) and the running averages.
func (p *progress) update(col *collector, sec int) {
	if p.w == nil || sec < 1 || sec > len(col.secs) {
		return
	}
	last := col.secs[sec-1].row
	p.ops, p.bytes, p.lat = 0, 0, 0
	for _, acc := range col.secs[:sec] {
		p.ops += acc.row.Ops
		p.bytes += acc.row.Bytes
		p.lat += float64(acc.lat) / 1e6
	}
	pct := 0
	if p.cfg.TestTime > 0 {
		pct = int(float64(sec) * 100 / p.cfg.TestTime.Seconds())
	} else if total := p.cfg.Requests * int64(p.cfg.Conns()); total > 0 {
		pct = int(p.ops * 100 / total)
	}
	pct = min(pct, 100)
	avgLat, lastLat := 0.0, 0.0
	if p.ops > 0 {
		avgLat = p.lat / float64(p.ops)
	}
	if last.Ops > 0 {
		lastLat = float64(col.secs[sec-1].lat) / 1e6 / float64(last.Ops)
	}
	fmt.Fprintf(p.w, "\r[RUN #1 %3d%%, %3d secs] %2d threads: %11d ops, %7d (avg: %7d) ops/sec, %s/sec (avg: %s/sec), %5.2f (avg: %5.2f) msec latency",
		pct, sec, p.cfg.Threads, p.ops, last.Ops, p.ops/int64(sec),
		humanBytes(float64(last.Bytes)), humanBytes(float64(p.bytes)/float64(sec)), lastLat, avgLat)
	p.printed = true
}

func (p *progress) finish() {
	if p.w != nil && p.printed {
		fmt.Fprintln(p.w)
	}
}

// humanBytes formats a byte count like memtier (KB, MB, GB with two
// decimals).
func humanBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2fGB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.2fMB", b/(1<<20))
	default:
		return fmt.Sprintf("%.2fKB", b/(1<<10))
	}
}
