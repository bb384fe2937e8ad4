package bus

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

func TestSimFailureDetectionAndRecovery(t *testing.T) {
	const timeout = 2 * time.Second
	c := newSim(t, 2, 3, timeout)
	c.net.Persist = true
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	a, b, dead := nodes[0], nodes[1], nodes[2]

	dead.Kill()
	killed := c.net.Now()
	sawPFail := false
	ok := c.net.RunFor(timeout+5*time.Second, 50*time.Millisecond, func() bool {
		if flagsOf(a, dead)&cluster.FlagPFail != 0 || flagsOf(b, dead)&cluster.FlagPFail != 0 {
			sawPFail = true
		}
		return flagsOf(a, dead)&cluster.FlagFail != 0 && flagsOf(b, dead)&cluster.FlagFail != 0
	})
	if !ok || !sawPFail {
		t.Fatalf("FAIL not reached (pfail seen %v):\n%s\n%s", sawPFail, a.State.ClusterNodes(), b.State.ClusterNodes())
	}
	t.Logf("FAIL on both after %v", c.net.Now().Sub(killed))
	if a.State.OK() || b.State.OK() {
		t.Fatal("cluster_state must be fail with a third of the slots on a FAIL node")
	}
	in := a.State.Info()
	if in.NodesFail != 1 || in.VotingNodesFail != 1 || in.SlotsFail != dead.State.Myself().NumSlots {
		t.Fatalf("info after failure:\n%s", in)
	}
	if n, _ := a.State.CountFailureReports(string(dead.ID())); n > 1 {
		t.Fatalf("failure reports %d", n)
	}

	if err := dead.Restart(testConfig(timeout)); err != nil {
		t.Fatal(err)
	}
	restarted := c.net.Now()
	c.waitConverged(4*timeout+10*time.Second, true)
	t.Logf("cluster_state ok again %v after the restart", c.net.Now().Sub(restarted))
	if flagsOf(a, dead)&(cluster.FlagFail|cluster.FlagPFail) != 0 {
		t.Fatalf("flags still failing: %v", flagsOf(a, dead))
	}
}

func TestSimMinorityPartition(t *testing.T) {
	const timeout = 2 * time.Second
	c := newSim(t, 3, 3, timeout)
	c.create(3)
	c.waitConverged(20*time.Second, true)
	nodes := c.net.Nodes()
	lonely := nodes[2]
	c.net.Partition(1, lonely)
	ok := c.net.RunFor(3*timeout+5*time.Second, 100*time.Millisecond, func() bool {
		return !lonely.State.OK() && flagsOf(nodes[0], lonely)&cluster.FlagFail != 0
	})
	if !ok {
		t.Fatalf("minority side ok=%v; majority sees %v", lonely.State.OK(), flagsOf(nodes[0], lonely))
	}
	// The minority cannot reach a quorum: it sees the others PFAIL only.
	if f := flagsOf(lonely, nodes[0]); f&cluster.FlagPFail == 0 || f&cluster.FlagFail != 0 {
		t.Fatalf("minority view of a majority node: %v", f)
	}
	c.net.Heal()
	c.waitConverged(4*timeout+10*time.Second, true)
}

func TestSimMinorityPartitionWithoutFullCoverage(t *testing.T) {
	const timeout = 2 * time.Second
	nw := NewNetwork(4, simStart)
	nw.Codec = true
	for i := 0; i < 5; i++ {
		cfg := testConfig(timeout)
		cfg.RequireFullCoverage = false
		nw.Add("127.0.0.1", 7000+i, cfg)
	}
	c := &simCluster{t: t, net: nw}
	c.create(5)
	c.waitConverged(20*time.Second, true)
	nodes := nw.Nodes()
	nw.Partition(1, nodes[3], nodes[4])
	ok := nw.RunFor(3*timeout+5*time.Second, 100*time.Millisecond, func() bool {
		return !nodes[3].State.OK() && !nodes[4].State.OK() &&
			flagsOf(nodes[0], nodes[3])&cluster.FlagFail != 0 && flagsOf(nodes[0], nodes[4])&cluster.FlagFail != 0
	})
	if !ok {
		t.Fatalf("minority ok=%v,%v", nodes[3].State.OK(), nodes[4].State.OK())
	}
	for _, n := range nodes[:3] {
		if !n.State.OK() {
			t.Fatalf("majority node %s not ok without full coverage:\n%s", n.Name, n.State.Info())
		}
	}
	nw.Heal()
	c.waitConverged(4*timeout+10*time.Second, true)
}
