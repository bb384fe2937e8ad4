package server

import (
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Replication in cluster mode. The state machine decides the roles
// (CLUSTER REPLICATE, failover, a former primary rejoining as a replica);
// its events arrive in onOutput under the runner's lock, where nothing may
// block, so the role changes — which stop and start goroutines — run in
// order on the replRoles worker. The worker also feeds the state machine
// the replication offset and the primary's last contact (every 100 ms),
// which replicas rank themselves by and check their data's age with.
//
// Manual failover, primary side: on EventMFStart the hold goroutine
// pauses writes (the dispatcher sees the pause with the command's slot
// locks held, waits without them, then routes the command again — after
// a failover the answer is -MOVED), stops expiry and eviction (replica
// mode: a deleted key would move the offset) and the replication PINGs,
// takes and releases every slot lock once, which drains the writes that
// got their locks before the pause, and reports the now final offset
// (ManualFailoverPaused). Everything resumes on EventMFEnd or after the
// manual failover timeout.

// mfHoldLimit bounds a manual failover pause (2 × CLUSTER_MF_TIMEOUT, as
// Valkey's pause deadline).
const mfHoldLimit = 10 * time.Second

// replFeedEvery is how often the offset reaches the state machine.
const replFeedEvery = 100 * time.Millisecond

type roleChange struct {
	promote, replicate, reset bool
	mfEnd                     bool // end the manual failover hold, after the changes before it
	node                      cluster.ID
	fullSync                  bool
	// applied, when set, is closed once every change queued before this
	// one has been applied (awaitApplied); such a change does nothing else.
	applied chan struct{}
}

// replRoles is the worker goroutine that applies the cluster's role
// decisions to the replication layer. Owned by the clusterNode, stopped
// by stop.
type replRoles struct {
	cn    *clusterNode
	mu    sync.Mutex
	queue []roleChange
	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup

	mfMu  sync.Mutex
	mfEnd chan struct{} // closed by EventMFEnd; nil while no hold runs
}

func newReplRoles(cn *clusterNode) *replRoles {
	rr := &replRoles{cn: cn, wake: make(chan struct{}, 1), done: make(chan struct{})}
	rr.wg.Add(1)
	go rr.loop()
	return rr
}

func (rr *replRoles) stop() {
	close(rr.done)
	rr.mfStop()
	rr.wg.Wait()
}

func (rr *replRoles) enqueue(c roleChange) {
	rr.mu.Lock()
	rr.queue = append(rr.queue, c)
	rr.mu.Unlock()
	select {
	case rr.wake <- struct{}{}:
	default:
	}
}

// replEvent handles the replication events of the state machine's output
// (called by onOutput, under the runner's lock).
func (cn *clusterNode) replEvent(e cluster.Event) {
	rr := cn.roles
	switch e.Kind {
	case cluster.EventReplicate:
		rr.enqueue(roleChange{replicate: true, node: e.Node, fullSync: e.FullSync})
	case cluster.EventPrimaryAddress:
		rr.enqueue(roleChange{replicate: true, node: e.Node})
	case cluster.EventPromoted:
		rr.enqueue(roleChange{promote: true, reset: e.FullSync})
	case cluster.EventMFStart:
		rr.mfStart()
	case cluster.EventMFEnd:
		// Queued behind the role change of the same output (setPrimary
		// emits EventReplicate first): a demoted primary lets writes and
		// expiry in again only once replication made it a replica. Ended
		// at once, a write or an expired key slipped in between moved its
		// offset past the promoted replica's, and the PSYNC that should
		// have continued became a full sync.
		rr.enqueue(roleChange{mfEnd: true})
	}
}

func (rr *replRoles) loop() {
	defer rr.wg.Done()
	t := time.NewTicker(replFeedEvery)
	defer t.Stop()
	for {
		select {
		case <-rr.done:
			return
		case <-rr.wake:
		case <-t.C:
			rr.feed()
			continue
		}
		rr.mu.Lock()
		q := rr.queue
		rr.queue = nil
		rr.mu.Unlock()
		for _, c := range q {
			rr.apply(c)
		}
	}
}

func (rr *replRoles) apply(c roleChange) {
	s := rr.cn.s
	switch {
	case c.applied != nil:
		close(c.applied)
	case c.mfEnd:
		rr.mfStop()
	case c.promote && c.reset:
		// The link is stopped (Reset waits for it) before the data goes:
		// flushed first, a command the old primary streamed meanwhile
		// would still be applied and leave its key behind on the reset
		// node (seen as stray keys on a node del-node had just reset).
		s.repl.Reset()
		rr.flushAll()
	case c.promote:
		s.repl.Promote()
	case c.replicate:
		var ip string
		var port int
		rr.cn.runner.View(func(st *cluster.State) {
			if n, ok := st.Node(c.node); ok {
				ip, port = n.IP, n.Port
			}
		})
		if ip == "" || port == 0 {
			s.log.Warn("cannot replicate: the primary's address is unknown", "primary", c.node)
			return
		}
		// A replica that stays in its shard keeps its link; one that
		// joins another shard starts over with a full synchronization.
		s.repl.SetPrimary(ip, port, c.fullSync, !c.fullSync)
	}
}

// flushAll empties every database (a replica reset to an empty primary).
func (rr *replRoles) flushAll() {
	ks := rr.cn.s.ks
	tx := ks.NewTx()
	ks.LockAll()
	tx.HoldsAll = true
	tx.Begin(0)
	tx.FlushAll()
	tx.Finish()
	ks.UnlockAll()
}

// awaitApplied returns once the role changes queued so far have been
// applied, or the worker stopped. The caller must hold no slot lock (a
// reset flushes under all of them).
func (rr *replRoles) awaitApplied() {
	ch := make(chan struct{})
	rr.enqueue(roleChange{applied: ch})
	select {
	case <-ch:
	case <-rr.done:
	}
}

// feed hands the replication offset (and a replica's primary contact) to
// the state machine.
func (rr *replRoles) feed() {
	s := rr.cn.s
	off := s.repl.Offset()
	seen := s.repl.PrimaryLastSeen()
	rr.cn.runner.View(func(st *cluster.State) {
		st.SetReplOffset(off)
		if !seen.IsZero() {
			st.SetPrimaryLastSeen(seen)
		}
	})
}

// mfStart starts the manual failover hold.
func (rr *replRoles) mfStart() {
	rr.mfMu.Lock()
	defer rr.mfMu.Unlock()
	if rr.mfEnd != nil {
		return
	}
	end := make(chan struct{})
	rr.mfEnd = end
	rr.wg.Add(1)
	go rr.mfHold(end)
}

// mfStop ends the hold (EventMFEnd, shutdown).
func (rr *replRoles) mfStop() {
	rr.mfMu.Lock()
	defer rr.mfMu.Unlock()
	if rr.mfEnd == nil {
		return
	}
	close(rr.mfEnd)
	rr.mfEnd = nil
}

// mfHold is the manual failover hold goroutine (see the file comment).
func (rr *replRoles) mfHold(end <-chan struct{}) {
	defer rr.wg.Done()
	s := rr.cn.s
	s.repl.SetManualFailoverPause(true)
	s.ks.SetReplicaMode(true)
	s.repl.PauseWrites()
	defer func() {
		s.repl.ResumeWrites()
		// A node that became a replica meanwhile stays in replica mode.
		s.ks.SetReplicaMode(s.repl.IsReplica())
		s.repl.SetManualFailoverPause(false)
	}()
	s.ks.LockAll()
	off := s.repl.Offset()
	s.ks.UnlockAll()
	err := rr.cn.runner.Do(func(now time.Time, st *cluster.State) (cluster.Output, error) {
		return st.ManualFailoverPaused(now, off), nil
	})
	if err != nil {
		s.log.Warn("manual failover: reporting the paused offset failed", "err", err)
	}
	s.log.Info("Manual failover: writes paused", "offset", off)
	t := time.NewTimer(mfHoldLimit)
	defer t.Stop()
	select {
	case <-end:
	case <-t.C:
	case <-rr.done:
	}
}

// resumeReplication starts the link of a node that nodes.conf names a
// replica (no event announces a role loaded at start-up).
func (cn *clusterNode) resumeReplication() {
	var primary cluster.ID
	cn.runner.View(func(st *cluster.State) { primary = st.Myself().PrimaryID })
	if primary != "" {
		cn.roles.enqueue(roleChange{replicate: true, node: primary})
	}
}
