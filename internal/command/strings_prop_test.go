package command_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"
)

// strModel is the reference model of one string key: nil when missing.
type strModel struct{ b []byte }

func (m *strModel) grow(n int) {
	if m.b == nil {
		m.b = []byte{}
	}
	for len(m.b) < n {
		m.b = append(m.b, 0)
	}
}

func (m *strModel) bit(i int) int {
	if i/8 >= len(m.b) {
		return 0
	}
	return int(m.b[i/8]>>(7-i%8)) & 1
}

// modelRange is GETRANGE/BITCOUNT's index resolution over n units.
func modelRange(start, end, n int) (int, int, bool) {
	if start < 0 && end < 0 && start > end {
		return 0, 0, false
	}
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	end = min(end, n-1)
	if start > end || n == 0 {
		return 0, 0, false
	}
	return start, end, true
}

// TestStringsPropertyModel drives APPEND, SETRANGE, GETRANGE, SETBIT,
// GETBIT, BITCOUNT and STRLEN at random and compares every reply and the
// final value with a plain byte-slice model.
func TestStringsPropertyModel(t *testing.T) {
	e := newStrEnv(t, 2)
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		key := "prop:" + strconv.Itoa(run)
		m := &strModel{}
		small := rapid.IntRange(-40, 40)
		val := rapid.SliceOfN(rapid.Byte(), 0, 6)
		for i, steps := 0, rapid.IntRange(1, 40).Draw(rt, "steps"); i < steps; i++ {
			var args []any
			var want any
			switch rapid.IntRange(0, 6).Draw(rt, "op") {
			case 0:
				v := val.Draw(rt, "v")
				args = []any{"append", key, string(v)}
				m.grow(0)
				m.b = append(m.b, v...)
				want = int64(len(m.b))
			case 1:
				off, v := rapid.IntRange(0, 30).Draw(rt, "off"), val.Draw(rt, "v")
				args = []any{"setrange", key, strconv.Itoa(off), string(v)}
				if len(v) > 0 {
					m.grow(off + len(v))
					copy(m.b[off:], v)
				}
				want = int64(len(m.b))
			case 2:
				s, en := small.Draw(rt, "s"), small.Draw(rt, "e")
				args = []any{"getrange", key, strconv.Itoa(s), strconv.Itoa(en)}
				want = ""
				if from, to, ok := modelRange(s, en, len(m.b)); ok {
					want = string(m.b[from : to+1])
				}
			case 3:
				off, v := rapid.IntRange(0, 200).Draw(rt, "bit"), rapid.IntRange(0, 1).Draw(rt, "val")
				args = []any{"setbit", key, strconv.Itoa(off), strconv.Itoa(v)}
				want = int64(m.bit(off))
				m.grow(off/8 + 1)
				m.b[off/8] = m.b[off/8]&^(1<<(7-off%8)) | byte(v)<<(7-off%8)
			case 4:
				off := rapid.IntRange(0, 250).Draw(rt, "bit")
				args = []any{"getbit", key, strconv.Itoa(off)}
				want = int64(m.bit(off))
			case 5:
				args, want = modelBitcount(rt, key, m)
			case 6:
				args = []any{"strlen", key}
				want = int64(len(m.b))
			}
			got, err := e.rdb.Do(e.ctx, args...).Result()
			if err != nil {
				rt.Fatalf("%v: %v", args, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				rt.Fatalf("%v: got %q, model %q", args, got, want)
			}
		}
		got, err := e.rdb.Get(e.ctx, key).Result()
		switch {
		case m.b == nil && !errors.Is(err, redis.Nil):
			rt.Fatalf("key exists but the model has none: %q %v", got, err)
		case m.b != nil && got != string(m.b):
			rt.Fatalf("final value %q, model %q", got, m.b)
		}
	})
}

func modelBitcount(rt *rapid.T, key string, m *strModel) ([]any, any) {
	small := rapid.IntRange(-40, 40)
	switch rapid.IntRange(0, 2).Draw(rt, "form") {
	case 0:
		n := 0
		for i := 0; i < len(m.b)*8; i++ {
			n += m.bit(i)
		}
		return []any{"bitcount", key}, int64(n)
	default:
		s, en := small.Draw(rt, "s"), small.Draw(rt, "e")
		unit := rapid.SampledFrom([]string{"byte", "bit"}).Draw(rt, "unit")
		args := []any{"bitcount", key, strconv.Itoa(s), strconv.Itoa(en), unit}
		per := 8
		if unit == "bit" {
			per = 1
		}
		// The negative-and-reversed check uses the unscaled indexes.
		if s < 0 && en < 0 && s > en {
			return args, int64(0)
		}
		from, to, ok := modelRange(s, en, len(m.b)*8/per)
		if !ok {
			return args, int64(0)
		}
		n := 0
		for i := from * per; i < (to+1)*per; i++ {
			n += m.bit(i)
		}
		return args, int64(n)
	}
}
