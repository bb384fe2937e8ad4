package legacytest

import (
	"strings"
	"testing"
)

// redis-cli --cluster reshard moves 1000 slots between two primaries while
// a go-redis workload reads and writes counters over all shards: the
// workload sees no error it does not follow, the check is clean, and every
// key is on exactly one node with the value the ledger expects.
func TestReshardUnderLoad(t *testing.T) {
	c := startPrimaries(t, 3, 3)
	cl := newGoRedis(t, c.Addrs())
	static := preloadSlots(t, cl, "s")
	w := startWorkload(t, goRedisOps{cl}, "gr", 4)
	w.waitOps(t, 200)

	out := mustCLI(t, "--cluster", "reshard", c.Addr(0), "--cluster-from", c.NodeID(0),
		"--cluster-to", c.NodeID(1), "--cluster-slots", "1000", "--cluster-yes")
	if n := strings.Count(out, "Moving slot "); n < 2000 { // the plan line and the move line of each slot
		t.Fatalf("reshard moved %d slots:\n%s", n/2, tail(out, 3000))
	}
	w.waitOps(t, 200)
	ledger := w.stop(t)
	waitClean(t, c.Addr(2))
	counts := slotCounts(t, c, 2)
	if counts[c.NodeID(0)] != 5461-1000 || counts[c.NodeID(1)] != 5461+1000 {
		t.Fatalf("slots after reshard: %v", counts)
	}
	verifyKeys(t, c, []int{0, 1, 2}, merge(static, ledger))
	t.Logf("error replies sent: %v", redirects(t, c, []int{0, 1, 2}))
}
