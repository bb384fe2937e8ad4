package command

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/pubsub"
)

// Host is what the command layer needs from the process that runs it.
type Host interface {
	// Shutdown stops the server (SHUTDOWN). It must not wait for the
	// calling connection's goroutine.
	Shutdown()
	// Listening returns the TCP port in use.
	Port() int
	// ConfigFile is the configuration file path, or "".
	ConfigFile() string
}

// Node is the shared state every command can reach: this node's keyspace,
// configuration, pub/sub hub, clients and statistics.
type Node struct {
	KS      *keyspace.Keyspace
	Table   *Table
	Config  *config.Config
	PubSub  *pubsub.Hub
	Clients *Registry
	Host    Host
	Stats   ServerStats
	Started time.Time
	RunID   string
	// ClusterEnabled is fixed at start-up (cluster-enabled).
	ClusterEnabled bool
	// Cluster is set by the server in cluster mode before it serves
	// clients; nil on a standalone node (cluster_node.go).
	Cluster ClusterNode
	// Repl is the replication layer, set by the server before it serves
	// clients (repl_iface.go); nil on a bare Node.
	Repl Replication
	// Migrations runs atomic slot migration in cluster mode (set by the
	// server with Cluster); nil on a standalone node.
	Migrations *migration.Manager

	Slowlog  *Slowlog
	Latency  *LatencyMonitor
	Monitors *MonitorSet

	blocked          blockRegistry
	requirepass      atomic.Pointer[string]
	slowlogThreshold atomic.Int64 // slowlog-log-slower-than (µs, <0 disables)
	latencyThreshold atomic.Int64 // latency-monitor-threshold (ms, 0 disables)
	pause            pauseState
	admin            adminState // server/admin command family (admin_state.go)

	mu          sync.Mutex
	lastSave    time.Time // guarded by mu
	errorCounts map[string]int64
}

// ServerStats are the node-wide counters INFO stats reports.
type ServerStats struct {
	Connections       atomic.Int64 // total_connections_received
	Commands          atomic.Int64 // total_commands_processed
	RejectedConns     atomic.Int64
	NetInput          atomic.Int64
	NetOutput         atomic.Int64
	ErrorReplies      atomic.Int64 // total_error_replies
	UnexpectedErrors  atomic.Int64 // unexpected_error_replies
	RejectedCalls     atomic.Int64
	FailedCalls       atomic.Int64
	PubSubMessages    atomic.Int64
	IOReadsProcessed  atomic.Int64
	IOWritesProcessed atomic.Int64
}

// NewNode assembles a node around ks and cfg.
func NewNode(ks *keyspace.Keyspace, cfg *config.Config, host Host) *Node {
	n := &Node{
		KS:          ks,
		Table:       NewTable(),
		Config:      cfg,
		PubSub:      pubsub.New(),
		Clients:     NewRegistry(),
		Host:        host,
		Started:     time.Now(),
		Slowlog:     NewSlowlog(),
		Latency:     NewLatencyMonitor(),
		Monitors:    NewMonitorSet(),
		errorCounts: make(map[string]int64),
		lastSave:    time.Now(),
	}
	n.RunID = newRunID()
	empty := ""
	n.requirepass.Store(&empty)
	n.slowlogThreshold.Store(10000)
	return n
}

// SetRequirePass sets the default user's password ("" = no password).
func (n *Node) SetRequirePass(p string) { n.requirepass.Store(&p) }

// SetSlowlogThreshold sets slowlog-log-slower-than in microseconds.
func (n *Node) SetSlowlogThreshold(us int64) { n.slowlogThreshold.Store(us) }

// SetLatencyThreshold sets latency-monitor-threshold in milliseconds.
func (n *Node) SetLatencyThreshold(ms int64) { n.latencyThreshold.Store(ms) }

// RequirePass returns the default user's password.
func (n *Node) RequirePass() string { return *n.requirepass.Load() }

// countError records an error reply by its code (INFO errorstats).
func (n *Node) countError(msg string) {
	code := msg
	for i := 0; i < len(msg); i++ {
		if msg[i] == ' ' {
			code = msg[:i]
			break
		}
	}
	n.Stats.ErrorReplies.Add(1)
	n.mu.Lock()
	n.errorCounts[code]++
	n.mu.Unlock()
}

// ErrorCounts returns a copy of the per-code error counts.
func (n *Node) ErrorCounts() map[string]int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]int64, len(n.errorCounts))
	for k, v := range n.errorCounts {
		out[k] = v
	}
	return out
}

// ResetErrorCounts clears errorstats (CONFIG RESETSTAT).
func (n *Node) ResetErrorCounts() {
	n.mu.Lock()
	n.errorCounts = make(map[string]int64)
	n.mu.Unlock()
}

// LastSave is the time of the last successful save (LASTSAVE).
func (n *Node) LastSave() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lastSave
}
