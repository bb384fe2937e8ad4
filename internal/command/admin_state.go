package command

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// adminState is the node-wide state behind the server/admin commands: the
// sampler of INFO's instantaneous_* metrics, the memory peak, the DEBUG
// switches and the identifiers generated once per node. Its zero value is
// ready to use, so NewNode needs no change for it.
type adminState struct {
	initOnce   sync.Once
	replID     atomic.Pointer[string] // master_replid until the replication layer owns it
	osName     string                 // uname output, constant for the process
	executable string
	buildID    string

	samplerMu  sync.Mutex
	metrics    [numInstMetrics]instMetric // guarded by samplerMu
	lastSample time.Time                  // guarded by samplerMu

	peakMemory      atomic.Int64
	activeExpireOff atomic.Bool // DEBUG SET-ACTIVE-EXPIRE 0
	shutdownAsked   atomic.Bool // SHUTDOWN accepted; the host is stopping
}

// The metrics sampled for INFO stats, as Valkey's STATS_METRIC_*.
const (
	metricCommands = iota
	metricNetInput
	metricNetOutput
	numInstMetrics
)

// instSamples is how many samples each instantaneous metric averages over
// (Valkey's STATS_METRIC_SAMPLES).
const instSamples = 16

// instMetric is a ring of per-second rates computed from successive
// readings of a monotonically increasing counter.
type instMetric struct {
	lastValue int64
	samples   [instSamples]float64
	idx       int
	filled    int
}

func (m *instMetric) add(value int64, elapsed time.Duration) {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(value-m.lastValue) / elapsed.Seconds()
	}
	if rate < 0 { // counters were reset (CONFIG RESETSTAT)
		rate = 0
	}
	m.lastValue = value
	m.samples[m.idx] = rate
	m.idx = (m.idx + 1) % instSamples
	if m.filled < instSamples {
		m.filled++
	}
}

func (m *instMetric) value() float64 {
	if m.filled == 0 {
		return 0
	}
	sum := 0.0
	for i := 0; i < m.filled; i++ {
		sum += m.samples[i]
	}
	return sum / float64(m.filled)
}

// init fills the identifiers computed once per node.
func (a *adminState) init() {
	a.initOnce.Do(func() {
		a.newReplID()
		a.osName = osDescription()
		if exe, err := os.Executable(); err == nil {
			a.executable = exe
		}
		a.buildID = newRunID()[:16]
	})
}

// newReplID generates a new replication ID (start-up, DEBUG CHANGE-REPL-ID).
func (a *adminState) newReplID() {
	id := newRunID()
	a.replID.Store(&id)
}

// SampleStats records one sample of the counters behind INFO's
// instantaneous_ops_per_sec, instantaneous_input_kbps and
// instantaneous_output_kbps, and tracks the memory peak. The server cron
// calls it on every tick (Valkey samples every 100 ms); the rates are
// averaged over the last 16 samples. Safe for concurrent use.
func (n *Node) SampleStats() {
	n.samplePeakMemory()
	a := &n.admin
	now := time.Now()
	a.samplerMu.Lock()
	defer a.samplerMu.Unlock()
	values := [numInstMetrics]int64{
		metricCommands:  n.Stats.Commands.Load(),
		metricNetInput:  n.Stats.NetInput.Load(),
		metricNetOutput: n.Stats.NetOutput.Load(),
	}
	if a.lastSample.IsZero() {
		// The first reading only establishes the baseline.
		for i := range a.metrics {
			a.metrics[i].lastValue = values[i]
		}
		a.lastSample = now
		return
	}
	elapsed := now.Sub(a.lastSample)
	a.lastSample = now
	for i := range a.metrics {
		a.metrics[i].add(values[i], elapsed)
	}
}

// instantaneous returns the averaged rate of metric m, per second.
func (n *Node) instantaneous(m int) float64 {
	a := &n.admin
	a.samplerMu.Lock()
	defer a.samplerMu.Unlock()
	return a.metrics[m].value()
}

// samplePeakMemory raises used_memory_peak to the current used memory and
// returns both.
func (n *Node) samplePeakMemory() (used, peak int64) {
	used = n.KS.UsedMemory()
	for {
		peak = n.admin.peakMemory.Load()
		if used <= peak {
			return used, peak
		}
		if n.admin.peakMemory.CompareAndSwap(peak, used) {
			return used, used
		}
	}
}

// ActiveExpireEnabled reports whether the background expiry cycle should
// run; DEBUG SET-ACTIVE-EXPIRE 0 turns it off (lazy expiry on access still
// happens). The server cron consults it before ActiveExpireCycle.
func (n *Node) ActiveExpireEnabled() bool { return !n.admin.activeExpireOff.Load() }

// ShutdownRequested reports whether a client sent SHUTDOWN.
func (n *Node) ShutdownRequested() bool { return n.admin.shutdownAsked.Load() }
