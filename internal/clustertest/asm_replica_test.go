package clustertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// TestASMTargetReplica: the target's replica receives the import through
// replication, stages it (a tracking entry in GETSLOTMIGRATIONS), and
// publishes it when the target's FINISH arrives; a failed import leaves
// nothing on it either.
func TestASMTargetReplica(t *testing.T) {
	c := testutil.StartClusterNodes(t, 4, "--enable-debug-command", "yes")
	for i := range c.Nodes {
		c.Do(i, "CLUSTER", "SET-CONFIG-EPOCH", i+1)
	}
	for i := 1; i < 4; i++ {
		c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[i].Port(), c.Nodes[i].ClusterPort())
	}
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 8191)
	c.Do(1, "CLUSTER", "ADDSLOTSRANGE", 8192, 16383)
	ctx := context.Background()
	id1 := c.NodeID(1)
	testutil.WaitFor(t, 20*time.Second, "node 3 knows node 1", func() bool {
		return strings.Contains(c.Client(3).ClusterNodes(ctx).Val(), id1)
	})
	c.Do(3, "CLUSTER", "REPLICATE", id1)
	testutil.WaitFor(t, 30*time.Second, "replica linked", func() bool {
		info, _ := c.Client(3).Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	c.WaitOK(30 * time.Second)
	rc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRedirects: 16})
	defer rc.Close()
	var keys []string
	for i := 0; len(keys) < 300; i++ {
		k := fmt.Sprintf("r:%d", i)
		if slotOf(k) <= 4000 {
			keys = append(keys, k)
			if err := rc.Set(ctx, k, k, 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	replica := redis.NewClient(&redis.Options{Addr: c.Addr(3)})
	defer replica.Close()
	countOnReplica := func() int64 {
		var n int64
		for s := 0; s <= 4000; s++ {
			v, _ := replica.ClusterCountKeysInSlot(ctx, s).Result()
			n += v
		}
		return n
	}

	// A cancelled import: the replica tracked it and dropped it.
	c.Do(0, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", "1")
	c.Do(0, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", 0, 4000, "NODE", id1)
	testutil.WaitFor(t, 20*time.Second, "replica tracks the import", func() bool {
		jobs := asmJobs(t, c, 3)
		return len(jobs) == 1 && jobs[0]["state"] == "occurring-on-primary" && countOnReplica() == int64(len(keys))
	})
	// Staged, so invisible to everything but COUNTKEYSINSLOT.
	if n, _ := replica.DBSize(ctx).Result(); n != 0 {
		t.Fatalf("the replica's DBSIZE counts %d staged keys", n)
	}
	c.Do(0, "CLUSTER", "CANCELSLOTMIGRATIONS")
	testutil.WaitFor(t, 20*time.Second, "replica drops the staged keys", func() bool {
		jobs := asmJobs(t, c, 3)
		return len(jobs) == 1 && jobs[0]["state"] == "failed" && countOnReplica() == 0
	})

	// A successful one: the replica serves the keys once its primary owns
	// the slots.
	c.Do(0, "DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", "0")
	c.Do(0, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", 0, 4000, "NODE", id1)
	testutil.WaitFor(t, 30*time.Second, "replica's tracking entry succeeds", func() bool {
		jobs := asmJobs(t, c, 3)
		return len(jobs) == 2 && jobs[0]["state"] == "success"
	})
	ro := redis.NewClient(&redis.Options{Addr: c.Addr(3), OnConnect: func(ctx context.Context, cn *redis.Conn) error {
		return cn.ReadOnly(ctx).Err()
	}})
	defer ro.Close()
	testutil.WaitFor(t, 10*time.Second, "replica serves the migrated keys", func() bool {
		for _, k := range keys {
			if v, err := ro.Get(ctx, k).Result(); err != nil || v != k {
				return false
			}
		}
		return true
	})
}
