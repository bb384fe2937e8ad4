package clustertest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/testutil"
)

// workload is one worker's mixed commands over many slots: strings,
// counters, hashes, sets, TTLs, multi-key commands within a hash tag, and
// reads of what it wrote. It returns the first error.
type workload interface {
	set(ctx context.Context, k, v string) error
	get(ctx context.Context, k string) (string, error)
	incr(ctx context.Context, k string) (int64, error)
	hset(ctx context.Context, k, f, v string) error
	hget(ctx context.Context, k, f string) (string, error)
	sadd(ctx context.Context, k, m string) error
	scard(ctx context.Context, k string) (int64, error)
	mset(ctx context.Context, kv ...string) error
	mget(ctx context.Context, keys ...string) ([]string, error)
	expire(ctx context.Context, k string, d time.Duration) error
	del(ctx context.Context, k string) error
}

func runWorkload(ctx context.Context, w workload, worker, n int) error {
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("w%d:k%d", worker, i)
		v := strconv.Itoa(i * worker)
		if err := w.set(ctx, k, v); err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
		if got, err := w.get(ctx, k); err != nil || got != v {
			return fmt.Errorf("get %s = %q, %v; want %q", k, got, err, v)
		}
		ctr := fmt.Sprintf("w%d:ctr%d", worker, i%7)
		if _, err := w.incr(ctx, ctr); err != nil {
			return fmt.Errorf("incr: %w", err)
		}
		h := fmt.Sprintf("w%d:h%d", worker, i%5)
		if err := w.hset(ctx, h, "f"+v, v); err != nil {
			return fmt.Errorf("hset: %w", err)
		}
		if got, err := w.hget(ctx, h, "f"+v); err != nil || got != v {
			return fmt.Errorf("hget = %q, %v", got, err)
		}
		if err := w.sadd(ctx, fmt.Sprintf("w%d:s", worker), v); err != nil {
			return fmt.Errorf("sadd: %w", err)
		}
		tag := fmt.Sprintf("{w%d:t%d}", worker, i)
		if err := w.mset(ctx, tag+"a", v, tag+"b", v+"b"); err != nil {
			return fmt.Errorf("mset: %w", err)
		}
		if got, err := w.mget(ctx, tag+"a", tag+"b"); err != nil || len(got) != 2 || got[1] != v+"b" {
			return fmt.Errorf("mget = %v, %v", got, err)
		}
		if err := w.expire(ctx, k, time.Hour); err != nil {
			return fmt.Errorf("expire: %w", err)
		}
		if i%3 == 0 {
			if err := w.del(ctx, tag+"a"); err != nil {
				return fmt.Errorf("del: %w", err)
			}
		}
	}
	if card, err := w.scard(ctx, fmt.Sprintf("w%d:s", worker)); err != nil || card != int64(n) {
		return fmt.Errorf("scard = %d, %v; want %d", card, err, n)
	}
	return nil
}

func runWorkers(t *testing.T, w workload, workers, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 1; i <= workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- runWorkload(ctx, w, i, n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// keysEverywhere checks that the workload landed on every shard.
func keysEverywhere(t *testing.T, c *testutil.Cluster) {
	t.Helper()
	for i := range c.Nodes {
		if n := c.Do(i, "DBSIZE").(int64); n == 0 {
			t.Errorf("node %d holds no keys", i)
		}
	}
}

func TestGoRedisClusterClient(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()[:1], Protocol: proto})
			defer cl.Close()
			runWorkers(t, goRedisWorkload{cl}, 4, 60)
			// A pipeline spanning all shards is split per node.
			ctx := context.Background()
			pipe := cl.Pipeline()
			for i := 0; i < 100; i++ {
				pipe.Set(ctx, "p"+strconv.Itoa(i), i, 0)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			keysEverywhere(t, c)
		})
	}
}

func TestValkeyGoCluster(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	// Shoal has no CLIENT TRACKING yet: no client-side cache.
	cl, err := valkey.NewClient(valkey.ClientOption{InitAddress: c.Addrs()[:1],
		DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if nodes := cl.Nodes(); len(nodes) != 3 {
		t.Fatalf("valkey-go sees %d nodes, want 3 (cluster mode)", len(nodes))
	}
	runWorkers(t, valkeyWorkload{cl}, 4, 60)
	keysEverywhere(t, c)
}

type goRedisWorkload struct{ c *redis.ClusterClient }

func (w goRedisWorkload) set(ctx context.Context, k, v string) error {
	return w.c.Set(ctx, k, v, 0).Err()
}
func (w goRedisWorkload) get(ctx context.Context, k string) (string, error) {
	return w.c.Get(ctx, k).Result()
}
func (w goRedisWorkload) incr(ctx context.Context, k string) (int64, error) {
	return w.c.Incr(ctx, k).Result()
}
func (w goRedisWorkload) hset(ctx context.Context, k, f, v string) error {
	return w.c.HSet(ctx, k, f, v).Err()
}
func (w goRedisWorkload) hget(ctx context.Context, k, f string) (string, error) {
	return w.c.HGet(ctx, k, f).Result()
}
func (w goRedisWorkload) sadd(ctx context.Context, k, m string) error {
	return w.c.SAdd(ctx, k, m).Err()
}
func (w goRedisWorkload) scard(ctx context.Context, k string) (int64, error) {
	return w.c.SCard(ctx, k).Result()
}
func (w goRedisWorkload) mset(ctx context.Context, kv ...string) error {
	args := make([]any, len(kv))
	for i, s := range kv {
		args[i] = s
	}
	return w.c.MSet(ctx, args...).Err()
}
func (w goRedisWorkload) mget(ctx context.Context, keys ...string) ([]string, error) {
	vals, err := w.c.MGet(ctx, keys...).Result()
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i], _ = v.(string)
	}
	return out, err
}
func (w goRedisWorkload) expire(ctx context.Context, k string, d time.Duration) error {
	return w.c.Expire(ctx, k, d).Err()
}
func (w goRedisWorkload) del(ctx context.Context, k string) error { return w.c.Del(ctx, k).Err() }

type valkeyWorkload struct{ c valkey.Client }

func (w valkeyWorkload) set(ctx context.Context, k, v string) error {
	return w.c.Do(ctx, w.c.B().Set().Key(k).Value(v).Build()).Error()
}
func (w valkeyWorkload) get(ctx context.Context, k string) (string, error) {
	return w.c.Do(ctx, w.c.B().Get().Key(k).Build()).ToString()
}
func (w valkeyWorkload) incr(ctx context.Context, k string) (int64, error) {
	return w.c.Do(ctx, w.c.B().Incr().Key(k).Build()).AsInt64()
}
func (w valkeyWorkload) hset(ctx context.Context, k, f, v string) error {
	return w.c.Do(ctx, w.c.B().Hset().Key(k).FieldValue().FieldValue(f, v).Build()).Error()
}
func (w valkeyWorkload) hget(ctx context.Context, k, f string) (string, error) {
	return w.c.Do(ctx, w.c.B().Hget().Key(k).Field(f).Build()).ToString()
}
func (w valkeyWorkload) sadd(ctx context.Context, k, m string) error {
	return w.c.Do(ctx, w.c.B().Sadd().Key(k).Member(m).Build()).Error()
}
func (w valkeyWorkload) scard(ctx context.Context, k string) (int64, error) {
	return w.c.Do(ctx, w.c.B().Scard().Key(k).Build()).AsInt64()
}
func (w valkeyWorkload) mset(ctx context.Context, kv ...string) error {
	b := w.c.B().Mset().KeyValue()
	for i := 0; i < len(kv); i += 2 {
		b = b.KeyValue(kv[i], kv[i+1])
	}
	return w.c.Do(ctx, b.Build()).Error()
}
func (w valkeyWorkload) mget(ctx context.Context, keys ...string) ([]string, error) {
	return w.c.Do(ctx, w.c.B().Mget().Key(keys...).Build()).AsStrSlice()
}
func (w valkeyWorkload) expire(ctx context.Context, k string, d time.Duration) error {
	return w.c.Do(ctx, w.c.B().Expire().Key(k).Seconds(int64(d.Seconds())).Build()).Error()
}
func (w valkeyWorkload) del(ctx context.Context, k string) error {
	return w.c.Do(ctx, w.c.B().Del().Key(k).Build()).Error()
}
