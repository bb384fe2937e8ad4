package bus

import (
	"strings"
	"testing"
	"time"
)

func TestSimThreeNodesMeetAndConverge(t *testing.T) {
	c := newSim(t, 1, 3, 2*time.Second)
	c.create(3)
	start := c.net.Now()
	c.waitConverged(20*time.Second, true)
	t.Logf("converged after %v", c.net.Now().Sub(start))
	for _, n := range c.net.Nodes() {
		lines := strings.Split(strings.TrimSpace(n.State.ClusterNodes()), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s knows %d nodes:\n%s", n.Name, len(lines), n.State.ClusterNodes())
		}
		in := n.State.Info()
		if in.Size != 3 || in.KnownNodes != 3 || in.SlotsOK != 16384 {
			t.Fatalf("%s info:\n%s", n.Name, in)
		}
		for _, l := range lines {
			if !strings.Contains(l, "connected") || strings.Contains(l, "disconnected") {
				t.Fatalf("link state in %q", l)
			}
		}
	}
	t.Logf("\n%s", c.net.Nodes()[0].State.ClusterNodes())
	t.Logf("\n%s", c.net.Nodes()[0].State.Info())
}
