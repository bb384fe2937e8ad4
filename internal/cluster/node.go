package cluster

// linkState is the state of our outbound link to a node. Valkey's
// node->link exists from the moment the connect starts, so a connecting
// link counts as a link: messages queue on it.
type linkState uint8

const (
	linkNone linkState = iota
	linkConnecting
	linkUp
)

type failReport struct {
	from *node
	time int64
}

// node is one entry of the node table.
type node struct {
	id       ID
	shardID  ID
	flags    NodeFlags
	ctime    int64
	epoch    uint64 // configEpoch
	slots    *SlotSet
	slotsVer uint64 // bumped on every change of slots, keys header snapshots
	numSlots int
	primary  *node
	replicas []*node // sorted by id

	pingSent, pongRecv, dataRecv, meetSent, failTime int64
	lastInPingGossip                                 uint64

	ip                   string
	port, tlsPort, cport int
	hostname, humanName  string

	failReports []failReport

	link             linkState
	linkCtime        int64
	inboundConn      uint64
	inboundCtime     int64
	inboundFreedTime int64

	replOffset     int64
	replOffsetTime int64
	orphanedTime   int64
}

func (n *node) has(f NodeFlags) bool  { return n.flags&f != 0 }
func (n *node) isPrimary() bool       { return n.flags&FlagPrimary != 0 }
func (n *node) isReplica() bool       { return n.flags&FlagReplica != 0 }
func (n *node) failed() bool          { return n.flags&FlagFail != 0 }
func (n *node) timedOut() bool        { return n.flags&FlagPFail != 0 }
func (n *node) inHandshake() bool     { return n.flags&FlagHandshake != 0 }
func (n *node) hasLink() bool         { return n.link != linkNone }
func (n *node) isVotingPrimary() bool { return n.isPrimary() && n.numSlots > 0 }

// ownsSlot reports whether the node's own bitmap has slot s.
func (n *node) ownsSlot(s int) bool { return n.slots != nil && n.slots.Has(s) }

func (n *node) setSlotBit(s int) bool {
	if n.slots == nil {
		n.slots = new(SlotSet)
	}
	old := n.slots.Set(s)
	if !old {
		n.numSlots++
		n.slotsVer++
	}
	return old
}

func (n *node) clearSlotBit(s int) bool {
	if n.slots == nil {
		return false
	}
	old := n.slots.Clear(s)
	if old {
		n.numSlots--
		n.slotsVer++
	}
	return old
}

// epochOf is Valkey's nodeEpoch: a replica shows its primary's epoch.
func epochOf(n *node) uint64 {
	if n.primary != nil {
		return n.primary.epoch
	}
	return n.epoch
}

// primaryOf returns the node itself when it is a primary, else its primary
// (following the chain, guarding against cycles).
func primaryOf(n *node) *node {
	p := n
	for p.primary != nil {
		p = p.primary
		if p == n {
			break
		}
	}
	return p
}

func (n *node) addReplica(r *node) bool {
	for _, x := range n.replicas {
		if x == r {
			return false
		}
	}
	i := 0
	for i < len(n.replicas) && n.replicas[i].id < r.id {
		i++
	}
	n.replicas = append(n.replicas, nil)
	copy(n.replicas[i+1:], n.replicas[i:])
	n.replicas[i] = r
	n.flags |= FlagMigrateTo
	return true
}

func (n *node) removeReplica(r *node) bool {
	for i, x := range n.replicas {
		if x == r {
			n.replicas = append(n.replicas[:i], n.replicas[i+1:]...)
			if len(n.replicas) == 0 {
				n.flags &^= FlagMigrateTo
			}
			return true
		}
	}
	return false
}

func (n *node) countNonFailingReplicas() int {
	c := 0
	for _, r := range n.replicas {
		if !r.failed() {
			c++
		}
	}
	return c
}
