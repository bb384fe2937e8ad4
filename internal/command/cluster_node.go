package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// ClusterNode is this node's cluster membership as the command layer sees
// it. The server sets Node.Cluster to one in cluster mode (over the
// bus.Runner that owns the cluster.State); it stays nil on a standalone
// node, which keeps the request path free of routing work.
type ClusterNode interface {
	// Routes is the current routing snapshot (lock-free, immutable).
	Routes() *cluster.Routes
	// Do runs a command against the state machine and applies its
	// output (messages, nodes.conf persistence, events) before returning.
	Do(f func(now time.Time, s *cluster.State) (cluster.Output, error)) error
	// View runs a query with the state locked; f must not block.
	View(f func(s *cluster.State))
	// SaveConfig writes nodes.conf now, with fsync (CLUSTER SAVECONFIG).
	SaveConfig() error
	// Links is CLUSTER LINKS: the state's links with the transport's
	// send-queue sizes filled in.
	Links() []cluster.LinkInfo
}

// slotDropWaiter is a ClusterNode that deletes the keys of lost slots in
// the background (the server's): awaitSlotDropped returns once slot's
// deletion is over, so that a command sees the slot as Valkey, which
// deletes them at once, would.
type slotDropWaiter interface{ AwaitSlotDropped(slot int) }

// awaitSlotDropped waits for the background deletion of slot's keys, if
// one is queued. Inside MULTI nothing waits (EXEC may hold every slot
// lock, which the deletion needs).
func (c *Ctx) awaitSlotDropped(slot int) {
	if w, ok := c.Node.Cluster.(slotDropWaiter); ok && !c.Tx.InMulti() && !c.Tx.HoldsAll {
		w.AwaitSlotDropped(slot)
	}
}

// roleChangeWaiter is a ClusterNode that applies the state machine's role
// decisions in the background (the server's): AwaitRoleChanges returns once
// those taken so far are applied. CLUSTER RESET of a replica answers after
// its replication stopped and its data is gone, as in Valkey, where both
// happen inside the command: a client that resets a node and gives it slots
// must not see its new keys flushed by the reset that came before.
type roleChangeWaiter interface{ AwaitRoleChanges() }

// clusterKeyCount counts the keys of every database (FLUSHSLOTS, RESET
// and REPLICATE need an empty node).
func (n *Node) clusterKeyCount() int64 {
	var total int64
	for i := 0; i < n.KS.NumDBs(); i++ {
		total += n.KS.DB(i).Size()
	}
	return total
}

// clusterEndpoint is a node's preferred endpoint for redirections and
// CLUSTER SLOTS/SHARDS (cluster-preferred-endpoint-type): its IP, its
// hostname ("?" when it has none), or "" for unknown-endpoint.
func (n *Node) clusterEndpoint(ip, hostname string) (endpoint string, known bool) {
	v, _ := n.Config.Get("cluster-preferred-endpoint-type")
	switch v {
	case "hostname":
		if hostname == "" {
			return "?", true
		}
		return hostname, true
	case "unknown-endpoint":
		return "", false
	}
	return ip, true
}
