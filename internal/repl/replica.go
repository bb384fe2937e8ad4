package repl

// The replica side's state changes, called from the link goroutine.

// psyncArgs returns the replication id and offset (the first byte wanted)
// a PSYNC asks with: this node's own history, which after a sync is its
// primary's, or "? -1" to ask for a full resynchronization.
func (r *Repl) psyncArgs() (string, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.forceFull {
		return "?", -1
	}
	return r.ids.replid, r.offsetLocked() + 1
}

// beginFullSync starts over from the primary's snapshot: the replicas of
// this node are dropped (their data is about to change), the data is
// flushed, and the history becomes the primary's, from offset on.
func (r *Repl) beginFullSync(replid string, offset int64) *backlog {
	r.mu.Lock()
	reps := r.replicaList()
	r.mu.Unlock()
	r.killReplicas(reps)
	r.flushAll()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeSinkLocked()
	r.ids.replid = replid
	r.ids.clear2()
	r.bl = nil
	r.offset = offset
	// Until the whole snapshot arrived (snapshotDone), the data is not
	// the primary's at any offset: a link that breaks before must start
	// over, as a Valkey replica discards a half-loaded RDB.
	r.forceFull = true
	r.createBacklogLocked(false)
	return r.bl
}

// snapshotDone records that a full synchronization's snapshot was
// applied completely: from now on the history can continue partially.
func (r *Repl) snapshotDone() {
	r.mu.Lock()
	r.forceFull = false
	r.mu.Unlock()
}

// continueSync records a partial resynchronization. A primary with
// another replication id (it was promoted) keeps our history valid as
// replid2, and our own replicas reconnect to learn the new id.
func (r *Repl) continueSync(replid string) *backlog {
	r.mu.Lock()
	var reps []*replica
	if replid != "" && replid != r.ids.replid {
		off := r.offsetLocked()
		r.ids.replid2, r.ids.secondOffset = r.ids.replid, off+1
		r.ids.replid = replid
		reps = r.replicaList()
	}
	r.forceFull = false
	r.createBacklogLocked(false)
	bl := r.bl
	r.mu.Unlock()
	r.killReplicas(reps)
	return bl
}

// flushAll empties every database before a full synchronization.
func (r *Repl) flushAll() {
	ks := r.ks
	tx := ks.NewTx()
	tx.FromPrimary = true
	ks.LockAll()
	tx.HoldsAll = true
	tx.Begin(0)
	tx.FlushAll()
	tx.Finish()
	ks.UnlockAll()
}
