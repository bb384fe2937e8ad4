package command_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"

	"github.com/shoal-db/shoal/internal/types"
)

// setModel is the reference: every key's members.
type setModel map[string]map[string]bool

func (m setModel) members(k string) []string {
	var out []string
	for v := range m[k] {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func (m setModel) put(k string, vs map[string]bool) {
	if len(vs) == 0 {
		delete(m, k)
		return
	}
	m[k] = vs
}

func (m setModel) inter(keys []string) map[string]bool {
	out := map[string]bool{}
	for v := range m[keys[0]] {
		in := true
		for _, k := range keys[1:] {
			in = in && m[k][v]
		}
		if in {
			out[v] = true
		}
	}
	return out
}

func (m setModel) union(keys []string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		for v := range m[k] {
			out[v] = true
		}
	}
	return out
}

func (m setModel) diff(keys []string) map[string]bool {
	out := map[string]bool{}
	for v := range m[keys[0]] {
		out[v] = true
	}
	for _, k := range keys[1:] {
		for v := range m[k] {
			delete(out, v)
		}
	}
	return out
}

func setMapKeys(vs map[string]bool) []string {
	var out []string
	for v := range vs {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// setPropLimits are the thresholds of one run, kept to check encodings.
type setPropLimits struct{ intset, lpEntries, lpValue int }

// TestSetPropertyModel drives the set commands at random, with small and
// random encoding thresholds so that sets convert often, and compares
// every reply and every key's contents with a map model. After each step
// each key's encoding must be one its contents allow, and at the end the
// keyspace's memory estimate must add up.
func TestSetPropertyModel(t *testing.T) {
	e := newStrEnv(t, 2)
	keys := []string{"{p}a", "{p}b", "{p}c"}
	member := rapid.OneOf(
		rapid.StringMatching(`-?[1-9][0-9]{0,2}`),
		rapid.SampledFrom([]string{"0", "01", "-0", "+1", "9223372036854775807", "-9223372036854775808"}),
		rapid.StringMatching(`[a-f]{0,9}`),
	)
	rapid.Check(t, func(rt *rapid.T) {
		lim := setPropLimits{
			intset:    rapid.IntRange(0, 12).Draw(rt, "intset"),
			lpEntries: rapid.IntRange(0, 12).Draw(rt, "lpEntries"),
			lpValue:   rapid.IntRange(0, 10).Draw(rt, "lpValue"),
		}
		for name, v := range map[string]int{"set-max-intset-entries": lim.intset,
			"set-max-listpack-entries": lim.lpEntries, "set-max-listpack-value": lim.lpValue} {
			if err := e.rdb.ConfigSet(e.ctx, name, strconv.Itoa(v)).Err(); err != nil {
				rt.Fatal(err)
			}
		}
		e.rdb.Del(e.ctx, keys...)
		m := setModel{}
		key := rapid.SampledFrom(keys)
		for step := rapid.IntRange(1, 60).Draw(rt, "steps"); step > 0; step-- {
			setPropStep(rt, e, m, key, member)
			for _, k := range keys {
				setPropCheckKey(rt, e, m, k, lim)
			}
		}
		setCheckMemory(rt, e)
	})
}

// setPropStep runs one random command and checks its reply.
func setPropStep(rt *rapid.T, e *strEnv, m setModel, key, member *rapid.Generator[string]) {
	ctx, r := e.ctx, e.rdb
	k := key.Draw(rt, "key")
	vs := rapid.SliceOfN(member, 1, 8).Draw(rt, "members")
	switch op := rapid.IntRange(0, 9).Draw(rt, "op"); op {
	case 0, 1: // SADD
		want := 0
		cur := m[k]
		if cur == nil {
			cur = map[string]bool{}
		}
		for _, v := range vs {
			if !cur[v] {
				cur[v] = true
				want++
			}
		}
		m.put(k, cur)
		setPropInt(rt, r.SAdd(ctx, k, setTestAny(vs)...), int64(want))
	case 2: // SREM
		want := 0
		cur := m[k]
		for _, v := range vs {
			if cur[v] {
				delete(cur, v)
				want++
			}
		}
		m.put(k, cur)
		setPropInt(rt, r.SRem(ctx, k, setTestAny(vs)...), int64(want))
	case 3: // SMOVE
		dst := key.Draw(rt, "dst")
		v := vs[0]
		want := int64(0)
		if m[k][v] {
			want = 1
			if dst != k {
				delete(m[k], v)
				m.put(k, m[k])
				cur := m[dst]
				if cur == nil {
					cur = map[string]bool{}
				}
				cur[v] = true
				m[dst] = cur
			}
		}
		if got, err := r.SMove(ctx, k, dst, v).Result(); err != nil || got != (want == 1) {
			rt.Fatalf("SMOVE %s %s %q = %v (%v), want %d", k, dst, v, got, err, want)
		}
	case 4: // SPOP [count]
		setPropSpop(rt, e, m, k)
	case 5: // SRANDMEMBER count
		setPropSrandmember(rt, e, m, k)
	case 6, 7: // STORE commands
		dst := key.Draw(rt, "dst")
		src := []string{k, key.Draw(rt, "other")}
		var res map[string]bool
		var cmd *redis.IntCmd
		switch op {
		case 6:
			res, cmd = m.inter(src), r.SInterStore(ctx, dst, src...)
		default:
			if rapid.Bool().Draw(rt, "union") {
				res, cmd = m.union(src), r.SUnionStore(ctx, dst, src...)
			} else {
				res, cmd = m.diff(src), r.SDiffStore(ctx, dst, src...)
			}
		}
		setPropInt(rt, cmd, int64(len(res)))
		m.put(dst, res)
	case 8: // read-only algebra
		setPropAlgebra(rt, e, m, []string{k, key.Draw(rt, "other")})
	default: // membership
		got, err := r.SMIsMember(ctx, k, setTestAny(vs)...).Result()
		if err != nil || len(got) != len(vs) {
			rt.Fatalf("SMISMEMBER: %v %v", got, err)
		}
		for i, v := range vs {
			if got[i] != m[k][v] {
				rt.Fatalf("SMISMEMBER %s %q = %v", k, v, got[i])
			}
			if is, _ := r.SIsMember(ctx, k, v).Result(); is != m[k][v] {
				rt.Fatalf("SISMEMBER %s %q = %v", k, v, is)
			}
		}
	}
}

// setPropSrandmember checks SRANDMEMBER with a count against the model.
func setPropSrandmember(rt *rapid.T, e *strEnv, m setModel, k string) {
	ctx, r := e.ctx, e.rdb
	count := rapid.IntRange(-12, 12).Draw(rt, "count")
	got, err := r.SRandMemberN(ctx, k, int64(count)).Result()
	if err != nil {
		rt.Fatal(err)
	}
	size := len(m[k])
	want := count
	if count < 0 {
		want = -count
		if size == 0 {
			want = 0
		}
	} else {
		want = min(count, size)
	}
	seen := map[string]bool{}
	for _, v := range got {
		if !m[k][v] || (count > 0 && seen[v]) {
			rt.Fatalf("SRANDMEMBER %s %d = %q, members %v", k, count, got, m.members(k))
		}
		seen[v] = true
	}
	if len(got) != want {
		rt.Fatalf("SRANDMEMBER %s %d returned %d members, want %d", k, count, len(got), want)
	}
}

// setPropAlgebra checks SINTER, SUNION, SDIFF and SINTERCARD over src.
func setPropAlgebra(rt *rapid.T, e *strEnv, m setModel, src []string) {
	ctx, r := e.ctx, e.rdb
	for name, c := range map[string]struct {
		want map[string]bool
		got  *redis.StringSliceCmd
	}{
		"SINTER": {m.inter(src), r.SInter(ctx, src...)},
		"SUNION": {m.union(src), r.SUnion(ctx, src...)},
		"SDIFF":  {m.diff(src), r.SDiff(ctx, src...)},
	} {
		got, err := c.got.Result()
		if err != nil || fmt.Sprint(setSortedSlice(got)) != fmt.Sprint(setMapKeys(c.want)) {
			rt.Fatalf("%s %v = %v (%v), want %v", name, src, got, err, setMapKeys(c.want))
		}
	}
	limit := rapid.IntRange(0, 5).Draw(rt, "limit")
	want := int64(len(m.inter(src)))
	if limit > 0 {
		want = min(want, int64(limit))
	}
	setPropInt(rt, r.SInterCard(ctx, int64(limit), src...), want)
}

func setPropSpop(rt *rapid.T, e *strEnv, m setModel, k string) {
	var got []string
	if rapid.Bool().Draw(rt, "withCount") {
		count := rapid.IntRange(0, 14).Draw(rt, "popCount")
		var err error
		if got, err = e.rdb.SPopN(e.ctx, k, int64(count)).Result(); err != nil {
			rt.Fatal(err)
		}
		if len(got) != min(count, len(m[k])) {
			rt.Fatalf("SPOP %s %d returned %d of %d", k, count, len(got), len(m[k]))
		}
	} else {
		v, err := e.rdb.SPop(e.ctx, k).Result()
		switch {
		case err == redis.Nil && len(m[k]) == 0:
		case err != nil:
			rt.Fatal(err)
		default:
			got = []string{v}
		}
	}
	for _, v := range got {
		if !m[k][v] {
			rt.Fatalf("SPOP %s returned %q, not a member of %v", k, v, m.members(k))
		}
		delete(m[k], v)
	}
	m.put(k, m[k])
}

func setPropInt(rt *rapid.T, cmd *redis.IntCmd, want int64) {
	if got, err := cmd.Result(); err != nil || got != want {
		rt.Fatalf("%v = %d (%v), want %d", cmd.Args(), got, err, want)
	}
}

func setSortedSlice(ss []string) []string {
	cp := append([]string(nil), ss...)
	sort.Strings(cp)
	return cp
}

// setPropCheckKey compares a key with the model and checks that its
// encoding is one its contents allow under the run's thresholds.
func setPropCheckKey(rt *rapid.T, e *strEnv, m setModel, k string, lim setPropLimits) {
	got, err := e.rdb.SMembers(e.ctx, k).Result()
	if err != nil || fmt.Sprint(setSortedSlice(got)) != fmt.Sprint(m.members(k)) {
		rt.Fatalf("SMEMBERS %s = %v (%v), model %v", k, got, err, m.members(k))
	}
	if n, _ := e.rdb.SCard(e.ctx, k).Result(); n != int64(len(m[k])) {
		rt.Fatalf("SCARD %s = %d, model %d", k, n, len(m[k]))
	}
	if len(m[k]) == 0 {
		if n, _ := e.rdb.Exists(e.ctx, k).Result(); n != 0 {
			rt.Fatalf("empty set %s still exists", k)
		}
		return
	}
	enc := e.encoding(k)
	switch enc {
	case "intset":
		if len(m[k]) > lim.intset {
			rt.Fatalf("%s: intset of %d > set-max-intset-entries %d", k, len(m[k]), lim.intset)
		}
		for v := range m[k] {
			if _, ok := types.ParseInt([]byte(v)); !ok {
				rt.Fatalf("%s: intset holds %q", k, v)
			}
		}
	case "listpack":
		if len(m[k]) > lim.lpEntries {
			rt.Fatalf("%s: listpack of %d > set-max-listpack-entries %d", k, len(m[k]), lim.lpEntries)
		}
		for v := range m[k] {
			if len(v) > lim.lpValue {
				rt.Fatalf("%s: listpack holds %q, longer than %d", k, v, lim.lpValue)
			}
		}
	case "hashtable":
	default:
		rt.Fatalf("%s: encoding %q", k, enc)
	}
}
