package legacytest

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// The reshard tool is killed in the middle of a slot (the source MIGRATING,
// the target IMPORTING, the slot's keys split between them). The check
// reports the open slot; redis-cli --cluster fix closes it, moving the
// keys to the owner it picks; then the check is clean and nothing is lost
// or duplicated, with the workload running throughout.
func TestReshardKilledThenFix(t *testing.T) {
	c := startPrimaries(t, 3, 3)
	cl := newGoRedis(t, c.Addrs())
	static := preloadSlots(t, cl, "s")
	// Slot 0 (node 0's first, so the first the reshard moves) gets enough
	// keys that moving them one per MIGRATE takes a while.
	bulk := fillSlot(t, c, 0, 20000)
	w := startWorkload(t, goRedisOps{cl}, "fx", 4)
	w.waitOps(t, 200)

	cli := difftest.RequireBinary(t, "redis-cli")
	cmd := exec.Command(cli, "--cluster", "reshard", c.Addr(0), "--cluster-from", c.NodeID(0),
		"--cluster-to", c.NodeID(1), "--cluster-slots", "10", "--cluster-yes", "--cluster-pipeline", "1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	testutil.WaitFor(t, 60*time.Second, "the reshard half-way through slot 0", func() bool {
		n, err := c.Client(1).ClusterCountKeysInSlot(ctx, 0).Result()
		return err == nil && n >= 2000
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	src, _ := c.Client(0).ClusterCountKeysInSlot(ctx, 0).Result()
	dst, _ := c.Client(1).ClusterCountKeysInSlot(ctx, 0).Result()
	t.Logf("killed redis-cli with slot 0 split: %d keys on the source, %d on the target", src, dst)
	if src == 0 || dst == 0 {
		t.Fatalf("the tool was not killed mid-slot (%d/%d)\n%s", src, dst, tail(out.String(), 2000))
	}
	check, _ := runCLI(t, "--cluster", "check", c.Addr(0))
	if !strings.Contains(check, "open slot") && !strings.Contains(check, "migrating") {
		t.Fatalf("check does not report the open slot:\n%s", check)
	}

	// redis-cli picks the owner holding most of the slot's keys (the
	// source here) and moves the rest to it: either way the slot ends up
	// whole on one node.
	fix := mustCLI(t, "--cluster", "fix", c.Addr(0), "--cluster-yes")
	if !strings.Contains(fix, "Fixing open slot 0") {
		t.Fatalf("fix did not fix slot 0:\n%s", tail(fix, 3000))
	}
	w.waitOps(t, 200)
	ledger := w.stop(t)
	waitClean(t, c.Addr(2))
	holders := 0
	for i := 0; i < 3; i++ {
		if n, _ := c.Client(i).ClusterCountKeysInSlot(ctx, 0).Result(); n > 0 {
			holders++
		}
	}
	if holders != 1 {
		t.Fatalf("slot 0 is spread over %d nodes after fix", holders)
	}
	verifyKeys(t, c, []int{0, 1, 2}, merge(static, ledger, bulk))
	t.Logf("error replies sent: %v", redirects(t, c, []int{0, 1, 2}))
}

// fillSlot writes n keys hashing to slot s on node i, returning them.
func fillSlot(t *testing.T, c *testutil.Cluster, s, n int) map[string]string {
	t.Helper()
	tag := tagForSlot(s)
	keys := make(map[string]string, n)
	ctx := context.Background()
	pipe := c.Client(0).Pipeline()
	for i := 0; i < n; i++ {
		k := "{" + tag + "}:" + strconv.Itoa(i)
		keys[k] = "v" + strconv.Itoa(i)
		pipe.Set(ctx, k, keys[k], 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("fill slot %d: %v", s, err)
	}
	return keys
}
