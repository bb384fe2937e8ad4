package clustertest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// asmBigElems is the size of each big collection: a million, as the issue
// asks, unless the race detector makes that too slow for CI.
func asmBigElems() int {
	if raceEnabled {
		return 200_000
	}
	return 1_000_000
}

// TestASMBigCollections migrates a hash, a list, a set and a sorted set of
// a million elements each: they are sent in bounded chunks over several
// lock holds, the source never queues more than a few MiB, and the target
// ends with every element.
func TestASMBigCollections(t *testing.T) {
	f := newASMFixture(t)
	ctx := context.Background()
	n := asmBigElems()
	keys := []string{"{big}hash", "{big}list", "{big}set", "{big}zset"}
	pipe := f.rc.Pipeline()
	for i := 0; i < n; i += 1000 {
		h := make([]any, 0, 2000)
		l := make([]any, 0, 1000)
		z := make([]redis.Z, 0, 1000)
		for j := i; j < i+1000 && j < n; j++ {
			v := strconv.Itoa(j)
			h = append(h, "f"+v, v)
			l = append(l, v)
			z = append(z, redis.Z{Score: float64(j), Member: "m" + v})
		}
		pipe.HSet(ctx, keys[0], h...)
		pipe.RPush(ctx, keys[1], l...)
		pipe.SAdd(ctx, keys[2], l...)
		pipe.ZAdd(ctx, keys[3], z...)
		if pipe.Len() >= 200 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// What the source holds is the reference: a client pipeline retried
	// on a slow machine may have pushed some batches twice.
	sizes := asmBigSizes(ctx, t, f.rc, keys)
	s := slotOf(keys[0])
	owner := 0
	for i := range f.c.Nodes {
		if c, _ := f.c.Client(i).ClusterCountKeysInSlot(ctx, s).Result(); c == 4 {
			owner = i
		}
	}
	target := (owner + 1) % 3
	cmd := []any{"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", s, s, "NODE", f.c.NodeID(target)}
	start := time.Now()
	if err := f.c.Client(owner).Do(ctx, cmd...).Err(); err != nil {
		t.Fatal(err)
	}
	f.waitJobOn(owner, "success", 5*time.Minute)
	job := asmJobs(t, f.c, owner)[0]
	t.Logf("%d elements x 4 moved in %v: %v", n, time.Since(start), job["progress"])
	peak := progressField(t, fmt.Sprint(job["progress"]), "peak_buffer")
	if peak > 16<<20 {
		t.Fatalf("the source queued %d bytes for the target: not bounded", peak)
	}
	tc := redis.NewClient(&redis.Options{Addr: f.c.Addr(target)})
	defer tc.Close()
	if got := asmBigSizes(ctx, t, tc, keys); got != sizes {
		t.Fatalf("target holds %v, the source held %v", got, sizes)
	}
	if sizes[0] != int64(n) || sizes[2] != int64(n) || sizes[3] != int64(n) {
		t.Fatalf("loaded %v, want %d each", sizes, n)
	}
	if v, _ := tc.LIndex(ctx, keys[1], -1).Result(); v != strconv.Itoa(n-1) {
		t.Fatalf("list order: last element %q", v)
	}
}

func asmBigSizes(ctx context.Context, t *testing.T, c redis.Cmdable, keys []string) [4]int64 {
	var out [4]int64
	var err [4]error
	out[0], err[0] = c.HLen(ctx, keys[0]).Result()
	out[1], err[1] = c.LLen(ctx, keys[1]).Result()
	out[2], err[2] = c.SCard(ctx, keys[2]).Result()
	out[3], err[3] = c.ZCard(ctx, keys[3]).Result()
	for _, e := range err {
		if e != nil {
			t.Fatal(e)
		}
	}
	return out
}

func progressField(t *testing.T, progress, name string) int64 {
	for _, kv := range strings.Fields(progress) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in %q", name, progress)
	return 0
}
