package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// dataset writes keys into several databases of a cluster and checks
// them afterwards, wherever their slots went.
type dataset struct {
	t     *testing.T
	c     *testutil.Cluster
	dbs   []int
	perDB int
	extra int // keys of database 0 written outside the dataset
}

func (d *dataset) key(db, i int) string { return fmt.Sprintf("db%d:key:%d", db, i) }

// do runs a command on whichever node serves the key's slot, in db,
// following -MOVED.
func (d *dataset) do(db int, key string, args ...any) (any, error) {
	addr := d.c.Addr(0)
	for i := 0; ; i++ {
		cl := redis.NewClient(&redis.Options{Addr: addr, DB: db, MaxRetries: -1})
		v, err := cl.Do(context.Background(), args...).Result()
		cl.Close()
		if err == nil || err == redis.Nil || !strings.HasPrefix(err.Error(), "MOVED ") || i == 5 {
			return v, err
		}
		addr = strings.Fields(err.Error())[2]
	}
}

func (d *dataset) write() {
	for _, db := range d.dbs {
		for i := 0; i < d.perDB; i++ {
			k := d.key(db, i)
			if _, err := d.do(db, k, "SET", k, "v"+strconv.Itoa(i)); err != nil {
				d.t.Fatalf("SET %s in db %d: %v", k, db, err)
			}
		}
	}
}

// verify checks every key is readable exactly where the cluster says and
// that the nodes hold no more keys than written.
func (d *dataset) verify() {
	d.t.Helper()
	for _, db := range d.dbs {
		for i := 0; i < d.perDB; i++ {
			k := d.key(db, i)
			v, err := d.do(db, k, "GET", k)
			if err != nil || v != "v"+strconv.Itoa(i) {
				d.t.Fatalf("GET %s in db %d: %v %v", k, db, v, err)
			}
		}
		var total int64
		for _, addr := range d.addrs() {
			cl := redis.NewClient(&redis.Options{Addr: addr, DB: db})
			n, err := cl.DBSize(context.Background()).Result()
			cl.Close()
			if err != nil {
				d.t.Fatal(err)
			}
			total += n
		}
		want := int64(d.perDB)
		if db == 0 {
			want += int64(d.extra)
		}
		if total != want {
			d.t.Fatalf("db %d holds %d keys in total, want %d", db, total, want)
		}
	}
}

// addEmptyPrimary adds a fresh node to c with shoal-cli and waits until
// everybody knows it; it returns its id.
func addEmptyPrimary(t *testing.T, c *testutil.Cluster, directives ...string) (addr, id string) {
	t.Helper()
	srv := testutil.StartServer(t, append([]string{"--cluster-enabled", "yes", "--cluster-node-timeout",
		strconv.Itoa(testutil.ClusterNodeTimeout), "--dir", t.TempDir()}, directives...)...)
	addr = srv.Addr()
	runCLI(t, "", "cluster", "add-node", addr, c.Addr(0)).must(t, 0)
	testutil.WaitFor(t, 20*time.Second, "the new node known to all", func() bool {
		r := runCLI(t, "", "cluster", "check", c.Addr(0))
		return r.code == 0 && strings.Contains(r.out, addr)
	})
	conn, err := Dial(addr, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	id, err = conn.String("CLUSTER", "MYID")
	if err != nil {
		t.Fatal(err)
	}
	return addr, id
}

// Scale out and back in with atomic slot migration, with keys in several
// databases: nothing is lost, the checks pass, the jobs are reported.
func TestAtomicMigrationShoal(t *testing.T) {
	dirs := []string{"--cluster-databases", "4"}
	c := testutil.StartCluster(t, 3, dirs...)
	d := &dataset{t: t, c: c, dbs: []int{0, 2}, perDB: 300}
	d.write()
	extra, extraID := addEmptyPrimary(t, c, dirs...)

	r := runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-use-empty-masters").must(t, 0)
	mustContain(t, r.out, "via atomic slot migration", "[OK] Moved ", "[OK] Slots moved.")
	runCLI(t, "", "cluster", "check", c.Addr(1)).must(t, 0)
	r = runCLI(t, "", "cluster", "info", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, extra+" (", "| 4096 slots", "[OK] 600 keys in 4 primaries.")
	d.verify()

	// One explicit job, reported as JSON with Shoal's progress counters.
	ranges := slotsOf(t, extra)
	first := ranges[0]
	r = runCLI(t, "", "--json", "cluster", "migrate", c.Addr(0), "--from", extraID, "--to", c.NodeID(0),
		"--slots", fmt.Sprintf("%d-%d", first.Start, first.Start+99)).must(t, 0)
	done := findEvent(events(t, r.out), "job_done")
	if done == nil || done["error"] != nil || done["slots_done"] != float64(100) {
		t.Fatalf("job_done %v\n%s", done, r.out)
	}
	d.verify()
	r = runCLI(t, "", "cluster", "status", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "atomic", "success")

	// Scale in: weight 0 drains the node, then it is removed.
	runCLI(t, "", "cluster", "rebalance", c.Addr(0), "--cluster-weight", extraID+"=0").must(t, 0)
	runCLI(t, "", "cluster", "check", c.Addr(0)).must(t, 0)
	runCLI(t, "", "cluster", "del-node", c.Addr(0), extraID).must(t, 0)
	d.verify()
}

// slotsOf returns the slot ranges a node owns in its own view.
func slotsOf(t *testing.T, addr string) []slotRange {
	t.Helper()
	conn, err := Dial(addr, ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	me, _, err := loadNode(conn)
	if err != nil {
		t.Fatal(err)
	}
	return me.Slots.ranges()
}

// Ctrl-C during an atomic migration cancels it on the source: exit 130,
// the slots stay where they were, no key is lost.
func TestAtomicCancelShoal(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	d := &dataset{t: t, c: c, dbs: []int{0}, perDB: 400}
	d.write()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := make(chan result)
	go func() {
		// 1 byte/s: the job cannot finish before it is cancelled.
		res <- runCLICtx(ctx, t, IO{}, "cluster", "migrate", c.Addr(0), "--from", c.NodeID(0), "--to", c.NodeID(1),
			"--slots", "0-999", "--rate", "1")
	}()
	testutil.WaitFor(t, 20*time.Second, "the job running", func() bool {
		r := runCLI(t, "", "--json", "cluster", "status", c.Addr(1))
		return strings.Contains(r.out, `"active":true`)
	})
	cancel()
	var r result
	select {
	case r = <-res:
	case <-time.After(30 * time.Second):
		t.Fatal("the migration did not stop")
	}
	r.must(t, ExitInterrupted)
	mustContain(t, r.out, "Cancelled the slot migrations of "+c.Addr(0))
	r = runCLI(t, "", "cluster", "status", c.Addr(0)).must(t, 0)
	mustContain(t, r.out, "cancelled")
	testutil.WaitFor(t, 20*time.Second, "a clean cluster", func() bool {
		return runCLI(t, "", "cluster", "check", c.Addr(0)).code == 0
	})
	if got := slotsOf(t, c.Addr(0)); len(got) == 0 || got[0].Start != 0 {
		t.Fatalf("node 0 owns %v after the cancel", got)
	}
	d.verify()
}

// addrs are the addresses of every node in the cluster (CLUSTER NODES of
// node 0, so added nodes count too).
func (d *dataset) addrs() []string {
	conn, err := Dial(d.c.Addr(0), ConnOptions{})
	if err != nil {
		d.t.Fatal(err)
	}
	defer conn.Close()
	_, lines, err := loadNode(conn)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []string
	for _, l := range lines {
		if l.isMyself() {
			out = append(out, d.c.Addr(0))
		} else {
			out = append(out, l.addr())
		}
	}
	return out
}
