package command

// ClusterWakeBlocked asks every client parked in a blocking command to
// check, after a topology change, that its keys' slot is still served
// here (Valkey's clusterRedirectBlockedClientIfNeeded, which its cron runs
// per client). Clients whose slot moved get -MOVED, or -CLUSTERDOWN.
func (n *Node) ClusterWakeBlocked() {
	r := &n.blocked
	if r.n.Load() == 0 {
		return
	}
	r.mu.Lock()
	ws := make([]*waiter, 0, len(r.byClient))
	for _, w := range r.byClient {
		ws = append(ws, w)
	}
	r.mu.Unlock()
	for _, w := range ws {
		w.mu.Lock()
		if w.state == waiterWaiting && w.reason < unblockReroute {
			w.reason = unblockReroute
		}
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// clusterBlockedRedirect decides whether a blocked client must stop
// waiting because the cluster is down or its keys' slot is no longer
// served here (and is not being imported). It returns the error to reply
// with, or "" to keep waiting. It only reads the routing snapshot.
func (n *Node) clusterBlockedRedirect(ctx *Ctx, cmd *Command) string {
	if n.Cluster == nil {
		return ""
	}
	r := n.Cluster.Routes()
	if !r.OK {
		return ErrClusterDown
	}
	q := routeQuery{slot: -1}
	n.routeCollect(ctx.C, &q, cmd, ctx.Argv)
	if q.slot < 0 || q.cross {
		return ""
	}
	owner := r.Owner[q.slot]
	if ctx.C.Flag(ClientReadonly) && cmd.Flags&FlagWrite == 0 && r.Replica && r.MyPrimary == owner {
		return ""
	}
	if owner == r.Myself {
		return ""
	}
	if _, importing := r.Importing[q.slot]; importing {
		return ""
	}
	if owner < 0 {
		return ErrClusterDownUnbound
	}
	return n.routeRedirect("MOVED", q.slot, r, owner)
}
