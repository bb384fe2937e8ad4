package bus

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
)

type tcpNode struct {
	t      *Transport
	r      *Runner
	mu     sync.Mutex
	conf   []byte
	events []cluster.Event
}

func startTCPNode(t *testing.T, port int, timeout time.Duration, conf []byte) *tcpNode {
	t.Helper()
	tr, err := Listen(TransportConfig{Addr: "127.0.0.1:0", DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.NodeTimeout = timeout
	cfg.Port, cfg.CPort = port, tr.Port()
	cfg.Seed = uint64(port)
	st := cluster.New(cfg)
	if conf != nil {
		if st, err = cluster.Load(cfg, conf, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	n := &tcpNode{t: tr}
	n.r = NewRunner(RunnerConfig{State: st, Transport: tr,
		Persist: func(c []byte, fsync bool) error {
			n.mu.Lock()
			n.conf = c
			n.mu.Unlock()
			return nil
		},
		OnOutput: func(out cluster.Output) {
			n.mu.Lock()
			for _, e := range out.Events {
				if e.Kind != cluster.EventLog {
					n.events = append(n.events, e)
				}
			}
			n.mu.Unlock()
		}})
	n.r.Start()
	t.Cleanup(func() { _ = n.r.Close() })
	return n
}

func (n *tcpNode) id() (id cluster.ID) {
	n.r.View(func(s *cluster.State) { id = s.MyID() })
	return id
}

func waitFor(t *testing.T, max time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(max)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", max, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tcpConverged(nodes []*tcpNode) bool {
	var ref string
	for _, n := range nodes {
		ok, known, m := false, 0, ""
		n.r.View(func(s *cluster.State) {
			ok = s.OK()
			known = s.Info().KnownNodes
			for _, r := range s.Slots() {
				m += r.Nodes[0].ID.Short() + " "
			}
			if strings.Contains(s.ClusterNodes(), "handshake") {
				known = -1
			}
		})
		if !ok || known != len(nodes) {
			return false
		}
		if ref == "" {
			ref = m
		} else if m != ref {
			return false
		}
	}
	return true
}

func TestTCPClusterFormsAndDetectsFailure(t *testing.T) {
	const timeout = time.Second
	var nodes []*tcpNode
	for i := 0; i < 3; i++ {
		nodes = append(nodes, startTCPNode(t, 7000+i, timeout, nil))
	}
	per := slot.Count / 3
	for i, n := range nodes {
		end := (i+1)*per - 1
		if i == 2 {
			end = slot.Count - 1
		}
		if err := n.r.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			if _, err := s.SetConfigEpoch(now, int64(i+1)); err != nil {
				return cluster.Output{}, err
			}
			return s.AddSlotsRanges(now, []cluster.Range{{Start: i * per, End: end}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes[1:] {
		port := nodes[0].t.Port()
		if err := n.r.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.Meet(now, "127.0.0.1", 7000, port)
		}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 15*time.Second, "cluster_state ok on three TCP nodes", func() bool { return tcpConverged(nodes) })
	var text string
	nodes[0].r.View(func(s *cluster.State) { text = s.ClusterNodes() })
	t.Logf("\n%s", text)
	if rt := nodes[1].r.Routes(); !rt.OK || rt.Owner[0] < 0 || rt.Nodes[rt.Owner[0]].ID != nodes[0].id() {
		t.Fatalf("routes: ok=%v owner of 0 = %d", rt.OK, rt.Owner[0])
	}

	deadID := nodes[2].id()
	_ = nodes[2].r.Close()
	waitFor(t, 10*time.Second, "FAIL of the stopped node", func() bool {
		failed := 0
		for _, n := range nodes[:2] {
			n.r.View(func(s *cluster.State) {
				if v, ok := s.Node(deadID); ok && v.Flags&cluster.FlagFail != 0 {
					failed++
				}
			})
		}
		return failed == 2
	})
}

// The decoder refuses garbage on the wire and the transport drops that
// connection without disturbing the node.
func TestTCPGarbageIsRejected(t *testing.T) {
	n := startTCPNode(t, 7100, time.Second, nil)
	conn, err := net.Dial("tcp", n.t.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	if _, err := conn.Read(buf); err == nil {
		t.Fatal("expected the connection to be closed")
	}
	var known int
	n.r.View(func(s *cluster.State) { known = s.Info().KnownNodes })
	if known != 1 {
		t.Fatalf("known nodes %d", known)
	}
}

// A node restarted from its nodes.conf rejoins with the same id.
func TestTCPRestartFromNodesConf(t *testing.T) {
	const timeout = time.Second
	a := startTCPNode(t, 7200, timeout, nil)
	b := startTCPNode(t, 7201, timeout, nil)
	for i, n := range []*tcpNode{a, b} {
		lo, hi := i*8192, i*8192+8191
		if err := n.r.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.AddSlotsRanges(now, []cluster.Range{{Start: lo, End: hi}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	aPort := a.t.Port()
	if err := b.r.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Meet(now, "127.0.0.1", 7200, aPort)
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "two-node cluster", func() bool { return tcpConverged([]*tcpNode{a, b}) })
	bID := b.id()
	b.mu.Lock()
	conf := b.conf
	b.mu.Unlock()
	_ = b.r.Close()
	if !strings.Contains(string(conf), "vars currentEpoch") || !strings.Contains(string(conf), string(bID)) {
		t.Fatalf("nodes.conf:\n%s", conf)
	}
	// The restarted node listens on a new port: it must announce it and a
	// must follow (address update on PING).
	b2 := startTCPNode(t, 7201, timeout, conf)
	if b2.id() != bID {
		t.Fatalf("restarted with id %s, want %s", b2.id(), bID)
	}
	waitFor(t, 20*time.Second, "rejoin after restart", func() bool { return tcpConverged([]*tcpNode{a, b2}) })
}

// A peer that never reads fills the bounded send queue: the link is
// dropped and reported, and nothing leaks.
func TestTCPSendQueueLimit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // hold it open, never read
		}
	}()
	tr, err := Listen(TransportConfig{Addr: "127.0.0.1:0", MaxQueueBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	id := cluster.ID(strings.Repeat("ab", 20))
	port := ln.Addr().(*net.TCPAddr).Port
	tr.Apply(cluster.Output{Dials: []cluster.Dial{{ID: id, IP: "127.0.0.1", CPort: port}}})
	ev := <-tr.Events()
	if ev.Kind != EvLinkUp || ev.Link != id {
		t.Fatalf("first event %+v", ev)
	}
	conn := <-accepted
	defer conn.Close()
	big := &cluster.Message{Type: cluster.MsgPublish, Sender: id, Channel: []byte("c"), Payload: make([]byte, 256<<10)}
	var got []EventKind
	deadline := time.After(20 * time.Second)
	for len(got) < 2 {
		tr.Apply(cluster.Output{Send: []cluster.Envelope{{To: id, Msg: big}}})
		select {
		case ev := <-tr.Events():
			got = append(got, ev.Kind)
		case <-deadline:
			t.Fatalf("no overflow after 20 s; events %v", got)
		default:
		}
	}
	if !(got[0] == EvBufferLimit && got[1] == EvLinkDown) {
		t.Fatalf("events %v", got)
	}
	if len(tr.Stats()) != 0 {
		t.Fatalf("links left: %+v", tr.Stats())
	}
}
