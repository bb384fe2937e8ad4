package clustertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Redirections and routing errors, byte for byte as Valkey sends them.
func TestRoutingErrors(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	r := dialRaw(t, c.Addr(0))
	mine, mySlot := keyOwnedBy(c, 0, "mine")
	theirs, theirSlot := keyOwnedBy(c, 1, "theirs")

	t.Run("moved", func(t *testing.T) {
		r := r.in(t)
		want := fmt.Sprintf("-MOVED %d %s\r\n", theirSlot, c.Addr(1))
		r.expect(want, "SET", theirs, "v")
		r.expect(want, "GET", theirs)
		r.expect("+OK\r\n", "SET", mine, "v")
		r.expect("$1\r\n", "GET", mine)
		r.line()
	})
	t.Run("crossslot", func(t *testing.T) {
		r := r.in(t)
		other := keyOwnedByOtherSlot(c, 0, "other", mySlot)
		r.expect("-CROSSSLOT Keys in request don't hash to the same slot\r\n", "MSET", mine, "1", other, "2")
		// Keys of different nodes are cross-slot too, not MOVED.
		r.expect("-CROSSSLOT Keys in request don't hash to the same slot\r\n", "DEL", mine, theirs)
		// One slot through a hash tag works, even many keys.
		r.expect("+OK\r\n", "MSET", "{"+mine+"}a", "1", "{"+mine+"}b", "2")
		r.expect(":2\r\n", "DEL", "{"+mine+"}a", "{"+mine+"}b")
	})
	t.Run("keyless", func(t *testing.T) {
		r := r.in(t)
		r.expect("+PONG\r\n", "PING")
		r.expect(":3443\r\n", "CLUSTER", "KEYSLOT", "{user1000}.following")
	})
	t.Run("multi-exec", func(t *testing.T) {
		r := r.in(t)
		other := keyOwnedByOtherSlot(c, 0, "other", mySlot)
		// Keys of two local slots: queued fine, EXEC refuses the block.
		r.expect("+OK\r\n", "MULTI")
		r.expect("+QUEUED\r\n", "SET", mine, "1")
		r.expect("+QUEUED\r\n", "SET", other, "2")
		r.expect("-CROSSSLOT Keys in request don't hash to the same slot\r\n", "EXEC")
		r.expect("-ERR EXEC without MULTI\r\n", "EXEC")
		// A key of another node is redirected at queue time and aborts EXEC.
		r.expect("+OK\r\n", "MULTI")
		r.expect(fmt.Sprintf("-MOVED %d %s\r\n", theirSlot, c.Addr(1)), "SET", theirs, "1")
		r.expect("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
		// One slot: the block runs.
		r.expect("+OK\r\n", "MULTI")
		r.expect("+QUEUED\r\n", "SET", "{"+mine+"}x", "1")
		r.expect("+QUEUED\r\n", "INCR", "{"+mine+"}x")
		r.expect("*2\r\n", "EXEC")
		r.expect("+OK\r\n")
		r.expect(":2\r\n")
	})
	t.Run("asking-readonly", func(t *testing.T) {
		r := r.in(t)
		r.expect("+OK\r\n", "ASKING")
		// ASKING alone does not let a node serve a slot it does not import.
		r.expect(fmt.Sprintf("-MOVED %d %s\r\n", theirSlot, c.Addr(1)), "GET", theirs)
		r.expect("+OK\r\n", "READONLY")
		r.expect("+OK\r\n", "READWRITE")
	})
	t.Run("unbound-and-down", func(t *testing.T) {
		r := r.in(t)
		// Node 0 drops one of its slots: nobody serves it, and with full
		// coverage required node 0's cluster is down.
		r.expect("+OK\r\n", "CLUSTER", "DELSLOTS", strconv.Itoa(mySlot))
		testutil.WaitFor(t, 10e9, "node 0 down", func() bool { return !c.StateOK(0) })
		other := keyOwnedByOtherSlot(c, 0, "other", mySlot)
		r.expect("-CLUSTERDOWN Hash slot not served\r\n", "GET", mine)
		r.expect("-CLUSTERDOWN The cluster is down\r\n", "GET", other)
		r.expect("+OK\r\n", "CONFIG", "SET", "cluster-allow-reads-when-down", "yes")
		r.expect("$-1\r\n", "GET", other)
		r.expect("-CLUSTERDOWN The cluster is down and only accepts read commands\r\n", "SET", other, "1")
		r.expect("+OK\r\n", "CONFIG", "SET", "cluster-allow-reads-when-down", "no")
		r.expect("+OK\r\n", "CLUSTER", "ADDSLOTS", strconv.Itoa(mySlot))
		c.WaitOK(20e9)
		r.expect("+OK\r\n", "SET", mine, "back")
	})
}

// A standalone node refuses cluster commands as Valkey does.
func TestClusterDisabled(t *testing.T) {
	srv := testutil.StartServer(t)
	r := dialRaw(t, srv.Addr())
	for _, args := range [][]string{{"CLUSTER", "INFO"}, {"CLUSTER", "NODES"}, {"CLUSTER", "KEYSLOT", "x"}, {"ASKING"}} {
		r.expect("-ERR This instance has cluster support disabled\r\n", args...)
	}
	r.expect("+OK\r\n", "READONLY")
	r.expect("+OK\r\n", "READWRITE")
	r.expect("-ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.\r\n", "CLUSTER", "NOPE")
}

// CLUSTER SETSLOT MIGRATING/IMPORTING/STABLE: the markers show in CLUSTER
// NODES, the source answers -ASK for keys it does not have, the target
// serves them after ASKING only.
func TestLegacyMigrationMarkers(t *testing.T) {
	c := testutil.StartCluster(t, 2)
	key, s := keyOwnedBy(c, 0, "moving")
	id0, id1 := c.NodeID(0), c.NodeID(1)
	sl := strconv.Itoa(s)
	src, dst := dialRaw(t, c.Addr(0)), dialRaw(t, c.Addr(1))

	dst.expect("+OK\r\n", "CLUSTER", "SETSLOT", sl, "IMPORTING", id0)
	src.expect("+OK\r\n", "CLUSTER", "SETSLOT", sl, "MIGRATING", id1)
	if n := c.Do(0, "CLUSTER", "NODES").(string); !strings.Contains(n, " ["+sl+"->-"+id1+"]") {
		t.Fatalf("source CLUSTER NODES lacks the migrating marker:\n%s", n)
	}
	if n := c.Do(1, "CLUSTER", "NODES").(string); !strings.Contains(n, " ["+sl+"-<-"+id0+"]") {
		t.Fatalf("target CLUSTER NODES lacks the importing marker:\n%s", n)
	}
	src.expect(fmt.Sprintf("-ASK %s %s\r\n", sl, c.Addr(1)), "GET", key)
	dst.expect(fmt.Sprintf("-MOVED %s %s\r\n", sl, c.Addr(0)), "GET", key)
	dst.expect("+OK\r\n", "ASKING")
	dst.expect("+OK\r\n", "SET", key, "new")
	src.expect("+OK\r\n", "CLUSTER", "SETSLOT", sl, "STABLE")
	dst.expect("+OK\r\n", "CLUSTER", "SETSLOT", sl, "NODE", id1)
	src.expect("+OK\r\n", "CLUSTER", "SETSLOT", sl, "NODE", id1)
	src.expect(fmt.Sprintf("-MOVED %s %s\r\n", sl, c.Addr(1)), "GET", key)
	dst.expect("$3\r\n", "GET", key)
	dst.expect("new\r\n")
}
