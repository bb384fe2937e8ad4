package legacytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// ledgerOps is what a workload needs from a cluster client. mget returns
// "" for a missing key.
type ledgerOps interface {
	incr(ctx context.Context, key string) (int64, error)
	get(ctx context.Context, key string) (string, bool, error)
	mget(ctx context.Context, keys ...string) ([]string, error)
}

// workload is a set of workers, each owning its keys, so that each knows
// exactly what every one of its keys holds: a counter's INCR must return
// the ledger's value plus one, a GET the ledger's value. Plain keys spread
// over the slots; tagged pairs ({tag}a, {tag}b) share a slot and are read
// together with MGET, which meets -TRYAGAIN while their slot is split
// between two nodes.
type workload struct {
	ops     ledgerOps
	prefix  string
	stopc   chan struct{}
	wg      sync.WaitGroup
	ledgers []map[string]int64
	errs    []error
	count   atomic.Int64
}

const (
	ledgerKeys  = 400 // plain counters per worker
	ledgerPairs = 60  // tagged pairs per worker
	// ledgerPace spaces a worker's operations, so that the workload does
	// not starve redis-cli and the servers of the machine's cores.
	ledgerPace = 500 * time.Microsecond
)

// startWorkload starts workers goroutines on ops; stop ends them.
func startWorkload(t *testing.T, ops ledgerOps, prefix string, workers int) *workload {
	t.Helper()
	w := &workload{ops: ops, prefix: prefix, stopc: make(chan struct{}),
		ledgers: make([]map[string]int64, workers), errs: make([]error, workers)}
	seed := rand.Uint64()
	t.Logf("workload %s: %d workers, seed %d", prefix, workers, seed)
	for i := 0; i < workers; i++ {
		w.ledgers[i] = map[string]int64{}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.errs[i] = w.run(i, rand.New(rand.NewPCG(seed, uint64(i))))
		}()
	}
	t.Cleanup(func() { w.halt() })
	return w
}

func (w *workload) halt() {
	select {
	case <-w.stopc:
	default:
		close(w.stopc)
	}
	w.wg.Wait()
}

// stop ends the workload, fails the test on any error a worker saw, and
// returns the expected value of every key written.
func (w *workload) stop(t *testing.T) map[string]string {
	t.Helper()
	w.halt()
	for i, err := range w.errs {
		if err != nil {
			t.Errorf("workload %s worker %d: %v", w.prefix, i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	out := map[string]string{}
	for _, l := range w.ledgers {
		for k, v := range l {
			out[k] = strconv.FormatInt(v, 10)
		}
	}
	t.Logf("workload %s: %d operations, %d keys", w.prefix, w.count.Load(), len(out))
	return out
}

// waitOps waits until the workload has run n more operations.
func (w *workload) waitOps(t *testing.T, n int64) {
	t.Helper()
	target := w.count.Load() + n
	testutil.WaitFor(t, 60*time.Second, "workload progress", func() bool { return w.count.Load() >= target })
}

func (w *workload) run(worker int, rng *rand.Rand) error {
	l := w.ledgers[worker]
	pace := ledgerPace
	if raceEnabled {
		pace *= 4
	}
	tick := time.NewTicker(pace)
	defer tick.Stop()
	for {
		select {
		case <-w.stopc:
			return nil
		case <-tick.C:
		}
		// Operations are never cancelled half-way: an INCR whose outcome
		// is unknown would make the ledger inexact.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := w.step(ctx, worker, rng, l)
		cancel()
		if err != nil {
			return err
		}
		w.count.Add(1)
	}
}

func (w *workload) step(ctx context.Context, worker int, rng *rand.Rand, l map[string]int64) error {
	r := rng.IntN(100)
	switch {
	case r < 55:
		k := fmt.Sprintf("%s:%d:%d", w.prefix, worker, rng.IntN(ledgerKeys))
		v, err := w.ops.incr(ctx, k)
		if err != nil {
			return fmt.Errorf("INCR %s: %w", k, err)
		}
		if v != l[k]+1 {
			return fmt.Errorf("INCR %s = %d, ledger says %d", k, v, l[k]+1)
		}
		l[k] = v
	case r < 80:
		k := fmt.Sprintf("%s:%d:%d", w.prefix, worker, rng.IntN(ledgerKeys))
		v, ok, err := w.ops.get(ctx, k)
		if err != nil {
			return fmt.Errorf("GET %s: %w", k, err)
		}
		if want, had := l[k]; ok != had || (ok && v != strconv.FormatInt(want, 10)) {
			return fmt.Errorf("GET %s = %q (exists %v), ledger says %d (exists %v)", k, v, ok, want, had)
		}
	default:
		tag := fmt.Sprintf("{%s:%d:t%d}", w.prefix, worker, rng.IntN(ledgerPairs))
		a, b := tag+"a", tag+"b"
		for _, k := range []string{a, b} {
			v, err := w.ops.incr(ctx, k)
			if err != nil {
				return fmt.Errorf("INCR %s: %w", k, err)
			}
			if v != l[k]+1 {
				return fmt.Errorf("INCR %s = %d, ledger says %d", k, v, l[k]+1)
			}
			l[k] = v
		}
		got, err := w.ops.mget(ctx, a, b)
		if err != nil {
			return fmt.Errorf("MGET %s %s: %w", a, b, err)
		}
		if len(got) != 2 || got[0] != strconv.FormatInt(l[a], 10) || got[1] != strconv.FormatInt(l[b], 10) {
			return fmt.Errorf("MGET %s %s = %q, ledger says %d %d", a, b, got, l[a], l[b])
		}
	}
	return nil
}

// goRedisOps drives a go-redis ClusterClient. MaxRedirects is raised from
// its default of 3: a pair split across two nodes answers -TRYAGAIN until
// the next MIGRATE batch, and go-redis counts those retries as redirects.
type goRedisOps struct{ c *redis.ClusterClient }

func newGoRedis(t *testing.T, addrs []string) *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, MaxRedirects: 16,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second})
	t.Cleanup(func() { cl.Close() })
	return cl
}

func (o goRedisOps) incr(ctx context.Context, k string) (int64, error) {
	return o.c.Incr(ctx, k).Result()
}

func (o goRedisOps) get(ctx context.Context, k string) (string, bool, error) {
	v, err := o.c.Get(ctx, k).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (o goRedisOps) mget(ctx context.Context, keys ...string) ([]string, error) {
	vals, err := o.c.MGet(ctx, keys...).Result()
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i], _ = v.(string)
	}
	return out, err
}

// valkeyOps drives a valkey-go cluster client (no client-side cache:
// Shoal has no CLIENT TRACKING).
type valkeyOps struct{ c valkey.Client }

func newValkeyGo(t *testing.T, addrs []string) valkey.Client {
	t.Helper()
	cl, err := valkey.NewClient(valkey.ClientOption{InitAddress: addrs, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func (o valkeyOps) incr(ctx context.Context, k string) (int64, error) {
	return o.c.Do(ctx, o.c.B().Incr().Key(k).Build()).AsInt64()
}

func (o valkeyOps) get(ctx context.Context, k string) (string, bool, error) {
	v, err := o.c.Do(ctx, o.c.B().Get().Key(k).Build()).ToString()
	if valkey.IsValkeyNil(err) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (o valkeyOps) mget(ctx context.Context, keys ...string) ([]string, error) {
	msgs, err := o.c.Do(ctx, o.c.B().Mget().Key(keys...).Build()).ToArray()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i], _ = m.ToString()
	}
	return out, nil
}

// preloadSlots writes one key into every slot (value: its own name), so
// that every slot a tool moves carries data, and returns them.
func preloadSlots(t *testing.T, cl *redis.ClusterClient, prefix string) map[string]string {
	t.Helper()
	keys := make(map[string]string, slot.Count)
	taken := make([]bool, slot.Count)
	for n := 0; len(keys) < slot.Count; n++ {
		k := prefix + ":" + strconv.Itoa(n)
		if s := slot.OfString(k); !taken[s] {
			taken[s] = true
			keys[k] = k
		}
	}
	ctx := context.Background()
	pipe := cl.Pipeline()
	for k, v := range keys {
		pipe.Set(ctx, k, v, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("preload: %v", err)
	}
	return keys
}

// verifyKeys checks that the nodes hold exactly the expected keys in
// database 0, each on one node only, that node serving its slot (a GET
// sent straight to it is answered, not redirected), with the expected
// value.
func verifyKeys(t *testing.T, c *testutil.Cluster, nodes []int, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	where := map[string][]int{}
	for _, i := range nodes {
		cl := c.Client(i)
		var cursor uint64
		for {
			keys, next, err := cl.Scan(ctx, cursor, "*", 1000).Result()
			if err != nil {
				t.Fatalf("node %d: SCAN: %v", i, err)
			}
			for _, k := range keys {
				where[k] = append(where[k], i)
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
	}
	missing, dup, extra := 0, 0, 0
	for k := range want {
		switch n := len(where[k]); {
		case n == 0:
			if missing++; missing <= 5 {
				t.Errorf("key %s (slot %d) lost", k, slot.OfString(k))
			}
		case n > 1:
			if dup++; dup <= 5 {
				t.Errorf("key %s (slot %d) on nodes %v", k, slot.OfString(k), where[k])
			}
		}
	}
	for k, on := range where {
		if _, ok := want[k]; !ok {
			if extra++; extra <= 5 {
				t.Errorf("unexpected key %s on nodes %v", k, on)
			}
		}
	}
	if missing+dup+extra > 0 {
		t.Fatalf("%d keys lost, %d on several nodes, %d unexpected (of %d)", missing, dup, extra, len(want))
	}
	for _, i := range nodes {
		verifyValues(t, c, i, where, want)
	}
	t.Logf("verified %d keys on %d nodes", len(want), len(nodes))
}

func verifyValues(t *testing.T, c *testutil.Cluster, i int, where map[string][]int, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	pipe := c.Client(i).Pipeline()
	cmds := map[string]*redis.StringCmd{}
	for k, on := range where {
		if on[0] == i {
			cmds[k] = pipe.Get(ctx, k)
		}
	}
	if len(cmds) == 0 {
		return
	}
	_, _ = pipe.Exec(ctx)
	bad := 0
	for k, cmd := range cmds {
		if v, err := cmd.Result(); err != nil || v != want[k] {
			if bad++; bad <= 5 {
				t.Errorf("node %d: GET %s (slot %d) = %q, %v; want %q", i, k, slot.OfString(k), v, err, want[k])
			}
		}
	}
	if bad > 0 {
		t.Fatalf("node %d: %d keys with a wrong value or not served there", i, bad)
	}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
