package cluster

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Node is a snapshot of one node-table entry.
type Node struct {
	ID, ShardID          ID
	Flags                NodeFlags
	IP                   string
	Port, TLSPort, CPort int
	Hostname             string
	HumanNodename        string
	PrimaryID            ID
	ConfigEpoch          uint64 // as CLUSTER NODES shows it (a replica shows its primary's)
	PingSent, PongRecv   int64
	Connected            bool
	NumSlots             int
	Slots                []Range // ranges this node owns in our slot table
	ReplOffset           int64
}

// Nodes returns every known node, ordered by id.
func (s *State) Nodes() []Node {
	owned := s.ownedRanges()
	out := make([]Node, 0, len(s.sorted))
	for _, n := range s.sorted {
		out = append(out, s.snapshot(n, owned[n]))
	}
	return out
}

// Node returns the snapshot of node id.
func (s *State) Node(id ID) (Node, bool) {
	n := s.lookup(id)
	if n == nil {
		return Node{}, false
	}
	return s.snapshot(n, s.ownedRanges()[n]), true
}

// Myself returns the snapshot of this node.
func (s *State) Myself() Node { return s.snapshot(s.myself, s.ownedRanges()[s.myself]) }

func (s *State) snapshot(n *node, ranges []Range) Node {
	v := Node{ID: n.id, ShardID: n.shardID, Flags: n.flags &^ (FlagMeet | FlagMigrateTo | FlagExtensionsSupported | FlagLightHdrSupported),
		IP: n.ip, Port: n.port, TLSPort: n.tlsPort, CPort: n.cport, Hostname: n.hostname, HumanNodename: n.humanName,
		ConfigEpoch: epochOf(n), PingSent: n.pingSent, PongRecv: n.pongRecv,
		Connected: n.hasLink() || n == s.myself, NumSlots: n.numSlots, Slots: slices.Clone(ranges),
		ReplOffset: n.replOffset}
	if n.primary != nil {
		v.PrimaryID = n.primary.id
	}
	if n == s.myself {
		v.ReplOffset = s.replOffset
	}
	return v
}

// ownedRanges groups the slot table into ranges per owner
// (clusterGenNodesSlotsInfo). The result is cached until a slot changes
// hands (every nodes.conf save renders it): callers must not modify it.
func (s *State) ownedRanges() map[*node][]Range {
	if c := &s.routeOwners; c.ranges != nil && c.rangesGen == s.slotsGen {
		return c.ranges
	}
	// Per node from its slot bitmap (which addSlot and delSlot keep equal
	// to its share of the slot table), a word at a time.
	out := make(map[*node][]Range)
	for _, n := range s.sorted {
		if n.numSlots > 0 && n.slots != nil {
			out[n] = slotRanges(n.slots)
		}
	}
	s.routeOwners.ranges, s.routeOwners.rangesGen = out, s.slotsGen
	return out
}

// SlotOwner returns the id of the node serving slot sl ("" if none).
func (s *State) SlotOwner(sl int) ID {
	if n := s.slots[sl]; n != nil {
		return n.id
	}
	return ""
}

// ClusterNodes returns the CLUSTER NODES reply text.
func (s *State) ClusterNodes() string { return s.describeNodes(false) }

// describeNodes renders one line per node; forConf selects the nodes.conf
// variant (aux fields, no handshake nodes).
func (s *State) describeNodes(forConf bool) string {
	owned := s.ownedRanges()
	var b strings.Builder
	for _, n := range s.sorted {
		if forConf && n.inHandshake() {
			continue
		}
		s.describeNode(&b, n, owned[n], forConf)
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *State) describeNode(b *strings.Builder, n *node, ranges []Range, forConf bool) {
	b.WriteString(string(n.id))
	b.WriteByte(' ')
	b.WriteString(n.ip)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(n.port))
	b.WriteByte('@')
	b.WriteString(strconv.Itoa(n.cport))
	if n.hostname != "" {
		b.WriteByte(',')
		b.WriteString(n.hostname)
	}
	if forConf {
		if n.hostname == "" {
			b.WriteByte(',')
		}
		b.WriteString(",tls-port=" + strconv.Itoa(n.tlsPort))
		if n.humanName != "" {
			b.WriteString(",nodename=" + n.humanName)
		}
		if n.shardID != "" {
			b.WriteString(",shard-id=" + string(n.shardID))
		}
	}
	b.WriteByte(' ')
	b.WriteString(n.flags.String())
	b.WriteByte(' ')
	if n.primary != nil {
		b.WriteString(string(n.primary.id))
	} else {
		b.WriteByte('-')
	}
	link := "disconnected"
	if n.hasLink() || n == s.myself {
		link = "connected"
	}
	b.WriteString(" " + strconv.FormatInt(n.pingSent, 10) + " " + strconv.FormatInt(n.pongRecv, 10) +
		" " + strconv.FormatUint(epochOf(n), 10) + " " + link)
	for _, r := range ranges {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(r.Start))
		if r.End != r.Start {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.End))
		}
	}
	if n == s.myself {
		s.describeOpenSlots(b)
	}
}

// describeOpenSlots appends the legacy migration markers of myself:
// [slot->-target] and [slot-<-source].
func (s *State) describeOpenSlots(b *strings.Builder) {
	if len(s.migrating) == 0 && len(s.importing) == 0 {
		return
	}
	open := make([]int, 0, len(s.migrating)+len(s.importing))
	for sl := range s.migrating {
		open = append(open, sl)
	}
	for sl := range s.importing {
		if s.migrating[sl] == nil {
			open = append(open, sl)
		}
	}
	sort.Ints(open)
	for _, sl := range open {
		if n := s.migrating[sl]; n != nil {
			b.WriteString(" [" + strconv.Itoa(sl) + "->-" + string(n.id) + "]")
		} else {
			b.WriteString(" [" + strconv.Itoa(sl) + "-<-" + string(s.importing[sl].id) + "]")
		}
	}
}

// CountFailureReports is CLUSTER COUNT-FAILURE-REPORTS.
func (s *State) CountFailureReports(id string) (int, error) {
	n := s.lookup(ID(id))
	if n == nil {
		return 0, &Error{Code: ErrUnknownNode, Node: id}
	}
	return s.failureReportsCount(n), nil
}

// Migrating and Importing return the legacy markers: slot -> node id.
func (s *State) Migrating() map[int]ID { return markerIDs(s.migrating) }

// Importing returns the IMPORTING markers: slot -> source node id.
func (s *State) Importing() map[int]ID { return markerIDs(s.importing) }

func markerIDs(m map[int]*node) map[int]ID {
	out := make(map[int]ID, len(m))
	for sl, n := range m {
		out[sl] = n.id
	}
	return out
}
