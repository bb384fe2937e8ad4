package clustertest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// A source deletes the keys of the slots it handed over in the background,
// where Valkey deletes them at once. Nothing may see the difference: as
// soon as the job reports success, CLUSTER COUNTKEYSINSLOT says 0, and
// CLUSTER SETSLOT IMPORTING (a legacy migration bringing the slot back)
// is accepted only once the old keys are gone, so that the deletion cannot
// take the keys the migration brings.
func TestLostSlotLooksEmptyAtOnce(t *testing.T) {
	c := testutil.StartCluster(t, 2)
	ctx := context.Background()
	const tag, keys = "{drop}", 60000
	s := slotOf(tag)
	src, dst := 0, 1
	if s >= 8192 {
		src, dst = 1, 0
	}
	pipe := c.Client(src).Pipeline()
	for i := range keys {
		pipe.Set(ctx, fmt.Sprintf("%s:%d", tag, i), "v", 0)
		if i%5000 == 4999 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	slotArg := strconv.Itoa(s)
	if err := c.Client(src).Do(ctx, "CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", slotArg, slotArg, "NODE", c.NodeID(dst)).Err(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 60*time.Second, "export job success", func() bool {
		jobs := asmJobs(t, c, src)
		if len(jobs) == 0 {
			return false
		}
		st := fmt.Sprint(jobs[0]["state"])
		if st == "failed" || st == "cancelled" {
			t.Fatalf("job ended %s: %v", st, jobs[0])
		}
		return st == "success"
	})
	// At once, no waiting on a condition: that is the point.
	if n, err := c.Client(src).Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", slotArg).Int(); err != nil || n != 0 {
		t.Fatalf("the source counts %d keys (%v) in the slot it handed over", n, err)
	}
	if err := c.Client(src).Do(ctx, "CLUSTER", "SETSLOT", slotArg, "IMPORTING", c.NodeID(dst)).Err(); err != nil {
		t.Fatal(err)
	}
	if n := c.Client(src).DBSize(ctx).Val(); n != 0 {
		t.Fatalf("IMPORTING accepted while the source holds %d keys", n)
	}
	// The slot comes back the legacy way: the restored keys stay.
	if err := c.Client(dst).Do(ctx, "CLUSTER", "SETSLOT", slotArg, "MIGRATING", c.NodeID(src)).Err(); err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(c.Addr(src))
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for {
		ks, err := c.Client(dst).Do(ctx, "CLUSTER", "GETKEYSINSLOT", slotArg, "1000").StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		if len(ks) == 0 {
			break
		}
		args := []any{"MIGRATE", host, port, "", 0, 10000, "KEYS"}
		for _, k := range ks {
			args = append(args, k)
		}
		if err := c.Client(dst).Do(ctx, args...).Err(); err != nil {
			t.Fatal(err)
		}
		moved += len(ks)
	}
	for _, i := range []int{src, dst} {
		if err := c.Client(i).Do(ctx, "CLUSTER", "SETSLOT", slotArg, "NODE", c.NodeID(src)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if moved != keys {
		t.Fatalf("migrated %d keys back, want %d", moved, keys)
	}
	if n, err := c.Client(src).Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", slotArg).Int(); err != nil || n != keys {
		t.Fatalf("after the slot came back the source holds %d keys (%v), want %d", n, err, keys)
	}
}
