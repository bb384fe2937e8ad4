package command

import (
	"strings"

	"github.com/shoal-db/shoal/internal/cluster"
)

// clusterSlots is CLUSTER SLOTS: per range start, end, then the primary and
// its available replicas as [endpoint, port, id, {metadata}]
// (addNodeToNodeReply).
func clusterSlots(c *Ctx) {
	var ranges []cluster.SlotRange
	c.Node.Cluster.View(func(s *cluster.State) { ranges = s.Slots() })
	c.W.ArrayLen(len(ranges))
	for _, r := range ranges {
		c.W.ArrayLen(2 + len(r.Nodes))
		c.W.Int(int64(r.Start))
		c.W.Int(int64(r.End))
		for _, nd := range r.Nodes {
			clusterWriteSlotNode(c, nd)
		}
	}
}

func clusterWriteSlotNode(c *Ctx, nd cluster.SlotNode) {
	mode, _ := c.Node.Config.Get("cluster-preferred-endpoint-type")
	c.W.ArrayLen(4)
	switch mode {
	case "hostname":
		if nd.Hostname != "" {
			c.W.BulkString(nd.Hostname)
		} else {
			c.W.BulkString("?")
		}
	case "unknown-endpoint":
		c.W.Null()
	default:
		c.W.BulkString(nd.IP)
	}
	c.W.Int(int64(nd.Port))
	c.W.BulkString(string(nd.ID))
	withIP := mode != "ip"
	withHost := mode != "hostname" && nd.Hostname != ""
	c.W.MapLen(clusterBoolInt(withIP) + clusterBoolInt(withHost))
	if withIP {
		c.W.BulkString("ip")
		c.W.BulkString(nd.IP)
	}
	if withHost {
		c.W.BulkString("hostname")
		c.W.BulkString(nd.Hostname)
	}
}

func clusterBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// clusterShards is CLUSTER SHARDS: per shard a map of "slots" (flat
// start/end pairs) and "nodes" (addNodeDetailsToShardReply).
func clusterShards(c *Ctx) {
	var shards []cluster.Shard
	c.Node.Cluster.View(func(s *cluster.State) { shards = s.Shards() })
	c.W.ArrayLen(len(shards))
	for _, sh := range shards {
		c.W.MapLen(2)
		c.W.BulkString("slots")
		c.W.ArrayLen(2 * len(sh.Slots))
		for _, r := range sh.Slots {
			c.W.Int(int64(r.Start))
			c.W.Int(int64(r.End))
		}
		c.W.BulkString("nodes")
		c.W.ArrayLen(len(sh.Nodes))
		for _, nd := range sh.Nodes {
			clusterWriteShardNode(c, nd)
		}
	}
}

func clusterWriteShardNode(c *Ctx, nd cluster.ShardNode) {
	fields := 6 + clusterBoolInt(nd.Port != 0) + clusterBoolInt(nd.TLSPort != 0) + clusterBoolInt(nd.Hostname != "")
	c.W.MapLen(fields)
	c.W.BulkString("id")
	c.W.BulkString(string(nd.ID))
	if nd.Port != 0 {
		c.W.BulkString("port")
		c.W.Int(int64(nd.Port))
	}
	if nd.TLSPort != 0 {
		c.W.BulkString("tls-port")
		c.W.Int(int64(nd.TLSPort))
	}
	c.W.BulkString("ip")
	c.W.BulkString(nd.IP)
	c.W.BulkString("endpoint")
	endpoint, _ := c.Node.clusterEndpoint(nd.IP, nd.Hostname)
	c.W.BulkString(endpoint)
	if nd.Hostname != "" {
		c.W.BulkString("hostname")
		c.W.BulkString(nd.Hostname)
	}
	c.W.BulkString("role")
	if nd.Replica {
		c.W.BulkString("replica")
	} else {
		c.W.BulkString("master")
	}
	c.W.BulkString("replication-offset")
	c.W.Int(nd.ReplOffset)
	c.W.BulkString("health")
	c.W.BulkString(nd.Health)
}

// clusterLinks is CLUSTER LINKS: one map per link.
func clusterLinks(c *Ctx) {
	links := c.Node.Cluster.Links()
	c.W.ArrayLen(len(links))
	for _, l := range links {
		c.W.MapLen(6)
		c.W.BulkString("direction")
		c.W.BulkString(l.Direction)
		c.W.BulkString("node")
		c.W.BulkString(string(l.Node))
		c.W.BulkString("create-time")
		c.W.Int(l.CreateTime)
		c.W.BulkString("events")
		c.W.BulkString(l.Events)
		c.W.BulkString("send-buffer-allocated")
		c.W.Int(l.SendBufferAllocated)
		c.W.BulkString("send-buffer-used")
		c.W.Int(l.SendBufferUsed)
	}
}

// clusterReplicas is CLUSTER REPLICAS / SLAVES <id>: the CLUSTER NODES
// lines of the node's replicas.
func clusterReplicas(c *Ctx) {
	id := c.Arg(2)
	var msg string
	var lines []string
	c.Node.Cluster.View(func(s *cluster.State) {
		n, ok := s.Node(cluster.ID(id))
		switch {
		case !ok:
			msg = ErrClusterUnknownNode(id)
		case n.Flags&cluster.FlagReplica != 0:
			msg = ErrClusterNotPrimary
		default:
			for _, line := range strings.Split(s.ClusterNodes(), "\n") {
				if f := strings.Fields(line); len(f) > 3 && f[3] == id {
					lines = append(lines, line)
				}
			}
		}
	})
	if msg != "" {
		c.Error(msg)
		return
	}
	c.W.ArrayLen(len(lines))
	for _, l := range lines {
		c.W.BulkString(l)
	}
}
