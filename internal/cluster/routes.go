package cluster

import "github.com/shoal-db/shoal/internal/slot"

// RouteNode is a node as client redirections need it.
type RouteNode struct {
	ID       ID
	IP       string
	Port     int
	TLSPort  int
	Hostname string
}

// Routes is an immutable snapshot of what request routing needs: slot
// owners, legacy migration markers and cluster_state. The server rebuilds
// it when an Output has Topology set and swaps it atomically, so the hot
// path never touches the State.
type Routes struct {
	OK        bool
	Myself    int32 // index of myself in Nodes
	MyPrimary int32 // index of the primary whose slots I serve (myself when primary), -1 if unknown
	Replica   bool  // myself is a replica
	Owner     [slot.Count]int32
	Nodes     []RouteNode
	Migrating map[int]int32 // slot -> target (only on the owner)
	Importing map[int]int32 // slot -> source
}

// Routes builds the routing snapshot.
func (s *State) Routes() *Routes {
	r := &Routes{OK: s.stateOK, MyPrimary: -1, Replica: s.myself.isReplica(),
		Migrating: map[int]int32{}, Importing: map[int]int32{}}
	index := make(map[*node]int32, len(s.sorted))
	for _, n := range s.sorted {
		index[n] = int32(len(r.Nodes))
		r.Nodes = append(r.Nodes, RouteNode{ID: n.id, IP: n.ip, Port: n.port, TLSPort: n.tlsPort, Hostname: n.hostname})
	}
	r.Myself = index[s.myself]
	if !r.Replica {
		r.MyPrimary = r.Myself
	} else if p := s.myself.primary; p != nil {
		r.MyPrimary = index[p]
	}
	for j, n := range s.slots {
		if n == nil {
			r.Owner[j] = -1
		} else {
			r.Owner[j] = index[n]
		}
	}
	for sl, n := range s.migrating {
		r.Migrating[sl] = index[n]
	}
	for sl, n := range s.importing {
		r.Importing[sl] = index[n]
	}
	return r
}
