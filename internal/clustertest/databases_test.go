package clustertest

import (
	"strconv"
	"testing"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Valkey 9 numbered databases in cluster mode (spec §5).
func TestClusterDatabases(t *testing.T) {
	c := testutil.StartCluster(t, 2, "--cluster-databases", "4")
	r := dialRaw(t, c.Addr(0))
	key, s := keyOwnedBy(c, 0, "db")
	slotArg := strconv.Itoa(s)

	r.expect("+OK\r\n", "SELECT", "3")
	r.expect("-ERR DB index is out of range\r\n", "SELECT", "4")
	r.expect("-ERR SWAPDB is not allowed in cluster mode\r\n", "SWAPDB", "0", "1")

	// The slot holds the key in database 0 only; counts are per database.
	r.expect("+OK\r\n", "SELECT", "0")
	r.expect("+OK\r\n", "SET", key, "v0")
	r.expect(":1\r\n", "CLUSTER", "COUNTKEYSINSLOT", slotArg)
	r.expect("*1\r\n", "CLUSTER", "GETKEYSINSLOT", slotArg, "10")
	r.expect("$" + strconv.Itoa(len(key)) + "\r\n")
	r.expect(key + "\r\n")
	r.expect("+OK\r\n", "SELECT", "2")
	r.expect(":0\r\n", "CLUSTER", "COUNTKEYSINSLOT", slotArg)
	r.expect("*0\r\n", "CLUSTER", "GETKEYSINSLOT", slotArg, "10")

	// MOVE and COPY ... DB move data between databases of one node.
	r.expect("+OK\r\n", "SELECT", "0")
	r.expect(":1\r\n", "MOVE", key, "2")
	r.expect(":0\r\n", "CLUSTER", "COUNTKEYSINSLOT", slotArg)
	r.expect("+OK\r\n", "SELECT", "2")
	r.expect(":1\r\n", "CLUSTER", "COUNTKEYSINSLOT", slotArg)
	r.expect(":1\r\n", "COPY", key, key, "DB", "3")
	r.expect("+OK\r\n", "SELECT", "3")
	r.expect("$2\r\n", "GET", key)
	r.expect("v0\r\n")

	// Routing ignores the database: another node's key is MOVED in any.
	theirs, theirSlot := keyOwnedBy(c, 1, "theirs")
	r.expect("-MOVED "+strconv.Itoa(theirSlot)+" "+c.Addr(1)+"\r\n", "GET", theirs)

	// FLUSHSLOTS needs every database empty.
	r.expect("-ERR DB must be empty to perform CLUSTER FLUSHSLOTS.\r\n", "CLUSTER", "FLUSHSLOTS")
	r.expect("-ERR CLUSTER RESET can't be called with master nodes containing keys\r\n", "CLUSTER", "RESET")
}

// cluster-databases defaults to 1: only database 0 exists.
func TestClusterDatabasesDefault(t *testing.T) {
	c := testutil.StartClusterNodes(t, 1)
	r := dialRaw(t, c.Addr(0))
	r.expect("+OK\r\n", "SELECT", "0")
	r.expect("-ERR DB index is out of range\r\n", "SELECT", "1")
}
