package bus

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
)

var simStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type simCluster struct {
	t   testing.TB
	net *Network
}

func testConfig(timeout time.Duration) cluster.Config {
	cfg := cluster.DefaultConfig()
	cfg.NodeTimeout = timeout
	return cfg
}

// newSim builds n nodes 127.0.0.1:7000.. that know only themselves.
func newSim(t testing.TB, seed uint64, n int, timeout time.Duration) *simCluster {
	t.Helper()
	t.Logf("seed %d", seed)
	nw := NewNetwork(seed, simStart)
	nw.Codec = true
	for i := 0; i < n; i++ {
		nw.Add("127.0.0.1", 7000+i, testConfig(timeout))
	}
	return &simCluster{t: t, net: nw}
}

// create does what `valkey-cli --cluster create` does: split the slots
// evenly among the first primaries nodes, give every node a distinct
// config epoch, and meet everyone with the first node.
func (c *simCluster) create(primaries int) {
	c.t.Helper()
	nodes := c.net.Nodes()
	per := slot.Count / primaries
	for i := 0; i < primaries; i++ {
		start, end := i*per, (i+1)*per-1
		if i == primaries-1 {
			end = slot.Count - 1
		}
		c.must(nodes[i].Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.AddSlotsRanges(now, []cluster.Range{{Start: start, End: end}})
		}))
	}
	for i, n := range nodes {
		c.must(n.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.SetConfigEpoch(now, int64(i+1))
		}))
	}
	for _, n := range nodes[1:] {
		n.Meet(nodes[0])
	}
}

func (c *simCluster) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

// slotMap renders a node's view of slot ownership.
func slotMap(n *SimNode) string {
	var b strings.Builder
	for _, r := range n.State.Slots() {
		fmt.Fprintf(&b, "%d-%d:%s ", r.Start, r.End, r.Nodes[0].ID.Short())
	}
	return b.String()
}

// converged reports whether every live node knows every live node (no
// handshakes), sees the same slot map and, with wantOK, cluster_state ok.
func (c *simCluster) converged(wantOK bool) bool {
	var ref string
	live := 0
	for _, n := range c.net.Nodes() {
		if n.Alive {
			live++
		}
	}
	for _, n := range c.net.Nodes() {
		if !n.Alive {
			continue
		}
		if wantOK && !n.State.OK() {
			return false
		}
		known := 0
		for _, x := range n.State.Nodes() {
			if x.Flags&cluster.FlagHandshake != 0 {
				return false
			}
			known++
		}
		if known < live {
			return false
		}
		m := slotMap(n)
		if ref == "" {
			ref = m
		} else if m != ref {
			return false
		}
	}
	return true
}

func (c *simCluster) waitConverged(max time.Duration, wantOK bool) {
	c.t.Helper()
	if !c.net.RunFor(max, 100*time.Millisecond, func() bool { return c.converged(wantOK) }) {
		for _, n := range c.net.Nodes() {
			c.t.Logf("%s ok=%v\n%s", n.Name, n.State.OK(), n.State.ClusterNodes())
		}
		c.t.Fatalf("no convergence within %v", max)
	}
}

// flagsOf returns how observer sees target.
func flagsOf(observer, target *SimNode) cluster.NodeFlags {
	n, ok := observer.State.Node(target.ID())
	if !ok {
		return 0
	}
	return n.Flags
}
