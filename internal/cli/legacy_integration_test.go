package cli

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// requireMigrate fails fast, with a clear message, when the server has
// no MIGRATE (the legacy path cannot move keys without it).
func requireMigrate(t *testing.T, addr string) {
	t.Helper()
	conn, err := Dial(addr, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r, err := conn.Call("COMMAND", "INFO", "MIGRATE")
	if err != nil || len(r.Elems) == 0 || r.Elems[0].IsNull() {
		t.Fatal("the server has no MIGRATE: the legacy path cannot move keys")
	}
}

// Legacy reshard and scale-in move the keys of every database.
func TestLegacyMigrationShoal(t *testing.T) {
	dirs := []string{"--cluster-databases", "4"}
	c := testutil.StartCluster(t, 3, dirs...)
	requireMigrate(t, c.Addr(0))
	d := &dataset{t: t, c: c, dbs: []int{0, 3}, perDB: 300}
	d.write()
	extra, extraID := addEmptyPrimary(t, c, dirs...)
	r := runCLI(t, "", "cluster", "reshard", c.Addr(0), "--cluster-from", "all", "--cluster-to", extraID,
		"--cluster-slots", "300", "--cluster-yes", "--legacy", "--cluster-pipeline", "7").must(t, 0)
	mustContain(t, r.out, "via legacy slot migration", "[OK] Slots moved.")
	runCLI(t, "", "cluster", "check", c.Addr(1)).must(t, 0)
	d.verify()
	conn, err := Dial(extra, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, _ := keyCount(conn); n == 0 {
		t.Fatal("no key moved to the new node")
	}
	runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-weight", extraID+"=0", "--legacy").must(t, 0)
	runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, 0)
	// Drained: no slot left (it may have become a replica, whose keys are
	// its new primary's).
	if rs := slotsOf(t, extra); len(rs) != 0 {
		t.Fatalf("the drained node still owns %v", rs)
	}
	runCLI(t, "", "cluster", "del-node", c.Addr(0), extraID).must(t, 0)
	d.verify()
}

// A legacy move interrupted half-way (some keys on each side, the slot
// open on both) is finished by fix without losing a key.
func TestLegacyFixHalfDone(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	requireMigrate(t, c.Addr(0))
	d := &dataset{t: t, c: c, dbs: []int{0}, perDB: 200, extra: 20}
	d.write()
	// 20 keys in one slot (a hash tag), on the node StartCluster gave it.
	slot := slotOfKey("{half}")
	from := min(slot/(16384/3), 2)
	to := (from + 1) % 3
	for i := 0; i < 20; i++ {
		c.Do(from, "SET", "{half}:"+strconv.Itoa(i), strconv.Itoa(i))
	}
	ss := strconv.Itoa(slot)
	c.Do(to, "CLUSTER", "SETSLOT", ss, "IMPORTING", c.NodeID(from))
	c.Do(from, "CLUSTER", "SETSLOT", ss, "MIGRATING", c.NodeID(to))
	keys := c.Do(from, "CLUSTER", "GETKEYSINSLOT", ss, "7").([]any)
	target := c.Nodes[to]
	c.Do(from, append([]any{"MIGRATE", "127.0.0.1", target.Port(), "", 0, 5000, "KEYS"}, keys...)...)
	r := runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, ExitClusterNotOK)
	mustContain(t, r.out, "The following slots are open: "+ss)
	// valkey-cli's rules: both nodes hold keys, so the one with more keys
	// (the source, 13 to 7) keeps the slot and gets the other keys back.
	r = runCLI(t, "", "cluster", "fix", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "Fixing open slot "+ss, "Case 2: Moving all the "+ss+" slot keys to its owner "+c.Addr(from))
	runCLI(t, "", "cluster", "check", c.Addr(2)).must(t, 0)
	d.verify()
	if n := c.Do(from, "CLUSTER", "COUNTKEYSINSLOT", ss).(int64); n != 20 {
		t.Fatalf("%d keys of slot %s on its owner, want 20", n, ss)
	}
	for i := 0; i < 20; i++ {
		if v := c.Do(from, "GET", "{half}:"+strconv.Itoa(i)); v != strconv.Itoa(i) {
			t.Fatalf("{half}:%d = %v", i, v)
		}
	}
}

// A move interrupted before any key left (reshard killed right after
// opening the slot on both nodes) is finished: Case 1.
func TestLegacyFixOpenedOnly(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	requireMigrate(t, c.Addr(0))
	slot := slotOfKey("{open}")
	from := min(slot/(16384/3), 2)
	to := (from + 1) % 3
	for i := 0; i < 5; i++ {
		c.Do(from, "SET", "{open}:"+strconv.Itoa(i), "v")
	}
	ss := strconv.Itoa(slot)
	c.Do(to, "CLUSTER", "SETSLOT", ss, "IMPORTING", c.NodeID(from))
	c.Do(from, "CLUSTER", "SETSLOT", ss, "MIGRATING", c.NodeID(to))
	r := runCLI(t, "", "cluster", "fix", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "Case 1: Moving slot "+ss+" from "+c.Addr(from)+" to "+c.Addr(to))
	runCLI(t, "", "cluster", "check", c.Addr(1)).must(t, 0)
	if n := c.Do(to, "CLUSTER", "COUNTKEYSINSLOT", ss).(int64); n != 5 {
		t.Fatalf("%d keys on the target, want 5", n)
	}
}

// fix moves keys found on a node that does not own their slot to the
// owner; equal values on both sides are fine, different ones stop it.
func TestLegacyFixMovesUnownedKeys(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	requireMigrate(t, c.Addr(0))
	plant := func(key, val string) {
		c.Do(0, "CLUSTER", "SETSLOT", strconv.Itoa(slotOfKey(key)), "IMPORTING", c.NodeID(2))
		conn, err := Dial(c.Addr(0), ConnOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Pipeline([][]string{{"ASKING"}, {"SET", key, val}}); err != nil {
			t.Fatal(err)
		}
		c.Do(0, "CLUSTER", "SETSLOT", strconv.Itoa(slotOfKey(key)), "STABLE")
	}
	// "foo" lives on node 2 (slot 12182); node 0 holds a stray copy.
	plant("foo", "only-here")
	r := runCLI(t, "", "cluster", "fix", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "Moving the keys of slot 12182 from "+c.Addr(0)+" to its owner "+c.Addr(2))
	if got := runCLI(t, "", args(hp(c.Addr(1)), "-c", "GET", "foo")...).out; got != "only-here\n" {
		t.Fatalf("foo = %q", got)
	}
	// Same value on both: replaced quietly. Different: fix refuses.
	plant("foo", "only-here")
	runCLI(t, "", "cluster", "fix", c.Addr(0)).must(t, 0)
	plant("foo", "stale")
	r = runCLI(t, "", "cluster", "fix", c.Addr(0)).must(t, 1)
	mustContain(t, r.out, "having different values", "- foo")
	runCLI(t, "", "cluster", "fix", c.Addr(0), "--cluster-purge-unowned").must(t, 0)
	if got := runCLI(t, "", args(hp(c.Addr(1)), "-c", "GET", "foo")...).out; got != "only-here\n" {
		t.Fatalf("foo = %q after the purge", got)
	}
}

// Ctrl-C during a legacy reshard finishes the slot in progress: exit 130,
// no open slot, no key lost.
func TestLegacyCancel(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	requireMigrate(t, c.Addr(0))
	d := &dataset{t: t, c: c, dbs: []int{0}, perDB: 3000}
	d.write()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := make(chan result)
	var out syncBuffer
	go func() {
		code := Run(ctx, []string{"cluster", "reshard", c.Addr(0), "--cluster-from", c.NodeID(0), "--cluster-to",
			c.NodeID(1), "--cluster-slots", "2000", "--cluster-yes", "--legacy", "--cluster-pipeline", "1"},
			IO{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: func(string) string { return "" }})
		res <- result{code: code, out: out.String()}
	}()
	testutil.WaitFor(t, 30*time.Second, "some slots moved", func() bool {
		return c.Do(1, "CLUSTER", "COUNTKEYSINSLOT", "0").(int64) > 0 || slotsOf(t, c.Addr(1))[0].Start == 0
	})
	cancel()
	var r result
	select {
	case r = <-res:
	case <-time.After(60 * time.Second):
		t.Fatal("the reshard did not stop")
	}
	r.must(t, ExitInterrupted)
	runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, 0)
	d.verify()
}
