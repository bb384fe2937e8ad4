package bus

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// RunnerConfig wires a State to a Transport.
type RunnerConfig struct {
	State     *cluster.State
	Transport *Transport
	// TickEvery is the cron period (default 100 ms, Valkey's 10 Hz).
	TickEvery time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Persist writes nodes.conf atomically (temp file, fsync when asked,
	// rename). It runs before the call that changed the config returns, as
	// Valkey saves before replying. A failure is logged and returned by Do;
	// Valkey exits on it, the server may choose to.
	Persist func(conf []byte, fsync bool) error
	// OnOutput sees every Output after the transport and persistence parts
	// were applied: events (PUBLISH, lost slots, role changes) and
	// Topology. It runs with the runner's lock held: it must not block and
	// must not call back into the Runner.
	OnOutput func(out cluster.Output)
	Logger   *slog.Logger
}

// Runner owns a State: one goroutine feeds it transport events and ticks,
// and commands run through Do under the same lock, so the State sees one
// call at a time. It keeps a routing snapshot for the request hot path.
type Runner struct {
	cfg    RunnerConfig
	mu     sync.Mutex
	st     *cluster.State
	routes atomic.Pointer[cluster.Routes]
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

// NewRunner prepares a runner; Start launches it.
func NewRunner(cfg RunnerConfig) *Runner {
	if cfg.TickEvery <= 0 {
		cfg.TickEvery = 100 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, st: cfg.State, done: make(chan struct{})}
	r.routes.Store(cfg.State.Routes())
	return r
}

// Start launches the loop goroutine (stopped by Close).
func (r *Runner) Start() {
	r.wg.Add(1)
	go r.loop()
}

// Close stops the loop and the transport.
func (r *Runner) Close() error {
	var err error
	r.once.Do(func() {
		close(r.done)
		err = r.cfg.Transport.Close()
		r.wg.Wait()
	})
	return err
}

// Routes returns the current routing snapshot (lock-free).
func (r *Runner) Routes() *cluster.Routes { return r.routes.Load() }

// Do runs a command against the State and applies its Output; the error is
// the command's, or the persistence failure.
func (r *Runner) Do(f func(now time.Time, s *cluster.State) (cluster.Output, error)) error {
	return r.DoThen(f, nil)
}

// DoThen is Do, and calls published (when not nil) once the command's
// routes are visible to Routes, before nodes.conf is saved: a slot
// migration's source releases its paused writers there, sparing them the
// save's fsync. It runs under the State's lock, so it must not block,
// and the locks it takes must never be held by a caller of the Runner
// (lock order: the Runner's mutex, then the export job's hoMu, then the
// slot pause's mutex).
func (r *Runner) DoThen(f func(now time.Time, s *cluster.State) (cluster.Output, error), published func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	out, err := f(r.cfg.Now(), r.st)
	if perr := r.apply(out, published); err == nil {
		err = perr
	}
	return err
}

// View runs f with the State locked, for queries (CLUSTER NODES, INFO...).
func (r *Runner) View(f func(s *cluster.State)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.st)
}

func (r *Runner) apply(out cluster.Output, published func()) error {
	// Routing follows the state before nodes.conf is rewritten: an fsync
	// takes milliseconds, and a slot migration's source holds its writers
	// paused until its routes show the target as the owner. Publishing
	// early risks nothing the data does not already risk: a node that
	// crashes before the save loses its in-memory keys anyway, and the
	// cluster corrects a stale nodes.conf with UPDATE messages (the newer
	// config epoch wins). Messages still go out only after the save.
	if out.Topology {
		r.routes.Store(r.st.Routes())
	}
	if published != nil {
		published()
	}
	var err error
	// Save before sending, as Valkey's clusterBeforeSleep does: a
	// configuration is announced only once this node has written it.
	if out.Save && r.cfg.Persist != nil {
		if err = r.cfg.Persist(r.st.NodesConf(), out.Fsync); err != nil {
			r.cfg.Logger.Error("cluster config save failed", "err", err)
		}
	}
	r.cfg.Transport.Apply(out)
	for _, e := range out.Events {
		if e.Kind == cluster.EventLog {
			r.cfg.Logger.Debug(e.Text)
		}
	}
	if r.cfg.OnOutput != nil {
		r.cfg.OnOutput(out)
	}
	return err
}

func (r *Runner) loop() {
	defer r.wg.Done()
	tick := time.NewTicker(r.cfg.TickEvery)
	defer tick.Stop()
	events := r.cfg.Transport.Events()
	for {
		select {
		case <-r.done:
			return
		case <-tick.C:
			r.step(func(now time.Time) cluster.Output { return r.st.Tick(now) })
		case ev, ok := <-events:
			if !ok {
				return
			}
			r.handle(ev)
		}
	}
}

func (r *Runner) step(f func(now time.Time) cluster.Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.apply(f(r.cfg.Now()), nil)
}

func (r *Runner) handle(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev, ok := r.cfg.Transport.Resolve(ev)
	if !ok {
		return
	}
	now := r.cfg.Now()
	var out cluster.Output
	switch ev.Kind {
	case EvMessage:
		out = r.st.Step(now, ev.Peer, ev.Msg)
	case EvLinkUp:
		out = r.st.LinkUp(now, ev.Link)
	case EvLinkDown:
		out = r.st.LinkDown(now, ev.Link)
	case EvInboundClosed:
		out = r.st.InboundClosed(now, ev.Conn)
	case EvBufferLimit:
		r.st.LinkBufferLimitReached()
	}
	_ = r.apply(out, nil)
}
