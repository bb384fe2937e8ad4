package cli

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// startRedisNodes starts n empty redis-server cluster nodes (bus ports
// chosen explicitly: port+10000 may not exist).
func startRedisNodes(t *testing.T, n int) []string {
	bin := difftest.RequireBinary(t, "redis-server")
	var addrs []string
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		bus := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		rs := difftest.StartRedis(t, bin, "--cluster-enabled", "yes", "--cluster-node-timeout", "5000",
			"--cluster-port", strconv.Itoa(bus))
		addrs = append(addrs, rs.Addr)
	}
	return addrs
}

// shoal-cli manages a real Redis 7 cluster too: create, check, a legacy
// reshard with keys, the fix of a slot left open; the atomic path says
// the server lacks it.
func TestRedisCluster(t *testing.T) {
	addrs := startRedisNodes(t, 3)
	runCLI(t, "", args([]string{"cluster", "create"}, append(addrs, "--cluster-yes")...)...).must(t, 0)
	testutil.WaitFor(t, 30*time.Second, "the Redis cluster OK", func() bool {
		return runCLI(t, "", "cluster", "check", addrs[1]).code == 0
	})
	for i := 0; i < 200; i++ {
		k := "k" + strconv.Itoa(i)
		if r := runCLI(t, "", args(hp(addrs[0]), "-c", "SET", k, strconv.Itoa(i))...); r.out != "OK\n" {
			t.Fatalf("SET %s: %q", k, r.out)
		}
	}
	ids := map[string]string{}
	for _, line := range strings.Split(runCLI(t, "", "cluster", "check", addrs[0]).out, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "M:" {
			ids[f[2]] = f[1]
		}
	}
	r := runCLI(t, "", "cluster", "reshard", addrs[0], "--cluster-from", ids[addrs[0]], "--cluster-to", ids[addrs[1]],
		"--cluster-slots", "500", "--cluster-yes", "--legacy").must(t, 0)
	mustContain(t, r.out, "[OK] Moved 500 slots")
	runCLI(t, "", "cluster", "check", addrs[2]).must(t, 0)
	for i := 0; i < 200; i++ {
		k := "k" + strconv.Itoa(i)
		if r := runCLI(t, "", args(hp(addrs[2]), "-c", "GET", k)...); r.out != strconv.Itoa(i)+"\n" {
			t.Fatalf("GET %s: %q", k, r.out)
		}
	}
	// A slot opened on both sides, as by an interrupted reshard: fix
	// finishes the move.
	conn0, err := Dial(addrs[0], ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn0.Close()
	conn1, err := Dial(addrs[1], ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn1.Close()
	if err := conn1.OK("CLUSTER", "SETSLOT", "600", "IMPORTING", ids[addrs[0]]); err != nil {
		t.Fatal(err)
	}
	if err := conn0.OK("CLUSTER", "SETSLOT", "600", "MIGRATING", ids[addrs[1]]); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "", "cluster", "check", addrs[0]).must(t, ExitClusterNotOK)
	r = runCLI(t, "", "cluster", "fix", addrs[0]).must(t, 0)
	mustContain(t, r.out, "Case 1: Moving slot 600")
	// Atomic slot migration needs Valkey 9 or Shoal.
	r = runCLI(t, "", "cluster", "reshard", addrs[0], "--cluster-from", ids[addrs[0]], "--cluster-to", ids[addrs[1]],
		"--cluster-slots", "10", "--cluster-yes").must(t, 1)
	mustContain(t, r.out+r.err, "does not support atomic slot migration", "use --legacy")
	runCLI(t, "", "cluster", "check", addrs[0]).must(t, 0)
}
