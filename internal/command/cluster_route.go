package command

import (
	"bytes"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

// clusterRoute decides, in cluster mode, whether this node serves the
// command, as Valkey's getNodeByQuery and clusterRedirectClient do. It runs
// before MULTI queueing, so a queued command that would be redirected makes
// EXEC abort, and EXEC checks that its whole queue hashes to one slot. It
// returns false after answering with the redirection or error.
//
// Valkey decides and executes in one step; here the command runs later,
// under its slot locks, so the decision is remembered in ctx.route and
// clusterRecheck confirms it under those locks (see routeMemo).
func (n *Node) clusterRoute(ctx *Ctx, cmd *Command) bool {
	c := ctx.C
	exec := cmd.Name == "exec"
	multi := c.Flag(ClientMulti)
	asking := c.Flag(ClientAsking)
	// ASKING is good for the next command only; inside MULTI it lasts
	// until EXEC (Valkey clears it in resetClient).
	if asking && cmd.Name != "asking" && (exec || !multi) {
		c.SetFlag(ClientAsking, false)
	}
	if (!exec && cmd.FirstKey <= 0 && cmd.Keys == nil) || (exec && !multi) {
		return true
	}
	cmds := []queued{{cmd: cmd, argv: ctx.Argv}}
	if exec {
		cmds = c.multi.cmds
	}
	r := n.Cluster.Routes()
	msg, open := n.clusterRouteQuery(ctx, r, cmds, exec, asking, false)
	if msg == "" {
		if exec || !multi {
			ctx.route = routeMemo{check: true, asking: asking, routes: r, open: open}
		}
		return true
	}
	if exec {
		// A redirected EXEC discards the transaction and answers with the
		// redirection itself, not EXECABORT.
		c.discardMulti()
		c.unwatchAll(n)
		cmd.stats.RejectedCall.Add(1)
		ctx.Error(msg)
		return false
	}
	n.reject(ctx, cmd, msg)
	return false
}

// routeMemo is the routing decision clusterRoute took for the current
// command: the snapshot it used, whether the slot was open (legacy
// MIGRATING/IMPORTING) and whether the client had sent ASKING.
//
// Between that decision and the command running under its slot locks, a
// MIGRATE may move the key away, or CLUSTER SETSLOT may open the slot.
// Serving the command anyway would let a write recreate, on the source, a
// key that already lives on the target (a key on both sides, one of them
// lost at SETSLOT NODE). So the dispatcher calls clusterRecheck with the
// locks held: an unchanged snapshot and a stable slot keep the decision
// (the common case costs one atomic load); otherwise the decision is taken
// again, with the key counts read under the locks.
type routeMemo struct {
	check  bool
	asking bool
	open   bool
	routes *cluster.Routes
}

// clusterRecheck confirms, with the command's slot locks held, that this
// node still serves it (see routeMemo). On a changed decision it answers
// with the redirection and returns false.
func (n *Node) clusterRecheck(ctx *Ctx, cmd *Command) bool {
	m := &ctx.route
	r := n.Cluster.Routes()
	if r == m.routes && !m.open {
		return true
	}
	cmds := []queued{{cmd: cmd, argv: ctx.Argv}}
	msg, open := n.clusterRouteQuery(ctx, r, cmds, false, m.asking, true)
	m.routes, m.open = r, open
	if msg == "" {
		return true
	}
	n.reject(ctx, cmd, msg)
	return false
}

// clusterRecheckExec is clusterRecheck for EXEC, whose handler takes the
// locks of its queue itself. It returns the redirection, or "".
func (n *Node) clusterRecheckExec(ctx *Ctx, queue []queued) string {
	m := &ctx.route
	if !m.check {
		return ""
	}
	r := n.Cluster.Routes()
	if r == m.routes && !m.open {
		return ""
	}
	msg, _ := n.clusterRouteQuery(ctx, r, queue, true, m.asking, true)
	return msg
}

// routeQuery is what getNodeByQuery learns about the keys of a request.
type routeQuery struct {
	slot         int
	cross        bool
	write        bool // a queued command writes (EXEC)
	pubsubShard  bool
	multipleKeys bool // importing: more than one distinct key
	missing      int
	existing     int
	unstable     bool // MOVE or cross-database COPY on an open slot
}

// clusterRouteQuery returns "" when this node serves the request (cmds:
// the command, or EXEC's queue), else the error reply; open tells whether
// the slot was open. locked says the caller holds the slot's lock.
func (n *Node) clusterRouteQuery(ctx *Ctx, r *cluster.Routes, cmds []queued, exec, asking, locked bool) (string, bool) {
	c := ctx.C
	if len(cmds) == 0 {
		return "", false // an empty EXEC
	}
	cmd := cmds[0].cmd
	q := routeQuery{slot: -1}
	for _, qc := range cmds {
		n.routeCollect(c, &q, qc.cmd, qc.argv)
		if exec {
			q.write = q.write || qc.cmd.Flags&FlagWrite != 0
			q.pubsubShard = q.pubsubShard || qc.cmd.Flags&FlagPubSub != 0
		}
	}
	if exec {
		cmd = nil
	} else {
		q.pubsubShard = cmd.Flags&FlagPubSub != 0
	}
	if q.cross {
		return ErrCrossSlot, false
	}
	if q.slot < 0 {
		return "", false
	}
	owner := r.Owner[q.slot]
	if owner < 0 {
		return ErrClusterDownUnbound, false
	}
	migrating, importing := routeOpenSlot(r, q.slot, owner, c.Flag(ClientReadonly))
	open := migrating || importing
	if open {
		n.routeCountKeys(ctx, cmds, exec, locked, &q)
		if q.unstable {
			return ErrTryAgain, open
		}
	}
	write := !exec && cmd.Flags&FlagWrite != 0
	if !r.OK {
		if msg := n.routeDown(&q, write); msg != "" {
			return msg, open
		}
	}
	primary := !r.Replica
	switch {
	case open && !exec && cmd.Name == "migrate" && primary:
		return "", open
	case migrating && q.missing > 0:
		if q.existing > 0 {
			return ErrTryAgain, open
		}
		return n.routeRedirect("ASK", q.slot, r, r.Migrating[q.slot]), open
	case importing && (asking || (!exec && cmd.Flags&FlagAsking != 0)):
		if q.multipleKeys && q.missing > 0 {
			return ErrTryAgain, open
		}
		return "", open
	}
	isWrite := write || q.write
	if (c.Flag(ClientReadonly) || q.pubsubShard) && !isWrite && r.Replica && r.MyPrimary == owner {
		return "", open
	}
	if owner != r.Myself {
		return n.routeRedirect("MOVED", q.slot, r, owner), open
	}
	return "", open
}

// routeCollect folds the slots of one command's keys into q.
func (n *Node) routeCollect(c *Client, q *routeQuery, cmd *Command, argv [][]byte) {
	c.keyBuf = cmd.KeyPositions(argv, c.keyBuf[:0])
	for _, k := range c.keyBuf {
		s := slot.Of(argv[k])
		if q.slot < 0 {
			q.slot = s
		} else if s != q.slot {
			q.cross = true
			return
		}
	}
}

// routeOpenSlot reports whether the slot is being migrated away by my
// shard or imported into it (legacy SETSLOT markers).
func routeOpenSlot(r *cluster.Routes, s int, owner int32, readonly bool) (migrating, importing bool) {
	if r.Replica && !readonly {
		return false, false
	}
	if owner == r.MyPrimary && len(r.Migrating) > 0 {
		if _, ok := r.Migrating[s]; ok {
			return true, false
		}
	}
	if len(r.Importing) > 0 {
		_, importing = r.Importing[s]
	}
	return false, importing
}

// routeDown applies cluster_state:fail: sharded pub/sub follows
// cluster-allow-pubsubshard-when-down, keyed commands
// cluster-allow-reads-when-down (reads only).
func (n *Node) routeDown(q *routeQuery, write bool) string {
	switch {
	case q.pubsubShard:
		if !n.Config.Bool("cluster-allow-pubsubshard-when-down") {
			return ErrClusterDown
		}
	case !n.Config.Bool("cluster-allow-reads-when-down"):
		return ErrClusterDown
	case write:
		return ErrClusterDownReadOnly
	}
	return ""
}

// routeRedirect formats -MOVED / -ASK towards node index to.
func (n *Node) routeRedirect(kind string, s int, r *cluster.Routes, to int32) string {
	node := r.Nodes[to]
	endpoint, _ := n.clusterEndpoint(node.IP, node.Hostname)
	return ErrClusterRedirect(kind, s, endpoint, node.Port)
}

// routeCountKeys counts, for an open slot, the request's keys this node
// has and misses (with the slot locked: by the caller when locked is set),
// and flags MOVE and cross-database COPY, which Valkey refuses on open
// slots.
func (n *Node) routeCountKeys(ctx *Ctx, cmds []queued, exec, locked bool, q *routeQuery) {
	c := ctx.C
	db := c.DB()
	// Queued commands are checked at EXEC, not while queueing.
	check := !q.pubsubShard && (!c.Flag(ClientMulti) || exec)
	if !locked {
		n.KS.LockSlot(q.slot)
		defer n.KS.UnlockSlot(q.slot)
	}
	var first []byte
	for _, qc := range cmds {
		if qc.cmd.Name == "select" && len(qc.argv) == 2 {
			if id, ok := types.ParseInt(qc.argv[1]); ok && id >= 0 && id < int64(n.KS.NumDBs()) {
				db = int(id)
			}
		}
		c.keyBuf = qc.cmd.KeyPositions(qc.argv, c.keyBuf[:0])
		for _, k := range c.keyBuf {
			key := qc.argv[k]
			if first == nil {
				first = key
			} else if !bytes.Equal(first, key) {
				q.multipleKeys = true
			}
			if routeUnstable(qc, db) {
				q.unstable = true
				return
			}
			if !check {
				continue
			}
			if n.KS.KeyExists(db, key) {
				q.existing++
			} else {
				q.missing++
			}
		}
	}
}

// routeUnstable reports MOVE, and COPY to another database: the
// destination may or may not have been migrated already.
func routeUnstable(qc queued, db int) bool {
	switch qc.cmd.Name {
	case "move":
		return true
	case "copy":
		if len(qc.argv) >= 5 && bytes.EqualFold(qc.argv[3], []byte("db")) {
			v, ok := types.ParseInt(qc.argv[4])
			return !ok || v != int64(db)
		}
	}
	return false
}
