package cluster

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// Work deferred to the end of the current call, Valkey's
// clusterDoBeforeSleep flags.
const (
	todoUpdateState = 1 << iota
	todoSaveConfig
	todoFsyncConfig
	todoBroadcastAll
	todoHandleFailover
)

// todoSaveLearned saves, without fsync, what this node learned from
// others: an epoch or slot owner taken from a message. Valkey fsyncs
// these too; Shoal does not, because the fsync runs under the state's
// lock and under load takes 5-15 ms, which an atomic slot migration's
// source spends with its writers paused (every claim makes every node
// learn). Skipping it risks nothing: after a machine crash the gossip
// teaches the same configuration again (the newer epoch wins), and the
// node's in-memory keys are gone anyway. What this node promises itself
// (its own epoch bumps, votes, promotion) is still fsynced.
const todoSaveLearned = todoSaveConfig

// Fail reasons of cluster_state:fail.
const (
	failNone = iota
	failNotFullCoverage
	failMinorityPartition
)

// State is the cluster state of one node. See the package comment.
type State struct {
	cfg Config
	rng *rand.Rand
	now int64 // ms, the time of the current call

	myself *node
	nodes  map[ID]*node
	sorted []*node // every node, by id: deterministic iteration

	slots            [slot.Count]*node
	slotsGen         uint64      // bumped by every change of slots (slotChanged, routes.go)
	routeOwners      routeOwners // the last Routes' owner table (routes.go)
	ownerNotClaiming SlotSet
	migrating        map[int]*node // legacy MIGRATING markers (myself only)
	importing        map[int]*node // legacy IMPORTING markers

	currentEpoch, lastVoteEpoch uint64

	stateOK           bool
	failReason        int
	size              int
	firstCallTime     int64
	amongMinorityTime int64

	blacklist map[ID]int64 // id -> expiry, ms

	inbound map[uint64]*node // inbound connection -> node it belongs to

	statsSent, statsRecv    [NumTypes]uint64
	statsPFailNodes         int
	linksBufferLimitReached uint64

	lastRandomPing int64
	pingsBuilt     uint64 // Valkey's cluster_pings_sent, dedups gossip entries
	slotsCache     *SlotSet
	slotsCacheOf   *node
	slotsCacheVer  uint64
	replOffset     int64
	primarySeen    int64 // replica: last contact with the primary over replication (ms)

	election election

	todo int
	out  Output
}

// New returns the state of a fresh node that knows only itself, as Valkey
// creates it when no nodes.conf exists. The caller should persist
// NodesConf right away, as Valkey does.
func New(cfg Config) *State {
	cfg.normalize()
	s := newEmptyState(cfg)
	me := s.createNode(cfg.MyID, FlagMyself|FlagPrimary)
	if cfg.ShardID != "" {
		me.shardID = cfg.ShardID
	}
	s.myself = me
	s.addNode(me)
	s.applyMyselfConfig()
	return s
}

func newEmptyState(cfg Config) *State {
	return &State{
		cfg:       cfg,
		rng:       cfg.Rand,
		nodes:     make(map[ID]*node),
		migrating: make(map[int]*node),
		importing: make(map[int]*node),
		blacklist: make(map[ID]int64),
		inbound:   make(map[uint64]*node),
		election:  election{mfPrimaryOffset: -1},
	}
}

// applyMyselfConfig copies the announced settings into myself
// (clusterUpdateMyself*): ports, announced IP, hostname, no-failover.
func (s *State) applyMyselfConfig() {
	me := s.myself
	me.port, me.tlsPort, me.cport = s.cfg.Port, s.cfg.TLSPort, s.cfg.CPort
	if s.cfg.IP != "" {
		me.ip = s.cfg.IP
	}
	me.hostname = s.cfg.Hostname
	me.humanName = s.cfg.HumanNodename
	me.flags &^= FlagNoFailover
	if s.cfg.ReplicaNoFailover {
		me.flags |= FlagNoFailover
	}
	me.flags |= FlagExtensionsSupported | FlagLightHdrSupported
}

func (s *State) begin(now time.Time) {
	s.now = now.UnixMilli()
}

// finish runs the deferred work (clusterBeforeSleep) and hands the output
// over.
func (s *State) finish() Output {
	if s.todo&todoHandleFailover != 0 {
		s.todo &^= todoHandleFailover
		if s.myself.isReplica() {
			s.handleManualFailover()
			s.handleReplicaFailover()
		}
	}
	todo := s.todo
	s.todo = 0
	if todo&todoUpdateState != 0 {
		s.updateState()
	}
	if todo&todoSaveConfig != 0 {
		s.out.Save = true
		s.out.Topology = true
		if todo&todoFsyncConfig != 0 {
			s.out.Fsync = true
		}
	}
	if todo&todoBroadcastAll != 0 {
		s.broadcastPong()
	}
	out := s.out
	s.out = Output{}
	return out
}

func (s *State) doBeforeSleep(flags int) { s.todo |= flags }

func (s *State) logf(format string, args ...any) {
	s.out.Events = append(s.out.Events, Event{Kind: EventLog, Text: sprintf(format, args...)})
}

// createNode builds a node (not yet in the table); an empty id draws a
// random one, as Valkey names handshake nodes.
func (s *State) createNode(id ID, flags NodeFlags) *node {
	if id == "" {
		id = NewID(s.rng)
	}
	return &node{
		id:               id,
		shardID:          NewID(s.rng),
		flags:            flags,
		ctime:            s.now,
		inboundFreedTime: s.now,
	}
}

func (s *State) lookup(id ID) *node { return s.nodes[id] }

func (s *State) addNode(n *node) {
	s.nodes[n.id] = n
	i := sort.Search(len(s.sorted), func(i int) bool { return s.sorted[i].id >= n.id })
	s.sorted = append(s.sorted, nil)
	copy(s.sorted[i+1:], s.sorted[i:])
	s.sorted[i] = n
}

func (s *State) unlinkNode(n *node) {
	delete(s.nodes, n.id)
	i := sort.Search(len(s.sorted), func(i int) bool { return s.sorted[i].id >= n.id })
	if i < len(s.sorted) && s.sorted[i] == n {
		s.sorted = append(s.sorted[:i], s.sorted[i+1:]...)
	}
}

// renameNode gives a handshake node its real id (clusterRenameNode).
func (s *State) renameNode(n *node, id ID) {
	old := n.id
	s.unlinkNode(n)
	n.id = id
	s.addNode(n)
	if n.link != linkNone {
		s.out.Renames = append(s.out.Renames, Rename{From: old, To: id})
	}
}

// delNode removes a node from the cluster view (clusterDelNode): its slots
// become unassigned, its failure reports about others vanish, and its links
// are closed.
func (s *State) delNode(n *node) {
	for sl, m := range s.importing {
		if m == n {
			delete(s.importing, sl)
		}
	}
	for sl, m := range s.migrating {
		if m == n {
			delete(s.migrating, sl)
		}
	}
	if n.numSlots > 0 {
		for j := 0; j < slot.Count; j++ {
			if s.slots[j] == n {
				s.delSlot(j)
			}
		}
	}
	for _, o := range s.sorted {
		if o != n {
			s.delFailureReport(o, n)
		}
	}
	for _, r := range n.replicas {
		r.primary = nil
	}
	if n.isReplica() && n.primary != nil {
		n.primary.removeReplica(n)
	}
	s.freeLink(n)
	if n.inboundConn != 0 {
		delete(s.inbound, n.inboundConn)
		s.out.CloseConns = append(s.out.CloseConns, n.inboundConn)
		n.inboundConn = 0
	}
	s.unlinkNode(n)
}

// freeLink drops our outbound link to n; the next Tick dials again.
func (s *State) freeLink(n *node) {
	if n.link == linkNone {
		return
	}
	n.link = linkNone
	s.out.Close = append(s.out.Close, n.id)
}

// setInbound associates an inbound connection with a node
// (setClusterNodeToInboundClusterLink). A node has at most one: a newer
// connection replaces an older one.
func (s *State) setInbound(n *node, conn uint64) {
	if n.inboundConn == conn {
		return
	}
	if n.inboundConn != 0 {
		delete(s.inbound, n.inboundConn)
		s.out.CloseConns = append(s.out.CloseConns, n.inboundConn)
	}
	if old := s.inbound[conn]; old != nil && old != n {
		old.inboundConn = 0
		old.inboundFreedTime = s.now
	}
	n.inboundConn = conn
	n.inboundCtime = s.now
	s.inbound[conn] = n
}

// MyID returns this node's id.
func (s *State) MyID() ID { return s.myself.id }

// MyShardID returns this node's shard id.
func (s *State) MyShardID() ID { return s.myself.shardID }

// CurrentEpoch returns the cluster current epoch as this node knows it.
func (s *State) CurrentEpoch() uint64 { return s.currentEpoch }

// OK reports cluster_state:ok.
func (s *State) OK() bool { return s.stateOK }
