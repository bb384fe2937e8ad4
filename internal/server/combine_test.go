package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Many clients pipelining at once make the write combiner's rounds hold
// several connections, and the connections poll their sockets through it
// between batches: every reply must still reach its own client, in order.
func TestCombinedPipelinesManyClients(t *testing.T) {
	srv := testutil.StartServer(t)
	const clients, batches, depth = 24, 40, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for id := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- pipelineClient(srv.Addr(), id, batches, depth)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func pipelineClient(addr string, id, batches, depth int) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
	defer rdb.Close()
	ctx := context.Background()
	key := fmt.Sprintf("counter:%d", id)
	want := int64(0)
	for b := range batches {
		pipe := rdb.Pipeline()
		incrs := make([]*redis.IntCmd, depth)
		echoes := make([]*redis.StringCmd, depth)
		for i := range depth {
			incrs[i] = pipe.Incr(ctx, key)
			echoes[i] = pipe.Echo(ctx, fmt.Sprintf("%d:%d:%d", id, b, i))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("client %d batch %d: %w", id, b, err)
		}
		for i := range depth {
			want++
			if got := incrs[i].Val(); got != want {
				return fmt.Errorf("client %d batch %d: INCR #%d = %d, want %d", id, b, i, got, want)
			}
			if got, w := echoes[i].Val(), fmt.Sprintf("%d:%d:%d", id, b, i); got != w {
				return fmt.Errorf("client %d batch %d: ECHO #%d = %q, want %q", id, b, i, got, w)
			}
		}
	}
	return nil
}

// Closing the server while clients pipeline (some waiting in the
// combiner's queue, some polling through it) ends every connection
// goroutine and the combiner; TestMain's leak check enforces it.
func TestCombinedCloseUnderLoad(t *testing.T) {
	srv := testutil.StartServer(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for id := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1, MaxRetries: -1})
			defer rdb.Close()
			ctx := context.Background()
			for {
				select {
				case <-stop:
					return
				default:
				}
				pipe := rdb.Pipeline()
				for range 20 {
					pipe.Incr(ctx, fmt.Sprintf("k%d", id))
				}
				if _, err := pipe.Exec(ctx); err != nil {
					return // the server went away
				}
				mu.Lock()
				done++
				mu.Unlock()
			}
		}()
	}
	testutil.WaitFor(t, 10*time.Second, "clients pipelining", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return done >= 50
	})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
}
