package repl_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// fillEveryType writes keys of every type on databases 0 and 2: small and
// big (chunked) collections, key TTLs and hash field TTLs.
func fillEveryType(t *testing.T, p *node) {
	t.Helper()
	c := p.c
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		must(c.Set(ctx, fmt.Sprintf("s%d", i), fmt.Sprintf("v%d", i), 0).Err())
	}
	must(c.Set(ctx, "int", 12345, 0).Err())
	must(c.Set(ctx, "big", string(make([]byte, 300000)), 0).Err())
	must(c.Set(ctx, "ttl", "x", time.Hour).Err())
	must(c.RPush(ctx, "smalllist", "a", "b", "c").Err())
	for i := 0; i < 1000; i++ {
		must(c.RPush(ctx, "biglist", i).Err())
		must(c.HSet(ctx, "bighash", fmt.Sprintf("f%d", i), i).Err())
		must(c.SAdd(ctx, "bigset", fmt.Sprintf("m%d", i)).Err())
		must(c.SAdd(ctx, "intset", i).Err())
		must(c.ZAdd(ctx, "bigzset", redis.Z{Score: float64(i) / 3, Member: fmt.Sprintf("z%d", i)}).Err())
	}
	must(c.HSet(ctx, "smallhash", "a", 1, "b", 2).Err())
	must(c.SAdd(ctx, "smallset", "x", "y").Err())
	must(c.ZAdd(ctx, "smallzset", redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: -2, Member: "b"}).Err())
	must(c.Expire(ctx, "bigset", time.Hour).Err())
	must(c.Do(ctx, "HPEXPIRE", "bighash", 3600000, "FIELDS", 2, "f1", "f2").Err())
	must(c.Do(ctx, "HSETEX", "fieldttl", "PX", 7200000, "FIELDS", 2, "a", "1", "b", "2").Err())
	c2 := redis.NewClient(&redis.Options{Addr: p.s.Addr(), DB: 2})
	defer c2.Close()
	must(c2.Set(ctx, "db2key", "two", 0).Err())
	must(c2.HSet(ctx, "db2hash", "f", "v").Err())
}

func TestFullSyncEveryType(t *testing.T) {
	p := start(t)
	r := start(t)
	fillEveryType(t, p)
	follow(t, r, p)
	waitSynced(t, p, r)
	compareData(t, p, r, 3)
	if got := infoInt(t, p, "stats", "sync_full"); got != 1 {
		t.Errorf("sync_full = %d, want 1", got)
	}
	// The stream after the sync: writes, TTLs, deletions on any database.
	c2 := redis.NewClient(&redis.Options{Addr: p.s.Addr(), DB: 2})
	defer c2.Close()
	p.c.Incr(ctx, "int")
	p.c.Del(ctx, "s1")
	p.c.LPop(ctx, "biglist")
	c2.Set(ctx, "db2key", "changed", time.Minute)
	p.c.Do(ctx, "HPEXPIRE", "smallhash", 60000, "FIELDS", 1, "a")
	p.c.Set(ctx, "gone", "x", 50*time.Millisecond)
	testutil.WaitFor(t, 5*time.Second, "short TTL expired on the primary", func() bool {
		return p.c.Exists(ctx, "gone").Val() == 0
	})
	waitSynced(t, p, r)
	compareData(t, p, r, 3)
}

// TestFullSyncWithConcurrentWrites syncs a replica while clients keep
// writing: INCR counters, appends to a big list and rewrites of keys the
// snapshot has not reached yet. Every effect must be on the replica
// exactly once.
func TestFullSyncWithConcurrentWrites(t *testing.T) {
	p := start(t)
	r := start(t)
	pipe := p.c.Pipeline()
	for i := 0; i < 50000; i++ {
		pipe.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < 64; i++ {
		p.c.Set(ctx, fmt.Sprintf("ctr%d", i), 1000, 0)
	}
	const writers, perWriter = 4, 2000
	var wg sync.WaitGroup
	startWrites := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: p.s.Addr()})
			defer c.Close()
			<-startWrites
			for i := 0; i < perWriter; i++ {
				if err := c.Incr(ctx, "ctr"+strconv.Itoa(i%64)).Err(); err != nil {
					t.Error(err)
					return
				}
				c.RPush(ctx, "growing", w*perWriter+i)
				c.IncrBy(ctx, fmt.Sprintf("k%d", (i*7919+w)%50000), 1)
			}
		}(w)
	}
	close(startWrites)
	follow(t, r, p)
	wg.Wait()
	waitSynced(t, p, r)
	total := int64(0)
	for i := 0; i < 64; i++ {
		n, err := r.c.Get(ctx, "ctr"+strconv.Itoa(i)).Int64()
		if err != nil {
			t.Fatal(err)
		}
		total += n - 1000
	}
	if total != writers*perWriter {
		t.Fatalf("replica counters sum to %d increments, want %d", total, writers*perWriter)
	}
	compareData(t, p, r, 1)
}

func TestPartialResyncAfterLinkDrop(t *testing.T) {
	p := start(t)
	r := start(t)
	p.c.Set(ctx, "a", 1, 0)
	follow(t, r, p)
	waitSynced(t, p, r)
	// Drop the link from the replica's side, write meanwhile.
	if err := r.c.Do(ctx, "CLIENT", "KILL", "TYPE", "master").Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		p.c.Incr(ctx, "a")
	}
	waitSynced(t, p, r)
	// And from the primary's side.
	if err := p.c.Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		p.c.Incr(ctx, "a")
	}
	waitSynced(t, p, r)
	if got := r.c.Get(ctx, "a").Val(); got != "201" {
		t.Fatalf("a = %s on the replica, want 201", got)
	}
	if full, ok := infoInt(t, p, "stats", "sync_full"), infoInt(t, p, "stats", "sync_partial_ok"); full != 1 || ok < 1 {
		t.Fatalf("sync_full=%d sync_partial_ok=%d, want 1 and >= 1", full, ok)
	}
}

// TestFullResyncWhenBacklogTooShort drops the link, writes more than the
// backlog holds, and expects a full resynchronization that counts as a
// failed partial one. (The first sync counts as one too: a fresh node asks
// to continue its own history, as Redis 7 does.)
func TestFullResyncWhenBacklogTooShort(t *testing.T) {
	p := start(t, "--repl-backlog-size", "16384")
	r := start(t)
	follow(t, r, p)
	waitSynced(t, p, r)
	if err := r.c.Do(ctx, "CONFIG", "SET", "repl-timeout", "60").Err(); err != nil {
		t.Fatal(err)
	}
	// Stop the replica from reconnecting while the primary writes.
	if err := r.c.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		p.c.Set(ctx, fmt.Sprintf("k%d", i), "some value that takes room", 0)
	}
	follow(t, r, p)
	waitSynced(t, p, r)
	compareData(t, p, r, 1)
	if full, perr := infoInt(t, p, "stats", "sync_full"), infoInt(t, p, "stats", "sync_partial_err"); full != 2 || perr != 2 {
		t.Fatalf("sync_full=%d sync_partial_err=%d, want 2 and 2", full, perr)
	}
}
