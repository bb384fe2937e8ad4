package legacytest

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// With cluster-databases > 1 a slot holds keys in every database, and the
// legacy commands act on the selected one (Valkey 9): a migration driven
// per database (SELECT, GETKEYSINSLOT, MIGRATE ... destination-db) moves
// them all; SETSLOT NODE on the source is refused while any database
// still holds keys of the slot; during the move the same key name is
// served in a database that still has it and redirected in one that no
// longer does.
func TestMigrateNumberedDatabases(t *testing.T) {
	const dbs = 4
	c := startPrimaries(t, 3, 3, "--cluster-databases", strconv.Itoa(dbs))
	ctx := context.Background()
	s := 100 // node 0's
	tag := tagForSlot(s)
	src, dst := dbClients(t, c, 0, dbs), dbClients(t, c, 1, dbs)
	want := make([]map[string]string, dbs)
	for db := 0; db < dbs; db++ {
		want[db] = map[string]string{}
		for i := 0; i < 25+db; i++ {
			k := fmt.Sprintf("{%s}:%d", tag, i)
			want[db][k] = fmt.Sprintf("db%d-%d", db, i)
			if err := src[db].Set(ctx, k, want[db][k], 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	id0, id1 := c.NodeID(0), c.NodeID(1)
	c.Do(1, "CLUSTER", "SETSLOT", s, "IMPORTING", id0)
	c.Do(0, "CLUSTER", "SETSLOT", s, "MIGRATING", id1)

	common := fmt.Sprintf("{%s}:0", tag) // present in every database
	for db := 0; db < dbs; db++ {
		if n := migrateDB(t, src[db], c.Nodes[1].Port(), db, s); n != len(want[db]) {
			t.Fatalf("db %d: migrated %d keys, want %d", db, n, len(want[db]))
		}
		// Migrated here, still present in the next database.
		if err := src[db].Get(ctx, common).Err(); err == nil || err.Error() != "ASK "+strconv.Itoa(s)+" "+c.Addr(1) {
			t.Fatalf("db %d: GET of a migrated key: %v", db, err)
		}
		if db+1 < dbs {
			if v, err := src[db+1].Get(ctx, common).Result(); err != nil || v != want[db+1][common] {
				t.Fatalf("db %d: GET of a key not yet migrated: %q %v", db+1, v, err)
			}
			err := c.Client(0).Do(ctx, "CLUSTER", "SETSLOT", s, "NODE", id1).Err()
			if want := fmt.Sprintf("ERR Can't assign hashslot %d to a different node while I still hold keys for this hash slot.", s); err == nil || err.Error() != want {
				t.Fatalf("SETSLOT NODE with keys left in db %d: %v", db+1, err)
			}
		}
	}
	c.Do(1, "CLUSTER", "SETSLOT", s, "NODE", id1)
	c.Do(0, "CLUSTER", "SETSLOT", s, "NODE", id1)
	c.Do(2, "CLUSTER", "SETSLOT", s, "NODE", id1)
	for db := 0; db < dbs; db++ {
		if n, _ := src[db].ClusterCountKeysInSlot(ctx, s).Result(); n != 0 {
			t.Fatalf("db %d: %d keys left on the source", db, n)
		}
		if n, _ := dst[db].ClusterCountKeysInSlot(ctx, s).Result(); n != int64(len(want[db])) {
			t.Fatalf("db %d: %d keys on the target, want %d", db, n, len(want[db]))
		}
		for k, v := range want[db] {
			if got, err := dst[db].Get(ctx, k).Result(); err != nil || got != v {
				t.Fatalf("db %d: GET %s on the target = %q %v, want %q", db, k, got, err, v)
			}
		}
	}
	waitClean(t, c.Addr(2))
}

// migrateDB moves slot s's keys of database db, GETKEYSINSLOT and MIGRATE
// in batches of 10 as redis-cli does, and returns how many moved.
func migrateDB(t *testing.T, src *redis.Client, port, db, s int) int {
	t.Helper()
	ctx := context.Background()
	moved := 0
	for {
		keys, err := src.ClusterGetKeysInSlot(ctx, s, 10).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			return moved
		}
		args := []any{"MIGRATE", "127.0.0.1", port, "", db, 5000, "KEYS"}
		for _, k := range keys {
			args = append(args, k)
		}
		if err := src.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("db %d: %v: %v", db, args, err)
		}
		moved += len(keys)
	}
}

// dbClients returns one plain client of node i per database.
func dbClients(t *testing.T, c *testutil.Cluster, i, dbs int) []*redis.Client {
	t.Helper()
	out := make([]*redis.Client, dbs)
	for db := range out {
		out[db] = redis.NewClient(&redis.Options{Addr: c.Addr(i), DB: db, MaxRetries: -1})
		t.Cleanup(func() { out[db].Close() })
	}
	return out
}

func tagForSlot(s int) string {
	for i := 0; ; i++ {
		if tag := strconv.Itoa(i); slot.OfString(tag) == s {
			return tag
		}
	}
}
