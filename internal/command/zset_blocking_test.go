package command_test

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var zsetBlockedRe = regexp.MustCompile(`blocked_clients:(\d+)`)

// zsetBlocked is INFO's blocked_clients.
func zsetBlocked(e *strEnv) int {
	info, err := e.rdb.Info(e.ctx, "clients").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	m := zsetBlockedRe.FindStringSubmatch(info)
	if m == nil {
		e.t.Fatalf("no blocked_clients in %q", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func zsetWaitBlocked(e *strEnv, n int) {
	e.t.Helper()
	strWait(e.t, func() bool { return zsetBlocked(e) == n })
}

// zsetClient is another connection to e's server.
func zsetClient(e *strEnv) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: e.srv.Addr(), ReadTimeout: -1})
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

// zsetAsync runs a command on its own client and delivers its reply.
func zsetAsync(e *strEnv, args ...any) <-chan string {
	c := zsetClient(e)
	out := make(chan string, 1)
	go func() {
		v, err := c.Do(e.ctx, args...).Result()
		if err != nil {
			out <- "err: " + err.Error()
			return
		}
		out <- fmt.Sprint(v)
	}()
	return out
}

func zsetRecv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("blocked command did not return")
		return ""
	}
}

func TestZSetBlockingServedByZAdd(t *testing.T) {
	e := newStrEnv(t, 2)
	min := zsetAsync(e, "bzpopmin", "k1", "k2", "0")
	zsetWaitBlocked(e, 1)
	e.do(int64(2), "zadd", "k2", "2", "b", "1", "a")
	if got := zsetRecv(t, min); got != "[k2 a 1]" {
		t.Errorf("BZPOPMIN = %s", got)
	}
	max := zsetAsync(e, "bzmpop", "0", "2", "k0", "k2", "max", "count", "5")
	if got := zsetRecv(t, max); got != "[k2 [[b 2]]]" {
		t.Errorf("BZMPOP served at once = %s", got)
	}
	e.do(int64(0), "exists", "k2")
	if zsetBlocked(e) != 0 {
		t.Error("a served client is still blocked")
	}
}

// TestZSetBlockingSeveralClients blocks three clients on one key: one
// ZADD of three members serves each of them one member, lowest first.
func TestZSetBlockingSeveralClients(t *testing.T) {
	e := newStrEnv(t, 2)
	var chans []<-chan string
	for i := 0; i < 3; i++ {
		chans = append(chans, zsetAsync(e, "bzpopmin", "k", "0"))
		zsetWaitBlocked(e, i+1)
	}
	e.do(int64(3), "zadd", "k", "1", "a", "2", "b", "3", "c")
	var got []string
	for _, ch := range chans {
		got = append(got, zsetRecv(t, ch))
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[[k a 1] [k b 2] [k c 3]]" {
		t.Errorf("replies %v", got)
	}
	zsetWaitBlocked(e, 0)
	e.do(int64(0), "exists", "k")

	// One member for two waiters: one is served, the other keeps waiting
	// until the next write.
	a := zsetAsync(e, "bzpopmax", "k", "0")
	zsetWaitBlocked(e, 1)
	b := zsetAsync(e, "bzpopmax", "k", "0")
	zsetWaitBlocked(e, 2)
	e.do(int64(1), "zadd", "k", "1", "x")
	zsetWaitBlocked(e, 1)
	e.do(int64(1), "zadd", "k", "2", "y")
	got = []string{zsetRecv(t, a), zsetRecv(t, b)}
	sort.Strings(got)
	if fmt.Sprint(got) != "[[k x 1] [k y 2]]" {
		t.Errorf("replies %v", got)
	}
}

// TestZSetBlockingMulti: a MULTI block that adds and then deletes the key
// leaves the waiter blocked; one that adds members serves it with the
// block's final state.
func TestZSetBlockingMulti(t *testing.T) {
	e := newStrEnv(t, 2)
	ch := zsetAsync(e, "bzpopmin", "k", "0")
	zsetWaitBlocked(e, 1)
	pipe := e.rdb.TxPipeline()
	pipe.ZAdd(e.ctx, "k", redis.Z{Score: 1, Member: "a"})
	pipe.Del(e.ctx, "k")
	if _, err := pipe.Exec(e.ctx); err != nil {
		t.Fatal(err)
	}
	pipe = e.rdb.TxPipeline()
	pipe.ZAdd(e.ctx, "k", redis.Z{Score: 5, Member: "e"})
	pipe.ZAdd(e.ctx, "k", redis.Z{Score: 2, Member: "b"})
	pipe.ZRem(e.ctx, "k", "e")
	if _, err := pipe.Exec(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := zsetRecv(t, ch); got != "[k b 2]" {
		t.Errorf("BZPOPMIN = %s", got)
	}

	// Inside MULTI a blocking pop never blocks.
	pipe = e.rdb.TxPipeline()
	pipe.Do(e.ctx, "bzpopmin", "nokey", "0")
	pipe.Do(e.ctx, "bzmpop", "0", "1", "nokey", "min")
	cmds, _ := pipe.Exec(e.ctx)
	for _, c := range cmds {
		if c.Err() != redis.Nil {
			t.Errorf("%v inside MULTI: %v", c.Args(), c.Err())
		}
	}
}

func TestZSetBlockingTimeoutAndStores(t *testing.T) {
	e := newStrEnv(t, 2)
	start := time.Now()
	e.do(nilReply{}, "bzpopmin", "k", "0.2")
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("timed out after %v", d)
	}
	e.do(nilReply{}, "bzmpop", "0.05", "2", "k", "k2", "max")
	// Valkey refuses a deadline beyond LLONG_MAX ms (Redis 7.0 blocked).
	e.do(errReply("ERR timeout is out of range"), "bzpopmin", "k", "9223372036854775")
	e.do(errReply("ERR timeout is negative"), "bzmpop", "inf", "1", "k", "min")

	// Stores wake waiters on the destination.
	e.do(int64(2), "zadd", "src", "1", "a", "2", "b")
	ch := zsetAsync(e, "bzpopmax", "dst", "0")
	zsetWaitBlocked(e, 1)
	e.do(int64(2), "zunionstore", "dst", "1", "src")
	if got := zsetRecv(t, ch); got != "[dst b 2]" {
		t.Errorf("after ZUNIONSTORE: %s", got)
	}
	ch = zsetAsync(e, "bzmpop", "0", "1", "dst2", "min", "count", "10")
	zsetWaitBlocked(e, 1)
	e.do(int64(2), "zrangestore", "dst2", "src", "0", "-1")
	if got := zsetRecv(t, ch); got != "[dst2 [[a 1] [b 2]]]" {
		t.Errorf("after ZRANGESTORE: %s", got)
	}

	// A waiter killed by CLIENT KILL is removed. (A client that merely
	// disconnects is noticed by blocking.go's owner, not tested here.)
	c := zsetClient(e)
	id, err := c.ClientID(e.ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.Do(e.ctx, "bzpopmin", "gone", "0").Err() }()
	zsetWaitBlocked(e, 1)
	e.do(int64(1), "client", "kill", "id", strconv.FormatInt(id, 10))
	zsetWaitBlocked(e, 0)
}

// TestZSetBlockingManyWaiters stresses wake-ups: many clients block on a
// few keys while writers add members; every member is popped exactly once.
func TestZSetBlockingManyWaiters(t *testing.T) {
	e := newStrEnv(t, 2)
	const waiters, keys = 20, 3
	var wg sync.WaitGroup
	results := make(chan string, waiters)
	for i := 0; i < waiters; i++ {
		c := zsetClient(e)
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.BZPopMin(e.ctx, 0, "w0", "w1", "w2").Result()
			if err != nil {
				results <- "err: " + err.Error()
				return
			}
			results <- v.Member.(string)
		}()
	}
	zsetWaitBlocked(e, waiters)
	for i := 0; i < waiters; i++ {
		k := fmt.Sprintf("w%d", i%keys)
		if err := e.rdb.ZAdd(e.ctx, k, redis.Z{Score: float64(i), Member: fmt.Sprint("m", i)}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for r := range results {
		if seen[r] || len(r) < 2 || r[0] != 'm' {
			t.Errorf("bad or duplicate result %q", r)
		}
		seen[r] = true
	}
	if len(seen) != waiters {
		t.Errorf("%d distinct members popped, want %d", len(seen), waiters)
	}
	for i := 0; i < keys; i++ {
		e.do(int64(0), "exists", fmt.Sprintf("w%d", i))
	}
}
