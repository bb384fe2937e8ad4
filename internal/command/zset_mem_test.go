package command_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// TestZSetMemoryAccounting runs random sorted-set writes (conversions,
// pops, stores, deletions included) and checks that the keyspace's memory
// account equals the sum of the live entries' sizes: every in-place change
// went through Tx.Modify before it happened.
func TestZSetMemoryAccounting(t *testing.T) {
	e := newStrEnv(t, 2)
	ks := e.srv.Keyspace()
	base := ks.DatasetBytes()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	keys := []string{"m0", "m1", "m2", "m3"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	member := func() string { return fmt.Sprint("member-", rng.IntN(40), string(make([]byte, rng.IntN(3)*40))) }
	for i := 0; i < 3000; i++ {
		var args []any
		switch rng.IntN(12) {
		case 0, 1, 2:
			args = []any{"zadd", key()}
			for j := rng.IntN(5); j >= 0; j-- {
				args = append(args, rng.IntN(10), member())
			}
		case 3:
			args = []any{"zincrby", key(), rng.IntN(5), member()}
		case 4:
			args = []any{"zrem", key(), member(), member()}
		case 5:
			args = []any{"zpopmin", key(), rng.IntN(4)}
		case 6:
			args = []any{"zremrangebyrank", key(), rng.IntN(5), rng.IntN(10)}
		case 7:
			args = []any{"zunionstore", key(), 2, key(), key()}
		case 8:
			args = []any{"zrangestore", key(), key(), 0, rng.IntN(20) - 5}
		case 9:
			args = []any{"zmpop", 2, key(), key(), "max", "count", rng.IntN(5) + 1}
		case 10:
			args = []any{"config", "set", "zset-max-listpack-entries", rng.IntN(20)}
		case 11:
			args = []any{"zadd", key(), "gt", "ch", rng.IntN(10), member()}
		}
		_ = e.rdb.Do(e.ctx, args...).Err()
	}
	var sum int64
	for _, k := range keys {
		e.withTx(k, func(tx *keyspace.Tx) {
			if en := tx.Lookup([]byte(k), keyspace.NoTouch|keyspace.NoStats); en != nil {
				sum += keyspace.KeyMemoryUsage([]byte(k), en)
			}
		})
	}
	if got := ks.DatasetBytes() - base; got != sum {
		t.Fatalf("dataset bytes %d, live entries %d", got, sum)
	}
	_ = e.rdb.Del(e.ctx, keys...).Err()
	if got := ks.DatasetBytes(); got != base {
		t.Errorf("after deleting everything: %d bytes, want %d", got, base)
	}
}
