package clustertest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
)

// A source deletes the keys of the slots it handed over in the background,
// where Valkey deletes them at once. Nothing may see the difference: as
// soon as the job reports success, CLUSTER COUNTKEYSINSLOT says 0, and
// CLUSTER SETSLOT IMPORTING (a legacy migration bringing the slot back)
// is accepted only once the old keys are gone, so that the deletion cannot
// take the keys the migration brings.
func TestLostSlotLooksEmptyAtOnce(t *testing.T) {
	f := newASMFixture(t)
	c := f.c
	ctx := context.Background()
	const src, dst, keys = 0, 1, 60000
	key, s := keyOwnedBy(c, src, "drop")
	tag := "{" + key + "}"
	slotArg := strconv.Itoa(s)
	// The fixture's keys: the node's, and those in the slot (if any).
	base := c.Client(src).DBSize(ctx).Val()
	pre, err := c.Client(src).Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", slotArg).Int()
	if err != nil {
		t.Fatal(err)
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
	f.migrate("SLOTSRANGE", slotArg, slotArg, "NODE", c.NodeID(dst))
	f.waitJob(src, "success")
	// At once, no waiting on a condition: that is the point.
	if n, err := c.Client(src).Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", slotArg).Int(); err != nil || n != 0 {
		t.Fatalf("the source counts %d keys (%v) in the slot it handed over", n, err)
	}
	if err := c.Client(src).Do(ctx, "CLUSTER", "SETSLOT", slotArg, "IMPORTING", c.NodeID(dst)).Err(); err != nil {
		t.Fatal(err)
	}
	if n := c.Client(src).DBSize(ctx).Val(); n != base-int64(pre) {
		t.Fatalf("IMPORTING accepted while the source holds %d keys, want %d", n, base-int64(pre))
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
	if moved != keys+pre {
		t.Fatalf("migrated %d keys back, want %d", moved, keys+pre)
	}
	if n, err := c.Client(src).Do(ctx, "CLUSTER", "COUNTKEYSINSLOT", slotArg).Int(); err != nil || n != keys+pre {
		t.Fatalf("after the slot came back the source holds %d keys (%v), want %d", n, err, keys+pre)
	}
}
