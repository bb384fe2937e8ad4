package cluster

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Info holds the CLUSTER INFO fields (Valkey 9.0).
type Info struct {
	OK                                bool
	SlotsAssigned, SlotsOK            int
	SlotsPFail, SlotsFail             int
	NodesPFail, NodesFail             int
	VotingNodesPFail, VotingNodesFail int
	KnownNodes, Size                  int
	CurrentEpoch, MyEpoch             uint64
	Sent, Received                    [NumTypes]uint64
	LinksBufferLimitExceeded          uint64
}

// Info returns the CLUSTER INFO fields.
func (s *State) Info() Info {
	in := Info{OK: s.stateOK, KnownNodes: len(s.nodes), Size: s.size, CurrentEpoch: s.currentEpoch,
		MyEpoch: epochOf(s.myself), Sent: s.statsSent, Received: s.statsRecv,
		LinksBufferLimitExceeded: s.linksBufferLimitReached}
	for _, n := range s.slots {
		if n == nil {
			continue
		}
		in.SlotsAssigned++
		switch {
		case n.failed():
			in.SlotsFail++
		case n.timedOut():
			in.SlotsPFail++
		default:
			in.SlotsOK++
		}
	}
	for _, n := range s.sorted {
		voting := n.isVotingPrimary()
		if n.timedOut() {
			in.NodesPFail++
			if voting {
				in.VotingNodesPFail++
			}
		}
		if n.failed() {
			in.NodesFail++
			if voting {
				in.VotingNodesFail++
			}
		}
	}
	return in
}

// String renders the CLUSTER INFO text, "field:value\r\n" lines in
// Valkey's order; per-type message counters appear only when non-zero.
func (in Info) String() string {
	var b strings.Builder
	kv := func(k string, v string) { b.WriteString(k + ":" + v + "\r\n") }
	itoa := strconv.Itoa
	state := "fail"
	if in.OK {
		state = "ok"
	}
	kv("cluster_state", state)
	kv("cluster_slots_assigned", itoa(in.SlotsAssigned))
	kv("cluster_slots_ok", itoa(in.SlotsOK))
	kv("cluster_slots_pfail", itoa(in.SlotsPFail))
	kv("cluster_slots_fail", itoa(in.SlotsFail))
	kv("cluster_nodes_pfail", itoa(in.NodesPFail))
	kv("cluster_nodes_fail", itoa(in.NodesFail))
	kv("cluster_voting_nodes_pfail", itoa(in.VotingNodesPFail))
	kv("cluster_voting_nodes_fail", itoa(in.VotingNodesFail))
	kv("cluster_known_nodes", itoa(in.KnownNodes))
	kv("cluster_size", itoa(in.Size))
	kv("cluster_current_epoch", strconv.FormatUint(in.CurrentEpoch, 10))
	kv("cluster_my_epoch", strconv.FormatUint(in.MyEpoch, 10))
	var total uint64
	for t, v := range in.Sent {
		if v != 0 {
			total += v
			kv("cluster_stats_messages_"+Type(t).String()+"_sent", strconv.FormatUint(v, 10))
		}
	}
	kv("cluster_stats_messages_sent", strconv.FormatUint(total, 10))
	total = 0
	for t, v := range in.Received {
		if v != 0 {
			total += v
			kv("cluster_stats_messages_"+Type(t).String()+"_received", strconv.FormatUint(v, 10))
		}
	}
	kv("cluster_stats_messages_received", strconv.FormatUint(total, 10))
	kv("total_cluster_links_buffer_limit_exceeded", strconv.FormatUint(in.LinksBufferLimitExceeded, 10))
	return b.String()
}

// SlotNode is one node in a CLUSTER SLOTS range. The server chooses the
// preferred endpoint (IP, hostname or "?") and the metadata map from it.
type SlotNode struct {
	ID       ID
	IP       string
	Port     int
	TLSPort  int
	Hostname string
}

// SlotRange is one CLUSTER SLOTS entry: the primary first, then its
// available replicas (not failing, replication offset non-zero) by id.
type SlotRange struct {
	Start, End int
	Nodes      []SlotNode
}

// Slots returns the CLUSTER SLOTS data.
func (s *State) Slots() []SlotRange {
	var out []SlotRange
	for j := 0; j < len(s.slots); {
		n := s.slots[j]
		k := j
		for k+1 < len(s.slots) && s.slots[k+1] == n {
			k++
		}
		if n != nil {
			r := SlotRange{Start: j, End: k, Nodes: []SlotNode{slotNode(n)}}
			for _, rep := range n.replicas {
				if s.replicaAvailable(rep) {
					r.Nodes = append(r.Nodes, slotNode(rep))
				}
			}
			out = append(out, r)
		}
		j = k + 1
	}
	return out
}

func slotNode(n *node) SlotNode {
	return SlotNode{ID: n.id, IP: n.ip, Port: n.port, TLSPort: n.tlsPort, Hostname: n.hostname}
}

func (s *State) replicaAvailable(n *node) bool {
	if n.failed() {
		return false
	}
	off := n.replOffset
	if n == s.myself {
		off = s.replOffset
	}
	return off != 0
}

// ShardNode is one node of a CLUSTER SHARDS entry.
type ShardNode struct {
	ID         ID
	Port       int
	TLSPort    int
	IP         string
	Hostname   string
	Replica    bool // role "replica", else "master"
	ReplOffset int64
	Health     string // "online", "fail" or "loading"
}

// Shard is one CLUSTER SHARDS entry.
type Shard struct {
	ID    ID
	Slots []Range
	Nodes []ShardNode
}

// Shards returns the CLUSTER SHARDS data, by shard id; in each shard the
// primary comes first, then the replicas by id.
func (s *State) Shards() []Shard {
	owned := s.ownedRanges()
	byShard := map[ID][]*node{}
	var ids []ID
	for _, n := range s.sorted {
		if n.inHandshake() {
			continue
		}
		if _, ok := byShard[n.shardID]; !ok {
			ids = append(ids, n.shardID)
		}
		byShard[n.shardID] = append(byShard[n.shardID], n)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]Shard, 0, len(ids))
	for _, id := range ids {
		nodes := byShard[id]
		sort.SliceStable(nodes, func(i, j int) bool { return !nodes[i].isReplica() && nodes[j].isReplica() })
		sh := Shard{ID: id}
		for _, n := range nodes {
			if r := slices.Clone(owned[n]); len(r) > 0 && sh.Slots == nil {
				sh.Slots = r
			}
			sh.Nodes = append(sh.Nodes, s.shardNode(n))
		}
		out = append(out, sh)
	}
	return out
}

func (s *State) shardNode(n *node) ShardNode {
	off := n.replOffset
	if n == s.myself {
		off = s.replOffset
	}
	health := "online"
	switch {
	case n.failed():
		health = "fail"
	case n.isReplica() && off == 0:
		health = "loading"
	}
	return ShardNode{ID: n.id, Port: n.port, TLSPort: n.tlsPort, IP: n.ip, Hostname: n.hostname,
		Replica: n.isReplica(), ReplOffset: off, Health: health}
}

// LinkInfo is one CLUSTER LINKS entry as the state sees it; the transport
// knows the buffer sizes and may fill SendBufferAllocated/Used.
type LinkInfo struct {
	Direction           string // "to" or "from"
	Node                ID
	CreateTime          int64 // ms
	Events              string
	SendBufferAllocated int64
	SendBufferUsed      int64
}

// Links returns the CLUSTER LINKS data: per node its outbound link, then
// its inbound link.
func (s *State) Links() []LinkInfo {
	var out []LinkInfo
	for _, n := range s.sorted {
		if n.hasLink() {
			out = append(out, LinkInfo{Direction: "to", Node: n.id, CreateTime: n.linkCtime, Events: "r"})
		}
		if n.inboundConn != 0 {
			out = append(out, LinkInfo{Direction: "from", Node: n.id, CreateTime: n.inboundCtime, Events: "r"})
		}
	}
	return out
}
