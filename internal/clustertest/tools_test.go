package clustertest

import (
	"bytes"
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

// runTool runs a tool with a deadline and returns its combined output.
func runTool(t *testing.T, timeout time.Duration, stdin string, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s timed out after %v: %w", bin, timeout, ctx.Err())
	}
	return string(out), err
}

func hostPort(addr string) (string, string) {
	i := strings.LastIndexByte(addr, ':')
	return addr[:i], addr[i+1:]
}

// redis-cli --cluster create builds a Shoal cluster, --cluster check
// finds it healthy, and redis-cli -c follows redirections across shards.
func TestRedisCLICluster(t *testing.T) {
	cli := difftest.RequireBinary(t, "redis-cli")
	c := testutil.StartClusterNodes(t, 3)
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := runTool(t, 60*time.Second, "", cli, args...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("cluster create: %v\n%s", err, out)
	}
	c.WaitOK(30 * time.Second)

	out, err = runTool(t, 30*time.Second, "", cli, "--cluster", "check", c.Addr(1))
	if err != nil || !strings.Contains(out, "[OK] All nodes agree about slots configuration.") ||
		!strings.Contains(out, "[OK] All 16384 slots covered.") || strings.Contains(out, "[ERR]") {
		t.Fatalf("cluster check: %v\n%s", err, out)
	}

	h, p := hostPort(c.Addr(0))
	for i := 0; i < 30; i++ {
		k := "key:" + strconv.Itoa(i)
		if out, err := runTool(t, 10*time.Second, "", cli, "-c", "-h", h, "-p", p, "SET", k, "v"+strconv.Itoa(i)); err != nil || out != "OK\n" {
			t.Fatalf("SET %s: %v %q", k, err, out)
		}
	}
	// Read back through another node; the keys live on all three shards.
	h, p = hostPort(c.Addr(2))
	for i := 0; i < 30; i++ {
		k := "key:" + strconv.Itoa(i)
		if out, err := runTool(t, 10*time.Second, "", cli, "-c", "-h", h, "-p", p, "GET", k); err != nil || out != "v"+strconv.Itoa(i)+"\n" {
			t.Fatalf("GET %s: %v %q", k, err, out)
		}
	}
	for i := range c.Nodes {
		if n := c.Do(i, "DBSIZE").(int64); n == 0 {
			t.Errorf("node %d holds no keys: routing sent everything elsewhere", i)
		}
	}
	// The info subcommand counts keys and slots per primary.
	out, err = runTool(t, 30*time.Second, "", cli, "--cluster", "info", c.Addr(0))
	if err != nil || strings.Count(out, "slots") < 3 || !strings.Contains(out, "30 keys in 3 masters") {
		t.Fatalf("cluster info: %v\n%s", err, out)
	}
}

// redis-benchmark --cluster discovers the primaries and runs against them.
func TestRedisBenchmarkCluster(t *testing.T) {
	bench := difftest.RequireBinary(t, "redis-benchmark")
	c := testutil.StartCluster(t, 3)
	h, p := hostPort(c.Addr(0))
	out, err := runTool(t, 120*time.Second, "", bench, "--cluster", "-h", h, "-p", p,
		"-t", "set,get", "-n", "3000", "-c", "10", "-q")
	if err != nil || !strings.Contains(out, "SET:") || !strings.Contains(out, "GET:") ||
		!strings.Contains(out, "Cluster has 3 master nodes") {
		t.Fatalf("redis-benchmark --cluster: %v\n%s", err, out)
	}
	var keys int64
	for i := range c.Nodes {
		keys += c.Do(i, "DBSIZE").(int64)
	}
	if keys == 0 || bytes.Contains([]byte(out), []byte("MOVED")) {
		t.Fatalf("benchmark wrote %d keys; output:\n%s", keys, out)
	}
}
