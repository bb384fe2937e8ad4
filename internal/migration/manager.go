package migration

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
)

// Env is what the manager needs from the node that runs it.
type Env struct {
	KS     *keyspace.Keyspace
	Config *config.Config
	Log    *slog.Logger
	// Routes is the current routing snapshot (owners, node addresses).
	Routes func() *cluster.Routes
	// ClaimSlots makes this node the owner of slots with a config epoch
	// bump without consensus, persists nodes.conf and broadcasts; it
	// returns the claim's epoch.
	ClaimSlots func(slots []int) (uint64, error)
	// AdoptClaim applies, on a source, the claim its target reported on
	// the link (nil: wait for the target's gossip). It calls published
	// once Routes shows the result, which may be before it returns (the
	// topology is saved in between).
	AdoptClaim func(target string, epoch uint64, slots []int, published func()) error
	// Dial opens a link to a node; nil means TCP.
	Dial func(addr string, timeout time.Duration) (net.Conn, error)
}

// Manager owns every job of this node and the migration log.
type Manager struct {
	env   Env
	pause slotPause

	mu      sync.Mutex
	log     []*Job // newest first, as GETSLOTMIGRATIONS lists them
	exports map[*Job]*exportJob
	imports map[string]*ImportLink // by job name, active and tracking

	// handovers counts imports between REQUEST-PAUSE and their end;
	// turn is the import whose hand-over runs and queue those waiting for
	// theirs, oldest first (handover.go). Lock order: turnMu is taken
	// alone.
	handovers atomic.Int32
	turnMu    sync.Mutex
	turn      *ImportLink   // guarded by turnMu
	queue     []*ImportLink // guarded by turnMu

	// Debug switches (DEBUG SLOTMIGRATION PREVENT-PAUSE|PREVENT-FAILOVER)
	// hold jobs in a phase, for tests: PREVENT-PAUSE holds a source's
	// exports in waiting-to-pause; PREVENT-FAILOVER holds a target's
	// imports in failover-granted without the takeover (Valkey's meaning:
	// the source then waits, paused, in failover-granted) and, a Shoal
	// addition, a source's exports in failover-paused.
	PreventPause    atomic.Bool
	PreventFailover atomic.Bool

	// wasPrimary is the role seen at the cron's previous tick (roles.go);
	// only the cron goroutine uses it.
	wasPrimary bool

	stop chan struct{}
	wg   sync.WaitGroup
}

// NewManager returns a manager; Start runs its cron.
func NewManager(env Env) *Manager {
	if env.Log == nil {
		env.Log = slog.Default()
	}
	if env.Dial == nil {
		env.Dial = func(addr string, timeout time.Duration) (net.Conn, error) {
			return net.DialTimeout("tcp", addr, timeout)
		}
	}
	m := &Manager{env: env, exports: map[*Job]*exportJob{}, imports: map[string]*ImportLink{},
		stop: make(chan struct{})}
	m.pause.init()
	env.KS.SetFlushHook(m.onFlush)
	return m
}

// Start runs the cron goroutine (ACKs and timeouts of imports, trimming of
// the log); Close stops it.
func (m *Manager) Start() {
	m.wg.Add(1)
	go m.cron()
}

// Close cancels every job and waits for their goroutines.
func (m *Manager) Close() {
	select {
	case <-m.stop:
		return
	default:
	}
	close(m.stop)
	m.mu.Lock()
	var exports []*exportJob
	for _, e := range m.exports {
		exports = append(exports, e)
	}
	var imports []*ImportLink
	for _, l := range m.imports {
		imports = append(imports, l)
	}
	m.mu.Unlock()
	for _, e := range exports {
		e.abort(StateFailed, "Process shutting down")
	}
	for _, l := range imports {
		l.Fail("Process shutting down")
	}
	m.wg.Wait()
}

// WritePaused returns a channel to wait on when a write to any of slots
// must wait for a finalization, or nil. The caller holds the slots' locks.
func (m *Manager) WritePaused(slots []int) <-chan struct{} { return m.pause.waitFor(slots) }

// Jobs lists the log, newest first.
func (m *Manager) Jobs(now time.Time) []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Info, len(m.log))
	for i, j := range m.log {
		out[i] = j.Info(now)
	}
	return out
}

func (m *Manager) addLog(j *Job) {
	m.log = append([]*Job{j}, m.log...)
}

// trimLog keeps at most cluster-slot-migration-log-max-len entries,
// dropping the oldest finished ones; active jobs always stay.
func (m *Manager) trimLog() {
	max := int(m.env.Config.Int("cluster-slot-migration-log-max-len"))
	m.mu.Lock()
	defer m.mu.Unlock()
	excess := len(m.log) - max
	for i := len(m.log) - 1; i >= 0 && excess > 0; i-- {
		if m.log[i].State().Terminal() {
			m.log = append(m.log[:i], m.log[i+1:]...)
			excess--
		}
	}
}

// exporting reports whether slot s is in an active export job; the
// caller holds m.mu.
func (m *Manager) exportingLocked(s int) bool {
	for _, e := range m.exports {
		if e.inScope(s) {
			return true
		}
	}
	return false
}

// importingLocked reports whether slot s is in an active import.
func (m *Manager) importingLocked(s int) bool {
	for _, l := range m.imports {
		if !l.job.State().Terminal() && l.inScope(s) {
			return true
		}
	}
	return false
}

// SlotBusy tells legacy SETSLOT whether atomic migration holds slot s:
// "export", "import" or "".
func (m *Manager) SlotBusy(s int) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.exportingLocked(s):
		return "export"
	case m.importingLocked(s):
		return "import"
	}
	return ""
}

func (m *Manager) cron() {
	defer m.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			// After a stall of this process (SIGSTOP, starvation) the
			// imports' links get a moment to report before their
			// sources are timed out: a closed link is the better news.
			now := time.Now()
			stalled := now.Sub(last) > 2*time.Second
			last = now
			m.checkRoles(m.env.Routes())
			m.tickImports(now, stalled)
			m.trimLog()
		}
	}
}

func (m *Manager) replTimeout() time.Duration {
	return time.Duration(m.env.Config.Int("repl-timeout")) * time.Second
}

func (m *Manager) pauseLength() time.Duration {
	return 2 * time.Duration(m.env.Config.Int("cluster-manual-failover-timeout")) * time.Millisecond
}
