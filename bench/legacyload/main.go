// Command legacyload fills a cluster with a fixed dataset for
// bench/legacy-rebalance.sh: exactly -keys keys named PREFIX:N, each with a
// -size-byte value, written with cluster-aware pipelines so that both
// Shoal and redis-server clusters are loaded the same way. It then checks
// that the primaries hold -keys keys in total.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/bench/internal/warm"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "any node of the cluster")
	keys := flag.Int("keys", 65536, "number of keys")
	size := flag.Int("size", 16384, "value size in bytes")
	prefix := flag.String("prefix", "k", "key prefix")
	workers := flag.Int("workers", 4, "concurrent pipelines")
	batch := flag.Int("batch", 32, "SETs per pipeline")
	warmMB := flag.Int("warm-mb", 0, "instead of loading: touch and free this many MiB (see bench/internal/warm)")
	flag.Parse()
	if *warmMB > 0 {
		warm.Memory(int64(*warmMB) << 20)
		return
	}
	if err := load(*addr, *keys, *size, *prefix, *workers, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "legacyload:", err)
		os.Exit(1)
	}
}

func load(addr string, keys, size int, prefix string, workers, batch int) error {
	ctx := context.Background()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr},
		ReadTimeout: time.Minute, WriteTimeout: time.Minute})
	defer cl.Close()
	value := strings.Repeat("v", size)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := w * batch; first < keys; first += workers * batch {
				pipe := cl.Pipeline()
				for i := first; i < min(first+batch, keys); i++ {
					pipe.Set(ctx, prefix+":"+strconv.Itoa(i), value, 0)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					errs <- fmt.Errorf("pipeline at key %d: %w", first, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	var total int64
	var mu sync.Mutex
	err := cl.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		n, err := c.DBSize(ctx).Result()
		mu.Lock()
		total += n
		mu.Unlock()
		return err
	})
	if err != nil {
		return fmt.Errorf("DBSIZE: %w", err)
	}
	if total != int64(keys) {
		return fmt.Errorf("the primaries hold %d keys, want %d", total, keys)
	}
	fmt.Printf("loaded %d keys of %d bytes in %.1fs\n", keys, size, time.Since(start).Seconds())
	return nil
}
