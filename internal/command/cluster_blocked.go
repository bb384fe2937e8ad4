package command

// ClusterWakeBlocked wakes every client parked in a blocking command, so
// each runs clusterBlockedRoute again after a topology change (Valkey's
// clusterRedirectBlockedClientIfNeeded, which its cron runs per client).
func (n *Node) ClusterWakeBlocked() {
	r := &n.blocked
	if r.n.Load() == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ws := range r.m {
		for _, w := range ws {
			select {
			case w.ch <- struct{}{}:
			default:
			}
		}
	}
}

// clusterBlockedRoute runs when a blocked client wakes up in cluster mode.
// It answers and returns false when the client must stop waiting: the
// cluster is down, or its keys' slot is no longer served here (and is not
// being imported).
func (n *Node) clusterBlockedRoute(ctx *Ctx, cmd *Command) bool {
	r := n.Cluster.Routes()
	if !r.OK {
		ctx.Error(ErrClusterDown)
		return false
	}
	q := routeQuery{slot: -1}
	n.routeCollect(ctx.C, &q, cmd, ctx.Argv)
	if q.slot < 0 || q.cross {
		return true
	}
	owner := r.Owner[q.slot]
	if ctx.C.Flag(ClientReadonly) && cmd.Flags&FlagWrite == 0 && r.Replica && r.MyPrimary == owner {
		return true
	}
	if owner == r.Myself {
		return true
	}
	if _, importing := r.Importing[q.slot]; importing {
		return true
	}
	if owner < 0 {
		ctx.Error(ErrClusterDownUnbound)
	} else {
		ctx.Error(n.routeRedirect("MOVED", q.slot, r, owner))
	}
	return false
}
