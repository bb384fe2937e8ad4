package command_test

import (
	"context"
	"testing"

	"github.com/valkey-io/valkey-go"
)

// RESP3 through valkey-go (which speaks RESP3): the null shapes of the
// list replies and a blocking pop served by a push.
func TestListValkeyGoRESP3(t *testing.T) {
	e := newListEnv(t)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{e.srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	isNil := func(what string, r valkey.ValkeyResult) {
		t.Helper()
		if !valkey.IsValkeyNil(r.Error()) {
			t.Errorf("%s: %v, want null", what, r)
		}
	}
	isNil("LPOP", c.Do(ctx, c.B().Lpop().Key("nosuch").Build()))
	isNil("LPOP count", c.Do(ctx, c.B().Lpop().Key("nosuch").Count(2).Build()))
	isNil("LINDEX", c.Do(ctx, c.B().Lindex().Key("nosuch").Index(0).Build()))
	isNil("LPOS", c.Do(ctx, c.B().Lpos().Key("nosuch").Element("x").Build()))
	isNil("LMPOP", c.Do(ctx, c.B().Lmpop().Numkeys(1).Key("nosuch").Left().Build()))
	isNil("BLPOP", c.Do(ctx, c.B().Blpop().Key("nosuch").Timeout(0.01).Build()))
	isNil("BLMOVE", c.Do(ctx, c.B().Blmove().Source("nosuch").Destination("d").Left().Right().Timeout(0.01).Build()))

	if n, err := c.Do(ctx, c.B().Rpush().Key("k").Element("a", "b", "c").Build()).AsInt64(); err != nil || n != 3 {
		t.Fatalf("RPUSH: %d %v", n, err)
	}
	got, err := c.Do(ctx, c.B().Lpop().Key("k").Count(2).Build()).AsStrSlice()
	if err != nil || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("LPOP 2: %q %v", got, err)
	}
	kv, err := c.Do(ctx, c.B().Lmpop().Numkeys(1).Key("k").Right().Count(5).Build()).ToArray()
	if err != nil || len(kv) != 2 {
		t.Fatalf("LMPOP: %v %v", kv, err)
	}
	if name, _ := kv[0].ToString(); name != "k" {
		t.Fatalf("LMPOP key %q", name)
	}

	done := make(chan []string, 1)
	go func() {
		v, _ := c.Do(ctx, c.B().Brpop().Key("b").Timeout(0).Build()).AsStrSlice()
		done <- v
	}()
	e.waitBlocked(1)
	e.do(int64(1), "LPUSH", "b", "v")
	if v := <-done; len(v) != 2 || v[0] != "b" || v[1] != "v" {
		t.Fatalf("BRPOP: %q", v)
	}
}
