package loadgen

import (
	"context"
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
	src := min(s/(slot.Count/3), 2) // testutil.Join gives node i slots [i·5461, (i+1)·5461)
	dst := (src + 1) % 3
	b.Mark("migration start")
	moveSlotLegacy(t, cl, s, src, dst, func() {
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
	// The data followed the slot.
	v, err := cl.Client(dst).Do(context.Background(), "EXISTS", "memtier-0").Int()
	if err != nil || v != 1 {
		t.Fatalf("memtier-0 on the target: %d, %v", v, err)
	}
}

// moveSlotLegacy moves slot s from node src to node dst as redis-cli
// --cluster reshard does, with DUMP/RESTORE standing in for MIGRATE. While
// the slot is open and its keys already moved, during is called.
func moveSlotLegacy(t *testing.T, cl *testutil.Cluster, s, src, dst int, during func()) {
	t.Helper()
	bg := context.Background()
	srcID, dstID := cl.NodeID(src), cl.NodeID(dst)
	cl.Do(dst, "CLUSTER", "SETSLOT", s, "IMPORTING", srcID)
	cl.Do(src, "CLUSTER", "SETSLOT", s, "MIGRATING", dstID)
	for {
		keys, err := cl.Client(src).Do(bg, "CLUSTER", "GETKEYSINSLOT", s, 100).StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			moveKey(t, cl.Client(src), cl.Client(dst), k)
		}
	}
	during()
	for _, i := range []int{dst, src, 3 - src - dst} {
		cl.Do(i, "CLUSTER", "SETSLOT", s, "NODE", dstID)
	}
}

// moveKey copies k to the importing node (ASKING + RESTORE on one
// connection) and deletes it from the source.
func moveKey(t *testing.T, src, dst *redis.Client, k string) {
	t.Helper()
	bg := context.Background()
	dump, err := src.Dump(bg, k).Result()
	if err == redis.Nil {
		return // deleted meanwhile
	}
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := dst.Pipelined(bg, func(p redis.Pipeliner) error {
		p.Do(bg, "ASKING")
		p.Do(bg, "RESTORE", k, 0, dump, "REPLACE")
		return nil
	})
	if err != nil {
		t.Fatalf("restore %s: %v %v", k, cmds, err)
	}
	if err := src.Del(bg, k).Err(); err != nil {
		t.Fatal(err)
	}
}
