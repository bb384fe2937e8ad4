package types

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"pgregory.net/rapid"
)

// smallLimits force encoding conversions within short runs.
func smallLimits(t *rapid.T) Limits {
	return Limits{
		HashMaxListpackEntries: rapid.IntRange(1, 8).Draw(t, "hashEntries"),
		HashMaxListpackValue:   rapid.IntRange(1, 8).Draw(t, "hashValue"),
		ListMaxListpackSize:    rapid.SampledFrom([]int{1, 3, 8, -1}).Draw(t, "listSize"),
		SetMaxIntsetEntries:    rapid.IntRange(1, 8).Draw(t, "intset"),
		SetMaxListpackEntries:  rapid.IntRange(1, 8).Draw(t, "setEntries"),
		SetMaxListpackValue:    rapid.IntRange(1, 8).Draw(t, "setValue"),
		ZSetMaxListpackEntries: rapid.IntRange(1, 8).Draw(t, "zsetEntries"),
		ZSetMaxListpackValue:   rapid.IntRange(1, 8).Draw(t, "zsetValue"),
	}
}

var smallString = rapid.StringMatching(`[a-c0-9]{0,10}`)

func TestHashModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		h := NewHash()
		model := map[string]string{}
		for step := rapid.IntRange(1, 80).Draw(t, "steps"); step > 0; step-- {
			f, v := smallString.Draw(t, "f"), smallString.Draw(t, "v")
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				_, existed := model[f]
				if isNew := h.Set([]byte(f), []byte(v), false, 0, lim); isNew == existed {
					t.Fatalf("Set(%q) new=%v but model existed=%v", f, isNew, existed)
				}
				model[f] = v
			case 1:
				_, existed := model[f]
				if got := h.Delete([]byte(f), 0); got != existed {
					t.Fatalf("Delete(%q)=%v want %v", f, got, existed)
				}
				delete(model, f)
			case 2:
				got, ok := h.Get([]byte(f), 0)
				want, wok := model[f]
				if ok != wok || string(got) != want {
					t.Fatalf("Get(%q)=%q,%v want %q,%v", f, got, ok, want, wok)
				}
			}
			if h.Len() != len(model) {
				t.Fatalf("Len %d want %d (enc %s)", h.Len(), len(model), h.Encoding())
			}
		}
		seen := map[string]string{}
		h.Range(0, func(f, v []byte) bool { seen[string(f)] = string(v); return true })
		if fmt.Sprint(seen) != fmt.Sprint(model) {
			t.Fatalf("Range %v want %v", seen, model)
		}
	})
}

func TestHashFieldTTL(t *testing.T) {
	h := NewHash()
	lim := DefaultLimits()
	h.Set([]byte("a"), []byte("1"), false, 0, lim)
	h.Set([]byte("b"), []byte("2"), false, 0, lim)
	if !h.SetFieldTTL([]byte("a"), 100, 0) || h.Encoding() != "hashtable" {
		t.Fatalf("volatile field must force hashtable, got %s", h.Encoding())
	}
	if at, ok := h.FieldTTL([]byte("a"), 50); !ok || at != 100 {
		t.Fatalf("FieldTTL = %d %v", at, ok)
	}
	if _, ok := h.Get([]byte("a"), 101); ok {
		t.Fatal("expired field visible")
	}
	if h.Len() != 2 {
		t.Fatal("HLEN counts unreclaimed fields")
	}
	if got := h.ReclaimExpired(101, 10); len(got) != 1 || string(got[0]) != "a" {
		t.Fatalf("reclaimed %q", got)
	}
	if h.Len() != 1 || h.VolatileFields() != 0 {
		t.Fatalf("after reclaim len=%d volatile=%d", h.Len(), h.VolatileFields())
	}
	h.SetFieldTTL([]byte("b"), 500, 0)
	h.Set([]byte("b"), []byte("3"), false, 0, lim)
	if at, _ := h.FieldTTL([]byte("b"), 0); at != -1 {
		t.Fatal("overwrite must clear the TTL")
	}
	h.SetFieldTTL([]byte("b"), 500, 0)
	h.Set([]byte("b"), []byte("4"), true, 0, lim)
	if at, _ := h.FieldTTL([]byte("b"), 0); at != 500 {
		t.Fatal("KEEPTTL must keep the TTL")
	}
}

func TestSetModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		member := rapid.OneOf(rapid.StringMatching(`-?[1-9][0-9]{0,3}`), smallString)
		first := member.Draw(t, "first")
		s := NewSetFor([]byte(first), lim)
		model := map[string]bool{}
		for step := rapid.IntRange(1, 80).Draw(t, "steps"); step > 0; step-- {
			m := member.Draw(t, "m")
			if rapid.Bool().Draw(t, "add") {
				if got := s.Add([]byte(m), lim); got == model[m] {
					t.Fatalf("Add(%q)=%v model had=%v enc=%s", m, got, model[m], s.Encoding())
				}
				model[m] = true
			} else {
				if got := s.Remove([]byte(m)); got != model[m] {
					t.Fatalf("Remove(%q)=%v", m, got)
				}
				delete(model, m)
			}
			if s.Len() != len(model) {
				t.Fatalf("Len %d want %d", s.Len(), len(model))
			}
		}
		for m := range model {
			if !s.Contains([]byte(m)) {
				t.Fatalf("missing %q (enc %s)", m, s.Encoding())
			}
		}
	})
}

func TestZSetModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		z := NewZSet(0, lim)
		model := map[string]float64{}
		for step := rapid.IntRange(1, 80).Draw(t, "steps"); step > 0; step-- {
			m := smallString.Draw(t, "m")
			if rapid.IntRange(0, 3).Draw(t, "op") > 0 {
				s := float64(rapid.IntRange(-5, 5).Draw(t, "score"))
				_, had := model[m]
				if got := z.Set([]byte(m), s, lim); got == had {
					t.Fatalf("Set(%q) new=%v had=%v", m, got, had)
				}
				model[m] = s
			} else {
				_, had := model[m]
				if z.Delete([]byte(m)) != had {
					t.Fatalf("Delete(%q)", m)
				}
				delete(model, m)
			}
		}
		type p struct {
			m string
			s float64
		}
		var sorted []p
		for m, s := range model {
			sorted = append(sorted, p{m, s})
		}
		sort.Slice(sorted, func(i, j int) bool {
			return sorted[i].s < sorted[j].s || (sorted[i].s == sorted[j].s && sorted[i].m < sorted[j].m)
		})
		var got []p
		z.Range(func(m []byte, s float64) bool { got = append(got, p{string(m), s}); return true })
		if fmt.Sprint(got) != fmt.Sprint(sorted) {
			t.Fatalf("order %v want %v (enc %s)", got, sorted, z.Encoding())
		}
		for i, e := range sorted {
			if r, ok := z.Rank([]byte(e.m), false); !ok || r != i {
				t.Fatalf("Rank(%q)=%d want %d", e.m, r, i)
			}
			if r, _ := z.Rank([]byte(e.m), true); r != len(sorted)-1-i {
				t.Fatalf("RevRank(%q)=%d", e.m, r)
			}
		}
		lo := float64(rapid.IntRange(-6, 6).Draw(t, "lo"))
		r := ScoreRange{Min: lo, Max: lo + 3, MinEx: rapid.Bool().Draw(t, "minex")}
		var want, have []string
		for _, e := range sorted {
			if r.Contains(e.s) {
				want = append(want, e.m)
			}
		}
		z.RangeByScore(r, false, func(m []byte, _ float64) bool { have = append(have, string(m)); return true })
		if fmt.Sprint(have) != fmt.Sprint(want) {
			t.Fatalf("RangeByScore %v: %v want %v", r, have, want)
		}
		have = have[:0]
		z.RangeByScore(r, true, func(m []byte, _ float64) bool { have = append(have, string(m)); return true })
		for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
			want[i], want[j] = want[j], want[i]
		}
		if fmt.Sprint(have) != fmt.Sprint(want) {
			t.Fatalf("RevRangeByScore %v: %v want %v", r, have, want)
		}
	})
}

func TestListModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		l := NewList()
		var model [][]byte
		for step := rapid.IntRange(1, 100).Draw(t, "steps"); step > 0; step-- {
			v := []byte(smallString.Draw(t, "v"))
			left := rapid.Bool().Draw(t, "left")
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				l.Push(v, left, lim)
				if left {
					model = append([][]byte{v}, model...)
				} else {
					model = append(model, v)
				}
			case 1:
				got, ok := l.Pop(left, lim)
				if ok != (len(model) > 0) {
					t.Fatalf("Pop ok=%v", ok)
				}
				if ok {
					var want []byte
					if left {
						want, model = model[0], model[1:]
					} else {
						want, model = model[len(model)-1], model[:len(model)-1]
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("Pop=%q want %q", got, want)
					}
				}
			case 2:
				if len(model) > 0 {
					i := rapid.IntRange(0, len(model)-1).Draw(t, "i")
					l.SetIndex(i, v, lim)
					model[i] = v
				}
			}
		}
		if fmt.Sprint(l.Elements()) != fmt.Sprint(model) {
			t.Fatalf("elements %q want %q (enc %s)", l.Elements(), model, l.Encoding())
		}
	})
}
