package loadgen

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// startRedisCluster starts n redis-server processes in cluster mode on
// free ports (bus ports chosen explicitly: port+10000 may not exist),
// joins them and gives each an equal share of the slots.
func startRedisCluster(t *testing.T, n int) (ports []int, m *slotMover) {
	bin := difftest.RequireBinary(t, "redis-server")
	m = &slotMover{t: t}
	var busPorts []int
	for i := 0; i < n; i++ {
		busPorts = append(busPorts, testutil.Port(t))
		rs := difftest.StartRedis(t, bin, "--cluster-enabled", "yes", "--cluster-node-timeout", "5000",
			"--cluster-port", strconv.Itoa(busPorts[i]))
		_, p, _ := net.SplitHostPort(rs.Addr)
		port, _ := strconv.Atoi(p)
		ports = append(ports, port)
		c := redis.NewClient(&redis.Options{Addr: rs.Addr, MaxRetries: -1})
		t.Cleanup(func() { c.Close() })
		m.clients = append(m.clients, c)
		id, err := c.Do(context.Background(), "CLUSTER", "MYID").Text()
		if err != nil {
			t.Fatal(err)
		}
		m.ids = append(m.ids, id)
	}
	for i := 1; i < n; i++ {
		m.do(0, "CLUSTER", "MEET", "127.0.0.1", ports[i], busPorts[i])
	}
	for i := 0; i < n; i++ {
		m.do(i, "CLUSTER", "ADDSLOTSRANGE", i*slot.Count/n, (i+1)*slot.Count/n-1)
	}
	// cluster_state:ok on each node, and the same slot map everywhere: a
	// load started while one node still answered with another's view ran
	// out of redirections.
	testutil.WaitFor(t, 30*time.Second, "redis cluster_state:ok and one slot map", func() bool {
		maps := map[string]bool{}
		for _, c := range m.clients {
			info, err := c.ClusterInfo(context.Background()).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") ||
				!strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(n)+"\r\n") {
				return false
			}
			slots, err := c.ClusterSlots(context.Background()).Result()
			if err != nil || len(slots) != n {
				return false
			}
			var b strings.Builder
			for _, s := range slots {
				fmt.Fprintf(&b, "%d-%d:%s:%s ", s.Start, s.End, s.Nodes[0].ID, s.Nodes[0].Addr)
			}
			maps[b.String()] = true
		}
		return len(maps) == 1
	})
	return ports, m
}

// TestAgainstRedisCluster: shoal-benchmark must work against real Redis
// in cluster mode too, including a slot moved mid-run.
func TestAgainstRedisCluster(t *testing.T) {
	ports, m := startRedisCluster(t, 3)
	cfg := loadConfig(ports[1]) // any node is a good seed
	cfg.Cluster = true
	checkLoad(t, runBench(t, cfg), cfg)
	for i, c := range m.clients {
		if n, err := c.DBSize(context.Background()).Result(); err != nil || n == 0 {
			t.Fatalf("node %d has %d keys (%v): the load was not spread by slot", i, n, err)
		}
	}
	owner := func(s int) int { return s * 3 / slot.Count }
	runWhileMovingSlot(t, ports[0], m, owner)
}
