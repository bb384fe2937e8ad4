package command_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/testutil"
)

// hashClient starts a server and returns a go-redis client speaking proto.
func hashClient(t *testing.T, proto int, directives ...string) (*redis.Client, string) {
	t.Helper()
	srv := testutil.StartServer(t, directives...)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb, srv.Addr()
}

// hashRes holds a go-redis result; get fails the test on an error.
type hashRes[T any] struct {
	v   T
	err error
}

func hashVal[T any](v T, err error) hashRes[T] { return hashRes[T]{v, err} }

func (r hashRes[T]) get(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func TestHashGoRedisBasics(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprint("RESP", proto), func(t *testing.T) {
			rdb, _ := hashClient(t, proto)
			ctx := context.Background()
			if n := hashVal(rdb.HSet(ctx, "h", map[string]any{"a": "1", "b": "2", "c": "3"}).Result()).get(t); n != 3 {
				t.Fatalf("HSET = %d", n)
			}
			all := hashVal(rdb.HGetAll(ctx, "h").Result()).get(t)
			if !reflect.DeepEqual(all, map[string]string{"a": "1", "b": "2", "c": "3"}) {
				t.Fatalf("HGETALL = %v", all)
			}
			vals := hashVal(rdb.HMGet(ctx, "h", "a", "zz").Result()).get(t)
			if vals[0] != "1" || vals[1] != nil {
				t.Fatalf("HMGET = %#v", vals)
			}
			if f := hashVal(rdb.HIncrByFloat(ctx, "h", "f", 0.1).Result()).get(t); f != 0.1 {
				t.Fatalf("HINCRBYFLOAT = %v", f)
			}
			if ok := hashVal(rdb.HSetNX(ctx, "h", "a", "x").Result()).get(t); ok {
				t.Fatal("HSETNX on an existing field")
			}
			kv := hashVal(rdb.HRandFieldWithValues(ctx, "h", 10).Result()).get(t)
			if len(kv) != 4 {
				t.Fatalf("HRANDFIELD WITHVALUES = %v", kv)
			}
			for _, p := range kv {
				if all[p.Key] != p.Value && p.Key != "f" {
					t.Fatalf("HRANDFIELD pair %v", p)
				}
			}
			keys, cur := hashMust2(t, rdb.HScanNoValues(ctx, "h", 0, "*", 10).Result)
			sort.Strings(keys)
			if cur != 0 || !reflect.DeepEqual(keys, []string{"a", "b", "c", "f"}) {
				t.Fatalf("HSCAN NOVALUES = %v %d", keys, cur)
			}
			// RESP3 gives HGETALL as a map and HRANDFIELD WITHVALUES as pairs.
			raw := hashVal(rdb.Do(ctx, "HGETALL", "h").Result()).get(t)
			if _, isMap := raw.(map[any]any); isMap != (proto == 3) {
				t.Fatalf("HGETALL reply type %T under RESP%d", raw, proto)
			}
			rnd := hashVal(rdb.Do(ctx, "HRANDFIELD", "h", "-2", "WITHVALUES").Result()).get(t).([]any)
			if proto == 3 {
				if len(rnd) != 2 || len(rnd[0].([]any)) != 2 {
					t.Fatalf("RESP3 HRANDFIELD WITHVALUES = %#v", rnd)
				}
			} else if len(rnd) != 4 {
				t.Fatalf("RESP2 HRANDFIELD WITHVALUES = %#v", rnd)
			}
		})
	}
}

func hashMust2[A, B any](t *testing.T, f func() (A, B, error)) (A, B) {
	t.Helper()
	a, b, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestHashGoRedisFieldExpiration drives the HFE commands through go-redis'
// helpers and waits for the real active expiry job.
func TestHashGoRedisFieldExpiration(t *testing.T) {
	rdb, _ := hashClient(t, 3, "--hz", "100")
	ctx := context.Background()
	rdb.HSet(ctx, "h", "a", "1", "b", "2", "c", "3")
	codes := hashVal(rdb.HExpire(ctx, "h", time.Hour, "a", "zz").Result()).get(t)
	if !reflect.DeepEqual(codes, []int64{1, -2}) {
		t.Fatalf("HEXPIRE = %v", codes)
	}
	codes = hashVal(rdb.HExpireWithArgs(ctx, "h", 2*time.Hour, redis.HExpireArgs{NX: true}, "a", "b").Result()).get(t)
	if !reflect.DeepEqual(codes, []int64{0, 1}) {
		t.Fatalf("HEXPIRE NX = %v", codes)
	}
	codes = hashVal(rdb.HPExpireWithArgs(ctx, "h", time.Minute, redis.HExpireArgs{GT: true}, "a").Result()).get(t)
	if !reflect.DeepEqual(codes, []int64{0}) {
		t.Fatalf("HPEXPIRE GT = %v", codes)
	}
	ttl := hashVal(rdb.HTTL(ctx, "h", "a", "b", "c", "zz").Result()).get(t)
	if ttl[0] != 3600 || ttl[1] != 7200 || ttl[2] != -1 || ttl[3] != -2 {
		t.Fatalf("HTTL = %v", ttl)
	}
	if pttl := hashVal(rdb.HPTTL(ctx, "h", "a").Result()).get(t); pttl[0] <= 3_590_000 || pttl[0] > 3_600_000 {
		t.Fatalf("HPTTL = %v", pttl)
	}
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	hashVal(rdb.HExpireAt(ctx, "h", at, "c").Result()).get(t)
	if et := hashVal(rdb.HExpireTime(ctx, "h", "c").Result()).get(t); et[0] != at.Unix() {
		t.Fatalf("HEXPIRETIME = %v, want %d", et, at.Unix())
	}
	if et := hashVal(rdb.HPExpireTime(ctx, "h", "c").Result()).get(t); et[0] != at.UnixMilli() {
		t.Fatalf("HPEXPIRETIME = %v", et)
	}
	if p := hashVal(rdb.HPersist(ctx, "h", "c", "zz").Result()).get(t); !reflect.DeepEqual(p, []int64{1, -2}) {
		t.Fatalf("HPERSIST = %v", p)
	}
	got := hashVal(rdb.HGetEXWithArgs(ctx, "h", &redis.HGetEXOptions{ExpirationType: redis.HGetEXExpirationPERSIST}, "a", "b").Result()).get(t)
	if !reflect.DeepEqual(got, []string{"1", "2"}) {
		t.Fatalf("HGETEX PERSIST = %v", got)
	}
	if ttl := hashVal(rdb.HTTL(ctx, "h", "a", "b").Result()).get(t); !reflect.DeepEqual(ttl, []int64{-1, -1}) {
		t.Fatalf("HTTL after HGETEX PERSIST = %v", ttl)
	}
	n := hashVal(rdb.HSetEXWithArgs(ctx, "h", &redis.HSetEXOptions{Condition: redis.HSetEXFNX,
		ExpirationType: redis.HSetEXExpirationPX, ExpirationVal: 100}, "x", "1", "y", "2").Result()).get(t)
	if n != 1 {
		t.Fatalf("HSETEX FNX PX = %d", n)
	}
	if n := hashVal(rdb.HSetEXWithArgs(ctx, "h", &redis.HSetEXOptions{Condition: redis.HSetEXFNX}, "x", "1").Result()).get(t); n != 0 {
		t.Fatalf("HSETEX FNX on an existing field = %d", n)
	}
	// The fields disappear at once for readers, and the background job
	// reclaims them: HLEN drops without anyone touching the key.
	testutil.WaitFor(t, 2*time.Second, "x and y reclaimed", func() bool {
		return rdb.HLen(ctx, "h").Val() == 3
	})
	info := rdb.Info(ctx, "stats", "keyspace").Val()
	if !strings.Contains(info, "expired_fields:2\r\n") || !strings.Contains(info, "keys_with_volatile_items=0") {
		t.Fatalf("INFO = %s", info)
	}
	// A hash whose last field expires is deleted.
	rdb.HSetEXWithArgs(ctx, "gone", &redis.HSetEXOptions{ExpirationType: redis.HSetEXExpirationPX, ExpirationVal: 30}, "f", "v")
	testutil.WaitFor(t, 2*time.Second, "gone deleted", func() bool { return rdb.Exists(ctx, "gone").Val() == 0 })
	// HGETEX with a relative time, then with a past one.
	got = hashVal(rdb.HGetEXWithArgs(ctx, "h", &redis.HGetEXOptions{ExpirationType: redis.HGetEXExpirationEX, ExpirationVal: 100}, "a").Result()).get(t)
	if got[0] != "1" || rdb.HTTL(ctx, "h", "a").Val()[0] != 100 {
		t.Fatalf("HGETEX EX = %v", got)
	}
	hashVal(rdb.HGetEXWithArgs(ctx, "h", &redis.HGetEXOptions{ExpirationType: redis.HGetEXExpirationEXAT, ExpirationVal: 1}, "a").Result()).get(t)
	if rdb.HExists(ctx, "h", "a").Val() {
		t.Fatal("HGETEX EXAT in the past kept the field")
	}
}

// TestHashFieldExpiryNotifications subscribes to keyspace events and
// waits for the active job's "hexpired" and "del".
func TestHashFieldExpiryNotifications(t *testing.T) {
	rdb, _ := hashClient(t, 2, "--hz", "100", "--notify-keyspace-events", "Kgh")
	ctx := context.Background()
	sub := rdb.PSubscribe(ctx, "__keyspace@0__:*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	ch := sub.Channel()
	rdb.HSet(ctx, "h", "a", "1", "b", "2")
	rdb.HPExpire(ctx, "h", 20*time.Millisecond, "a")
	rdb.HPExpire(ctx, "h", 60*time.Millisecond, "b")
	want := []string{"hset", "hexpire", "hexpire", "hexpired", "hexpired", "del"}
	var got []string
	timeout := time.After(3 * time.Second)
	for len(got) < len(want) {
		select {
		case m := <-ch:
			if m.Channel == "__keyspace@0__:h" {
				got = append(got, m.Payload)
			}
		case <-timeout:
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// TestHashValkeyGo checks RESP3 shapes and the HFE commands through
// valkey-go's command builder.
func TestHashValkeyGo(t *testing.T) {
	_, addr := hashClient(t, 2)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Do(ctx, c.B().Hset().Key("h").FieldValue().FieldValue("a", "1").FieldValue("b", "2").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	m, err := c.Do(ctx, c.B().Hgetall().Key("h").Build()).AsStrMap()
	if err != nil || m["a"] != "1" || len(m) != 2 {
		t.Fatalf("HGETALL = %v, %v", m, err)
	}
	pairs, err := c.Do(ctx, c.B().Hrandfield().Key("h").Count(5).Withvalues().Build()).ToArray()
	if err != nil || len(pairs) != 2 {
		t.Fatalf("HRANDFIELD = %v, %v", pairs, err)
	}
	if p, err := pairs[0].AsStrSlice(); err != nil || len(p) != 2 {
		t.Fatalf("RESP3 HRANDFIELD pair = %v, %v", p, err)
	}
	codes, err := c.Do(ctx, c.B().Arbitrary("HEXPIRE").Keys("h").Args("100", "FIELDS", "2", "a", "zz").Build()).AsIntSlice()
	if err != nil || !reflect.DeepEqual(codes, []int64{1, -2}) {
		t.Fatalf("HEXPIRE = %v, %v", codes, err)
	}
	vals, err := c.Do(ctx, c.B().Arbitrary("HGETEX").Keys("h").Args("PERSIST", "FIELDS", "2", "a", "zz").Build()).ToArray()
	if err != nil || len(vals) != 2 || !vals[1].IsNil() {
		t.Fatalf("HGETEX = %v, %v", vals, err)
	}
}

// TestHashCommandInfo checks that go-redis parses COMMAND's entries for
// the hash family, with Valkey's arity and flags.
func TestHashCommandInfo(t *testing.T) {
	rdb, _ := hashClient(t, 2)
	ctx := context.Background()
	cmds := hashVal(rdb.Command(ctx).Result()).get(t)
	want := map[string]int8{"hset": -4, "hexpire": -6, "hpexpireat": -6, "httl": -5, "hpersist": -5,
		"hgetex": -5, "hsetex": -6, "hrandfield": -2, "hscan": -3, "hincrbyfloat": 4}
	for name, arity := range want {
		c := cmds[name]
		if c == nil || c.Arity != arity || c.FirstKeyPos != 1 || c.LastKeyPos != 1 {
			t.Errorf("COMMAND %s = %+v", name, c)
		}
	}
	if f := cmds["hsetex"].Flags; strings.Join(f, " ") != "write denyoom fast" {
		t.Errorf("hsetex flags %v", f)
	}
	if f := cmds["httl"].Flags; strings.Join(f, " ") != "readonly fast" {
		t.Errorf("httl flags %v", f)
	}
	keys := hashVal(rdb.CommandGetKeys(ctx, "HEXPIRE", "k", "10", "FIELDS", "1", "f").Result()).get(t)
	if !reflect.DeepEqual(keys, []string{"k"}) {
		t.Errorf("COMMAND GETKEYS = %v", keys)
	}
}
