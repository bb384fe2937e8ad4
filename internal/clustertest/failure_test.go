package clustertest

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// nodeFlags returns the flags node id has in CLUSTER NODES as seen by cl.
func nodeFlags(cl *redis.Client, id string) string {
	out, err := cl.ClusterNodes(context.Background()).Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == id {
			return f[2]
		}
	}
	return ""
}

func hasFlag(flags, f string) bool {
	for _, x := range strings.Split(flags, ",") {
		if x == f {
			return true
		}
	}
	return false
}

// watchFailure waits until every observer marks id FAIL, and reports
// whether PFAIL ("fail?") was seen first and how long FAIL took.
func watchFailure(t *testing.T, observers []*redis.Client, id string, limit time.Duration) {
	t.Helper()
	start := time.Now()
	sawPFail := false
	testutil.WaitFor(t, limit, "node "+id[:8]+" marked fail by every other node", func() bool {
		all := true
		for _, cl := range observers {
			flags := nodeFlags(cl, id)
			sawPFail = sawPFail || hasFlag(flags, "fail?")
			all = all && hasFlag(flags, "fail")
		}
		return all
	})
	t.Logf("FAIL after %v (PFAIL seen first: %v)", time.Since(start).Round(time.Millisecond), sawPFail)
	if !sawPFail {
		// PFAIL lasts at least until failure reports reach a quorum, many
		// polling periods; missing it means FAIL came without PFAIL.
		t.Errorf("never saw the fail? (PFAIL) flag before fail")
	}
	for i, cl := range observers {
		in, _ := cl.ClusterInfo(context.Background()).Result()
		if !strings.Contains(in, "cluster_state:fail") || !strings.Contains(in, "cluster_nodes_fail:1") {
			t.Errorf("observer %d: cluster info after FAIL:\n%s", i, in)
		}
	}
}

// failLimit is the node timeout plus a few seconds of gossip.
const failLimit = testutil.ClusterNodeTimeout*time.Millisecond + 5*time.Second

// An in-process node closed abruptly is marked PFAIL then FAIL; restarted
// on its ports it reloads nodes.conf (same id, same slots) and the
// cluster is ok again.
func TestNodeFailureAndRestart(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	id := c.NodeID(2)
	k, _ := keyOwnedBy(c, 2, "survivor")
	c.Do(2, "SET", k, "v")
	c.Kill(2)
	watchFailure(t, []*redis.Client{c.Client(0), c.Client(1)}, id, failLimit)

	c.Restart(2)
	if got := c.NodeID(2); got != id {
		t.Fatalf("restarted node has id %s, want %s from nodes.conf", got, id)
	}
	c.WaitOK(30 * time.Second)
	for i := 0; i < 2; i++ {
		if flags := nodeFlags(c.Client(i), id); hasFlag(flags, "fail") || hasFlag(flags, "fail?") {
			t.Errorf("node %d still flags the restarted node %q", i, flags)
		}
	}
	// Data is not persisted (no RDB/AOF yet), but the slots are served again.
	if err := c.Client(2).Set(context.Background(), k, "again", 0).Err(); err != nil {
		t.Fatal(err)
	}
}

// A shoal-server process killed with SIGKILL is detected as failing by
// the in-process nodes; started again with the same arguments it reloads
// nodes.conf and the cluster returns to ok.
func TestKill9Process(t *testing.T) {
	bin := buildServer(t)
	c := testutil.StartClusterNodes(t, 2)
	port, busPort := testutil.Port(t), testutil.Port(t)
	dir := t.TempDir()
	args := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--cluster-enabled", "yes",
		"--cluster-port", strconv.Itoa(busPort), "--cluster-node-timeout", strconv.Itoa(testutil.ClusterNodeTimeout),
		"--dir", dir, "--logfile", filepath.Join(dir, "shoal.log")}
	p := startProc(t, bin, args...)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	third := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer third.Close()
	ctx := context.Background()
	testutil.WaitFor(t, 20*time.Second, "shoal-server process up", func() bool { return third.Ping(ctx).Err() == nil })

	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[1].Port(), c.Nodes[1].ClusterPort())
	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", port, busPort)
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 5460)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", 5461, 10922)
	if err := third.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 10923, 16383).Err(); err != nil {
		t.Fatal(err)
	}
	allOK := func() bool {
		for _, cl := range []*redis.Client{c.Client(0), c.Client(1), third} {
			in, err := cl.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(in, "cluster_state:ok") || !strings.Contains(in, "cluster_known_nodes:3") {
				return false
			}
		}
		return true
	}
	testutil.WaitFor(t, 30*time.Second, "3-node cluster ok", allOK)
	id, err := third.ClusterMyID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}

	p.kill()
	watchFailure(t, []*redis.Client{c.Client(0), c.Client(1)}, id, failLimit)
	conf, err := os.ReadFile(filepath.Join(dir, "nodes.conf"))
	if err != nil || !strings.Contains(string(conf), id+" 127.0.0.1:"+strconv.Itoa(port)) {
		t.Fatalf("nodes.conf after kill -9: %v\n%s", err, conf)
	}

	startProc(t, bin, args...)
	testutil.WaitFor(t, 30*time.Second, "cluster ok after the restart", allOK)
	if got, _ := third.ClusterMyID(ctx).Result(); got != id {
		t.Fatalf("restarted process has id %s, want %s", got, id)
	}
}
