package command_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"
)

// listModel is the reference: lists as slices, keyed by name.
type listModel map[string][]string

var (
	listPropKeys   = []string{"a{t}", "b{t}", "c{t}"}
	listPropValues = rapid.SampledFrom([]string{"x", "y", "1", "-2", "300", "", "long-" + strings.Repeat("v", 70),
		"huge-" + strings.Repeat("w", 5000)})
)

// TestListCommandsModel drives random list commands against a server with
// tiny encoding limits (so lists keep converting between listpack and
// quicklist, and large values get nodes of their own) and checks every
// reply and the lists' contents against the slice model.
func TestListCommandsModel(t *testing.T) {
	e := newListEnv(t)
	rapid.Check(t, func(rt *rapid.T) {
		fill := rapid.SampledFrom([]string{"1", "2", "3", "5", "-1", "-2"}).Draw(rt, "fill")
		if err := e.rdb.Do(e.ctx, "FLUSHALL").Err(); err != nil {
			rt.Fatal(err)
		}
		if err := e.rdb.ConfigSet(e.ctx, "list-max-listpack-size", fill).Err(); err != nil {
			rt.Fatal(err)
		}
		m := listModel{}
		for step := rapid.IntRange(1, 50).Draw(rt, "steps"); step > 0; step-- {
			args, want := listPropStep(rt, m)
			got, err := e.rdb.Do(e.ctx, args...).Result()
			if err == redis.Nil {
				got, err = nil, nil
			}
			if err != nil {
				if w, ok := want.(listErr); !ok || err.Error() != string(w) {
					rt.Fatalf("%v: %v (want %#v)", args, err, want)
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				rt.Fatalf("%v: got %#v, want %#v", args, got, want)
			}
			for _, k := range listPropKeys {
				got, _ := e.rdb.LRange(e.ctx, k, 0, -1).Result()
				if fmt.Sprint(got) != fmt.Sprint(m[k]) || len(got) != len(m[k]) {
					rt.Fatalf("after %v: %s is %q, want %q", args, k, got, m[k])
				}
			}
		}
	})
}

// listPropStep draws a command, applies it to the model and returns the
// command and the reply it must get.
func listPropStep(t *rapid.T, m listModel) ([]any, any) {
	key := rapid.SampledFrom(listPropKeys).Draw(t, "key")
	l := m[key]
	n := len(l)
	idx := rapid.IntRange(-n-2, n+1).Draw(t, "idx")
	v := listPropValues.Draw(t, "v")
	set := func(nl []string) {
		if len(nl) == 0 {
			delete(m, key)
		} else {
			m[key] = nl
		}
	}
	switch op := rapid.IntRange(0, 11).Draw(t, "op"); op {
	case 0, 1:
		vs := rapid.SliceOfN(listPropValues, 1, 4).Draw(t, "vs")
		nl := append([]string(nil), l...)
		for _, x := range vs {
			if op == 0 {
				nl = append([]string{x}, nl...)
			} else {
				nl = append(nl, x)
			}
		}
		set(nl)
		return append([]any{[]string{"LPUSH", "RPUSH"}[op], key}, listAnys(vs)...), int64(len(nl))
	case 2:
		cnt := rapid.IntRange(0, 4).Draw(t, "cnt")
		if n == 0 {
			return []any{"RPOP", key, cnt}, nil
		}
		c := min(cnt, n)
		out := make([]any, 0, c)
		for i := 0; i < c; i++ {
			out = append(out, l[n-1-i])
		}
		set(l[:n-c])
		return []any{"RPOP", key, cnt}, out
	case 3:
		if n == 0 {
			return []any{"LPOP", key}, nil
		}
		set(l[1:])
		return []any{"LPOP", key}, l[0]
	case 4:
		i, ok := listPropIndex(idx, n)
		if !ok {
			return []any{"LINDEX", key, idx}, nil
		}
		return []any{"LINDEX", key, idx}, l[i]
	case 5:
		i, ok := listPropIndex(idx, n)
		switch {
		case n == 0:
			return []any{"LSET", key, idx, v}, listErr("ERR no such key")
		case !ok:
			return []any{"LSET", key, idx, v}, listErr("ERR index out of range")
		}
		nl := append([]string(nil), l...)
		nl[i] = v
		set(nl)
		return []any{"LSET", key, idx, v}, "OK"
	case 6:
		pivot := listPropValues.Draw(t, "pivot")
		after := rapid.Bool().Draw(t, "after")
		where := map[bool]string{true: "AFTER", false: "BEFORE"}[after]
		if n == 0 {
			return []any{"LINSERT", key, where, pivot, v}, int64(0)
		}
		for i, x := range l {
			if x == pivot {
				if after {
					i++
				}
				nl := append(append(append([]string(nil), l[:i]...), v), l[i:]...)
				set(nl)
				return []any{"LINSERT", key, where, pivot, v}, int64(len(nl))
			}
		}
		return []any{"LINSERT", key, where, pivot, v}, int64(-1)
	case 7:
		cnt := rapid.IntRange(-3, 3).Draw(t, "cnt")
		removed, nl := listPropRem(l, cnt, v)
		set(nl)
		return []any{"LREM", key, cnt, v}, int64(removed)
	case 8:
		stop := rapid.IntRange(-n-2, n+1).Draw(t, "stop")
		from, to, empty := listPropRange(idx, stop, n)
		if empty {
			set(nil)
		} else {
			set(append([]string(nil), l[from:to+1]...))
		}
		return []any{"LTRIM", key, idx, stop}, "OK"
	case 9:
		dst := rapid.SampledFrom(listPropKeys).Draw(t, "dst")
		fromLeft, toLeft := rapid.Bool().Draw(t, "from"), rapid.Bool().Draw(t, "to")
		args := []any{"LMOVE", key, dst, map[bool]string{true: "LEFT", false: "RIGHT"}[fromLeft],
			map[bool]string{true: "LEFT", false: "RIGHT"}[toLeft]}
		if n == 0 {
			return args, nil
		}
		var x string
		if fromLeft {
			x = l[0]
			set(l[1:])
		} else {
			x = l[n-1]
			set(l[:n-1])
		}
		d := append([]string(nil), m[dst]...)
		if toLeft {
			d = append([]string{x}, d...)
		} else {
			d = append(d, x)
		}
		m[dst] = d
		return args, x
	case 10:
		rank := rapid.SampledFrom([]int{1, 2, -1, -2}).Draw(t, "rank")
		var hits []any
		for k := 0; k < n; k++ {
			i := k
			if rank < 0 {
				i = n - 1 - k
			}
			if l[i] == v {
				hits = append(hits, int64(i))
			}
		}
		skip := rank
		if skip < 0 {
			skip = -skip
		}
		if len(hits) < skip {
			return []any{"LPOS", key, v, "RANK", rank, "COUNT", 0}, []any{}
		}
		return []any{"LPOS", key, v, "RANK", rank, "COUNT", 0}, hits[skip-1:]
	default:
		return []any{"LLEN", key}, int64(n)
	}
}

func listAnys(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func listPropIndex(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

func listPropRange(start, stop, n int) (int, int, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0, true
	}
	return start, min(stop, n-1), false
}

func listPropRem(l []string, cnt int, v string) (int, []string) {
	limit := cnt
	if limit < 0 {
		limit = -limit
	}
	drop := map[int]bool{}
	for k := range l {
		i := k
		if cnt < 0 {
			i = len(l) - 1 - k
		}
		if l[i] == v && (limit == 0 || len(drop) < limit) {
			drop[i] = true
		}
	}
	var keep []string
	for i, x := range l {
		if !drop[i] {
			keep = append(keep, x)
		}
	}
	return len(drop), keep
}
