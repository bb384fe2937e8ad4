package cli

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// jobProgress are the counters of one migration job. The job's goroutine
// updates them; renderers read them.
type jobProgress struct {
	p          *progress
	label      string // "src -> dst"
	srcID      string
	dstID      string
	ranges     []slotRange
	totalSlots int
	mode       string // "atomic" or "legacy"
	start      time.Time

	totalKeys  atomic.Int64 // -1 while unknown
	slots      atomic.Int64
	keys       atomic.Int64
	bytes      atomic.Int64
	writePause atomic.Int64 // µs the source paused writes to hand over (atomic)

	mu       sync.Mutex
	bar      *mpb.Bar
	lastJSON time.Time
	finished bool
	elapsed  time.Duration
	err      error
}

// progress shows every running job: a bar per job on a terminal, a line
// per job start and end otherwise, NDJSON events with --json.
type progress struct {
	r     *reporter
	bars  *mpb.Progress // nil unless stderr is a terminal
	mu    sync.Mutex
	jobs  []*jobProgress
	clock func() time.Time
}

func (m *manager) newProgress() *progress {
	p := &progress{r: m.out, clock: time.Now}
	if m.a.io.ErrTTY && !m.a.opts.quiet && !m.a.opts.json {
		// ErrTTY already says stderr is a terminal: refresh regardless of
		// what mpb can tell from the writer.
		opts := []mpb.ContainerOption{mpb.WithOutput(m.a.io.Err), mpb.WithAutoRefresh(),
			mpb.WithRefreshRate(200 * time.Millisecond)}
		// Lines are as wide as the terminal; $COLUMNS overrides.
		if cols, err := strconv.Atoi(m.a.io.Getenv("COLUMNS")); err == nil && cols > 0 {
			opts = append(opts, mpb.WithWidth(cols))
		}
		p.bars = mpb.New(opts...)
	}
	return p
}

// add registers a job about to start. totalKeys may be -1 (unknown).
func (p *progress) add(src, dst *cnode, ranges []slotRange, mode string, totalKeys int64) *jobProgress {
	j := &jobProgress{p: p, label: src.addr + " -> " + dst.addr, srcID: src.ID, dstID: dst.ID,
		ranges: ranges, totalSlots: rangesCount(ranges), mode: mode, start: p.clock()}
	j.totalKeys.Store(totalKeys)
	j.lastJSON = j.start // job_start says it all; progress every second after
	p.mu.Lock()
	p.jobs = append(p.jobs, j)
	p.mu.Unlock()
	if p.bars != nil {
		// Created with total 0 so SetTotal keeps working: the number of
		// keys grows under load, and completion is triggered by finish.
		j.bar = p.bars.New(0, mpb.BarStyle(), mpb.BarWidth(24),
			mpb.PrependDecorators(decor.Name(j.label+" ", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return " " + j.summary() })))
	} else {
		p.r.printf("Moving %d slots (%s) from %s to %s via %s slot migration\n",
			j.totalSlots, compactRangesString(ranges), src.addr, dst.addr, mode)
	}
	p.r.event("job_start", j.fields())
	j.update()
	return j
}

// barTotal is what the bar measures: keys when their number is known,
// slots otherwise.
func (j *jobProgress) barTotal() int64 {
	if k := j.totalKeys.Load(); k > 0 {
		return k
	}
	return int64(j.totalSlots)
}

func (j *jobProgress) barCurrent() int64 {
	if j.totalKeys.Load() > 0 {
		return j.keys.Load()
	}
	return j.slots.Load()
}

// update publishes the counters (call after changing them).
func (j *jobProgress) update() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.bar != nil && !j.finished {
		total, cur := j.barTotal(), j.barCurrent()
		if cur > total {
			total = cur // keys written during the move
		}
		j.bar.SetTotal(total, false)
		j.bar.SetCurrent(cur)
	}
	now := j.p.clock()
	if j.p.r.jsonMode() && now.Sub(j.lastJSON) >= time.Second {
		j.lastJSON = now
		j.p.r.event("progress", j.fields())
	}
}

// finish records the end of a job.
func (j *jobProgress) finish(err error) {
	j.mu.Lock()
	j.finished, j.err, j.elapsed = true, err, j.p.clock().Sub(j.start)
	if err == nil {
		j.slots.Store(int64(j.totalSlots))
	}
	if j.bar != nil {
		if err == nil {
			j.bar.SetTotal(j.barCurrentLocked(), true)
		} else {
			j.bar.Abort(false)
		}
	}
	j.mu.Unlock()
	f := j.fields()
	if err != nil {
		f["error"] = err.Error()
	}
	j.p.r.event("job_done", f)
	if j.bar != nil {
		return
	}
	if err != nil {
		j.p.r.errf("[ERR] Moving slots from %s failed after %s: %v", j.label, roundDur(j.elapsed), err)
		return
	}
	pause := ""
	if us := j.writePause.Load(); us > 0 {
		pause = fmt.Sprintf(", writes paused %s", roundDur(time.Duration(us)*time.Microsecond))
	}
	j.p.r.ok("Moved %d slots, %d keys (%s) %s in %s (%s%s)", j.totalSlots, j.keys.Load(),
		humanBytes(j.bytes.Load()), j.label, roundDur(j.elapsed), j.rate(), pause)
}

func (j *jobProgress) barCurrentLocked() int64 {
	cur := j.barCurrent()
	if cur == 0 && j.totalKeys.Load() <= 0 {
		return int64(j.totalSlots)
	}
	return cur
}

// fields describe the job in JSON events.
func (j *jobProgress) fields() map[string]any {
	return map[string]any{
		"source": j.srcID, "target": j.dstID, "label": j.label, "mode": j.mode,
		"slot_ranges": rangesString(j.ranges), "slots_total": j.totalSlots,
		"slots_done": j.slots.Load(), "keys": j.keys.Load(), "keys_total": j.totalKeys.Load(),
		"bytes": j.bytes.Load(), "elapsed_ms": j.p.clock().Sub(j.start).Milliseconds(),
		"write_pause_us": j.writePause.Load(),
	}
}

// summary is the text after a bar: slots, keys, bytes, rate and ETA.
func (j *jobProgress) summary() string {
	s := fmt.Sprintf("%d/%d slots %d", j.slots.Load(), j.totalSlots, j.keys.Load())
	if tk := j.totalKeys.Load(); tk > 0 {
		s += fmt.Sprintf("/%d", tk)
	}
	s += " keys " + humanBytes(j.bytes.Load()) + " " + j.rate()
	if eta := j.eta(); eta >= 0 {
		s += " ETA " + roundDur(eta).String()
	}
	return s
}

// rate is keys per second (slots per second while keys are unknown).
func (j *jobProgress) rate() string {
	el := j.p.clock().Sub(j.start).Seconds()
	if j.finished {
		el = j.elapsed.Seconds()
	}
	if el <= 0 {
		return "- keys/s"
	}
	if j.keys.Load() == 0 && j.totalKeys.Load() <= 0 {
		return fmt.Sprintf("%.1f slots/s", float64(j.slots.Load())/el)
	}
	return fmt.Sprintf("%.0f keys/s", float64(j.keys.Load())/el)
}

// eta estimates the time left from the average rate so far; -1 if unknown.
func (j *jobProgress) eta() time.Duration {
	total, cur := j.barTotal(), j.barCurrent()
	el := j.p.clock().Sub(j.start)
	if j.finished || cur <= 0 || cur >= total || el <= 0 {
		return -1
	}
	return time.Duration(float64(el) * float64(total-cur) / float64(cur))
}

// close waits for the bars to be drawn for the last time.
func (p *progress) close() {
	if p.bars != nil {
		p.mu.Lock()
		for _, j := range p.jobs {
			j.mu.Lock()
			if !j.finished && j.bar != nil {
				j.bar.Abort(false)
			}
			j.mu.Unlock()
		}
		p.mu.Unlock()
		p.bars.Wait()
	}
}

// totals sums the finished jobs.
func (p *progress) totals() (slots, keys, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.jobs {
		slots += j.slots.Load()
		keys += j.keys.Load()
		bytes += j.bytes.Load()
	}
	return
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for x := n / unit; x >= unit; x /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d > time.Minute:
		return d.Round(time.Second)
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
