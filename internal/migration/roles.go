package migration

import (
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Failover of the target shard during an import (spec §1.10-§1.11,
// Valkey's clusterUpdateSlotImportsOnOwnershipChange and
// clusterCleanSlotImportsOnPromotion):
//
//   - a target primary demoted to replica must not clean up (its data
//     now follows its new primary's stream): its imports become tracking
//     entries (occurring-on-primary), keep their staged keys and close the
//     link to the source, which records the lost link;
//   - a replica promoted to primary fails its tracking entries with "A
//     failover occurred during slot import", drops the staged keys and
//     sends SYNCSLOTS FINISH to its own replicas — the demoted primary
//     among them, which drops its staging when FINISH arrives.
//
// The manager learns the role from the routing snapshot and the
// keyspace's replica mode: its cron checks them every tick, and an import
// link that fails or closes checks them first (the demoted primary's link
// usually does, before the cron).

// checkRoles applies this node's role to its imports. A promotion counts
// once the node has been a primary for two ticks: the replication layer
// turns replica mode off and registers its stream in one step, which must
// be over before FINISH is propagated.
func (m *Manager) checkRoles(r *cluster.Routes) {
	primary := !r.Replica && !m.env.KS.ReplicaMode()
	settled := primary && m.wasPrimary
	m.wasPrimary = primary
	m.mu.Lock()
	links := make([]*ImportLink, 0, len(m.imports))
	for _, l := range m.imports {
		links = append(links, l)
	}
	m.mu.Unlock()
	for _, l := range links {
		tracking := l.tracking()
		switch {
		case r.Replica && !tracking:
			l.demote()
		case settled && tracking:
			l.failPromoted()
		}
	}
}

// tracking reports whether the link is a tracking entry (a replica's view
// of its primary's import).
func (l *ImportLink) tracking() bool {
	l.job.mu.Lock()
	defer l.job.mu.Unlock()
	return l.job.Tracking
}

// demote turns the import of a primary that became a replica into a
// tracking entry and closes the link; the staged keys stay until the new
// primary's FINISH (or a flush) ends the entry.
func (l *ImportLink) demote() {
	m, j := l.m, l.job
	m.mu.Lock()
	j.mu.Lock()
	ok := !j.Tracking && !j.state.Terminal() && j.state != StateCleaningUp
	if ok {
		j.Tracking = true
		j.state, j.updated = StateOccurringOnPrimary, time.Now()
	}
	j.mu.Unlock()
	m.mu.Unlock()
	if !ok {
		return
	}
	l.leaveHandover()
	m.env.Log.Info("slot migration: demoted to replica during import, tracking it", "job", j.Name)
	if l.closeLink != nil {
		l.closeLink()
	}
}

// demoted demotes the import if this node is now a replica, and reports
// whether it is.
func (l *ImportLink) demoted() bool {
	if !l.m.env.Routes().Replica {
		return false
	}
	l.demote()
	return true
}

// failPromoted ends a tracking entry of a promoted replica: its staged
// keys are dropped, then its replicas are told.
func (l *ImportLink) failPromoted() {
	l.cleanup(MsgFailoverImport)
	l.propagateFinish(false, MsgFailoverImport)
}
