package bus

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// The same seed gives the same run, byte for byte.
func TestSimDeterministic(t *testing.T) {
	run := func() string {
		c := newSim(t, 77, 6, 2*time.Second)
		c.net.MaxDelay = 30 * time.Millisecond
		c.net.Loss = 0.02
		c.create(3)
		c.net.Run(20 * time.Second)
		c.net.Nodes()[4].Kill()
		c.net.Run(10 * time.Second)
		var b strings.Builder
		for _, n := range c.net.Nodes() {
			if n.Alive {
				fmt.Fprintf(&b, "%s\n%s%s\n", n.Name, n.State.ClusterNodes(), n.State.Info())
			}
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("two runs with one seed differ:\n%s\n----\n%s", a, b)
	}
}

// With lossy, jittery links the cluster still forms, stays ok, and a
// node stopped for real is still failed by the majority.
func TestSimLossAndDelays(t *testing.T) {
	const timeout = 2 * time.Second
	c := newSim(t, 12, 6, timeout)
	c.net.MinDelay, c.net.MaxDelay = time.Millisecond, 80*time.Millisecond
	c.net.Loss = 0.05
	c.create(6)
	c.waitConverged(60*time.Second, true)
	flaps := 0
	for i := 0; i < 300; i++ { // 30 s of lossy operation
		c.net.Run(100 * time.Millisecond)
		for _, n := range c.net.Nodes() {
			if !n.State.OK() {
				flaps++
			}
		}
	}
	t.Logf("node-ticks with cluster_state fail under 5%% loss: %d of %d", flaps, 300*6)
	for _, n := range c.net.Nodes() {
		if in := n.State.Info(); in.NodesFail != 0 {
			t.Fatalf("%s failed a live node under loss:\n%s", n.Name, n.State.ClusterNodes())
		}
	}
	victim := c.net.Nodes()[5]
	victim.Kill()
	if !c.net.RunFor(timeout+10*time.Second, 100*time.Millisecond, func() bool {
		for _, n := range c.net.Nodes()[:5] {
			if flagsOf(n, victim)&cluster.FlagFail == 0 {
				return false
			}
		}
		return true
	}) {
		t.Fatal("a dead node was not failed under loss")
	}
}
