package legacytest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// Legacy migration on shards with replicas. Since Valkey 8 a primary
// replicates CLUSTER SETSLOT to its replicas before applying it, so a
// replica promoted in the middle of a migration carries on with the
// slot's MIGRATING/IMPORTING state and redis-cli --cluster fix can close
// it without losing a key.

// replicated is a cluster of primaries, each with one replica: node i <
// primaries owns an equal share of the slots, node primaries+i
// replicates it. It is built through plain clients, so that the same code
// sets up a Shoal or a redis-server cluster.
type replicated struct {
	t         *testing.T
	addrs     []string
	clients   []*redis.Client
	ids       []string
	primaries int
}

// buildReplicated joins the nodes at addrs (bus ports bus) into that
// topology, primary i owning the slots up to ends[i] (from the previous
// primary's end), and waits until every node sees it and every replica is
// in sync.
func buildReplicated(t *testing.T, addrs []string, bus []int, ends ...int) *replicated {
	t.Helper()
	primaries := len(ends)
	r := &replicated{t: t, addrs: addrs, primaries: primaries}
	for _, a := range addrs {
		cl := redis.NewClient(&redis.Options{Addr: a, MaxRetries: -1})
		t.Cleanup(func() { cl.Close() })
		r.clients = append(r.clients, cl)
	}
	for i := range addrs {
		r.do(i, "CLUSTER", "SET-CONFIG-EPOCH", i+1)
		r.ids = append(r.ids, r.do(i, "CLUSTER", "MYID").(string))
	}
	for i := 1; i < len(addrs); i++ {
		host, port, _ := strings.Cut(addrs[i], ":")
		r.do(0, "CLUSTER", "MEET", host, port, bus[i])
	}
	start := 0
	for i, end := range ends {
		r.do(i, "CLUSTER", "ADDSLOTSRANGE", start, end)
		start = end + 1
	}
	testutil.WaitFor(t, 30*time.Second, "every node knows every node", func() bool {
		for i := range addrs {
			if r.roleOf(i, r.ids[len(addrs)-1]) == "" || r.roleOf(len(addrs)-1, r.ids[i]) == "" {
				return false
			}
		}
		return true
	})
	for i := primaries; i < len(addrs); i++ {
		r.do(i, "CLUSTER", "REPLICATE", r.ids[i-primaries])
	}
	r.waitTopology(func(i int) string {
		if i < primaries {
			return "master"
		}
		return "slave " + r.ids[i-primaries]
	})
	return r
}

func (r *replicated) do(i int, args ...any) any {
	r.t.Helper()
	v, err := r.clients[i].Do(context.Background(), args...).Result()
	if err != nil {
		r.t.Fatalf("node %d: %v: %v", i, args, err)
	}
	return v
}

// roleOf is "master", "slave <primary-id>" or "" (unknown) for node id as
// node i sees it.
func (r *replicated) roleOf(i int, id string) string {
	out, err := r.clients[i].ClusterNodes(context.Background()).Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || f[0] != id || strings.Contains(f[2], "handshake") || strings.Contains(f[2], "noaddr") {
			continue
		}
		if strings.Contains(f[2], "master") {
			return "master"
		}
		return "slave " + f[3]
	}
	return ""
}

// waitTopology waits until every node sees node j with role want(j), every
// node says cluster_state:ok and every replica's link is up.
func (r *replicated) waitTopology(want func(j int) string) {
	r.t.Helper()
	testutil.WaitFor(r.t, 60*time.Second, "the replicated topology everywhere", func() bool {
		for i := range r.addrs {
			for j := range r.addrs {
				if r.roleOf(i, r.ids[j]) != want(j) {
					return false
				}
			}
			in, err := r.clients[i].ClusterInfo(context.Background()).Result()
			if err != nil || !strings.Contains(in, "cluster_state:ok") {
				return false
			}
			if strings.HasPrefix(want(i), "slave") {
				s, err := r.clients[i].Info(context.Background(), "replication").Result()
				if err != nil || !strings.Contains(s, "master_link_status:up") {
					return false
				}
			}
		}
		return true
	})
}

// myself is node i's own CLUSTER NODES line.
func (r *replicated) myself(i int) string {
	r.t.Helper()
	for _, line := range strings.Split(r.do(i, "CLUSTER", "NODES").(string), "\n") {
		if strings.Contains(line, "myself") {
			return line
		}
	}
	r.t.Fatalf("node %d: no myself line", i)
	return ""
}

// waitReplicasEqual waits until each replica holds as many keys as its
// primary (roles given by primaryOf) and no node shows an open slot.
func (r *replicated) waitReplicasEqual(primaryOf map[int]int) {
	r.t.Helper()
	ctx := context.Background()
	testutil.WaitFor(r.t, 30*time.Second, "replicas equal to their primaries, no open slot", func() bool {
		for rep, p := range primaryOf {
			a, err1 := r.clients[rep].DBSize(ctx).Result()
			b, err2 := r.clients[p].DBSize(ctx).Result()
			if err1 != nil || err2 != nil || a != b {
				return false
			}
		}
		for i := range r.addrs {
			if strings.Contains(r.myself(i), "[") {
				return false
			}
		}
		return true
	})
}

func shoalBusPorts(c *testutil.Cluster) []int {
	out := make([]int, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.ClusterPort()
	}
	return out
}

// The reshard tool is killed in the middle of a slot of a shard with a
// replica; the source's replica, which received every SETSLOT before its
// primary applied it, is failed over to: it carries the MIGRATING marker,
// the target follows the new source, redis-cli --cluster fix closes the
// slot, and with a workload running throughout no key is lost or
// duplicated and every replica ends equal to its primary.
func TestReshardFailoverMidSlotThenFix(t *testing.T) {
	c := testutil.StartClusterNodes(t, 4)
	r := buildReplicated(t, c.Addrs(), shoalBusPorts(c), 8191, 16383)
	id0, id1, id2 := r.ids[0], r.ids[1], r.ids[2]
	cl := newGoRedis(t, c.Addrs())
	static := preloadSlots(t, cl, "s")
	bulk := fillSlot(t, c, 0, 6000)
	w := startWorkload(t, goRedisOps{cl}, "fo", 4)
	w.waitOps(t, 200)

	cli := difftest.RequireBinary(t, "redis-cli")
	cmd := exec.Command(cli, "--cluster", "reshard", c.Addr(0), "--cluster-from", id0,
		"--cluster-to", id1, "--cluster-slots", "10", "--cluster-yes", "--cluster-pipeline", "1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	testutil.WaitFor(t, 60*time.Second, "the reshard half-way through slot 0", func() bool {
		n, err := c.Client(1).ClusterCountKeysInSlot(ctx, 0).Result()
		return err == nil && n >= 1000
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// Both replicas hold their primary's view of the open slot.
	if l := r.myself(2); !strings.HasSuffix(l, " [0->-"+id1+"]") {
		t.Fatalf("the source's replica: %s\n%s", l, tail(out.String(), 2000))
	}
	if l := r.myself(3); !strings.HasSuffix(l, " [0-<-"+id0+"]") {
		t.Fatalf("the target's replica: %s", l)
	}

	r.do(2, "CLUSTER", "FAILOVER")
	r.waitTopology(func(j int) string {
		switch j {
		case 0:
			return "slave " + id2
		case 3:
			return "slave " + id1
		}
		return "master"
	})
	if l := r.myself(2); !strings.HasSuffix(l, " [0->-"+id1+"]") {
		t.Fatalf("the promoted replica lost the migrating marker: %s", l)
	}
	testutil.WaitFor(t, 20*time.Second, "the target imports from the new source", func() bool {
		return strings.HasSuffix(r.myself(1), " [0-<-"+id2+"]")
	})
	check, _ := runCLI(t, "--cluster", "check", c.Addr(2))
	if !strings.Contains(check, "open slot") && !strings.Contains(check, "migrating") {
		t.Fatalf("check does not report the open slot:\n%s", check)
	}
	fix := mustCLI(t, "--cluster", "fix", c.Addr(2), "--cluster-yes")
	if !strings.Contains(fix, "Fixing open slot 0") {
		t.Fatalf("fix did not fix slot 0:\n%s", tail(fix, 3000))
	}
	w.waitOps(t, 200)
	ledger := w.stop(t)
	waitClean(t, c.Addr(1))
	verifyKeys(t, c, []int{2, 1}, merge(static, ledger, bulk))
	r.waitReplicasEqual(map[int]int{0: 2, 3: 1})
	t.Logf("error replies sent: %v", redirects(t, c, []int{0, 1, 2, 3}))
}

// replicaRun is what one implementation did in the scenario of
// TestReshardRebalanceWithReplicasMatchesRedis.
type replicaRun struct {
	afterReshard, afterDrain []int // slots per primary
	keys                     []int64
	setSlotOnReplica         string
}

// redis-cli --cluster reshard, then a scale-in rebalance (--cluster-weight
// <id>=0), on two primaries with a replica each end the same on Shoal as
// on redis-server 7.0: the same slot counts, the drained primary and its
// replica following the remaining primary, every key there and on every
// replica, no open slot left on any node (Shoal's replicas, which receive
// the SETSLOTs, included), and the same refusal of SETSLOT sent to a
// replica. The drained shard's last SETSLOT NODE is where a primary
// replicating SETSLOT meets its own demotion: redis-cli 7.0 aborts on any
// error there but "Please use SETSLOT only with masters.".
func TestReshardRebalanceWithReplicasMatchesRedis(t *testing.T) {
	bin := difftest.RequireBinary(t, "redis-server")
	difftest.RequireBinary(t, "redis-cli")
	var addrs []string
	var bus []int
	for i := 0; i < 4; i++ {
		rs := difftest.StartRedis(t, bin, "--cluster-enabled", "yes", "--cluster-node-timeout", "1000",
			"--repl-diskless-sync-delay", "0")
		_, port, _ := strings.Cut(rs.Addr, ":")
		p, _ := strconv.Atoi(port)
		addrs, bus = append(addrs, rs.Addr), append(bus, p+10000)
	}
	want := runReplicaScenario(t, "redis", addrs, bus)
	c := testutil.StartClusterNodes(t, 4)
	got := runReplicaScenario(t, "shoal", c.Addrs(), shoalBusPorts(c))
	if g, w := strings.Join(fmtInts(got.afterReshard), " "), strings.Join(fmtInts(want.afterReshard), " "); g != w {
		t.Errorf("slots after reshard: shoal %s, redis %s", g, w)
	}
	if g, w := fmt.Sprint(got.afterDrain), fmt.Sprint(want.afterDrain); g != w {
		t.Errorf("slots after draining primary 0: shoal %s, redis %s", g, w)
	}
	if fmt.Sprint(got.keys) != fmt.Sprint(want.keys) {
		t.Errorf("keys per node: shoal %v, redis %v", got.keys, want.keys)
	}
	if got.setSlotOnReplica != want.setSlotOnReplica {
		t.Errorf("SETSLOT on a replica: shoal %q, redis %q", got.setSlotOnReplica, want.setSlotOnReplica)
	}
}

func runReplicaScenario(t *testing.T, name string, addrs []string, bus []int) replicaRun {
	t.Helper()
	// Primary 0 starts with 600 slots: the scale-in moves few.
	r := buildReplicated(t, addrs, bus, 599, 16383)
	ctx := context.Background()
	cl := newGoRedis(t, addrs[:2])
	keys := map[string]string{}
	pipe := cl.Pipeline()
	for i := 0; i < 3000; i++ {
		k := "k:" + strconv.Itoa(i)
		keys[k] = strconv.Itoa(i * 7)
		pipe.Set(ctx, k, keys[k], 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("%s: preload: %v", name, err)
	}
	var run replicaRun
	mustCLI(t, "--cluster", "reshard", addrs[0], "--cluster-from", r.ids[0], "--cluster-to", r.ids[1],
		"--cluster-slots", "300", "--cluster-yes")
	waitClean(t, addrs[2])
	run.afterReshard = r.slotsOfPrimaries()
	r.waitReplicasEqual(map[int]int{2: 0, 3: 1})
	// Scale in: primary 0 gives all its slots away; it and its replica
	// then follow primary 1 (cluster-allow-replica-migration).
	mustCLI(t, "--cluster", "rebalance", addrs[1], "--cluster-weight", r.ids[0]+"=0")
	r.waitTopology(func(j int) string {
		if j == 1 {
			return "master"
		}
		return "slave " + r.ids[1]
	})
	waitClean(t, addrs[1])
	run.afterDrain = r.slotsOfPrimaries()
	r.waitReplicasEqual(map[int]int{0: 1, 2: 1, 3: 1})
	for i := range addrs {
		run.keys = append(run.keys, r.clients[i].DBSize(ctx).Val())
	}
	for k, v := range keys {
		if got, err := cl.Get(ctx, k).Result(); err != nil || got != v {
			t.Fatalf("%s: GET %s = %q, %v; want %q", name, k, got, err, v)
		}
	}
	if err := r.clients[2].Do(ctx, "CLUSTER", "SETSLOT", 0, "STABLE").Err(); err != nil {
		run.setSlotOnReplica = err.Error()
	}
	t.Logf("%s: slots %v after reshard, %v after draining primary 0; keys %v",
		name, run.afterReshard, run.afterDrain, run.keys)
	return run
}

// slotsOfPrimaries counts the slots of each primary as node 0 sees them.
func (r *replicated) slotsOfPrimaries() []int {
	out := make([]int, r.primaries)
	for _, line := range strings.Split(r.do(0, "CLUSTER", "NODES").(string), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		for p := 0; p < r.primaries; p++ {
			if f[0] != r.ids[p] {
				continue
			}
			for _, rg := range f[8:] {
				if strings.HasPrefix(rg, "[") {
					continue
				}
				a, b, ok := strings.Cut(rg, "-")
				lo, _ := strconv.Atoi(a)
				hi := lo
				if ok {
					hi, _ = strconv.Atoi(b)
				}
				out[p] += hi - lo + 1
			}
		}
	}
	return out
}

func fmtInts(v []int) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.Itoa(x)
	}
	return out
}
