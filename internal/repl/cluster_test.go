package repl_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

func runTool(t *testing.T, timeout time.Duration, bin string, args ...string) (string, error) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := exec.CommandContext(cctx, bin, args...).CombinedOutput()
	return string(out), err
}

// clusterRole returns "master" or "slave" and the primary id of node id as
// cl sees it in CLUSTER NODES.
func clusterRole(cl *redis.Client, id string) (role, primary string) {
	out, err := cl.ClusterNodes(ctx).Result()
	if err != nil {
		return "", ""
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && f[0] == id {
			if strings.Contains(f[2], "master") {
				return "master", ""
			}
			return "slave", f[3]
		}
	}
	return "", ""
}

func linkUp(cl *redis.Client) bool {
	s, err := cl.Info(ctx, "replication").Result()
	return err == nil && strings.Contains(s, "master_link_status:up")
}

// keyInRange returns a key whose slot lies in [lo, hi].
func keyInRange(prefix string, n, lo, hi int) string {
	for i := n; ; i++ {
		k := fmt.Sprintf("%s%d", prefix, i)
		if s := slot.Of([]byte(k)); s >= lo && s <= hi {
			return k
		}
	}
}

// redis-cli --cluster create with --cluster-replicas 1 on six Shoal nodes
// gives three primaries with a replica each, and --cluster check is clean.
func TestClusterCreateWithReplicas(t *testing.T) {
	cli := difftest.RequireBinary(t, "redis-cli")
	c := testutil.StartClusterNodes(t, 6)
	args := append(append([]string{"--cluster", "create"}, c.Addrs()...), "--cluster-replicas", "1", "--cluster-yes")
	out, err := runTool(t, 90*time.Second, cli, args...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("cluster create: %v\n%s", err, out)
	}
	c.WaitOK(30 * time.Second)
	replicas := 0
	testutil.WaitFor(t, 30*time.Second, "three replicas in sync", func() bool {
		replicas = 0
		for i := range c.Nodes {
			if linkUp(c.Client(i)) {
				replicas++
			}
		}
		return replicas == 3
	})
	out, err = runTool(t, 30*time.Second, cli, "--cluster", "check", c.Addr(0))
	if err != nil || !strings.Contains(out, "[OK] All nodes agree about slots configuration.") ||
		!strings.Contains(out, "[OK] All 16384 slots covered.") || strings.Contains(out, "[ERR]") ||
		strings.Count(out, "replica(s)") != 3 || strings.Contains(out, "0 additional replica(s)") {
		t.Fatalf("cluster check: %v\n%s", err, out)
	}
	testutil.WaitFor(t, 20*time.Second, "CLUSTER SLOTS lists a replica per range", func() bool {
		slots, err := c.Client(0).ClusterSlots(ctx).Result()
		if err != nil || len(slots) != 3 {
			return false
		}
		for _, r := range slots {
			if len(r.Nodes) != 2 {
				return false
			}
		}
		return true
	})
	if err := c.Client(0).Do(ctx, "REPLICAOF", "127.0.0.1", c.Nodes[1].Port()).Err(); err == nil ||
		err.Error() != "ERR REPLICAOF not allowed in cluster mode." {
		t.Errorf("REPLICAOF in cluster mode: %v", err)
	}
	// Writes reach the replicas, which answer READONLY reads.
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	defer cc.Close()
	for i := 0; i < 100; i++ {
		if err := cc.Set(ctx, fmt.Sprintf("k%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	ro := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ReadOnly: true})
	defer ro.Close()
	testutil.WaitFor(t, 10*time.Second, "replicas serve the writes", func() bool {
		for i := 0; i < 100; i++ {
			if ro.Get(ctx, fmt.Sprintf("k%d", i)).Val() != strconv.Itoa(i) {
				return false
			}
		}
		return true
	})
}

// buildServer compiles shoal-server for the tests that kill -9 a process.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shoal-server")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gobin, "build", "-o", bin, "github.com/shoal-db/shoal/cmd/shoal-server").CombinedOutput(); err != nil {
		t.Fatalf("go build shoal-server: %v\n%s", err, out)
	}
	return bin
}

// Under a write workload acknowledged with WAIT 1, kill -9 a primary: its
// replica is promoted within cluster-node-timeout + 2 s, and every write
// that WAIT acknowledged is there.
func TestClusterKill9PrimaryFailover(t *testing.T) {
	// The margin over the node timeout is the failure reports' gossip
	// (up to half the timeout) plus the election delay (0.5-1 s): a short
	// timeout keeps it under 2 s.
	const nodeTimeout = testutil.ClusterNodeTimeout
	bin := buildServer(t)
	c := testutil.StartClusterNodes(t, 3, "--cluster-node-timeout", strconv.Itoa(nodeTimeout))
	port, busPort := testutil.Port(t), testutil.Port(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--cluster-enabled", "yes",
		"--cluster-port", strconv.Itoa(busPort), "--cluster-node-timeout", strconv.Itoa(nodeTimeout), "--dir", dir)
	if os.Getenv("SHOAL_TEST_LOG") != "" {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited }) // the latest cmd and exited
	victim := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), MaxRetries: -1})
	defer victim.Close()
	testutil.WaitFor(t, 20*time.Second, "shoal-server process up", func() bool { return victim.Ping(ctx).Err() == nil })

	// Nodes 0 and 1 and the process are primaries; node 2 replicates the
	// process.
	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[1].Port(), c.Nodes[1].ClusterPort())
	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[2].Port(), c.Nodes[2].ClusterPort())
	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", port, busPort)
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 5460)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", 5461, 10922)
	if err := victim.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 10923, 16383).Err(); err != nil {
		t.Fatal(err)
	}
	victimID := victim.ClusterMyID(ctx).Val()
	testutil.WaitFor(t, 20*time.Second, "node 2 knows the process", func() bool {
		r, _ := clusterRole(c.Client(2), victimID)
		return r == "master"
	})
	c.Do(2, "CLUSTER", "REPLICATE", victimID)
	testutil.WaitFor(t, 30*time.Second, "replica in sync", func() bool { return linkUp(c.Client(2)) })
	stateOK := func(clients ...*redis.Client) func() bool {
		return func() bool {
			for _, cl := range clients {
				if in, err := cl.ClusterInfo(ctx).Result(); err != nil || !strings.Contains(in, "cluster_state:ok") {
					return false
				}
			}
			return true
		}
	}
	testutil.WaitFor(t, 30*time.Second, "cluster_state:ok", stateOK(c.Client(0), c.Client(1), c.Client(2), victim))

	var acked sync.Map // key -> value acknowledged with WAIT 1
	var nAcked atomic.Int64
	var dead atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cl := redis.NewClient(&redis.Options{Addr: victim.Options().Addr, MaxRetries: -1})
			defer cl.Close()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := keyInRange(fmt.Sprintf("w%d:", w), i*50, 10923, 16383)
				v := strconv.Itoa(i)
				pipe := cl.Pipeline()
				set := pipe.Set(ctx, k, v, 0)
				wait := pipe.Do(ctx, "WAIT", 1, 1000)
				if _, err := pipe.Exec(ctx); err != nil {
					if dead.Load() {
						return
					}
					continue // a transient error
				}
				if set.Err() == nil && wait.Val() == int64(1) {
					acked.Store(k, v)
					nAcked.Add(1)
				}
			}
		}(w)
	}
	testutil.WaitFor(t, 20*time.Second, "acknowledged writes", func() bool { return nAcked.Load() >= 300 })
	dead.Store(true)
	_ = cmd.Process.Kill()
	killed := time.Now()
	<-exited
	replicaID := c.NodeID(2)
	testutil.WaitFor(t, 30*time.Second, "replica promoted", func() bool {
		r, _ := clusterRole(c.Client(2), replicaID)
		return r == "master"
	})
	took := time.Since(killed)
	close(stop)
	wg.Wait()
	t.Logf("promoted %v after kill -9; %d writes acknowledged", took.Round(time.Millisecond), nAcked.Load())
	if limit := nodeTimeout*time.Millisecond + 2*time.Second; took > limit {
		t.Errorf("promotion took %v, more than cluster-node-timeout + 2s = %v", took, limit)
	}
	missing := 0
	acked.Range(func(k, v any) bool {
		if got := c.Client(2).Get(ctx, k.(string)).Val(); got != v {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged %s=%s, after failover %q", k, v, got)
			}
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d acknowledged writes lost", missing)
	}
	testutil.WaitFor(t, 30*time.Second, "cluster_state:ok after the failover", stateOK(c.Client(0), c.Client(1), c.Client(2)))

	// The old primary comes back (same nodes.conf, no data): it learns it
	// lost its slots, follows the new primary and resynchronizes.
	cmd = exec.Command(cmd.Path, cmd.Args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	testutil.WaitFor(t, 30*time.Second, "the old primary follows the new one", func() bool {
		r, p := clusterRole(c.Client(0), victimID)
		return r == "slave" && p == replicaID && linkUp(victim)
	})
	sample := 0
	acked.Range(func(k, v any) bool {
		if got := victim.Get(ctx, k.(string)).Err(); got == nil || !strings.HasPrefix(got.Error(), "MOVED") {
			t.Errorf("GET %s on the rejoined replica: %v, want MOVED", k, got)
		}
		sample++
		return sample < 3
	})
	rv := redis.NewClient(&redis.Options{Addr: victim.Options().Addr})
	defer rv.Close()
	rv.Do(ctx, "READONLY")
	acked.Range(func(k, v any) bool {
		if got := rv.Get(ctx, k.(string)).Val(); got != v {
			t.Errorf("rejoined replica: %s = %q, want %s", k, got, v)
			return false
		}
		return true
	})
}

// CLUSTER FAILOVER under a write load loses no acknowledged write, and the
// old primary follows the new one.
func TestClusterManualFailoverUnderLoad(t *testing.T) {
	c := testutil.StartClusterNodes(t, 4)
	for i := 1; i < 4; i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 5460)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", 5461, 10922)
	c.Do(2, "CLUSTER", "ADDSLOTSRANGE", 10923, 16383)
	id0 := c.NodeID(0)
	testutil.WaitFor(t, 20*time.Second, "node 3 knows node 0", func() bool {
		r, _ := clusterRole(c.Client(3), id0)
		return r == "master"
	})
	c.Do(3, "CLUSTER", "REPLICATE", id0)
	testutil.WaitFor(t, 30*time.Second, "replica in sync", func() bool { return linkUp(c.Client(3)) })
	c.WaitOK(30 * time.Second)

	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRedirects: 16})
	defer cc.Close()
	const keys = 200
	var okCount [keys]atomic.Int64
	var tried [keys]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i += 8 {
				select {
				case <-stop:
					return
				default:
				}
				k := i % keys
				tried[k].Add(1)
				if cc.Incr(ctx, fmt.Sprintf("ctr:%d", k)).Err() == nil {
					okCount[k].Add(1)
				}
			}
		}(w)
	}
	total := func() (n int64) {
		for i := range okCount {
			n += okCount[i].Load()
		}
		return n
	}
	testutil.WaitFor(t, 20*time.Second, "writes before the failover", func() bool { return total() > 2000 })
	if err := c.Client(3).Do(ctx, "CLUSTER", "FAILOVER").Err(); err != nil {
		t.Fatal(err)
	}
	id3 := c.NodeID(3)
	testutil.WaitFor(t, 20*time.Second, "manual failover done", func() bool {
		r3, _ := clusterRole(c.Client(3), id3)
		r0, p0 := clusterRole(c.Client(0), id0)
		return r3 == "master" && r0 == "slave" && p0 == id3
	})
	before := total()
	testutil.WaitFor(t, 20*time.Second, "writes after the failover", func() bool { return total() > before+2000 })
	close(stop)
	wg.Wait()
	testutil.WaitFor(t, 30*time.Second, "old primary in sync with the new one", func() bool { return linkUp(c.Client(0)) })
	for k := 0; k < keys; k++ {
		got, err := cc.Get(ctx, fmt.Sprintf("ctr:%d", k)).Int64()
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		if ok, max := okCount[k].Load(), tried[k].Load(); got < ok || got > max {
			t.Errorf("ctr:%d = %d, acknowledged %d, attempted %d", k, got, ok, max)
		}
	}
}
