package types

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"testing"

	"pgregory.net/rapid"
)

// zsetModel is the reference: a slice kept sorted by (score, member).
type zsetModel []zpairS

type zpairS struct {
	m string
	s float64
}

func (md zsetModel) sorted() zsetModel {
	out := append(zsetModel(nil), md...)
	sort.Slice(out, func(i, j int) bool {
		return out[i].s < out[j].s || (out[i].s == out[j].s && out[i].m < out[j].m)
	})
	return out
}

func (md zsetModel) find(m string) int {
	for i, p := range md {
		if p.m == m {
			return i
		}
	}
	return -1
}

func zsetContents(z *ZSet) zsetModel {
	var got zsetModel
	z.Range(func(m []byte, s float64) bool { got = append(got, zpairS{string(m), s}); return true })
	return got
}

var zsetMember = rapid.StringMatching(`[a-d]{0,3}`)

// TestZSetModelOps drives a ZSet and the model with random operations,
// with thresholds small enough that both encodings and every conversion
// are exercised, and compares every query after each step.
func TestZSetModelOps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		z := NewZSetSized(rapid.IntRange(0, 3).Draw(t, "hint"), 0, lim)
		var md zsetModel
		for step := rapid.IntRange(1, 60).Draw(t, "steps"); step > 0; step-- {
			zsetModelStep(t, z, &md, lim)
			md = md.sorted()
			zsetCheck(t, z, md, lim)
		}
	})
}

func zsetModelStep(t *rapid.T, z *ZSet, md *zsetModel, lim Limits) {
	switch op := rapid.IntRange(0, 7).Draw(t, "op"); op {
	case 0, 1, 2:
		m := zsetMember.Draw(t, "m")
		s := float64(rapid.IntRange(-3, 3).Draw(t, "score")) / 2
		i := md.find(m)
		if isNew := z.Set([]byte(m), s, lim); isNew != (i < 0) {
			t.Fatalf("Set(%q) new=%v", m, isNew)
		}
		if i < 0 {
			*md = append(*md, zpairS{m, s})
		} else {
			(*md)[i].s = s
		}
	case 3:
		m := zsetMember.Draw(t, "m")
		i := md.find(m)
		if z.Delete([]byte(m)) != (i >= 0) {
			t.Fatalf("Delete(%q)", m)
		}
		if i >= 0 {
			*md = append((*md)[:i], (*md)[i+1:]...)
		}
	case 4:
		highest := rapid.Bool().Draw(t, "highest")
		m, s, ok := z.Pop(highest)
		if ok != (len(*md) > 0) {
			t.Fatalf("Pop ok=%v with %d members", ok, len(*md))
		}
		if ok {
			i := 0
			if highest {
				i = len(*md) - 1
			}
			if want := (*md)[i]; want.m != string(m) || want.s != s {
				t.Fatalf("Pop(%v)=%q %v, want %v", highest, m, s, want)
			}
			*md = append((*md)[:i], (*md)[i+1:]...)
		}
	case 5:
		if len(*md) == 0 {
			return
		}
		a := rapid.IntRange(0, len(*md)-1).Draw(t, "a")
		b := rapid.IntRange(a, len(*md)-1).Draw(t, "b")
		if n := z.DeleteRangeByRank(a, b); n != b-a+1 {
			t.Fatalf("DeleteRangeByRank(%d,%d)=%d", a, b, n)
		}
		*md = append((*md)[:a], (*md)[b+1:]...)
	case 6:
		z.MaybeConvert(rapid.IntRange(0, 10).Draw(t, "hint"), rapid.IntRange(0, 10).Draw(t, "maxlen"), lim)
	case 7:
		z.ConvertToListpackIfNeeded(lim)
	}
}

func zsetCheck(t *rapid.T, z *ZSet, md zsetModel, lim Limits) {
	if got := zsetContents(z); fmt.Sprint(got) != fmt.Sprint(md) {
		t.Fatalf("contents %v want %v (enc %s)", got, md, z.Encoding())
	}
	if z.Len() != len(md) {
		t.Fatalf("Len %d want %d", z.Len(), len(md))
	}
	if z.MemUsage() <= 0 {
		t.Fatalf("MemUsage %d", z.MemUsage())
	}
	if z.IsListpack() && z.Len() > max(lim.ZSetMaxListpackEntries, 0) {
		// Only ConvertToListpackIfNeeded/NewZSetSized create listpacks,
		// and growth converts them: a listpack never exceeds the limit.
		t.Fatalf("listpack with %d members, limit %d", z.Len(), lim.ZSetMaxListpackEntries)
	}
	for i, p := range md {
		r, s, ok := z.RankScore([]byte(p.m), false)
		if !ok || r != i || s != p.s {
			t.Fatalf("RankScore(%q)=%d,%v,%v want %d", p.m, r, s, ok, i)
		}
		if r, _ := z.Rank([]byte(p.m), true); r != len(md)-1-i {
			t.Fatalf("rev rank of %q = %d", p.m, r)
		}
		if s, ok := z.Score([]byte(p.m)); !ok || s != p.s {
			t.Fatalf("Score(%q)", p.m)
		}
		if m, s, ok := z.At(i); !ok || string(m) != p.m || s != p.s {
			t.Fatalf("At(%d)=%q", i, m)
		}
	}
	zsetCheckScoreRange(t, z, md)
	zsetCheckLexRange(t, z, md)
	zsetCheckScanCloneDump(t, z, md)
}

func zsetCheckScoreRange(t *rapid.T, z *ZSet, md zsetModel) {
	bound := func(name string) float64 {
		switch v := rapid.IntRange(-5, 5).Draw(t, name); v {
		case -5:
			return math.Inf(-1)
		case 5:
			return math.Inf(1)
		default:
			return float64(v) / 2
		}
	}
	r := ScoreRange{Min: bound("min"), Max: bound("max"),
		MinEx: rapid.Bool().Draw(t, "minex"), MaxEx: rapid.Bool().Draw(t, "maxex")}
	lo, hi := z.ScoreBounds(r)
	wantLo, wantHi := -1, -1
	for i, p := range md {
		if r.Contains(p.s) {
			if wantLo < 0 {
				wantLo = i
			}
			wantHi = i + 1
		}
	}
	if wantLo < 0 {
		if hi > lo {
			t.Fatalf("ScoreBounds(%+v)=[%d,%d) want empty", r, lo, hi)
		}
	} else if lo != wantLo || hi != wantHi {
		t.Fatalf("ScoreBounds(%+v)=[%d,%d) want [%d,%d)", r, lo, hi, wantLo, wantHi)
	}
	var fwd, rev []string
	z.RangeByScore(r, false, func(m []byte, _ float64) bool { fwd = append(fwd, string(m)); return true })
	z.RangeByScore(r, true, func(m []byte, _ float64) bool { rev = append(rev, string(m)); return true })
	if len(fwd) != len(rev) {
		t.Fatalf("forward %v reverse %v", fwd, rev)
	}
	for i := range fwd {
		if fwd[i] != rev[len(rev)-1-i] {
			t.Fatalf("forward %v reverse %v", fwd, rev)
		}
	}
}

// zsetCheckLexRange checks lex bounds on the members that share the most
// common score... simplest: only when all scores are equal, as Valkey
// defines lex ranges.
func zsetCheckLexRange(t *rapid.T, z *ZSet, md zsetModel) {
	for _, p := range md {
		if p.s != md[0].s {
			return
		}
	}
	bound := func(name string) LexBound {
		switch rapid.IntRange(0, 5).Draw(t, name+"kind") {
		case 0:
			return LexBound{Kind: LexMinusInf, Ex: true}
		case 1:
			return LexBound{Kind: LexPlusInf, Ex: true}
		}
		return LexBound{Value: zsetMember.Draw(t, name), Ex: rapid.Bool().Draw(t, name+"ex")}
	}
	r := LexRange{Min: bound("min"), Max: bound("max")}
	lo, hi := z.LexBounds(r)
	var want []string
	for _, p := range md {
		if r.Contains([]byte(p.m)) {
			want = append(want, p.m)
		}
	}
	var got []string
	z.RangeRanks(lo, hi, false, func(m []byte, _ float64) bool { got = append(got, string(m)); return true })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("LexBounds(%+v) gives %v want %v", r, got, want)
	}
	if r.Empty() && len(want) > 0 {
		t.Fatalf("Empty(%+v) but %v match", r, want)
	}
}

func zsetCheckScanCloneDump(t *rapid.T, z *ZSet, md zsetModel) {
	seen := map[string]float64{}
	cursor := uint64(0)
	for {
		cursor = z.Scan(cursor, rapid.IntRange(1, 4).Draw(t, "count"), func(m []byte, s float64) { seen[string(m)] = s })
		if cursor == 0 {
			break
		}
	}
	if len(seen) != len(md) {
		t.Fatalf("Scan saw %d members, want %d", len(seen), len(md))
	}
	for _, p := range md {
		if s, ok := seen[p.m]; !ok || s != p.s {
			t.Fatalf("Scan missed %q", p.m)
		}
	}
	c := z.Clone().(*ZSet)
	if c.Encoding() != z.Encoding() || fmt.Sprint(zsetContents(c)) != fmt.Sprint(md) {
		t.Fatalf("Clone differs")
	}
	p, err := DumpObject(z)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseDump(p)
	if err != nil {
		t.Fatalf("ParseDump: %v", err)
	}
	back := v.Obj.(*ZSet)
	if back.Encoding() != z.Encoding() || fmt.Sprint(zsetContents(back)) != fmt.Sprint(md) {
		t.Fatalf("dump round trip: %v (%s) want %v (%s)", zsetContents(back), back.Encoding(), md, z.Encoding())
	}
}

func TestZSetNegativeZero(t *testing.T) {
	lim := DefaultLimits()
	z := NewZSet(1, lim)
	z.Set([]byte("a"), math.Copysign(0, -1), lim)
	if s, _ := z.Score([]byte("a")); math.Signbit(s) {
		t.Fatal("a listpack stores -0 as the integer 0, as Valkey")
	}
	big := NewZSetSized(1000, 0, lim)
	big.Set([]byte("a"), math.Copysign(0, -1), lim)
	if s, _ := big.Score([]byte("a")); !math.Signbit(s) {
		t.Fatal("a skiplist keeps -0")
	}
}

func TestZSetEncodingThresholds(t *testing.T) {
	lim := DefaultLimits()
	lim.ZSetMaxListpackEntries, lim.ZSetMaxListpackValue = 2, 3
	z := NewZSet(1, lim)
	z.Set([]byte("a"), 1, lim)
	z.Set([]byte("b"), 2, lim)
	if z.Encoding() != "listpack" {
		t.Fatal(z.Encoding())
	}
	z.Set([]byte("b"), 3, lim) // an update never converts
	if z.Encoding() != "listpack" {
		t.Fatal(z.Encoding())
	}
	z.Set([]byte("c"), 3, lim)
	if z.Encoding() != "skiplist" {
		t.Fatal("a third member exceeds 2 entries")
	}
	z.Delete([]byte("c"))
	if z.Encoding() != "skiplist" {
		t.Fatal("deleting never converts back")
	}
	z.ConvertToListpackIfNeeded(lim)
	if z.Encoding() != "listpack" {
		t.Fatal("fits again")
	}
	z2 := NewZSet(4, lim)
	if z2.Encoding() != "skiplist" {
		t.Fatal("a first member longer than the value limit")
	}
	if NewZSetSized(3, 1, lim).Encoding() != "skiplist" {
		t.Fatal("size hint above the entries limit")
	}
}

func TestZSetDumpRejects(t *testing.T) {
	body := func(fn func(w *DumpWriter)) []byte {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindZSet))
		fn(&w)
		return w.finish()
	}
	cases := map[string]func(w *DumpWriter){
		"unknown encoding": func(w *DumpWriter) { w.Uvarint(7); w.Uvarint(0) },
		"out of order": func(w *DumpWriter) {
			w.Uvarint(0)
			w.Uvarint(2)
			w.Bytes([]byte("b"))
			w.Float64(1)
			w.Bytes([]byte("a"))
			w.Float64(1)
		},
		"duplicate": func(w *DumpWriter) {
			w.Uvarint(1)
			w.Uvarint(2)
			w.Bytes([]byte("a"))
			w.Float64(1)
			w.Bytes([]byte("a"))
			w.Float64(2)
		},
		"nan": func(w *DumpWriter) {
			w.Uvarint(0)
			w.Uvarint(1)
			w.Bytes([]byte("a"))
			w.Float64(math.NaN())
		},
		"count too big": func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(1 << 30) },
		"truncated":     func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(1); w.Bytes([]byte("a")) },
	}
	for name, fn := range cases {
		if _, err := ParseDump(body(fn)); !errors.Is(err, ErrDumpFormat) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// FuzzParseDumpZSet feeds arbitrary sorted-set bodies to the decoder: it
// must never panic, and what it accepts must round-trip.
func FuzzParseDumpZSet(f *testing.F) {
	lim := DefaultLimits()
	for _, n := range []int{0, 1, 3, 200} {
		z := NewZSetSized(n, 0, lim)
		for i := 0; i < n; i++ {
			z.Set([]byte(fmt.Sprint("m", i)), float64(i%7)-2.5, lim)
		}
		w := DumpWriter{}
		z.AppendDump(&w)
		f.Add(w.buf)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindZSet))
		w.buf = append(w.buf, b...)
		v, err := ParseDump(w.finish())
		if err != nil {
			return
		}
		z := v.Obj.(*ZSet)
		p, err := DumpObject(z)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseDump(p)
		if err != nil || fmt.Sprint(zsetContents(again.Obj.(*ZSet))) != fmt.Sprint(zsetContents(z)) {
			t.Fatalf("accepted body does not round-trip: %v", err)
		}
	})
}
