package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Bench is one benchmark run. Mark may be called from any goroutine while
// Run is in progress (or before/after) to put an event on the timeline.
type Bench struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	events []Event

	live atomic.Pointer[Live]
}

// Live is a running tally of a run in progress, updated ten times a
// second: what a driver polls to wait for load to be steady, or for the
// first redirection after it moved a slot.
type Live struct {
	Ops, Errors, Moved, Ask, TryAgain int64
}

// Live returns the latest tally (zero before the run starts).
func (b *Bench) Live() Live {
	if l := b.live.Load(); l != nil {
		return *l
	}
	return Live{}
}

// New checks cfg and prepares a run.
func New(cfg Config) (*Bench, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Bench{cfg: cfg, log: log}, nil
}

// Mark records an event at the current time.
func (b *Bench) Mark(label string) { b.AddEvents(Event{UnixMs: time.Now().UnixMilli(), Label: label}) }

// AddEvents records events (e.g. read from a driver's events file).
func (b *Bench) AddEvents(ev ...Event) {
	b.mu.Lock()
	b.events = append(b.events, ev...)
	b.mu.Unlock()
}

func (b *Bench) sortedEvents() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := append([]Event(nil), b.events...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].UnixMs < out[j].UnixMs })
	return out
}

// runState is what the clients of one run share (read-only but for the
// topology's atomics).
type runState struct {
	cfg      *Config
	topo     *topology
	owners   []int32 // the nodes serving slots when the run starts
	dialOpts dialOptions
	start    time.Time
}

// now is the run's monotonic clock in ns.
func (rs *runState) now() int64 { return int64(time.Since(rs.start)) }

// Run generates the load until every client is done, the test time is up
// or ctx is cancelled (a cancelled run still returns what it measured).
func (b *Bench) Run(ctx context.Context) (*Result, error) {
	cfg := &b.cfg
	rs := &runState{
		cfg:  cfg,
		topo: newTopology(cfg.Addr()),
		dialOpts: dialOptions{
			timeout: cfg.ConnectTimeout, user: cfg.User, password: cfg.Password, db: cfg.DB,
		},
	}
	if err := b.preflight(ctx, rs); err != nil {
		return nil, err
	}
	rs.owners = rs.topo.owners()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.TestTime > 0 {
		var cancelT context.CancelFunc
		runCtx, cancelT = context.WithTimeout(runCtx, cfg.TestTime)
		defer cancelT()
	}

	n := cfg.Conns()
	sinks := make([]*sink, n)
	clients := make([]*client, n)
	rs.start = time.Now()
	for i := range clients {
		sinks[i] = &sink{}
		clients[i] = newClient(rs, i, sinks[i])
	}
	col := newCollector(sinks, rs.start)

	var wg sync.WaitGroup
	if cfg.Cluster {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs.topo.refresher(runCtx, rs.dialOpts, 50*time.Millisecond, b.log)
		}()
	}
	var clientsWG sync.WaitGroup
	for _, c := range clients {
		clientsWG.Add(1)
		go func() {
			defer clientsWG.Done()
			c.loop(runCtx)
		}()
	}
	clientsDone := make(chan struct{})
	go func() {
		clientsWG.Wait()
		close(clientsDone)
	}()
	b.collect(col, rs, clientsDone)
	// The real elapsed time, not TestTime: requests answered between the
	// deadline and a client noticing it are counted, so is their time.
	elapsed := time.Since(rs.start)
	cancel()
	wg.Wait()
	col.drain()
	b.live.Store(col.live())
	return b.result(col, rs, elapsed), nil
}

// preflight loads the cluster map, or checks the server answers, so a
// wrong address fails fast instead of as millions of errors.
func (b *Bench) preflight(ctx context.Context, rs *runState) error {
	if b.cfg.Cluster {
		if err := rs.topo.load(ctx, []string{b.cfg.Addr()}, rs.dialOpts); err != nil {
			return fmt.Errorf("loadgen: cluster topology: %w", err)
		}
		return nil
	}
	c, err := dial(ctx, b.cfg.Addr(), rs.dialOpts)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	defer c.close()
	_ = c.nc.SetDeadline(time.Now().Add(b.cfg.ConnectTimeout))
	c.out = appendCommand(c.out, "PING")
	if err := c.flush(); err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	var r reply
	if err := readReply(c.br, &r); err != nil {
		return fmt.Errorf("loadgen: PING %s: %w", b.cfg.Addr(), err)
	}
	if r.err != "" {
		return fmt.Errorf("loadgen: PING %s: %w", b.cfg.Addr(), errors.New(r.err))
	}
	return nil
}

// collect drains the clients' samples every 100 ms and finalizes (and
// reports progress for) each second once it is over, until the clients
// are done.
func (b *Bench) collect(col *collector, rs *runState, done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	prog := newProgress(b.cfg.Progress, &b.cfg)
	lastSec := 0
	for {
		select {
		case <-done:
			prog.finish()
			return
		case <-tick.C:
		}
		col.drain()
		b.live.Store(col.live())
		sec := int(time.Since(rs.start) / time.Second)
		if sec > lastSec {
			// Keep one second of grace for requests that complete at the
			// boundary but are handed over a batch later.
			col.finalize(sec - 1)
			prog.update(col, sec)
			lastSec = sec
		}
	}
}

func (b *Bench) result(col *collector, rs *runState, d time.Duration) *Result {
	cfg := &b.cfg
	r := &Result{
		Start: rs.start, StartMs: rs.start.UnixMilli(), Duration: d, Seconds: d.Seconds(),
		Server: cfg.Addr(), Cluster: cfg.Cluster, Threads: cfg.Threads, Clients: cfg.Clients,
		Pipeline: cfg.Pipeline, Requests: cfg.Requests, TestTime: cfg.TestTime.Seconds(),
		Rate: cfg.Rate, DataSize: cfg.DataSize,
		Ratio: strconv.Itoa(cfg.RatioSet) + ":" + strconv.Itoa(cfg.RatioGet),
	}
	col.summarize(r)
	r.Timeline = col.timeline(d)
	if cfg.Cluster {
		r.TopologyRefreshes = rs.topo.refreshes.Load()
	}
	r.Events = b.sortedEvents()
	return r
}
