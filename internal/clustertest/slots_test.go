package clustertest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// A node that loses a slot to a claim with a greater config epoch deletes
// the keys it still holds there, in every database (delKeysInSlot).
func TestLostSlotKeysDeleted(t *testing.T) {
	c := testutil.StartCluster(t, 2, "--cluster-databases", "2")
	ctx := context.Background()
	key, s := keyOwnedBy(c, 0, "lost")
	keep, _ := keyOwnedBy(c, 0, "kept")
	if keep == key {
		t.Fatal("need two keys")
	}
	cl := c.Client(0)
	for _, k := range []string{key, "{" + key + "}b", keep} {
		if err := cl.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	r := dialRaw(t, c.Addr(0))
	r.expect("+OK\r\n", "SELECT", "1")
	r.expect("+OK\r\n", "SET", key, "db1")

	// Node 1 takes the slot without a migration and wins it with a new epoch.
	c.Do(1, "CLUSTER", "SETSLOT", strconv.Itoa(s), "NODE", c.NodeID(1))
	c.Do(1, "CLUSTER", "BUMPEPOCH")
	testutil.WaitFor(t, 10*time.Second, "node 0 drops the slot's keys", func() bool {
		n, err := cl.ClusterCountKeysInSlot(ctx, s).Result()
		return err == nil && n == 0
	})
	r.expect(":0\r\n", "CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(s))
	r.expect("-MOVED "+strconv.Itoa(s)+" "+c.Addr(1)+"\r\n", "GET", key)
	if v, err := cl.Get(ctx, keep).Result(); err != nil || v != "v" {
		t.Fatalf("key of another slot: %q %v", v, err)
	}
}

// nodes.conf follows every change, through atomic rewrites, and CLUSTER
// SAVECONFIG writes it on demand.
func TestNodesConfRewritten(t *testing.T) {
	c := testutil.StartClusterNodes(t, 1)
	path := filepath.Join(c.Dirs[0], "nodes.conf")
	id := c.NodeID(0)
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if conf := read(); !strings.Contains(conf, id+" ") || !strings.Contains(conf, "myself,master") ||
		!strings.Contains(conf, "vars currentEpoch 0 lastVoteEpoch 0") {
		t.Fatalf("fresh nodes.conf:\n%s", conf)
	}
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 99)
	c.Do(0, "CLUSTER", "SET-CONFIG-EPOCH", 7)
	conf := read()
	if !strings.Contains(conf, " 0-99\n") || !strings.Contains(conf, "vars currentEpoch 7 ") {
		t.Fatalf("nodes.conf after ADDSLOTSRANGE and SET-CONFIG-EPOCH:\n%s", conf)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got := c.Do(0, "CLUSTER", "SAVECONFIG"); got != "OK" {
		t.Fatalf("SAVECONFIG = %v", got)
	}
	if read() != conf {
		t.Fatalf("SAVECONFIG wrote a different configuration")
	}
	entries, _ := os.ReadDir(c.Dirs[0])
	for _, e := range entries {
		// nodes.conf.tmp is the spare the saves write over (cluster_persist.go).
		if e.Name() != "nodes.conf" && e.Name() != "nodes.conf.tmp" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// Restarted, the node is the same node with the same slots.
	c.Kill(0)
	c.Restart(0)
	if got := c.NodeID(0); got != id {
		t.Fatalf("id after restart %s, want %s", got, id)
	}
	nodes := c.Do(0, "CLUSTER", "NODES").(string)
	if !strings.Contains(nodes, " 7 connected 0-99") {
		t.Fatalf("CLUSTER NODES after restart: %s", nodes)
	}
}

// CONFIG SET of an announced setting reaches the state machine, and the
// INFO cluster section says cluster_enabled:1.
func TestClusterConfigAndInfo(t *testing.T) {
	c := testutil.StartClusterNodes(t, 1)
	c.Do(0, "CONFIG", "SET", "cluster-announce-hostname", "shoal-0.example")
	nodes := c.Do(0, "CLUSTER", "NODES").(string)
	if !strings.Contains(nodes, ",shoal-0.example myself,master") {
		t.Fatalf("hostname not announced: %s", nodes)
	}
	c.Do(0, "CONFIG", "SET", "cluster-announce-ip", "10.1.2.3", "cluster-announce-port", "6000",
		"cluster-announce-bus-port", "16000")
	nodes = c.Do(0, "CLUSTER", "NODES").(string)
	if !strings.Contains(nodes, " 10.1.2.3:6000@16000,shoal-0.example myself,master") {
		t.Fatalf("announced address not applied: %s", nodes)
	}
	info := c.Do(0, "INFO", "cluster").(string)
	if !strings.Contains(info, "cluster_enabled:1") {
		t.Fatalf("INFO cluster: %s", info)
	}
	help := c.Do(0, "CLUSTER", "HELP").([]any)
	if len(help) < 10 || !strings.HasPrefix(help[0].(string), "CLUSTER <subcommand>") {
		t.Fatalf("CLUSTER HELP: %v", help)
	}
}

// With cluster-require-full-coverage no, a node serves its slots while
// others are unassigned; those answer "Hash slot not served".
func TestPartialCoverage(t *testing.T) {
	c := testutil.StartClusterNodes(t, 1, "--cluster-require-full-coverage", "no")
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 8000)
	c.WaitOK(20 * time.Second)
	r := dialRaw(t, c.Addr(0))
	served, unserved := "", ""
	for i := 0; served == "" || unserved == ""; i++ {
		k := "k" + strconv.Itoa(i)
		if slotOf(k) <= 8000 {
			served = k
		} else {
			unserved = k
		}
	}
	r.expect("+OK\r\n", "SET", served, "v")
	r.expect("-CLUSTERDOWN Hash slot not served\r\n", "SET", unserved, "v")
}
