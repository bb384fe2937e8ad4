package loadgen

import "time"

// pacer is one client's open-loop schedule: request k is due at
// start + k·interval, whatever happened to the requests before it. A
// client that falls behind (a slow or paused server) sends what is due as
// fast as it can and each request's latency is measured from its due time,
// so the stall is charged to every request that should have gone out
// during it — the coordinated-omission correction of wrk2 and memtier's
// --rate-limiting. Times are nanoseconds on the run's monotonic clock.
type pacer struct {
	start    int64
	interval float64 // ns between requests
	k        int64   // requests taken so far
}

// newPacer schedules rate requests per second starting at start+phase.
// The phase spreads clients over the first interval so they do not all
// fire at once.
func newPacer(start int64, rate float64, phase float64) *pacer {
	iv := float64(time.Second) / rate
	return &pacer{start: start + int64(phase*iv), interval: iv}
}

// due returns the time request k+i is due.
func (p *pacer) due(i int) int64 { return p.start + int64(float64(p.k+int64(i))*p.interval) }

// ready returns how many requests (at most max) are due at now, and when
// none is, how long until the next one is.
func (p *pacer) ready(now int64, max int) (n int, wait time.Duration) {
	if first := p.due(0); now < first {
		return 0, time.Duration(first - now)
	}
	// Requests k .. k+n-1 are due: n = floor((now-start)/interval) - k + 1.
	n64 := int64(float64(now-p.start)/p.interval) - p.k + 1
	if n64 > int64(max) {
		n64 = int64(max)
	}
	if n64 < 1 {
		n64 = 1 // float rounding at the boundary: due(0) <= now holds
	}
	return int(n64), 0
}

// take marks n requests as sent.
func (p *pacer) take(n int) { p.k += int64(n) }
