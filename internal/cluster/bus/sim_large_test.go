package bus

import (
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// buildLarge creates n primaries sharing the slots, with distinct epochs,
// all meeting the first node, as `valkey-cli --cluster create` does.
func buildLarge(t testing.TB, seed uint64, n int) *simCluster {
	c := newSim(t, seed, n, 15*time.Second) // Valkey's default node timeout
	c.net.MinDelay, c.net.MaxDelay = 200*time.Microsecond, time.Millisecond
	c.create(n)
	return c
}

// gossipRate measures, over window, the bus bytes and messages each node
// sends per second (PING, PONG, MEET: the gossip traffic).
func gossipRate(c *simCluster, window time.Duration) (bytesPerNode, msgsPerNode float64) {
	c.net.ResetStats()
	c.net.Run(window)
	var bytes, msgs uint64
	nodes := c.net.Nodes()
	for _, n := range nodes {
		for _, tp := range []cluster.Type{cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet} {
			bytes += n.BytesSent[tp]
			msgs += n.MsgsSent[tp]
		}
	}
	sec := window.Seconds() * float64(len(nodes))
	return float64(bytes) / sec, float64(msgs) / sec
}

func TestSimLargeClusterConverges(t *testing.T) {
	n := 200
	if testing.Short() || raceEnabled {
		n = 50 // the race detector makes the 200-node run take minutes
	}
	c := buildLarge(t, 42, n)
	start := c.net.Now()
	c.waitConverged(60*time.Second, true)
	t.Logf("%d nodes: one slot map and cluster_state ok everywhere %v after the MEETs", n, c.net.Now().Sub(start))

	// Move a slot from node 0 to node 1 the legacy way.
	nodes := c.net.Nodes()
	src, dst := nodes[0], nodes[1]
	const sl = 7
	for _, step := range []struct {
		n *SimNode
		a cluster.SetSlotArgs
	}{
		{dst, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotImporting, Node: string(src.ID())}},
		{src, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotMigrating, Node: string(dst.ID())}},
		{dst, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotNode, Node: string(dst.ID())}},
		{src, cluster.SetSlotArgs{Slot: sl, Action: cluster.SetSlotNode, Node: string(dst.ID())}},
	} {
		c.must(step.n.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.SetSlot(now, step.a) }))
	}
	moved := c.net.Now()
	c.waitConverged(30*time.Second, true)
	for _, x := range nodes {
		if x.State.SlotOwner(sl) != dst.ID() {
			t.Fatalf("%s: slot %d owned by %s", x.Name, sl, x.State.SlotOwner(sl))
		}
	}
	t.Logf("slot move seen by all %d nodes after %v", n, c.net.Now().Sub(moved))

	bytes, msgs := gossipRate(c, 20*time.Second)
	t.Logf("steady state: %.0f gossip bytes/node/s, %.1f messages/node/s (%d nodes, node timeout 15s)", bytes, msgs, n)
}

// BenchmarkSimGossip200 reports the gossip traffic of a converged cluster
// of 200 primaries, per node and second of simulated time.
func BenchmarkSimGossip200(b *testing.B) {
	c := buildLarge(b, 42, 200)
	c.waitConverged(60*time.Second, true)
	b.ResetTimer()
	var bytes, msgs float64
	for i := 0; i < b.N; i++ {
		bb, mm := gossipRate(c, time.Second)
		bytes += bb
		msgs += mm
	}
	b.ReportMetric(bytes/float64(b.N), "gossip-bytes/node/s")
	b.ReportMetric(msgs/float64(b.N), "msgs/node/s")
}
