package command_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"
)

func setSorted(ss []string) string {
	cp := append([]string(nil), ss...)
	sort.Strings(cp)
	return strings.Join(cp, ",")
}

// TestSetCommandsGoRedis drives every set command through go-redis's
// typed API, in both protocols.
func TestSetCommandsGoRedis(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			e := newStrEnv(t, proto)
			ctx, r := e.ctx, e.rdb
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			n, err := r.SAdd(ctx, "s", "a", "b", "c", "a").Result()
			must(err)
			if n != 3 {
				t.Fatalf("SADD = %d", n)
			}
			if c, _ := r.SCard(ctx, "s").Result(); c != 3 {
				t.Fatalf("SCARD = %d", c)
			}
			if ok, _ := r.SIsMember(ctx, "s", "b").Result(); !ok {
				t.Fatal("SISMEMBER b = false")
			}
			if got, _ := r.SMIsMember(ctx, "s", "a", "z", "c").Result(); len(got) != 3 || !got[0] || got[1] || !got[2] {
				t.Fatalf("SMISMEMBER = %v", got)
			}
			if got, _ := r.SMembers(ctx, "s").Result(); setSorted(got) != "a,b,c" {
				t.Fatalf("SMEMBERS = %v", got)
			}
			if got, _ := r.SMembersMap(ctx, "s").Result(); len(got) != 3 {
				t.Fatalf("SMEMBERS map = %v", got)
			}
			if ok, _ := r.SMove(ctx, "s", "d", "a").Result(); !ok {
				t.Fatal("SMOVE = false")
			}
			if n, _ := r.SRem(ctx, "s", "b", "zz").Result(); n != 1 {
				t.Fatalf("SREM = %d", n)
			}
			r.SAdd(ctx, "x", 1, 2, 3, 4)
			r.SAdd(ctx, "y", 3, 4, 5)
			if got, _ := r.SInter(ctx, "x", "y").Result(); setSorted(got) != "3,4" {
				t.Fatalf("SINTER = %v", got)
			}
			if n, _ := r.SInterCard(ctx, 0, "x", "y").Result(); n != 2 {
				t.Fatalf("SINTERCARD 2 x y LIMIT 0 = %d", n)
			}
			if n, _ := r.SInterCard(ctx, 1, "x", "y").Result(); n != 1 {
				t.Fatalf("SINTERCARD 2 x y LIMIT 1 = %d", n)
			}
			if n, _ := r.Do(ctx, "sintercard", 2, "x", "y", "limit", 1).Int64(); n != 1 {
				t.Fatalf("SINTERCARD 2 x y LIMIT 1 = %d", n)
			}
			if n, _ := r.SInterStore(ctx, "i", "x", "y").Result(); n != 2 {
				t.Fatalf("SINTERSTORE = %d", n)
			}
			if got, _ := r.SUnion(ctx, "x", "y").Result(); setSorted(got) != "1,2,3,4,5" {
				t.Fatalf("SUNION = %v", got)
			}
			if n, _ := r.SUnionStore(ctx, "u", "x", "y").Result(); n != 5 {
				t.Fatalf("SUNIONSTORE = %d", n)
			}
			if got, _ := r.SDiff(ctx, "x", "y").Result(); setSorted(got) != "1,2" {
				t.Fatalf("SDIFF = %v", got)
			}
			if n, _ := r.SDiffStore(ctx, "f", "x", "y").Result(); n != 2 {
				t.Fatalf("SDIFFSTORE = %d", n)
			}
			if m, _ := r.SRandMember(ctx, "x").Result(); m < "1" || m > "4" {
				t.Fatalf("SRANDMEMBER = %q", m)
			}
			if got, _ := r.SRandMemberN(ctx, "x", -10).Result(); len(got) != 10 {
				t.Fatalf("SRANDMEMBER -10 = %v", got)
			}
			if got, _ := r.SRandMemberN(ctx, "x", 3).Result(); len(got) != 3 || len(strings.Split(setSorted(got), ",")) != 3 {
				t.Fatalf("SRANDMEMBER 3 = %v", got)
			}
			if got, _ := r.SPopN(ctx, "u", 2).Result(); len(got) != 2 {
				t.Fatalf("SPOP 2 = %v", got)
			}
			if m, err := r.SPop(ctx, "u").Result(); err != nil || m == "" {
				t.Fatalf("SPOP = %q, %v", m, err)
			}
			if _, err := r.SPop(ctx, "nosuch").Result(); err != redis.Nil {
				t.Fatalf("SPOP nosuch: %v", err)
			}
			if got, err := r.SPopN(ctx, "nosuch", 2).Result(); err != nil || len(got) != 0 {
				t.Fatalf("SPOP nosuch 2 = %v, %v", got, err)
			}
			var all []string
			iter := r.SScan(ctx, "x", 0, "*", 2).Iterator()
			for iter.Next(ctx) {
				all = append(all, iter.Val())
			}
			must(iter.Err())
			if setSorted(all) != "1,2,3,4" {
				t.Fatalf("SSCAN = %v", all)
			}
			r.Set(ctx, "str", "v", 0)
			if err := r.SAdd(ctx, "str", "a").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Fatalf("SADD on a string: %v", err)
			}
		})
	}
}

// TestSetRESP3ShapesValkeyGo checks with valkey-go which replies are RESP3
// sets (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with count) and which stay
// arrays (SRANDMEMBER, SMISMEMBER, SSCAN).
func TestSetRESP3ShapesValkeyGo(t *testing.T) {
	e := newStrEnv(t, 3)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{e.srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Do(ctx, c.B().Sadd().Key("s").Member("a", "b", "c").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	c.Do(ctx, c.B().Sadd().Key("p").Member("1", "2", "3", "4").Build())
	for _, tc := range []struct {
		cmd  valkey.Completed
		typ  string
		size int
	}{
		{c.B().Smembers().Key("s").Build(), "set", 3},
		{c.B().Smembers().Key("nosuch").Build(), "set", 0},
		{c.B().Sinter().Key("s", "s").Build(), "set", 3},
		{c.B().Sinter().Key("s", "nosuch").Build(), "set", 0},
		{c.B().Sunion().Key("s", "p").Build(), "set", 7},
		{c.B().Sdiff().Key("s", "p").Build(), "set", 3},
		{c.B().Spop().Key("p").Count(2).Build(), "set", 2},
		{c.B().Spop().Key("nosuch").Count(2).Build(), "set", 0},
		{c.B().Srandmember().Key("s").Count(2).Build(), "array", 2},
		{c.B().Srandmember().Key("nosuch").Count(2).Build(), "array", 0},
		{c.B().Smismember().Key("s").Member("a", "z").Build(), "array", 2},
		{c.B().Sscan().Key("s").Cursor(0).Build(), "array", 2},
	} {
		res := c.Do(ctx, tc.cmd)
		msg, err := res.ToMessage()
		if err != nil {
			t.Fatalf("%v: %v", tc.cmd.Commands(), err)
		}
		pretty := msg.String()
		if !strings.Contains(pretty, `"Type":"`+tc.typ+`"`) {
			t.Errorf("%v: reply %s, want a %s", tc.cmd.Commands(), pretty, tc.typ)
		}
		if arr, _ := msg.ToArray(); len(arr) != tc.size {
			t.Errorf("%v: %d elements, want %d", tc.cmd.Commands(), len(arr), tc.size)
		}
	}
	got, err := c.Do(ctx, c.B().Smembers().Key("s").Build()).AsStrSlice()
	if err != nil || setSorted(got) != "a,b,c" {
		t.Fatalf("SMEMBERS = %v, %v", got, err)
	}
	if m, err := c.Do(ctx, c.B().Spop().Key("nosuch").Build()).ToMessage(); err == nil || !valkey.IsValkeyNil(err) {
		t.Fatalf("SPOP nosuch = %v, %v", m, err)
	}
	entry, err := c.Do(ctx, c.B().Sscan().Key("s").Cursor(0).Count(100).Build()).AsScanEntry()
	if err != nil || entry.Cursor != 0 || setSorted(entry.Elements) != "a,b,c" {
		t.Fatalf("SSCAN = %+v, %v", entry, err)
	}
}

// TestSetCommandTable checks arity, flags, key positions and documentation
// of the set family's table entries, including SINTERCARD's numkeys keys.
func TestSetCommandTable(t *testing.T) {
	e := newStrEnv(t, 2)
	for _, tc := range []struct {
		argv string
		keys []any
	}{
		{"SADD k a", []any{"k"}},
		{"SMOVE a b m", []any{"a", "b"}},
		{"SINTER a b c", []any{"a", "b", "c"}},
		{"SINTERSTORE d a b", []any{"d", "a", "b"}},
		{"SINTERCARD 2 a b LIMIT 1", []any{"a", "b"}},
		{"SINTERCARD 1 a b", []any{"a"}},
		{"SSCAN k 0 MATCH *", []any{"k"}},
	} {
		args := []any{"command", "getkeys"}
		for _, a := range strings.Fields(tc.argv) {
			args = append(args, a)
		}
		e.do(tc.keys, args...)
	}
	for _, argv := range []string{"SINTERCARD 0 a", "SINTERCARD 3 a b", "SINTERCARD x a"} {
		args := []any{"command", "getkeys"}
		for _, a := range strings.Fields(argv) {
			args = append(args, a)
		}
		if err := e.rdb.Do(e.ctx, args...).Err(); err == nil {
			t.Errorf("COMMAND GETKEYS %s: no error", argv)
		}
	}
	infos, err := e.rdb.Command(e.ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if c := infos["sintercard"]; c == nil || c.Arity != -3 || c.FirstKeyPos != 0 || !strings.Contains(strings.Join(c.Flags, " "), "movablekeys") {
		t.Errorf("COMMAND INFO sintercard = %+v", c)
	}
	if c := infos["smove"]; c == nil || c.Arity != 4 || c.FirstKeyPos != 1 || c.LastKeyPos != 2 {
		t.Errorf("COMMAND INFO smove = %+v", c)
	}
	if c := infos["spop"]; c == nil || strings.Join(c.ACLFlags, " ") != "@write @set @fast" {
		t.Errorf("COMMAND INFO spop = %+v", c)
	}
	if c := infos["srandmember"]; c == nil || strings.Join(c.ACLFlags, " ") != "@read @set @slow" {
		t.Errorf("COMMAND INFO srandmember = %+v", c)
	}
}
