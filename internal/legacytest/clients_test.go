package legacytest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// go-redis and valkey-go follow -ASK and -TRYAGAIN without surfacing an
// error. The migration is driven by hand, one key per MIGRATE, and pauses
// inside each slot until some client met the split slot, so that both
// redirections certainly happen (counted in INFO errorstats).
func TestClientsFollowASKAndTRYAGAIN(t *testing.T) {
	c := startPrimaries(t, 3, 3)
	gr := startWorkload(t, goRedisOps{newGoRedis(t, c.Addrs())}, "gr", 2)
	vk := startWorkload(t, valkeyOps{newValkeyGo(t, c.Addrs())}, "vk", 2)
	gr.waitOps(t, 300)
	vk.waitOps(t, 300)

	// The slots of some tagged pairs of each workload: MGET over a pair
	// split between source and target answers -TRYAGAIN.
	var slots []int
	for _, prefix := range []string{"gr", "vk"} {
		for p := 0; p < 8; p++ {
			slots = append(slots, slot.OfString(fmt.Sprintf("{%s:%d:t%d}", prefix, p%2, p)))
		}
	}
	before := errorStats(t, c, []int{0, 1, 2})
	for _, s := range slots {
		migrateSlotSlowly(t, c, s)
	}
	gr.waitOps(t, 300)
	vk.waitOps(t, 300)
	ledger := merge(gr.stop(t), vk.stop(t))
	after := redirects(t, c, []int{0, 1, 2})
	t.Logf("redirections during the migration: ASK %d, TRYAGAIN %d, MOVED %d",
		after["ASK"]-before["ASK"], after["TRYAGAIN"]-before["TRYAGAIN"], after["MOVED"]-before["MOVED"])
	if after["ASK"] == before["ASK"] || after["TRYAGAIN"] == before["TRYAGAIN"] {
		t.Fatalf("the migration did not exercise -ASK and -TRYAGAIN: before %v, after %v", before, after)
	}
	waitClean(t, c.Addr(0))
	verifyKeys(t, c, []int{0, 1, 2}, ledger)
}

// migrateSlotSlowly moves slot s from its owner to the next node the way
// redis-cli does, one key per MIGRATE, waiting after the first key for a
// client to meet the split slot (or for a while, if none comes).
func migrateSlotSlowly(t *testing.T, c *testutil.Cluster, s int) {
	t.Helper()
	ctx := context.Background()
	src := s / (16384 / 3)
	if src > 2 {
		src = 2
	}
	src = ownerOf(t, c, s, src)
	dst := (src + 1) % 3
	srcID, dstID := c.NodeID(src), c.NodeID(dst)
	c.Do(dst, "CLUSTER", "SETSLOT", s, "IMPORTING", srcID)
	c.Do(src, "CLUSTER", "SETSLOT", s, "MIGRATING", dstID)
	for first := true; ; first = false {
		keys, err := c.Client(src).ClusterGetKeysInSlot(ctx, s, 1).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		reply := c.Do(src, "MIGRATE", "127.0.0.1", c.Nodes[dst].Port(), "", 0, 5000, "KEYS", keys[0])
		if reply != "OK" && reply != "NOKEY" {
			t.Fatalf("MIGRATE %s: %v", keys[0], reply)
		}
		if first {
			waitRedirected(t, c, src)
		}
	}
	c.Do(dst, "CLUSTER", "SETSLOT", s, "NODE", dstID)
	c.Do(src, "CLUSTER", "SETSLOT", s, "NODE", dstID)
	c.Do(3-src-dst, "CLUSTER", "SETSLOT", s, "NODE", dstID)
}

// ownerOf returns the node that serves slot s (guess first).
func ownerOf(t *testing.T, c *testutil.Cluster, s, guess int) int {
	t.Helper()
	for _, r := range c.Client(0).ClusterSlots(context.Background()).Val() {
		if s >= r.Start && s <= r.End {
			for i := 0; i < 3; i++ {
				if c.NodeID(i) == r.Nodes[0].ID {
					return i
				}
			}
		}
	}
	return guess
}

// waitRedirected waits until node i answers some -TRYAGAIN or -ASK, or a
// second passes: the slot may hold no key a client is using.
func waitRedirected(t *testing.T, c *testutil.Cluster, i int) {
	t.Helper()
	start := errorStats(t, c, []int{i})
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		now := errorStats(t, c, []int{i})
		if now["TRYAGAIN"] > start["TRYAGAIN"] {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
