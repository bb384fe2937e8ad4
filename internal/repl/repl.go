package repl

import (
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
)

// Options are what a Repl is built with.
type Options struct {
	Node   *command.Node
	Config *config.Config
	Logger *slog.Logger
	// Port is this node's client port (REPLCONF listening-port when
	// replica-announce-port is 0).
	Port func() int
}

// Repl is a node's replication layer: its role, replication ids and
// backlog, the replicas it serves (primary side) and the link to its
// own primary (replica side). It implements command.Replication.
//
// Locking: roleMu serializes role changes (REPLICAOF, promotion), which
// wait for goroutines to stop; mu guards the fields below for short
// critical sections and is never held while taking slot locks. Order:
// roleMu → mu → backlog.mu. applyMu is held by the replica link while it
// applies the stream (from a command boundary to the next), so that a
// snapshot cut for a sub-replica sees applied state and the stream offset
// agree.
type Repl struct {
	node *command.Node
	ks   *keyspace.Keyspace
	cfg  *config.Config
	log  *slog.Logger
	port func() int

	roleMu  sync.Mutex
	applyMu sync.Mutex

	mu      sync.Mutex
	replica bool   // guarded by mu
	host    string // primary address; guarded by mu
	pport   int
	link    *link // guarded by mu
	// forceFull makes the next PSYNC ask for a full resync (the data does
	// not belong to the new primary's history).
	forceFull       bool
	ids             ids
	bl              *backlog // nil while no backlog is active
	offset          int64    // master_repl_offset while bl is nil
	sink            *sink    // registered with the keyspace while set
	replicas        map[*command.Client]*replica
	pending         map[*command.Client]*replicaConf // REPLCONF before PSYNC
	lastGetAck      int64
	noReplicasSince time.Time
	set             settings // guarded by mu

	timeoutNs atomic.Int64 // repl-timeout
	gate      atomic.Uint32
	good      atomic.Int64 // replicas within min-replicas-max-lag
	// mfPaused suppresses the replication PINGs while writes are paused
	// for a manual failover: they would move the offset the replica must
	// reach.
	mfPaused atomic.Bool
	// writePause is closed when writes paused for a manual failover may
	// go on; nil while none is paused.
	writePause atomic.Pointer[chan struct{}]

	ackMu sync.Mutex
	ackCh chan struct{} // closed and replaced when acks change
	// departed holds the last acknowledged offsets of replicas that left
	// in the last departedFor (guarded by mu): a replica that acknowledges
	// and leaves at once (the farewell ACK of one following a slot's new
	// owner, setslot.go) is often gone before the waiter wakes to count.
	departed []departedAck

	stats struct {
		full, partialOK, partialErr atomic.Int64
		netIn, netOut               atomic.Int64
	}

	stop chan struct{}
	wg   sync.WaitGroup
}

// settings are the replication directives, refreshed by Reload.
type settings struct {
	backlogSize  int64
	backlogTTL   time.Duration
	timeout      time.Duration
	pingPeriod   time.Duration
	minToWrite   int64
	minMaxLag    int64
	readOnly     bool
	serveStale   bool
	primaryAuth  string
	primaryUser  string
	announceIP   string
	announcePort int
	priority     int64
	announced    bool
	limit        bufferLimit
}

var _ command.Replication = (*Repl)(nil)

// New builds the replication layer of a node; Start runs it.
func New(o Options) *Repl {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	r := &Repl{node: o.Node, ks: o.Node.KS, cfg: o.Config, log: o.Logger, port: o.Port,
		ids: newIDs(), replicas: make(map[*command.Client]*replica),
		pending: make(map[*command.Client]*replicaConf), ackCh: make(chan struct{}),
		noReplicasSince: time.Now(), stop: make(chan struct{})}
	r.Reload()
	return r
}

// Reload re-reads the replication directives (a CONFIG SET hook).
func (r *Repl) Reload() {
	c := r.cfg
	s := settings{
		backlogSize:  c.Int("repl-backlog-size"),
		backlogTTL:   time.Duration(c.Int("repl-backlog-ttl")) * time.Second,
		timeout:      time.Duration(c.Int("repl-timeout")) * time.Second,
		pingPeriod:   time.Duration(c.Int("repl-ping-replica-period")) * time.Second,
		minToWrite:   c.Int("min-replicas-to-write"),
		minMaxLag:    c.Int("min-replicas-max-lag"),
		readOnly:     c.Bool("replica-read-only"),
		serveStale:   c.Bool("replica-serve-stale-data"),
		primaryAuth:  cfgString(c, "primaryauth"),
		primaryUser:  cfgString(c, "primaryuser"),
		announceIP:   cfgString(c, "replica-announce-ip"),
		announcePort: int(c.Int("replica-announce-port")),
		priority:     c.Int("replica-priority"),
		announced:    c.Bool("replica-announced"),
	}
	if l, ok := c.OutputBufferLimit("replica"); ok {
		s.limit = bufferLimit{hard: int64(l.Hard), soft: int64(l.Soft), softFor: time.Duration(l.SoftSeconds) * time.Second}
	}
	r.timeoutNs.Store(int64(s.timeout))
	r.mu.Lock()
	r.set = s
	if r.bl != nil {
		r.bl.setSize(s.backlogSize)
		r.bl.setLimit(s.limit)
	}
	r.updateGateLocked()
	r.mu.Unlock()
}

func cfgString(c *config.Config, name string) string {
	v, _ := c.Get(name)
	return v
}

// timeout is repl-timeout.
func (r *Repl) timeout() time.Duration { return time.Duration(r.timeoutNs.Load()) }

func (r *Repl) settings() settings {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set
}

// Start launches the replication cron and, when the configuration says
// replicaof host port, the link to that primary.
func (r *Repl) Start() {
	r.wg.Add(1)
	go r.cron()
	if v := cfgString(r.cfg, "replicaof"); v != "" && !r.node.ClusterEnabled {
		// The directive is stored as "host port" (config.parseReplicaof).
		if i := strings.LastIndexByte(v, ' '); i > 0 {
			if port, err := strconv.Atoi(v[i+1:]); err == nil {
				r.ReplicaOf(v[:i], port)
			}
		}
	}
}

// Close stops the link, every replica sender and the cron.
func (r *Repl) Close() {
	select {
	case <-r.stop:
		return
	default:
	}
	close(r.stop)
	r.roleMu.Lock()
	r.mu.Lock()
	l := r.link
	r.link = nil
	reps := r.replicaList()
	r.mu.Unlock()
	if l != nil {
		l.close()
	}
	for _, rep := range reps {
		rep.kill()
		<-rep.done
	}
	r.roleMu.Unlock()
	r.wg.Wait()
}

func (r *Repl) closed() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// Gate implements command.Replication.
func (r *Repl) Gate() uint32 { return r.gate.Load() }

// updateGateLocked recomputes the gate bits; mu is held.
func (r *Repl) updateGateLocked() {
	var g uint32
	s := &r.set
	if r.replica {
		if s.readOnly {
			g |= command.GateReadOnly
		}
		if !s.serveStale && (r.link == nil || r.link.stateNow() != linkConnected) {
			g |= command.GateStale
		}
	} else if s.minToWrite > 0 && s.minMaxLag > 0 && r.good.Load() < s.minToWrite {
		g |= command.GateNoGoodReplicas
	}
	r.gate.Store(g)
}

func (r *Repl) updateGate() {
	r.mu.Lock()
	r.updateGateLocked()
	r.mu.Unlock()
}

// IsReplica implements command.Replication.
func (r *Repl) IsReplica() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replica
}

// Offset is master_repl_offset: on a replica, the offset of the stream
// applied so far.
func (r *Repl) Offset() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.offsetLocked()
}

func (r *Repl) offsetLocked() int64 {
	if r.bl != nil {
		return r.bl.end.Load()
	}
	return r.offset
}

// ReplicaOf implements command.Replication (REPLICAOF host port).
func (r *Repl) ReplicaOf(host string, port int) (already bool) {
	return r.SetPrimary(host, port, false, true)
}

// SetPrimary makes this node a replica of host:port. fullSync drops the
// node's replication history, so the first sync is a full one (cluster
// mode: joining another shard). With checkSame, an unchanged primary is
// left alone and reported.
func (r *Repl) SetPrimary(host string, port int, fullSync, checkSame bool) (already bool) {
	r.roleMu.Lock()
	defer r.roleMu.Unlock()
	if r.closed() {
		return false
	}
	r.mu.Lock()
	if checkSame && r.replica && r.host == host && r.pport == port {
		r.mu.Unlock()
		r.log.Info("REPLICAOF would result into synchronization with the primary we are already connected with. No operation performed.")
		return true
	}
	old := r.link
	r.link = nil
	wasPrimary := !r.replica
	r.replica, r.host, r.pport = true, host, port
	r.forceFull = fullSync
	r.ks.SetReplicaMode(true)
	if wasPrimary {
		r.removeSinkLocked()
	}
	reps := r.replicaList()
	r.updateGateLocked()
	r.mu.Unlock()
	if old != nil {
		old.farewellAck() // setslot.go
		old.close()
	}
	// The replicas (a chain) resynchronize with us once we follow the
	// new primary; most continue partially.
	r.killReplicas(reps)
	r.mu.Lock()
	l := newLink(r, host, port)
	r.link = l
	r.updateGateLocked()
	r.mu.Unlock()
	r.log.Info("Connecting to PRIMARY", "host", host, "port", port)
	l.start()
	return false
}

// ReplicaOfNoOne implements command.Replication (REPLICAOF NO ONE).
func (r *Repl) ReplicaOfNoOne() { r.Promote() }

// Promote turns a replica into a primary: the link stops, the current
// history stays valid as replid2 (so the other replicas of the old
// primary continue partially from us) and writes propagate again.
func (r *Repl) Promote() {
	r.roleMu.Lock()
	defer r.roleMu.Unlock()
	if r.closed() {
		return
	}
	r.mu.Lock()
	if !r.replica {
		r.mu.Unlock()
		return
	}
	l := r.link
	r.link = nil
	r.mu.Unlock()
	if l != nil {
		l.close()
	}
	r.mu.Lock()
	r.replica, r.host, r.pport = false, "", 0
	r.ks.SetReplicaMode(false)
	r.ids.shift(r.offsetLocked())
	if r.bl != nil {
		// Force a SELECT before the first effect, as Valkey's
		// replicationUnsetPrimary does.
		r.bl.mu.Lock()
		r.bl.streamDB = -1
		r.bl.mu.Unlock()
		r.addSinkLocked()
	}
	r.noReplicasSince = time.Now()
	reps := r.replicaList()
	r.updateGateLocked()
	x := r.ids
	r.mu.Unlock()
	r.log.Info("PRIMARY MODE enabled", "replid", x.replid, "replid2", x.replid2)
	// The replicas learn the new replication id by reconnecting.
	r.killReplicas(reps)
}

// addSinkLocked registers the propagation sink over the backlog.
func (r *Repl) addSinkLocked() {
	if r.sink != nil || r.bl == nil {
		return
	}
	r.sink = &sink{bl: r.bl}
	r.ks.AddSink(r.sink)
}

func (r *Repl) removeSinkLocked() {
	if r.sink == nil {
		return
	}
	r.ks.RemoveSink(r.sink)
	r.sink = nil
}

// createBacklogLocked starts a backlog at the current offset. A primary
// that creates one starts a new history (syncCommand: changeReplicationId
// and clearReplicationId2), since the writes made without a backlog are
// not in any stream.
func (r *Repl) createBacklogLocked(newHistory bool) {
	if r.bl != nil {
		return
	}
	if newHistory {
		r.ids.change()
		r.ids.clear2()
	}
	r.bl = newBacklog(r.offset, r.set.backlogSize)
	r.bl.setLimit(r.set.limit)
	if !r.replica {
		r.addSinkLocked()
	}
}

// freeBacklogLocked drops the backlog (no replica for repl-backlog-ttl).
func (r *Repl) freeBacklogLocked() {
	if r.bl == nil {
		return
	}
	r.removeSinkLocked()
	r.offset = r.bl.end.Load()
	r.bl = nil
	r.ids.change()
	r.ids.clear2()
}

// Stats implements command.Replication.
func (r *Repl) Stats() command.ReplStats {
	return command.ReplStats{SyncFull: r.stats.full.Load(), SyncPartialOK: r.stats.partialOK.Load(),
		SyncPartialErr: r.stats.partialErr.Load(), NetReplInput: r.stats.netIn.Load(),
		NetReplOutput: r.stats.netOut.Load()}
}

// SetManualFailoverPause suppresses (or resumes) the replication PINGs
// and GETACKs while writes are paused for a manual failover: nothing may
// move the offset the replica has to reach. Both are appended under mu,
// so none follows once this returns.
func (r *Repl) SetManualFailoverPause(on bool) {
	r.mu.Lock()
	r.mfPaused.Store(on)
	r.mu.Unlock()
}

// PrimaryLastSeen is when this replica last heard from its primary: now
// minus the link's idle time while connected, the time it went down
// otherwise; the zero time on a primary, and the epoch when the link was
// never up (the data is too old to fail over with).
func (r *Repl) PrimaryLastSeen() time.Time {
	r.mu.Lock()
	l := r.link
	replica := r.replica
	r.mu.Unlock()
	switch {
	case !replica:
		return time.Time{}
	case l != nil && l.stateNow() == linkConnected:
		return time.UnixMilli(l.lastIO.Load())
	case l != nil && l.downSince.Load() != 0:
		return time.UnixMilli(l.downSince.Load())
	}
	return time.UnixMilli(1)
}

// Reset turns a replica into an empty primary with a new history (CLUSTER
// RESET): its data is flushed, so nobody may continue from its old one.
func (r *Repl) Reset() {
	r.Promote()
	r.mu.Lock()
	r.freeBacklogLocked()
	r.mu.Unlock()
}

// ChangeReplID implements command.Replication (DEBUG CHANGE-REPL-ID).
func (r *Repl) ChangeReplID() {
	r.mu.Lock()
	r.ids.change()
	r.ids.clear2()
	r.mu.Unlock()
}

// WritesPaused implements command.Replication.
func (r *Repl) WritesPaused() <-chan struct{} {
	if p := r.writePause.Load(); p != nil {
		return *p
	}
	return nil
}

// PauseWrites makes writes wait (WritesPaused) until ResumeWrites.
func (r *Repl) PauseWrites() {
	ch := make(chan struct{})
	if !r.writePause.CompareAndSwap(nil, &ch) {
		return
	}
}

// ResumeWrites releases the writes PauseWrites held.
func (r *Repl) ResumeWrites() {
	if p := r.writePause.Swap(nil); p != nil {
		close(*p)
	}
}
