package repl_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// setslotShard is a cluster of two primaries (node 0: slots 0-8191, node
// 1: 8192-16383) where node 2 replicates node 0.
func setslotShard(t *testing.T) *testutil.Cluster {
	t.Helper()
	c := setslotPrimaries(t, 8191)
	setslotReplicate(t, c)
	return c
}

// setslotPrimaries starts three nodes, node 0 serving slots 0 to end0,
// node 1 the others, node 2 an empty primary.
func setslotPrimaries(t *testing.T, end0 int) *testutil.Cluster {
	t.Helper()
	c := testutil.StartClusterNodes(t, 3)
	for i := range c.Nodes {
		c.Do(i, "CLUSTER", "SET-CONFIG-EPOCH", i+1)
	}
	for i := 1; i < 3; i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, end0)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", end0+1, 16383)
	id0, id1 := c.NodeID(0), c.NodeID(1)
	testutil.WaitFor(t, 20*time.Second, "node 2 knows nodes 0 and 1", func() bool {
		r0, _ := clusterRole(c.Client(2), id0)
		r1, _ := clusterRole(c.Client(2), id1)
		return r0 == "master" && r1 == "master"
	})
	return c
}

// setslotReplicate makes node 2 a replica of node 0 and waits until it is
// in sync and node 0 knows it.
func setslotReplicate(t *testing.T, c *testutil.Cluster) {
	t.Helper()
	id0 := c.NodeID(0)
	c.Do(2, "CLUSTER", "REPLICATE", id0)
	testutil.WaitFor(t, 30*time.Second, "the replica in sync", func() bool { return linkUp(c.Client(2)) })
	c.WaitOK(30 * time.Second)
	testutil.WaitFor(t, 20*time.Second, "node 0 sees its replica", func() bool {
		r, p := clusterRole(c.Client(0), c.NodeID(2))
		return r == "slave" && p == id0
	})
}

// A replica that synchronizes fully gets its primary's open slots with
// the snapshot (Valkey's slot-info RDB field), though the SETSLOTs ran
// before it was a replica.
func TestSetSlotMarkersInFullSync(t *testing.T) {
	c := setslotPrimaries(t, 8191)
	id1 := c.NodeID(1)
	c.Do(0, "CLUSTER", "SETSLOT", 100, "MIGRATING", id1)
	c.Do(0, "CLUSTER", "SETSLOT", 9000, "IMPORTING", id1)
	setslotReplicate(t, c)
	testutil.WaitFor(t, 10*time.Second, "the replica shows its primary's open slots", func() bool {
		return strings.HasSuffix(myselfLine(t, c, 2), " [100->-"+id1+"] [9000-<-"+id1+"]")
	})
}

// myselfLine returns node i's own line of CLUSTER NODES.
func myselfLine(t *testing.T, c *testutil.Cluster, i int) string {
	t.Helper()
	for _, line := range strings.Split(c.Do(i, "CLUSTER", "NODES").(string), "\n") {
		if strings.Contains(line, "myself") {
			return line
		}
	}
	t.Fatalf("node %d: no myself line", i)
	return ""
}

// A primary replicates CLUSTER SETSLOT to its replica before it applies
// it (Valkey 8+): when the primary answers +OK the replica's own view
// already carries the MIGRATING/IMPORTING marker or the new owner, and
// shows the markers on its myself line as the primary does. The replica
// refuses SETSLOT from a client.
func TestSetSlotReplicatedToReplica(t *testing.T) {
	c := setslotShard(t)
	id0, id1 := c.NodeID(0), c.NodeID(1)

	c.Do(1, "CLUSTER", "SETSLOT", 100, "IMPORTING", id0)
	if v := c.Do(0, "CLUSTER", "SETSLOT", 100, "MIGRATING", id1); v != "OK" {
		t.Fatalf("SETSLOT MIGRATING: %v", v)
	}
	// No wait: the replica applied it before the primary answered.
	if l := myselfLine(t, c, 2); !strings.Contains(l, "[100->-"+id1+"]") {
		t.Fatalf("the replica does not show the migrating marker: %s", l)
	}
	c.Do(0, "CLUSTER", "SETSLOT", 9000, "IMPORTING", id1, "TIMEOUT", 5000)
	if l := myselfLine(t, c, 2); !strings.Contains(l, "[9000-<-"+id1+"]") {
		t.Fatalf("the replica does not show the importing marker: %s", l)
	}
	for _, l := range []string{myselfLine(t, c, 0), myselfLine(t, c, 2)} {
		if !strings.HasSuffix(l, " [100->-"+id1+"] [9000-<-"+id1+"]") {
			t.Errorf("markers: %s", l)
		}
	}
	c.Do(0, "CLUSTER", "SETSLOT", 9000, "STABLE")
	if l := myselfLine(t, c, 2); strings.Contains(l, "[9000") {
		t.Fatalf("STABLE did not reach the replica: %s", l)
	}

	// The slot is handed over (target first): the replica learns the new
	// owner from its primary and drops its marker.
	c.Do(1, "CLUSTER", "SETSLOT", 100, "NODE", id1)
	c.Do(0, "CLUSTER", "SETSLOT", 100, "NODE", id1)
	if l := myselfLine(t, c, 2); strings.Contains(l, "[100") {
		t.Fatalf("NODE did not clear the replica's marker: %s", l)
	}
	owner := ""
	for _, s := range c.Client(2).ClusterShards(ctx).Val() {
		for _, r := range s.Slots {
			if r.Start <= 100 && 100 <= r.End && len(s.Nodes) > 0 {
				owner = s.Nodes[0].ID
			}
		}
	}
	if owner != id1 {
		t.Fatalf("the replica says slot 100 belongs to %q, want %s", owner, id1)
	}
	// Inside MULTI nothing blocks: the command is applied at once and
	// reaches the replica with the transaction.
	pipe := c.Client(0).TxPipeline()
	pipe.Do(ctx, "CLUSTER", "SETSLOT", 300, "MIGRATING", id1)
	pipe.Do(ctx, "CLUSTER", "SETSLOT", 301, "MIGRATING", id1)
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("SETSLOT in MULTI: %v", err)
	}
	testutil.WaitFor(t, 10*time.Second, "the replica applies the transaction's SETSLOTs", func() bool {
		return strings.HasSuffix(myselfLine(t, c, 2), " [300->-"+id1+"] [301->-"+id1+"]")
	})
	if err := c.Client(2).Do(ctx, "CLUSTER", "SETSLOT", 200, "STABLE").Err(); err == nil ||
		err.Error() != "ERR Please use SETSLOT only with masters." {
		t.Fatalf("SETSLOT on the replica: %v", err)
	}
	if a, b := infoField(t, c, 0, "master_repl_offset"), infoField(t, c, 2, "master_repl_offset"); a != b {
		t.Fatalf("offsets differ after the SETSLOTs: primary %s, replica %s", a, b)
	}
}

// A replica that is online but does not acknowledge (paused) makes
// SETSLOT fail with -NOREPLICAS once TIMEOUT (default 2000 ms) passed; the
// primary's own state is left unchanged while the replica that
// acknowledged applied it. Once the silent replica is gone, SETSLOT
// succeeds again.
func TestSetSlotTimeoutSilentReplica(t *testing.T) {
	c := setslotShard(t)
	id1 := c.NodeID(1)
	silent := silentReplica(t, c.Addr(0))
	testutil.WaitFor(t, 20*time.Second, "two online replicas", func() bool {
		return infoField(t, c, 0, "connected_slaves") == "2" && strings.Contains(infoField(t, c, 0, "slave1"), "state=online") &&
			strings.Contains(infoField(t, c, 0, "slave0"), "state=online")
	})

	for _, tc := range []struct {
		slot    int
		timeout []any
		least   time.Duration
	}{
		{100, []any{"TIMEOUT", 300}, 300 * time.Millisecond},
		{101, nil, 2 * time.Second}, // the default
	} {
		start := time.Now()
		args := append([]any{"CLUSTER", "SETSLOT", tc.slot, "MIGRATING", id1}, tc.timeout...)
		err := c.Client(0).Do(ctx, args...).Err()
		took := time.Since(start)
		if err == nil || err.Error() != "NOREPLICAS Not enough good replicas to write." {
			t.Fatalf("%v: %v, want NOREPLICAS", args, err)
		}
		if took < tc.least || took > tc.least+10*time.Second {
			t.Errorf("%v failed after %v, want about %v", args, took, tc.least)
		}
		marker := fmt.Sprintf("[%d->-%s]", tc.slot, id1)
		if l := myselfLine(t, c, 0); strings.Contains(l, marker) {
			t.Errorf("the primary applied a SETSLOT its replicas did not acknowledge: %s", l)
		}
		if l := myselfLine(t, c, 2); !strings.Contains(l, marker) {
			t.Errorf("the acknowledging replica did not apply it: %s", l)
		}
	}

	silent.Close()
	testutil.WaitFor(t, 20*time.Second, "the silent replica dropped", func() bool {
		return infoField(t, c, 0, "connected_slaves") == "1"
	})
	start := time.Now()
	if v := c.Do(0, "CLUSTER", "SETSLOT", 100, "MIGRATING", id1, "TIMEOUT", 10000); v != "OK" {
		t.Fatalf("SETSLOT after the silent replica left: %v", v)
	}
	t.Logf("SETSLOT NODE of the last slot took %v", time.Since(start))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("SETSLOT with an acknowledging replica took %v", took)
	}
	if l := myselfLine(t, c, 0); !strings.Contains(l, "[100->-"+id1+"]") {
		t.Fatalf("the primary did not apply SETSLOT: %s", l)
	}
}

// A SETSLOT NODE that takes the shard's last slot moves the replica to
// the slot's new owner as soon as it applies it (replica migration); the
// replica acknowledges the command before it leaves, so the primary
// applies it too (and follows the new owner) instead of waiting for an
// acknowledgement that would never come.
func TestSetSlotLastSlotReplicaLeaves(t *testing.T) {
	c := setslotPrimaries(t, 0)
	setslotReplicate(t, c)
	id0, id1, id2 := c.NodeID(0), c.NodeID(1), c.NodeID(2)
	// A client that outwaits TIMEOUT: a missing acknowledgement then
	// shows as the server's -NOREPLICAS and its duration, not as the
	// client's own read timeout.
	cl := redis.NewClient(&redis.Options{Addr: c.Addr(0), ReadTimeout: 15 * time.Second})
	defer cl.Close()
	start := time.Now()
	if v, err := cl.Do(context.Background(), "CLUSTER", "SETSLOT", 0, "NODE", id1, "TIMEOUT", 10000).Result(); err != nil || v != "OK" {
		t.Fatalf("SETSLOT NODE of the last slot after %v: %v %v", time.Since(start), v, err)
	}
	t.Logf("SETSLOT NODE of the last slot took %v", time.Since(start))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("SETSLOT NODE of the last slot took %v", took)
	}
	testutil.WaitFor(t, 20*time.Second, "both follow the slot's new owner", func() bool {
		r0, p0 := clusterRole(c.Client(0), id0)
		r2, p2 := clusterRole(c.Client(2), id2)
		return r0 == "slave" && p0 == id1 && r2 == "slave" && p2 == id1
	})
}

// silentReplica connects to addr as a replica that completes a full
// synchronization and then never acknowledges anything, as a paused
// replica process would. Its reader goroutine ends when the connection
// closes (the test's cleanup closes it).
func silentReplica(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	rd := bufio.NewReader(conn)
	send := func(args ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := conn.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(line)
	}
	if r := send("REPLCONF", "listening-port", strconv.Itoa(testutil.Port(t))); r != "+OK" {
		t.Fatalf("REPLCONF listening-port: %s", r)
	}
	if r := send("REPLCONF", "capa", "eof", "capa", "psync2", "capa", "shoal"); r != "+OK" {
		t.Fatalf("REPLCONF capa: %s", r)
	}
	if r := send("PSYNC", "?", "-1"); !strings.HasPrefix(r, "+FULLRESYNC") {
		t.Fatalf("PSYNC: %s", r)
	}
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, rd)
	}()
	return conn
}

// infoField returns a field of node i's INFO replication.
func infoField(t *testing.T, c *testutil.Cluster, i int, field string) string {
	t.Helper()
	s := c.Do(i, "INFO", "replication").(string)
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			return v
		}
	}
	return ""
}
