package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// newNode starts an empty cluster node that knows nobody.
func newNode(t *testing.T) string {
	t.Helper()
	srv := testutil.StartServer(t, "--cluster-enabled", "yes", "--cluster-node-timeout",
		strconv.Itoa(testutil.ClusterNodeTimeout), "--dir", t.TempDir())
	return srv.Addr()
}

func TestClusterCreate(t *testing.T) {
	c := testutil.StartClusterNodes(t, 3)
	r := runCLI(t, "", args([]string{"cluster", "create"}, append(c.Addrs(), "--cluster-yes")...)...).must(t, 0)
	mustContain(t, r.out, ">>> Performing hash slots allocation on 3 node(s)...",
		"Primary[0] -> Slots 0 - 5460", "Primary[2] -> Slots 10923 - 16383",
		">>> Sending CLUSTER MEET messages",
		"[OK] All nodes agree about slots configuration.", "[OK] All 16384 slots covered.")
	c.WaitOK(30 * time.Second)
	// Each node has a distinct config epoch, as create assigns them.
	epochs := map[string]bool{}
	for i := range c.Nodes {
		in, _ := c.Info(i)
		epochs[in["cluster_my_epoch"]] = true
	}
	if len(epochs) != 3 {
		t.Fatalf("config epochs %v", epochs)
	}
	// A node that already belongs to a cluster is refused.
	r = runCLI(t, "", "cluster", "create", c.Addr(0), newNode(t), newNode(t), "--cluster-yes").must(t, 1)
	mustContain(t, r.err, "is not empty")
	// Without --cluster-yes the question is asked on stdin.
	c2 := testutil.StartClusterNodes(t, 3)
	runCLI(t, "no\n", args([]string{"cluster", "create"}, c2.Addrs()...)...).must(t, 1)
}

// create with replicas: replicas go to their primaries, check sees them,
// add-node adds a replica to the primary with the fewest, del-node
// removes a replica.
func TestClusterReplicas(t *testing.T) {
	c := testutil.StartClusterNodes(t, 6)
	r := runCLI(t, "", args([]string{"cluster", "create"}, append(c.Addrs(), "--cluster-replicas", "1", "--cluster-yes")...)...).must(t, 0)
	mustContain(t, r.out, "Primary[2] -> Slots 10923 - 16383", "Adding replica ")
	testutil.WaitFor(t, 30*time.Second, "three replicas in sync", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(0))
		return r.code == 0 && strings.Count(r.out, "S: ") == 3 && strings.Count(r.out, "1 additional replica(s)") == 3
	})
	r = runCLI(t, "", "cluster", "info", c.Addr(1)).must(t, 0)
	if strings.Count(r.out, "| 1 replicas.") != 3 {
		t.Fatalf("info:\n%s", r.out)
	}
	extra := newNode(t)
	r = runCLI(t, "", "cluster", "add-node", extra, c.Addr(0), "--cluster-replica").must(t, 0)
	mustContain(t, r.out, "Automatically selected primary", "Configure node as replica of", "[OK] New node added correctly.")
	var replicaID string
	testutil.WaitFor(t, 30*time.Second, "the new replica seen", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(0))
		lines := strings.Split(r.out, "\n")
		for _, line := range lines {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "S:" && f[2] == extra {
				replicaID = f[1]
			}
		}
		return r.code == 0 && replicaID != "" && strings.Contains(r.out, "2 additional replica(s)")
	})
	runCLI(t, "", "cluster", "del-node", c.Addr(0), replicaID).must(t, 0)
	testutil.WaitFor(t, 30*time.Second, "the replica forgotten", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(1))
		return r.code == 0 && strings.Count(r.out, "S: ") == 3 && !strings.Contains(r.out, extra)
	})
	// Scale out a cluster with replicas: only primaries take part.
	d := &dataset{t: t, c: c, dbs: []int{0}, perDB: 300}
	d.write()
	addEmptyPrimary(t, c)
	r = runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-use-empty-masters").must(t, 0)
	if strings.Count(r.out, "via atomic slot migration") != 3 {
		t.Fatalf("rebalance:\n%s", r.out)
	}
	runCLI(t, "", "cluster", "check", c.Addr(3)).must(t, 0)
	for i := 0; i < d.perDB; i++ {
		k := d.key(0, i)
		if v, err := d.do(0, k, "GET", k); err != nil || v != "v"+strconv.Itoa(i) {
			t.Fatalf("GET %s: %v %v", k, v, err)
		}
	}
}

func TestClusterCheckAndInfo(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	for i := 0; i < 30; i++ {
		runCLI(t, "", args(hp(c.Addr(0)), "-c", "SET", "k"+strconv.Itoa(i), "v")...).must(t, 0)
	}
	r := runCLI(t, "", "cluster", "check", c.Addr(1)).must(t, 0)
	mustContain(t, r.out, ">>> Performing Cluster Check (using node "+c.Addr(1)+")",
		"[OK] 30 keys in 3 primaries.", "[OK] All nodes agree about slots configuration.",
		"[OK] All 16384 slots covered.", "[OK] No keys in slots their node does not own.", "M: ", "slots:[0-5460] (5461 slots) master")
	// -h/-p are the default node; --json gives one result line.
	r = runCLI(t, "", args(hp(c.Addr(2)), "--json", "cluster", "check")...).must(t, 0)
	var ev map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.out)), &ev); err != nil || ev["event"] != "result" || ev["ok"] != true {
		t.Fatalf("--json check: %v %q", err, r.out)
	}
	r = runCLI(t, "", "cluster", "info", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "-> ", " keys | 5461 slots | 0 replicas.", "[OK] 30 keys in 3 primaries.", "keys per slot on average.")
	// --quiet keeps only the result (nothing, when all is well).
	if r := runCLI(t, "", "--quiet", "cluster", "check", c.Addr(0)).must(t, 0); r.out != "" {
		t.Fatalf("--quiet printed %q", r.out)
	}
	// An open slot and an uncovered slot: exit status 3.
	c.Do(0, "CLUSTER", "SETSLOT", "100", "MIGRATING", c.NodeID(1))
	c.Do(2, "CLUSTER", "DELSLOTS", "16000")
	testutil.WaitFor(t, 10*time.Second, "slot 16000 unassigned everywhere", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(0))
		return strings.Contains(r.out, "Not all 16384 slots are covered")
	})
	r = runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, ExitClusterNotOK)
	mustContain(t, r.out, "[WARNING] Node "+c.Addr(0)+" has slots in migrating state 100.",
		"[WARNING] The following slots are open: 100.", "[ERR] Not all 16384 slots are covered by nodes.")
	// Not a cluster node, nobody there, wrong arguments.
	runCLI(t, "", "cluster", "check", testutil.StartServer(t).Addr()).must(t, 1)
	runCLI(t, "", "cluster", "check", "127.0.0.1:1").must(t, 1)
	runCLI(t, "", "cluster", "check", "nonsense").must(t, 2)
	runCLI(t, "", "cluster", "del-node", c.Addr(0)).must(t, 2)
}

// fix closes slots left open without keys and covers unassigned slots;
// a second fix finds nothing to do (idempotent).
func TestClusterFixOpenAndUncovered(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	// A key in an uncovered slot stays on its node: fix gives the slot to
	// it. (Written first: without full coverage the cluster is down.)
	key := keyInSlotRange(t, 10923, 15999)
	if r := runCLI(t, "", args(hp(c.Addr(2)), "SET", key, "v")...).must(t, 0); r.out != "OK\n" {
		t.Fatalf("SET: %q", r.out)
	}
	ks := slotOfKey(key)
	c.Do(0, "CLUSTER", "SETSLOT", "100", "MIGRATING", c.NodeID(1)) // case 4: nobody importing, no keys
	c.Do(1, "CLUSTER", "SETSLOT", "200", "IMPORTING", c.NodeID(0))
	c.Do(2, "CLUSTER", "DELSLOTS", "16000", "16001", strconv.Itoa(ks))
	testutil.WaitFor(t, 10*time.Second, "the slots unassigned everywhere", func() bool {
		return strings.Contains(runCLI(t, "", "cluster", "check", c.Addr(0)).out, "Not all 16384 slots are covered")
	})
	r := runCLI(t, "", "cluster", "fix", c.Addr(0), "--cluster-yes")
	mustContain(t, r.out, ">>> Fixing open slot 100", "Case 4: Closing slot 100", ">>> Fixing open slot 200",
		"Case 2: Moving all the 200 slot keys", ">>> Fixing slots coverage...",
		"The following uncovered slots have no keys across the cluster:", "[16000-16001]",
		"The following uncovered slots have keys in just one node:", ">>> Covering slot "+strconv.Itoa(ks)+" with "+c.Addr(2))
	r.must(t, 0)
	c.WaitOK(30 * time.Second)
	r = runCLI(t, "", "cluster", "fix", c.Addr(1), "--cluster-yes").must(t, 0)
	if strings.Contains(r.out, "Fixing") {
		t.Fatalf("second fix did something:\n%s", r.out)
	}
	runCLI(t, "", "cluster", "check", c.Addr(2)).must(t, 0)
	if got := runCLI(t, "", args(hp(c.Addr(0)), "-c", "GET", key)...).out; got != "v\n" {
		t.Fatalf("key after fix: %q", got)
	}
}

// Keys a node holds in a slot it does not own are found by check and
// purged by fix --cluster-purge-unowned.
func TestClusterFixUnownedKeys(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	// Slot of "foo" is 12182, owned by node 2. Plant a copy on node 0.
	c.Do(0, "CLUSTER", "SETSLOT", "12182", "IMPORTING", c.NodeID(2))
	runCLI(t, "", args(hp(c.Addr(0)), "ASKING")...).must(t, 0)
	conn, err := Dial(c.Addr(0), ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Pipeline([][]string{{"ASKING"}, {"SET", "foo", "stale"}}); err != nil {
		t.Fatal(err)
	}
	c.Do(0, "CLUSTER", "SETSLOT", "12182", "STABLE")
	runCLI(t, "", args(hp(c.Addr(2)), "SET", "foo", "fresh")...).must(t, 0)
	r := runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, ExitClusterNotOK)
	mustContain(t, r.out, "[WARNING] Node "+c.Addr(0)+" holds 1 keys in 1 slots it does not own: 12182.")
	r = runCLI(t, "", "cluster", "check", c.Addr(0), "--cluster-search-multiple-owners").must(t, ExitClusterNotOK)
	mustContain(t, r.out, "[WARNING] Slot 12182 has 2 owners")
	r = runCLI(t, "", "cluster", "fix", c.Addr(0), "--cluster-purge-unowned").must(t, 0)
	mustContain(t, r.out, "Deleting the keys of slot 12182 from "+c.Addr(0))
	runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, 0)
	if got := runCLI(t, "", args(hp(c.Addr(1)), "-c", "GET", "foo")...).out; got != "fresh\n" {
		t.Fatalf("foo = %q", got)
	}
}

func TestClusterAddAndDelNode(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	extra := newNode(t)
	r := runCLI(t, "", "cluster", "add-node", extra, c.Addr(0)).must(t, 0)
	mustContain(t, r.out, ">>> Adding node "+extra+" to cluster "+c.Addr(0), ">>> Send CLUSTER MEET to node "+extra,
		"[OK] New node added correctly.")
	var id string
	testutil.WaitFor(t, 20*time.Second, "the new node known to all", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(1))
		if r.code != 0 || strings.Count(r.out, "M: ") != 4 {
			return false
		}
		for _, line := range strings.Split(r.out, "\n") {
			if strings.HasPrefix(line, "M: ") && strings.HasSuffix(line, extra) {
				id = strings.Fields(line)[1]
			}
		}
		return id != ""
	})
	// Adding it again fails: it is no longer empty.
	runCLI(t, "", "cluster", "add-node", extra, c.Addr(0)).must(t, 1)
	// A replica of a named primary.
	r = runCLI(t, "", "cluster", "add-node", newNode(t), c.Addr(0), "--cluster-replica",
		"--cluster-master-id", c.NodeID(2)).must(t, 0)
	mustContain(t, r.out, "Configure node as replica of "+c.Addr(2))
	runCLI(t, "", "cluster", "add-node", newNode(t), c.Addr(0), "--cluster-replica",
		"--cluster-primary-id", strings.Repeat("f", 40)).must(t, 1)
	// del-node refuses a node with slots, then removes the empty one.
	r = runCLI(t, "", "cluster", "del-node", c.Addr(0), c.NodeID(1)).must(t, 1)
	mustContain(t, r.err, "is not empty! Reshard data away and try again.")
	r = runCLI(t, "", "cluster", "del-node", c.Addr(0), id).must(t, 0)
	mustContain(t, r.out, ">>> Sending CLUSTER FORGET messages to the cluster...", "[OK] Node "+id+" removed from the cluster.")
	testutil.WaitFor(t, 20*time.Second, "the node forgotten", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(2))
		return r.code == 0 && !strings.Contains(r.out, extra)
	})
	runCLI(t, "", "cluster", "del-node", c.Addr(0), strings.Repeat("a", 40)).must(t, 1)
}

// Legacy reshard and rebalance of empty slots need only SETSLOT and
// GETKEYSINSLOT; the plans match valkey-cli's.
func TestClusterReshardRebalanceEmpty(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	extra := newNode(t)
	runCLI(t, "", "cluster", "add-node", extra, c.Addr(0)).must(t, 0)
	testutil.WaitFor(t, 20*time.Second, "4 nodes agree", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(0))
		return r.code == 0 && strings.Count(r.out, "M: ") == 4
	})
	// The dry run moves nothing.
	r := runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-use-empty-masters", "--dry-run").must(t, 0)
	mustContain(t, r.out, ">>> Rebalancing across 4 nodes. Total weight = 4.00", "Moving 1366 slots from ", "#####")
	runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, 0)
	if strings.Contains(runCLI(t, "", "cluster", "info", c.Addr(0)).out, "| 4096 slots") {
		t.Fatal("the dry run moved slots")
	}
	// Reshard 10 slots from node 0 to node 1, legacy path.
	r = runCLI(t, "", "cluster", "reshard", c.Addr(0), "--cluster-from", c.NodeID(0), "--cluster-to", c.NodeID(1),
		"--cluster-slots", "10", "--cluster-yes", "--legacy").must(t, 0)
	mustContain(t, r.out, "Ready to move 10 slots.", "Resharding plan:", "Moving slot range 0-9 from "+c.NodeID(0),
		"Moved 10 slots, 0 keys")
	r = runCLI(t, "", "cluster", "check", c.Addr(2)).must(t, 0)
	mustContain(t, r.out, "slots:[10-5460] (5451 slots)", "slots:[0-9],[5461-10921] (5471 slots)")
	// Rebalance with a tight threshold moves the 10 slots back (legacy).
	r = runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-threshold", "0.1", "--legacy").must(t, 0)
	mustContain(t, r.out, "Moving 10 slots from "+c.Addr(1)+" to "+c.Addr(0))
	r = runCLI(t, "", "cluster", "rebalance", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "*** No rebalancing needed! All nodes are within the 2.00% threshold.")
	// Scale in: give the new node a few slots, then weight 0 drains it and
	// del-node removes it.
	var extraID string
	for _, line := range strings.Split(runCLI(t, "", "cluster", "check", c.Addr(0)).out, "\n") {
		if strings.HasPrefix(line, "M: ") && strings.HasSuffix(line, extra) {
			extraID = strings.Fields(line)[1]
		}
	}
	runCLI(t, "", "cluster", "reshard", c.Addr(0), "--cluster-from", "all", "--cluster-to", extraID,
		"--cluster-slots", "12", "--cluster-yes", "--legacy").must(t, 0)
	r = runCLI(t, "", "cluster", "info", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "| 11 slots") // 5+3+3: valkey-cli rounds the smaller shares down
	r = runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-weight", extraID[:10]+"=0", "--legacy").must(t, 0)
	mustContain(t, r.out, "Moving ")
	// The drained node holds no slot: it is an empty primary, or (with
	// cluster-allow-replica-migration, the default) a replica now.
	r = runCLI(t, "", "cluster", "info", c.Addr(0)).must(t, 0)
	for _, line := range strings.Split(r.out, "\n") {
		if strings.HasPrefix(line, extra+" ") && !strings.Contains(line, "| 0 slots") {
			t.Fatalf("the drained node still has slots:\n%s", r.out)
		}
	}
	runCLI(t, "", "cluster", "del-node", c.Addr(0), extraID).must(t, 0)
	runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-weight", "nosuchnode=2").must(t, 1)
}

func TestClusterStatusLegacy(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	r := runCLI(t, "", "cluster", "status", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "No slot migration jobs.")
	c.Do(0, "CLUSTER", "SETSLOT", "5", "MIGRATING", c.NodeID(1))
	r = runCLI(t, "", "cluster", "status", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "legacy", c.Addr(0), c.Addr(1), "5-5", "migrating")
	r = runCLI(t, "", "--json", "cluster", "status", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, `"event":"status"`, `"kind":"legacy"`)
}
