package cluster

import (
	"slices"

	"github.com/shoal-db/shoal/internal/slot"
)

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
	// Owner maps each slot to an index in Nodes (-1: unassigned). The
	// table is shared by successive snapshots while neither the slot
	// assignment nor the node list changes: comparing two snapshots'
	// pointers tells whether any slot changed hands.
	Owner     *[slot.Count]int32
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
	r.Owner = s.ownerTable(index)
	for sl, n := range s.migrating {
		r.Migrating[sl] = index[n]
	}
	for sl, n := range s.importing {
		r.Importing[sl] = index[n]
	}
	return r
}

// routeOwners caches the owner table of the last Routes: it is rebuilt
// on every topology change (each CLUSTER SETSLOT of a migration, on every
// node), mostly for changes that move no slot or a single one.
type routeOwners struct {
	table *[slot.Count]int32
	gen   uint64  // slotsGen it was built at
	nodes []*node // the node order its indexes refer to
	// dirty lists the slots that changed hands since table was built,
	// unless overflow: then it is rebuilt whole.
	dirty    []int
	overflow bool
	// ranges caches ownedRanges (views.go), valid at rangesGen.
	ranges    map[*node][]Range
	rangesGen uint64
}

// routeOwnersDirtyMax bounds the slots patched into a copy of the last
// table; beyond it the table is rebuilt from scratch.
const routeOwnersDirtyMax = 256

// slotChanged records that slot sl changed hands (addSlot, delSlot).
func (s *State) slotChanged(sl int) {
	s.slotsGen++
	c := &s.routeOwners
	if len(c.dirty) < routeOwnersDirtyMax {
		c.dirty = append(c.dirty, sl)
	} else {
		c.overflow = true
	}
}

// ownerTable returns the slot -> node index table, reusing the last one
// when no slot changed hands and the node list is the same, and patching
// a copy of it when a few slots did.
func (s *State) ownerTable(index map[*node]int32) *[slot.Count]int32 {
	c := &s.routeOwners
	sameNodes := c.table != nil && slices.Equal(c.nodes, s.sorted)
	if sameNodes && c.gen == s.slotsGen {
		return c.table
	}
	t := new([slot.Count]int32)
	if sameNodes && !c.overflow {
		*t = *c.table
		for _, sl := range c.dirty {
			t[sl] = -1
			if n := s.slots[sl]; n != nil {
				t[sl] = index[n]
			}
		}
	} else {
		// Owners come in long runs of consecutive slots: look each run's
		// owner up once.
		var last *node
		lastIdx := int32(-1)
		for j, n := range s.slots {
			if n != last {
				last, lastIdx = n, -1
				if n != nil {
					lastIdx = index[n]
				}
			}
			t[j] = lastIdx
		}
	}
	c.table, c.gen, c.nodes = t, s.slotsGen, append(c.nodes[:0], s.sorted...)
	c.dirty, c.overflow = c.dirty[:0], false
	return t
}

// slotRanges returns the ranges of b, skipping empty and full words whole.
func slotRanges(b *SlotSet) []Range {
	var out []Range
	start := -1
	for w, word := range b {
		base := w * 64
		switch {
		case word == 0:
			if start >= 0 {
				out = append(out, Range{start, base - 1})
				start = -1
			}
		case word == ^uint64(0):
			if start < 0 {
				start = base
			}
		default:
			for i := 0; i < 64; i++ {
				in := word&(1<<uint(i)) != 0
				if in && start < 0 {
					start = base + i
				} else if !in && start >= 0 {
					out = append(out, Range{start, base + i - 1})
					start = -1
				}
			}
		}
	}
	if start >= 0 {
		out = append(out, Range{start, slot.Count - 1})
	}
	return out
}
