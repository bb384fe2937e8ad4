package bus

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// withReplicas builds 3 primaries and 3 replicas (node i+3 replicates i).
func withReplicas(t *testing.T, seed uint64, timeout time.Duration) *simCluster {
	c := newSim(t, seed, 6, timeout)
	c.net.Persist = true
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	for i := 3; i < 6; i++ {
		primary := nodes[i-3]
		nodes[i].State.SetReplOffset(100)
		primary.State.SetReplOffset(100)
		c.must(nodes[i].Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
			return s.Replicate(now, string(primary.ID()), true)
		}))
	}
	if !c.net.RunFor(20*time.Second, 100*time.Millisecond, func() bool {
		for _, n := range nodes {
			for i := 3; i < 6; i++ {
				if v, ok := n.State.Node(nodes[i].ID()); !ok || v.PrimaryID != nodes[i-3].ID() {
					return false
				}
			}
		}
		return c.converged(true)
	}) {
		t.Fatal("replicas not set up")
	}
	return c
}

func ownerEverywhere(c *simCluster, sl int, want cluster.ID) bool {
	for _, n := range c.net.Nodes() {
		if n.Alive && n.State.SlotOwner(sl) != want {
			return false
		}
	}
	return true
}

// A primary dies: its replica wins an election, takes the slots with a
// new epoch, and the cluster is ok again; the old primary comes back as a
// replica of the new one.
func TestSimAutomaticFailover(t *testing.T) {
	const timeout = 2 * time.Second
	c := withReplicas(t, 21, timeout)
	nodes := c.net.Nodes()
	oldPrimary, replica := nodes[0], nodes[3]
	oldPrimary.Kill()
	killed := c.net.Now()
	if !c.net.RunFor(4*timeout+10*time.Second, 100*time.Millisecond, func() bool {
		return ownerEverywhere(c, 0, replica.ID()) && c.converged(true)
	}) {
		for _, n := range nodes {
			t.Logf("%s\n%s", n.Name, n.State.ClusterNodes())
		}
		t.Fatal("no failover")
	}
	t.Logf("replica promoted and cluster ok %v after the kill", c.net.Now().Sub(killed))
	if e := replica.State.Myself().ConfigEpoch; e <= 3 {
		t.Fatalf("promoted with epoch %d", e)
	}
	promoted := false
	for _, e := range replica.Events {
		if e.Kind == cluster.EventPromoted && e.Node == oldPrimary.ID() {
			promoted = true
		}
	}
	if !promoted {
		t.Fatal("no promotion event")
	}
	votes := 0
	for _, n := range nodes[1:3] {
		for _, e := range n.Events {
			if e.Kind == cluster.EventVoted && e.Node == replica.ID() {
				votes++
			}
		}
	}
	if votes != 2 {
		t.Fatalf("%d votes", votes)
	}

	if err := oldPrimary.Restart(testConfig(timeout)); err != nil {
		t.Fatal(err)
	}
	if !c.net.RunFor(4*timeout+10*time.Second, 100*time.Millisecond, func() bool {
		v := oldPrimary.State.Myself()
		return v.PrimaryID == replica.ID() && v.Flags&cluster.FlagReplica != 0 && c.converged(true)
	}) {
		t.Fatalf("old primary did not rejoin as a replica:\n%s", oldPrimary.State.ClusterNodes())
	}
}

// CLUSTER FAILOVER with the primary up: MFSTART, the primary pauses and
// announces its offset, the replica catches up and is voted in with
// FORCEACK; TAKEOVER needs no vote at all.
func TestSimManualFailover(t *testing.T) {
	c := withReplicas(t, 22, 2*time.Second)
	nodes := c.net.Nodes()
	primary, replica := nodes[1], nodes[4]
	err := primary.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Failover(now, cluster.FailoverDefault)
	})
	if ce, ok := err.(*cluster.Error); !ok || ce.Code != cluster.ErrFailoverPrimary {
		t.Fatalf("FAILOVER on a primary: %v", err)
	}
	c.must(replica.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Failover(now, cluster.FailoverDefault)
	}))
	if !c.net.RunFor(10*time.Second, 50*time.Millisecond, func() bool {
		return ownerEverywhere(c, 6000, replica.ID()) && primary.State.Myself().PrimaryID == replica.ID()
	}) {
		t.Fatalf("manual failover did not complete:\n%s", replica.State.ClusterNodes())
	}
	paused, resumed := false, false
	for _, e := range primary.Events {
		paused = paused || e.Kind == cluster.EventMFStart
		resumed = resumed || e.Kind == cluster.EventMFEnd
	}
	if !paused || !resumed {
		t.Fatalf("primary pause/resume events: %v %v", paused, resumed)
	}

	// TAKEOVER from the third shard's replica.
	p3, r3 := nodes[2], nodes[5]
	c.must(r3.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Failover(now, cluster.FailoverTakeover)
	}))
	if r3.State.SlotOwner(16000) != r3.ID() {
		t.Fatal("takeover must claim the slots at once")
	}
	if !c.net.RunFor(10*time.Second, 50*time.Millisecond, func() bool {
		return ownerEverywhere(c, 16000, r3.ID()) && p3.State.Myself().PrimaryID == r3.ID() && c.converged(true)
	}) {
		t.Fatalf("takeover did not spread:\n%s", p3.State.ClusterNodes())
	}
}
