package testutil

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/server"
)

// ClusterNodeTimeout is the cluster-node-timeout (ms) StartCluster uses
// unless the directives set another: short, so failure detection tests
// finish quickly, long enough for a loaded CI machine.
const ClusterNodeTimeout = 1000

// Cluster is a set of in-process cluster nodes on 127.0.0.1, each with
// its own directory (nodes.conf lives there). Nodes can be killed and
// restarted on the same ports with the same nodes.conf.
type Cluster struct {
	t          testing.TB
	Nodes      []*server.Server
	Dirs       []string
	directives []string
	clients    []*redis.Client
}

// StartCluster starts n primaries, joins them with CLUSTER MEET, assigns
// the 16384 slots in n equal ranges (CLUSTER ADDSLOTSRANGE) and waits for
// cluster_state:ok on every node.
func StartCluster(t testing.TB, n int, directives ...string) *Cluster {
	t.Helper()
	c := StartClusterNodes(t, n, directives...)
	c.Join()
	c.WaitOK(30 * time.Second)
	return c
}

// StartClusterNodes starts n cluster-enabled nodes that know only
// themselves.
func StartClusterNodes(t testing.TB, n int, directives ...string) *Cluster {
	t.Helper()
	c := &Cluster{t: t, directives: append([]string{"--cluster-enabled", "yes",
		"--cluster-node-timeout", strconv.Itoa(ClusterNodeTimeout)}, directives...)}
	for i := 0; i < n; i++ {
		dir := t.TempDir()
		c.Dirs = append(c.Dirs, dir)
		c.Nodes = append(c.Nodes, StartServer(t, append(c.directives, "--dir", dir)...))
		c.clients = append(c.clients, nil)
	}
	t.Cleanup(c.closeClients)
	return c
}

// Addr is node i's client address.
func (c *Cluster) Addr(i int) string { return c.Nodes[i].Addr() }

// Addrs are every node's client address.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i := range c.Nodes {
		out[i] = c.Addr(i)
	}
	return out
}

// Client is a plain (not cluster-aware) client of node i.
func (c *Cluster) Client(i int) *redis.Client {
	if c.clients[i] == nil {
		c.clients[i] = redis.NewClient(&redis.Options{Addr: c.Addr(i), MaxRetries: -1})
	}
	return c.clients[i]
}

func (c *Cluster) closeClients() {
	for i, cl := range c.clients {
		if cl != nil {
			cl.Close()
			c.clients[i] = nil
		}
	}
}

// Do runs a command on node i and fails the test on error.
func (c *Cluster) Do(i int, args ...any) any {
	c.t.Helper()
	v, err := c.Client(i).Do(context.Background(), args...).Result()
	if err != nil {
		c.t.Fatalf("node %d: %v: %v", i, args, err)
	}
	return v
}

// Join makes node 0 meet every other node and gives each node an equal
// share of the slots.
func (c *Cluster) Join() {
	c.t.Helper()
	// Distinct config epochs before the nodes meet, as redis-cli --cluster
	// create does: epochs that collide are resolved asynchronously, and a
	// test that moves slots meanwhile would race that resolution.
	for i := range c.Nodes {
		c.Do(i, "CLUSTER", "SET-CONFIG-EPOCH", i+1)
	}
	for i := 1; i < len(c.Nodes); i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	per := 16384 / len(c.Nodes)
	for i := range c.Nodes {
		start, end := i*per, (i+1)*per-1
		if i == len(c.Nodes)-1 {
			end = 16383
		}
		c.Do(i, "CLUSTER", "ADDSLOTSRANGE", start, end)
	}
}

// Info returns CLUSTER INFO of node i as a map.
func (c *Cluster) Info(i int) (map[string]string, error) {
	s, err := c.Client(i).ClusterInfo(context.Background()).Result()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out, nil
}

// StateOK reports whether node i says cluster_state:ok and knows every node.
func (c *Cluster) StateOK(i int) bool {
	in, err := c.Info(i)
	return err == nil && in["cluster_state"] == "ok" && in["cluster_known_nodes"] == strconv.Itoa(len(c.Nodes))
}

// WaitOK waits until every live node reports cluster_state:ok.
func (c *Cluster) WaitOK(timeout time.Duration) {
	c.t.Helper()
	WaitFor(c.t, timeout, "cluster_state:ok on every node", func() bool {
		for i, n := range c.Nodes {
			if n != nil && !c.StateOK(i) {
				return false
			}
		}
		return true
	})
}

// Kill closes node i abruptly (its listeners and bus links go away as if
// the process died); Restart brings it back.
func (c *Cluster) Kill(i int) {
	if cl := c.clients[i]; cl != nil {
		cl.Close()
		c.clients[i] = nil
	}
	_ = c.Nodes[i].Kill()
}

// Restart starts node i again on the same client and bus ports, with the
// same directory, so it reloads its nodes.conf.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	old := c.Nodes[i]
	args := append(append([]string(nil), c.directives...), "--dir", c.Dirs[i],
		"--port", strconv.Itoa(old.Port()), "--cluster-port", strconv.Itoa(old.ClusterPort()))
	c.Nodes[i] = StartServer(c.t, args...)
}

// NodeID returns node i's id (CLUSTER MYID).
func (c *Cluster) NodeID(i int) string {
	c.t.Helper()
	return fmt.Sprint(c.Do(i, "CLUSTER", "MYID"))
}
