package server_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// The collection thresholds reach the keyspace at start-up and on CONFIG SET.
func TestEncodingLimitsAreWired(t *testing.T) {
	srv := testutil.StartServer(t, "--hash-max-listpack-entries", "7")
	if got := srv.Keyspace().Limits().HashMaxListpackEntries; got != 7 {
		t.Fatalf("start-up limit = %d, want 7", got)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if err := rdb.ConfigSet(context.Background(), "zset-max-listpack-value", "9").Err(); err != nil {
		t.Fatal(err)
	}
	if got := srv.Keyspace().Limits().ZSetMaxListpackValue; got != 9 {
		t.Fatalf("after CONFIG SET limit = %d, want 9", got)
	}
}
