package bus

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Network is an in-memory cluster bus driven by a fake clock, for
// deterministic tests: links behave like TCP connections (ordered per
// direction, connect can fail, a killed node's connections break), and
// the test controls latency, loss and partitions. Everything, including
// the order of simultaneous events, derives from the seed.
type Network struct {
	now   time.Time
	rng   *rand.Rand
	queue eventQueue
	seq   uint64

	nodes  []*SimNode
	byAddr map[string]*SimNode
	conns  uint64

	// MinDelay and MaxDelay bound the one-way latency of a message.
	MinDelay, MaxDelay time.Duration
	// Loss is the probability that a message is dropped (0..1).
	Loss float64
	// DialTimeout is how long a connect to an unreachable (partitioned)
	// address takes to fail.
	DialTimeout time.Duration
	// TickEvery is the period of State.Tick (Valkey's cron runs at 10 Hz).
	TickEvery time.Duration
	// Codec makes every message go through Encode/Decode, which checks the
	// codec and measures bytes; without it only message counts are kept.
	Codec bool
	// Persist makes every Save store NodesConf in SimNode.Conf.
	Persist bool
	// OnEvent, when set, sees every event of every node.
	OnEvent func(n *SimNode, e cluster.Event)
}

// SimNode is one node of a Network.
type SimNode struct {
	net   *Network
	Name  string
	IP    string
	Port  int
	CPort int
	State *cluster.State
	Alive bool
	group int

	out map[cluster.ID]*simLink
	in  map[uint64]*simLink

	Conf   []byte // last persisted nodes.conf (with Network.Persist)
	Saves  int
	Events []cluster.Event // non-log events

	BytesSent [cluster.NumTypes]uint64
	MsgsSent  [cluster.NumTypes]uint64
	Dropped   uint64
}

type simLink struct {
	from    *SimNode
	id      cluster.ID // the key in from.out
	to      *SimNode
	conn    uint64 // the inbound connection id at to
	up      bool
	closed  bool
	pending []*cluster.Message
	last    [2]time.Time // last delivery time per direction (FIFO)
}

// NewNetwork returns an empty network whose clock starts at start.
func NewNetwork(seed uint64, start time.Time) *Network {
	return &Network{
		now:         start,
		rng:         rand.New(rand.NewPCG(seed, seed*31+7)),
		byAddr:      map[string]*SimNode{},
		MinDelay:    time.Millisecond,
		MaxDelay:    2 * time.Millisecond,
		DialTimeout: 2 * time.Second,
		TickEvery:   100 * time.Millisecond,
	}
}

// Now returns the fake clock.
func (nw *Network) Now() time.Time { return nw.now }

// Nodes returns the nodes in the order they were added.
func (nw *Network) Nodes() []*SimNode { return nw.nodes }

// Add creates a node listening at ip:port (bus port port+10000) with a
// fresh State built from cfg (ports, IP and Seed are filled in when zero).
func (nw *Network) Add(ip string, port int, cfg cluster.Config) *SimNode {
	n := &SimNode{net: nw, Name: ip + ":" + strconv.Itoa(port), IP: ip, Port: port, CPort: port + 10000}
	if cfg.Port == 0 {
		cfg.Port, cfg.CPort = port, port+10000
	}
	if cfg.Seed == 0 && cfg.Rand == nil {
		cfg.Seed = nw.rng.Uint64()
	}
	nw.nodes = append(nw.nodes, n)
	nw.byAddr[busAddr(ip, n.CPort)] = n
	n.start(cluster.New(cfg))
	return n
}

func busAddr(ip string, cport int) string { return ip + "@" + strconv.Itoa(cport) }

func (n *SimNode) start(st *cluster.State) {
	n.State = st
	n.Alive = true
	n.out = map[cluster.ID]*simLink{}
	n.in = map[uint64]*simLink{}
	if n.net.Persist {
		n.Conf = st.NodesConf()
	}
	offset := time.Duration(n.net.rng.Int64N(int64(n.net.TickEvery)))
	n.net.schedule(n.net.now.Add(offset), &tickEvent{node: n, gen: n.generation()})
}

// generation identifies a life of the node; events of a previous life
// (before a kill) are ignored.
func (n *SimNode) generation() *cluster.State { return n.State }

// ID returns the node's id.
func (n *SimNode) ID() cluster.ID { return n.State.MyID() }

// Do runs a command against the node's State and applies its Output, as
// the server does for CLUSTER commands.
func (n *SimNode) Do(f func(now time.Time, s *cluster.State) (cluster.Output, error)) error {
	out, err := f(n.net.now, n.State)
	n.apply(out)
	return err
}

// Meet makes n meet other (CLUSTER MEET).
func (n *SimNode) Meet(other *SimNode) {
	_ = n.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Meet(now, other.IP, other.Port, other.CPort)
	})
}

// Kill stops the node like kill -9: its connections break at once.
func (n *SimNode) Kill() {
	if !n.Alive {
		return
	}
	n.Alive = false
	// Close in a fixed order: events and random delays must not depend on
	// map iteration, or runs would not replay.
	ids := make([]cluster.ID, 0, len(n.out))
	for id := range n.out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n.net.closeLink(n.out[id], false)
	}
	conns := make([]uint64, 0, len(n.in))
	for c := range n.in {
		conns = append(conns, c)
	}
	slices.Sort(conns)
	for _, c := range conns {
		n.net.closeLink(n.in[c], true)
	}
	n.out, n.in = map[cluster.ID]*simLink{}, map[uint64]*simLink{}
}

// Restart starts a killed node again from its persisted nodes.conf (or a
// fresh state when cfg says so and there is none).
func (n *SimNode) Restart(cfg cluster.Config) error {
	if n.Alive {
		return fmt.Errorf("node %s is running", n.Name)
	}
	if cfg.Port == 0 {
		cfg.Port, cfg.CPort = n.Port, n.CPort
	}
	st, err := cluster.Load(cfg, n.Conf, n.net.now)
	if err != nil {
		return err
	}
	n.start(st)
	return nil
}

// Partition puts nodes in group g; nodes in different groups cannot reach
// each other (packets vanish, connects time out). Heal puts all in group 0.
func (nw *Network) Partition(g int, nodes ...*SimNode) {
	for _, n := range nodes {
		n.group = g
	}
}

// Heal removes every partition.
func (nw *Network) Heal() {
	for _, n := range nw.nodes {
		n.group = 0
	}
}

func reachable(a, b *SimNode) bool { return a.Alive && b != nil && b.Alive && a.group == b.group }

func (nw *Network) delay() time.Duration {
	d := nw.MinDelay
	if nw.MaxDelay > nw.MinDelay {
		d += time.Duration(nw.rng.Int64N(int64(nw.MaxDelay - nw.MinDelay)))
	}
	return d
}

// apply carries out an Output of node n.
func (n *SimNode) apply(out cluster.Output) {
	nw := n.net
	for _, r := range out.Renames {
		if l := n.out[r.From]; l != nil {
			delete(n.out, r.From)
			l.id = r.To
			n.out[r.To] = l
		}
	}
	for _, id := range out.Close {
		if l := n.out[id]; l != nil {
			delete(n.out, id)
			nw.closeLink(l, false)
		}
	}
	for _, c := range out.CloseConns {
		if l := n.in[c]; l != nil {
			delete(n.in, c)
			nw.closeLink(l, true)
		}
	}
	for _, d := range out.Dials {
		nw.dial(n, d)
	}
	for _, e := range out.Send {
		nw.send(n, e)
	}
	if out.Save {
		n.Saves++
		if nw.Persist {
			n.Conf = n.State.NodesConf()
		}
	}
	for _, e := range out.Events {
		if nw.OnEvent != nil {
			nw.OnEvent(n, e)
		}
		if e.Kind != cluster.EventLog {
			n.Events = append(n.Events, e)
		}
	}
}

func (nw *Network) dial(n *SimNode, d cluster.Dial) {
	if old := n.out[d.ID]; old != nil {
		nw.closeLink(old, false)
	}
	l := &simLink{from: n, id: d.ID, to: nw.byAddr[busAddr(d.IP, d.CPort)]}
	n.out[d.ID] = l
	at := nw.now.Add(nw.delay() * 2)
	if l.to == nil || !reachable(n, l.to) {
		if l.to != nil && l.to.Alive { // silently dropped SYNs: wait
			at = nw.now.Add(nw.DialTimeout)
		}
	}
	nw.schedule(at, &connectEvent{link: l})
}

// closeLink closes a connection from one side; the other side notices
// after a network delay (FIN/RST). fromTarget tells which side closed.
func (nw *Network) closeLink(l *simLink, fromTarget bool) {
	if l.closed {
		return
	}
	l.closed = true
	if !l.up {
		if fromTarget {
			return
		}
		return // a connect in flight: its event reports the failure
	}
	at := nw.now.Add(nw.delay())
	if fromTarget {
		nw.schedule(at, &funcEvent{node: l.from, f: func() {
			if l.from.out[l.id] == l {
				delete(l.from.out, l.id)
				l.from.apply(l.from.State.LinkDown(nw.now, l.id))
			}
		}})
	} else if l.to != nil {
		nw.schedule(at, &funcEvent{node: l.to, f: func() {
			if l.to.in[l.conn] == l {
				delete(l.to.in, l.conn)
				l.to.apply(l.to.State.InboundClosed(nw.now, l.conn))
			}
		}})
	}
}

func (nw *Network) send(n *SimNode, e cluster.Envelope) {
	var l *simLink
	dir := 0
	if e.Conn != 0 {
		l, dir = n.in[e.Conn], 1
	} else {
		l = n.out[e.To]
	}
	if l == nil || l.closed {
		n.Dropped++
		return
	}
	if !l.up {
		if len(l.pending) < 1024 {
			l.pending = append(l.pending, e.Msg)
		}
		return
	}
	nw.transmit(l, dir, e.Msg)
}

// transmit sends m on l (dir 0: from the dialer, 1: back to it).
func (nw *Network) transmit(l *simLink, dir int, m *cluster.Message) {
	src := l.from
	if dir == 1 {
		src = l.to
	}
	src.MsgsSent[m.Type]++
	if nw.Codec {
		frame := Encode(m)
		src.BytesSent[m.Type] += uint64(len(frame))
		dm, _, err := Decode(frame, DefaultMax)
		if err != nil {
			panic(fmt.Sprintf("memnet: codec round trip of %v failed: %v", m.Type, err))
		}
		m = dm
	}
	if nw.Loss > 0 && nw.rng.Float64() < nw.Loss {
		return
	}
	at := nw.now.Add(nw.delay())
	if at.Before(l.last[dir]) {
		at = l.last[dir]
	}
	l.last[dir] = at
	nw.schedule(at, &deliverEvent{link: l, dir: dir, msg: m})
}

// Run advances the clock by d, processing every event due.
func (nw *Network) Run(d time.Duration) { nw.RunUntil(nw.now.Add(d)) }

// RunUntil processes events up to the time end.
func (nw *Network) RunUntil(end time.Time) {
	for nw.queue.Len() > 0 && !nw.queue[0].at.After(end) {
		ev := heap.Pop(&nw.queue).(*queued)
		nw.now = ev.at
		ev.e.fire(nw)
	}
	nw.now = end
}

// RunFor advances the clock in steps of step until cond holds or max has
// passed, and reports whether cond held.
func (nw *Network) RunFor(max, step time.Duration, cond func() bool) bool {
	end := nw.now.Add(max)
	for !cond() {
		if !nw.now.Before(end) {
			return false
		}
		nw.Run(step)
	}
	return true
}

// ResetStats zeroes the byte and message counters of every node.
func (nw *Network) ResetStats() {
	for _, n := range nw.nodes {
		n.BytesSent, n.MsgsSent = [cluster.NumTypes]uint64{}, [cluster.NumTypes]uint64{}
	}
}
