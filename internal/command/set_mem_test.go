package command_test

import (
	"strconv"
	"testing"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// setCheckMemory compares the keyspace's incremental memory estimate with
// the sum of every key's size computed afresh: in-place changes to sets
// must be accounted through the Tx (ModifyOnce / Reencode / Set / Delete),
// also when one MULTI block changes a set many times.
// Callers keep TTLs out of the keyspace (their cost is not per key).
func setCheckMemory(t interface {
	Helper()
	Fatalf(string, ...any)
}, e *strEnv) {
	t.Helper()
	ks := e.srv.Keyspace()
	ks.LockAll()
	defer ks.UnlockAll()
	tx := ks.NewTx()
	tx.HoldsAll = true
	tx.Begin(0)
	var sum int64
	tx.ForEachKey(func(key string, en *keyspace.Entry) bool {
		sum += keyspace.KeyMemoryUsage([]byte(key), en)
		return true
	})
	tx.Finish()
	if got := ks.DatasetBytes(); got != sum {
		t.Fatalf("dataset estimate %d, keys add up to %d", got, sum)
	}
}

func TestSetMemoryAccounting(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(3), "sadd", "s", "1", "2", "3")
	setCheckMemory(t, e)
	e.do(int64(1), "sadd", "s", "x")
	setCheckMemory(t, e)
	pipe := e.rdb.TxPipeline()
	pipe.SAdd(e.ctx, "m", "a")
	pipe.SAdd(e.ctx, "m", "b")
	pipe.SAdd(e.ctx, "m", "c")
	for i := 0; i < 200; i++ {
		pipe.SAdd(e.ctx, "m", "member-"+strconv.Itoa(i))
	}
	if _, err := pipe.Exec(e.ctx); err != nil {
		t.Fatal(err)
	}
	setCheckMemory(t, e)
}
