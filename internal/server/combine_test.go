package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
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
// goroutine and the combiner; TestMain's leak check enforces it. The
// clients are raw connections: a pooled client would keep redialling in
// the background after the close.
func TestCombinedCloseUnderLoad(t *testing.T) {
	srv := testutil.StartServer(t)
	batch := []byte(strings.Repeat("INCR k\r\n", 20))
	var wg sync.WaitGroup
	var done atomic.Int64
	for range 8 {
		nc, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for {
				if _, err := nc.Write(batch); err != nil {
					return
				}
				for got := 0; got < 20; {
					n, err := nc.Read(buf)
					if err != nil {
						return // the server went away
					}
					got += bytes.Count(buf[:n], []byte("\r\n"))
				}
				done.Add(1)
			}
		}()
	}
	testutil.WaitFor(t, 10*time.Second, "clients pipelining", func() bool { return done.Load() >= 50 })
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}
