package bus

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Three primaries and three replicas (CLUSTER REPLICATE): roles and shards
// converge everywhere, and a replica's failure is detected and cleared as
// soon as it is back (no vote, so no waiting).
func TestSimSixNodesWithReplicas(t *testing.T) {
	const timeout = 2 * time.Second
	c := newSim(t, 9, 6, timeout)
	c.net.Persist = true
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	for i := 3; i < 6; i++ {
		primary := nodes[i-3]
		nodes[i].State.SetReplOffset(1) // advertised from the first PONG on
		c.must(nodes[i].Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.Replicate(now, string(primary.ID()), true)
		}))
	}
	roles := func() bool {
		for _, n := range nodes {
			for i := 3; i < 6; i++ {
				v, ok := n.State.Node(nodes[i].ID())
				if !ok || v.PrimaryID != nodes[i-3].ID() || v.Flags&cluster.FlagReplica == 0 {
					return false
				}
			}
		}
		return c.converged(true)
	}
	if !c.net.RunFor(20*time.Second, 100*time.Millisecond, roles) {
		t.Fatalf("roles did not converge:\n%s", nodes[0].State.ClusterNodes())
	}
	for _, e := range nodes[3].Events {
		if e.Kind == cluster.EventReplicate && e.Node != nodes[0].ID() {
			t.Fatalf("replicate event %+v", e)
		}
	}
	shards := nodes[0].State.Shards()
	if len(shards) != 3 {
		t.Fatalf("%d shards", len(shards))
	}
	for _, sh := range shards {
		if len(sh.Nodes) != 2 || sh.Nodes[0].Replica || !sh.Nodes[1].Replica || len(sh.Slots) != 1 {
			t.Fatalf("shard %+v", sh)
		}
	}
	for _, r := range nodes[1].State.Slots() {
		if len(r.Nodes) != 2 {
			t.Fatalf("slots range %d-%d has %d nodes (replica offsets are gossiped)", r.Start, r.End, len(r.Nodes))
		}
	}

	replica := nodes[4]
	replica.Kill()
	if !c.net.RunFor(timeout+5*time.Second, 100*time.Millisecond, func() bool {
		return flagsOf(nodes[0], replica)&cluster.FlagFail != 0
	}) {
		t.Fatal("replica failure not detected")
	}
	if !nodes[0].State.OK() {
		t.Fatal("a failed replica must not take the cluster down")
	}
	if err := replica.Restart(testConfig(timeout)); err != nil {
		t.Fatal(err)
	}
	if !c.net.RunFor(2*timeout, 100*time.Millisecond, func() bool {
		return flagsOf(nodes[0], replica)&cluster.FlagFail == 0
	}) {
		t.Fatal("FAIL of a replica must clear as soon as it answers")
	}
	if v := replica.State.Myself(); v.PrimaryID != nodes[1].ID() {
		t.Fatalf("restarted replica lost its primary: %+v", v)
	}
}
