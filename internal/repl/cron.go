package repl

import "time"

// cronTick is the replication cron's period; its once-a-second duties
// (replicationCron) run every tenth tick.
const cronTick = 100 * time.Millisecond

// cron is the replication cron goroutine, owned by the Repl (wg, stop).
func (r *Repl) cron() {
	defer r.wg.Done()
	t := time.NewTicker(cronTick)
	defer t.Stop()
	var lastPing time.Time
	for n := 0; ; n++ {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if n%10 != 0 {
			continue
		}
		now := time.Now()
		r.pingReplicas(now, &lastPing)
		r.timeoutReplicas(now)
		r.expireBacklog(now)
		r.pruneConfs()
		r.refreshGood()
		r.updateGate()
	}
}

// pingReplicas appends a PING to the stream every repl-ping-replica-period
// so that replicas can tell a silent primary from a dead link. Not while
// writes are paused for a manual failover: the PING would move the offset
// the replica has to reach.
func (r *Repl) pingReplicas(now time.Time, last *time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replica || r.bl == nil || len(r.replicas) == 0 || r.mfPaused.Load() {
		return
	}
	if now.Sub(*last) < r.set.pingPeriod {
		return
	}
	*last = now
	r.bl.appendCommand(-1, pingArgv)
}

// timeoutReplicas drops the replicas that did not acknowledge for
// repl-timeout (they acknowledge every second, during a full
// synchronization too).
func (r *Repl) timeoutReplicas(now time.Time) {
	r.mu.Lock()
	timeout := r.set.timeout
	var dead []*replica
	for _, rep := range r.replicas {
		if now.Sub(time.UnixMilli(rep.ackTime.Load())) > timeout {
			dead = append(dead, rep)
		}
	}
	r.mu.Unlock()
	for _, rep := range dead {
		r.log.Warn("Disconnecting timedout replica", "replica", rep.name())
		rep.kill()
	}
}

// expireBacklog frees a primary's backlog after repl-backlog-ttl without
// replicas. The history restarts with a new replication id: the writes
// made meanwhile are in no stream.
func (r *Repl) expireBacklog(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ttl := r.set.backlogTTL
	if r.replica || r.bl == nil || len(r.replicas) > 0 || ttl == 0 || now.Sub(r.noReplicasSince) <= ttl {
		return
	}
	r.freeBacklogLocked()
	r.log.Info("Replication backlog freed after seconds without connected replicas", "seconds", int(ttl.Seconds()))
}
