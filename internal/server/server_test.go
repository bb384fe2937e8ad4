package server_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/testutil"
)

func TestGoRedisRoundTrip(t *testing.T) {
	srv := testutil.StartServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: %v", err)
	}
	// A pipeline of many commands is answered in order.
	pipe := rdb.Pipeline()
	cmds := make([]*redis.StatusCmd, 1000)
	for i := range cmds {
		cmds[i] = pipe.Set(ctx, "p", i, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestValkeyGoRESP3(t *testing.T) {
	srv := testutil.StartServer(t)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Do(ctx, c.B().Set().Key("a").Value("1").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	v, err := c.Do(ctx, c.B().Get().Key("a").Build()).ToString()
	if err != nil || v != "1" {
		t.Fatalf("GET = %q, %v", v, err)
	}
}
