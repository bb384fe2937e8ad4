package legacytest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// Scale out and back in under load, as an operator would with redis-cli:
// add-node of an empty primary, rebalance --cluster-use-empty-masters
// (a quarter of the slots move to it), then rebalance with the new node's
// weight at 0 (they all move away again) and del-node. The workload sees
// no error, every check is clean, no key is lost or duplicated.
func TestScaleOutAndIn(t *testing.T) {
	c := startPrimaries(t, 4, 3)
	cl := newGoRedis(t, c.Addrs()[:3])
	static := preloadSlots(t, cl, "s")
	w := startWorkload(t, goRedisOps{cl}, "sc", 4)
	w.waitOps(t, 200)
	id3 := c.NodeID(3)

	mustCLI(t, "--cluster", "add-node", c.Addr(3), c.Addr(0))
	waitJoined(t, c, 4)
	waitClean(t, c.Addr(0))
	mustCLI(t, "--cluster", "rebalance", c.Addr(0), "--cluster-use-empty-masters")
	w.waitOps(t, 200)
	waitClean(t, c.Addr(3))
	counts := slotCounts(t, c, 0)
	if n := counts[id3]; n < 4000 || n > 4200 {
		t.Fatalf("slots after rebalance: %v (the new node should hold about 4096)", counts)
	}

	mustCLI(t, "--cluster", "rebalance", c.Addr(0), "--cluster-weight", id3+"=0")
	w.waitOps(t, 200)
	waitClean(t, c.Addr(0))
	if n := slotCounts(t, c, 0)[id3]; n != 0 {
		t.Fatalf("the drained node still holds %d slots", n)
	}
	// A client learns that a slot moved only when it uses it (-MOVED). One
	// still mapping an idle slot to the drained node would get, once
	// del-node resets that node, "CLUSTERDOWN Hash slot not served" from
	// it, as from a reset redis-server: an operator's clients refresh
	// their map after a rebalance, and so does this one.
	cl.ReloadState(context.Background())
	w.waitOps(t, 200)
	out := mustCLI(t, "--cluster", "del-node", c.Addr(0), id3)
	if !strings.Contains(out, "SHUTDOWN the node") && !strings.Contains(out, "RESET") {
		t.Logf("del-node:\n%s", out)
	}
	w.waitOps(t, 200)
	ledger := w.stop(t)
	waitClean(t, c.Addr(1))
	if nodes := c.Do(0, "CLUSTER", "NODES").(string); strings.Contains(nodes, id3) {
		t.Fatalf("the deleted node is still known:\n%s", nodes)
	}
	if n := c.Do(3, "DBSIZE").(int64); n != 0 {
		// Say what was left. COUNTKEYSINSLOT waits for a queued drop of
		// its slot: a count of 0 there means the keys were only waiting
		// for the node's slot dropper, DBSIZE after it tells.
		ctx, cl3 := context.Background(), c.Client(3)
		for _, k := range cl3.Keys(ctx, "*").Val() {
			s := slot.OfString(k)
			t.Logf("left on the deleted node: %s (slot %d, COUNTKEYSINSLOT %v); at its owner: %q", k, s,
				cl3.Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", s).Val(), cl.Get(ctx, k).Val())
		}
		t.Fatalf("the deleted node still holds %d keys (DBSIZE now %v)", n, cl3.DBSize(ctx).Val())
	}
	verifyKeys(t, c, []int{0, 1, 2}, merge(static, ledger))
	t.Logf("error replies sent: %v", redirects(t, c, []int{0, 1, 2}))
}

// waitJoined waits until the first n nodes know each other and report
// cluster_state:ok (a new primary waits a little before it serves).
func waitJoined(t *testing.T, c *testutil.Cluster, n int) {
	t.Helper()
	testutil.WaitFor(t, 60*time.Second, "the cluster knows the new node", func() bool {
		for i := 0; i < n; i++ {
			in, err := c.Info(i)
			if err != nil || in["cluster_state"] != "ok" || in["cluster_known_nodes"] != strconv.Itoa(n) {
				return false
			}
		}
		return true
	})
}
