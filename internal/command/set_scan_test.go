package command_test

import (
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// TestSetSscanGuarantee checks SSCAN's guarantee through the server: a
// member present for a whole iteration is returned at least once, while
// between calls the set grows (the hashtable doubles), shrinks (it halves)
// and is rebuilt by SUNIONSTORE/SINTERSTORE into itself, which can turn a
// hashtable into a listpack or an intset mid-iteration.
func TestSetSscanGuarantee(t *testing.T) {
	e := newStrEnv(t, 2)
	rapid.Check(t, func(rt *rapid.T) {
		ctx, r := e.ctx, e.rdb
		r.Del(ctx, "g")
		ints := rapid.Bool().Draw(rt, "ints")
		name := func(prefix string, i int) string {
			if ints {
				return strconv.Itoa(i)
			}
			return prefix + strconv.Itoa(i)
		}
		stable := map[string]bool{}
		nStable := rapid.IntRange(1, 200).Draw(rt, "stable")
		for i := 0; i < nStable; i++ {
			stable[name("s", i)] = true
		}
		for m := range stable {
			r.SAdd(ctx, "g", m)
		}
		transient, next := map[string]bool{}, 100000
		seen := map[string]bool{}
		cursor := uint64(0)
		for calls := 0; ; calls++ {
			if calls > 100000 {
				rt.Fatal("SSCAN does not terminate")
			}
			count := rapid.IntRange(1, 30).Draw(rt, "count")
			keys, c, err := r.SScan(ctx, "g", cursor, "", int64(count)).Result()
			if err != nil {
				rt.Fatal(err)
			}
			for _, k := range keys {
				if !stable[k] && !transient[k] {
					rt.Fatalf("SSCAN returned %q, never a member", k)
				}
				seen[k] = true
			}
			if cursor = c; cursor == 0 {
				break
			}
			switch rapid.IntRange(0, 3).Draw(rt, "churn") {
			case 0: // grow
				for n := rapid.IntRange(1, 400).Draw(rt, "grow"); n > 0; n-- {
					m := name("t", next)
					next++
					transient[m] = true
					r.SAdd(ctx, "g", m)
				}
			case 1: // shrink
				n := rapid.IntRange(1, 400).Draw(rt, "shrink")
				for m := range transient {
					if n == 0 {
						break
					}
					r.SRem(ctx, "g", m)
					delete(transient, m)
					n--
				}
			case 2: // rebuild into itself, possibly in a smaller encoding
				r.SInterStore(ctx, "g", "g")
			default:
				r.SUnionStore(ctx, "g", "g")
			}
		}
		for m := range stable {
			if !seen[m] {
				rt.Fatalf("stable member %q was never returned", m)
			}
		}
	})
}
