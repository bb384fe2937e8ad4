package legacytest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// cliTimeout bounds one redis-cli --cluster run (a rebalance moves a
// quarter of the slots with every SETSLOT NODE round).
const cliTimeout = 5 * time.Minute

// runCLI runs redis-cli with args and returns its combined output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cli := difftest.RequireBinary(t, "redis-cli")
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("redis-cli %v timed out after %v: %w", args, cliTimeout, ctx.Err())
	}
	return string(out), err
}

// mustCLI is runCLI failing the test on a non-zero exit.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, tail(out, 4000))
	}
	return out
}

// checkClean runs redis-cli --cluster check against addr and fails unless
// every node agrees, every slot is covered and nothing is open.
func checkClean(t *testing.T, addr string) {
	t.Helper()
	out, err := runCLI(t, "--cluster", "check", addr)
	if err != nil || !strings.Contains(out, "[OK] All nodes agree about slots configuration.") ||
		!strings.Contains(out, "[OK] All 16384 slots covered.") ||
		strings.Contains(out, "[ERR]") || strings.Contains(out, "[WARNING]") {
		t.Fatalf("redis-cli --cluster check %s: %v\n%s", addr, err, out)
	}
}

// waitClean waits until redis-cli --cluster check is clean: after SETSLOT
// NODE the other nodes learn the new owner through gossip.
func waitClean(t *testing.T, addr string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := runCLI(t, "--cluster", "check", addr)
		if err == nil && strings.Contains(out, "[OK] All nodes agree about slots configuration.") &&
			strings.Contains(out, "[OK] All 16384 slots covered.") && !strings.Contains(out, "[ERR]") &&
			!strings.Contains(out, "[WARNING]") {
			return
		}
		last = out
		if time.Now().After(deadline) {
			t.Fatalf("redis-cli --cluster check never became clean:\n%s", last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// startPrimaries starts total cluster nodes and joins the first members
// into a cluster with equal slot ranges; the others stay alone, ready for
// redis-cli --cluster add-node.
func startPrimaries(t *testing.T, total, members int, directives ...string) *testutil.Cluster {
	t.Helper()
	c := testutil.StartClusterNodes(t, total, directives...)
	for i := 1; i < members; i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	per := 16384 / members
	for i := 0; i < members; i++ {
		start, end := i*per, (i+1)*per-1
		if i == members-1 {
			end = 16383
		}
		c.Do(i, "CLUSTER", "ADDSLOTSRANGE", start, end)
	}
	testutil.WaitFor(t, 30*time.Second, "cluster_state:ok on the members", func() bool {
		for i := 0; i < members; i++ {
			in, err := c.Info(i)
			if err != nil || in["cluster_state"] != "ok" || in["cluster_known_nodes"] != strconv.Itoa(members) {
				return false
			}
		}
		return true
	})
	return c
}

// primaryIDs returns the ids of the nodes that own slots, per CLUSTER
// NODES of node i.
func slotCounts(t *testing.T, c *testutil.Cluster, i int) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(c.Do(i, "CLUSTER", "NODES").(string)), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		n := 0
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue
			}
			a, b, ok := strings.Cut(r, "-")
			lo, _ := strconv.Atoi(a)
			hi := lo
			if ok {
				hi, _ = strconv.Atoi(b)
			}
			n += hi - lo + 1
		}
		out[f[0]] = n
	}
	return out
}

// redirects sums the -ASK, -MOVED and -TRYAGAIN replies the nodes sent
// (INFO errorstats), to show which paths a scenario exercised; commands
// that failed are logged.
func redirects(t *testing.T, c *testutil.Cluster, nodes []int) map[string]int64 {
	t.Helper()
	for _, i := range nodes {
		stats := c.Do(i, "INFO", "commandstats").(string)
		for _, line := range strings.Split(stats, "\r\n") {
			if strings.HasPrefix(line, "cmdstat_") && !strings.Contains(line, "rejected_calls=0,failed_calls=0") {
				t.Logf("node %d: %s", i, line)
			}
		}
	}
	return errorStats(t, c, nodes)
}

// errorStats sums INFO errorstats over nodes, by error code.
func errorStats(t *testing.T, c *testutil.Cluster, nodes []int) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, i := range nodes {
		info := c.Do(i, "INFO", "errorstats").(string)
		for _, line := range strings.Split(info, "\r\n") {
			name, rest, ok := strings.Cut(strings.TrimPrefix(line, "errorstat_"), ":count=")
			if !ok {
				continue
			}
			n, _ := strconv.ParseInt(rest, 10, 64)
			out[name] += n
		}
	}
	return out
}
