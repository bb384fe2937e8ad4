package loadgen

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// TestClusterSlotMovedMidRun runs open-loop load against a 3-node Shoal
// cluster and, meanwhile, moves one hot slot to another node the legacy
// way (SETSLOT IMPORTING/MIGRATING, DUMP/RESTORE of its keys, SETSLOT
// NODE). The benchmark must follow the ASK redirections during the move
// and the MOVED after it, without a single error.
func TestClusterSlotMovedMidRun(t *testing.T) {
	cl := testutil.StartCluster(t, 3)
	port, _ := strconv.Atoi(cl.Addr(0)[strings.LastIndex(cl.Addr(0), ":")+1:])
	owner := func(s int) int { return min(s/(slot.Count/3), 2) } // testutil.Join: node i has [i·5461, (i+1)·5461)
	res := runWhileMovingSlot(t, port, shoalMover(t, cl), owner)
	// The data followed the slot.
	dst := (owner(slot.OfString("memtier-0")) + 1) % 3
	v, err := cl.Client(dst).Do(context.Background(), "EXISTS", "memtier-0").Int()
	if err != nil || v != 1 {
		t.Fatalf("memtier-0 on the target: %d, %v (%d sets)", v, err, res.Sets.Ops)
	}
}

// runWhileMovingSlot runs open-loop load against the cluster at
// 127.0.0.1:port and moves the slot of memtier-0 from its owner to the
// next node meanwhile; it checks the redirections were followed and
// counted without errors.
func runWhileMovingSlot(t *testing.T, port int, m *slotMover, owner func(int) int) *Result {
	cfg := DefaultConfig()
	cfg.Port, cfg.Cluster = port, true
	cfg.Threads, cfg.Clients, cfg.Pipeline = 1, 4, 4
	cfg.Requests, cfg.TestTime, cfg.Rate = 0, time.Minute, 2000
	cfg.KeyMin, cfg.KeyMax = 0, 19 // 20 hot keys: each one is hit ~100 times a second
	cfg.RatioSet, cfg.RatioGet = 1, 1
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *Result, 1)
	go func() {
		res, err := b.Run(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	testutil.WaitFor(t, 10*time.Second, "load running", func() bool { return b.Live().Ops > 500 })

	s := slot.OfString("memtier-0")
	src := owner(s)
	dst := (src + 1) % len(m.clients)
	b.Mark("migration start")
	m.move(s, src, dst, func() {
		// Keys of the slot are on the target now: requests for them on
		// the source are redirected with ASK.
		testutil.WaitFor(t, 10*time.Second, "an ASK redirection", func() bool { return b.Live().Ask > 0 })
	})
	b.Mark("hand-over")
	testutil.WaitFor(t, 10*time.Second, "a MOVED redirection", func() bool { return b.Live().Moved > 0 })
	ops := b.Live().Ops
	testutil.WaitFor(t, 10*time.Second, "load after the hand-over", func() bool { return b.Live().Ops > ops+500 })
	cancel()
	res := <-done
	if res == nil {
		t.FailNow()
	}
	if res.Errors != 0 {
		t.Fatalf("%d errors: %v", res.Errors, res.ErrorMessages)
	}
	if res.Totals.Moved == 0 || res.Totals.Ask == 0 || res.TopologyRefreshes < 2 {
		t.Fatalf("moved %d, ask %d, refreshes %d", res.Totals.Moved, res.Totals.Ask, res.TopologyRefreshes)
	}
	var moved, ask int64
	for _, r := range res.Timeline {
		moved += r.Moved
		ask += r.Ask
	}
	if moved != res.Totals.Moved || ask != res.Totals.Ask {
		t.Fatalf("timeline has %d MOVED / %d ASK, totals %d / %d", moved, ask, res.Totals.Moved, res.Totals.Ask)
	}
	if len(res.Events) != 2 || res.Events[1].Label != "hand-over" {
		t.Fatalf("events %+v", res.Events)
	}
	// The charts of a run with redirections and events (kept for a look
	// when LOADGEN_TEST_OUT names a directory).
	out := os.Getenv("LOADGEN_TEST_OUT")
	if out == "" {
		out = t.TempDir()
	}
	if err := WriteOutputs(filepath.Join(out, t.Name()), res, t.Name()); err != nil {
		t.Fatal(err)
	}
	return res
}

// slotMover moves slots between the nodes of a cluster (Shoal or Redis)
// the legacy way, as redis-cli --cluster reshard does, with DUMP/RESTORE
// standing in for MIGRATE.
type slotMover struct {
	t       *testing.T
	clients []*redis.Client
	ids     []string
}

func shoalMover(t *testing.T, cl *testutil.Cluster) *slotMover {
	m := &slotMover{t: t}
	for i := range cl.Nodes {
		m.clients = append(m.clients, cl.Client(i))
		m.ids = append(m.ids, cl.NodeID(i))
	}
	return m
}

func (m *slotMover) do(i int, args ...any) {
	m.t.Helper()
	if err := m.clients[i].Do(context.Background(), args...).Err(); err != nil {
		m.t.Fatalf("node %d: %v: %v", i, args, err)
	}
}

// move moves slot s from node src to node dst. While the slot is open
// and its keys already moved, during is called.
func (m *slotMover) move(s, src, dst int, during func()) {
	m.t.Helper()
	bg := context.Background()
	m.do(dst, "CLUSTER", "SETSLOT", s, "IMPORTING", m.ids[src])
	m.do(src, "CLUSTER", "SETSLOT", s, "MIGRATING", m.ids[dst])
	for {
		keys, err := m.clients[src].Do(bg, "CLUSTER", "GETKEYSINSLOT", s, 100).StringSlice()
		if err != nil {
			m.t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			m.moveKey(m.clients[src], m.clients[dst], k)
		}
	}
	during()
	order := []int{dst, src}
	for i := range m.clients {
		if i != src && i != dst {
			order = append(order, i)
		}
	}
	for _, i := range order {
		m.do(i, "CLUSTER", "SETSLOT", s, "NODE", m.ids[dst])
	}
}

// moveKey copies k to the importing node (ASKING + RESTORE on one
// connection) and deletes it from the source.
func (m *slotMover) moveKey(src, dst *redis.Client, k string) {
	m.t.Helper()
	bg := context.Background()
	dump, err := src.Dump(bg, k).Result()
	if err == redis.Nil {
		return // deleted meanwhile
	}
	if err != nil {
		m.t.Fatal(err)
	}
	cmds, err := dst.Pipelined(bg, func(p redis.Pipeliner) error {
		p.Do(bg, "ASKING")
		p.Do(bg, "RESTORE", k, 0, dump, "REPLACE")
		return nil
	})
	if err != nil {
		m.t.Fatalf("restore %s: %v %v", k, cmds, err)
	}
	if err := src.Del(bg, k).Err(); err != nil {
		m.t.Fatal(err)
	}
}
