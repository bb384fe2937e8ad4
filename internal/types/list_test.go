package types

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// listInvariants checks the structure behind a list: links, counts, the
// Valkey byte sizes of the nodes, memory accounting and the encoding's
// shape.
// listFataler is what both *testing.T and *rapid.T provide.
type listFataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func listInvariants(t listFataler, l *List) {
	t.Helper()
	nodes, count := 0, 0
	var mem int64
	var prev *qlNode
	for n := l.head; n != nil; n = n.next {
		if n.prev != prev {
			t.Fatalf("node %d: broken prev link", nodes)
		}
		want := lpHeaderSize
		n.p.each(0, func(_ int, v []byte) bool {
			want += lpValkeyEntrySize(v)
			return true
		})
		if n.plain {
			if n.count() != 1 {
				t.Fatalf("plain node with %d elements", n.count())
			}
			want = len(n.p.get(0))
		}
		if n.sz != want {
			t.Fatalf("node %d: sz %d, want %d", nodes, n.sz, want)
		}
		if l.quick && n.count() == 0 {
			t.Fatalf("empty quicklist node %d", nodes)
		}
		nodes++
		count += n.count()
		mem += n.mem()
		prev = n
	}
	if prev != l.tail {
		t.Fatal("tail is not the last node")
	}
	if nodes != l.nodes || count != l.count || mem != l.mem {
		t.Fatalf("nodes %d/%d count %d/%d mem %d/%d", nodes, l.nodes, count, l.count, mem, l.mem)
	}
	if !l.quick && (nodes != 1 || l.head.plain) {
		t.Fatalf("listpack with %d nodes", nodes)
	}
}

func listOf(t listFataler, lim Limits, elems ...string) *List {
	l := NewList()
	for _, e := range elems {
		l.Push([]byte(e), false, lim)
	}
	listInvariants(t, l)
	return l
}

func strs(l *List) string {
	var b strings.Builder
	for i, e := range l.Elements() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(e)
	}
	return b.String()
}

func limitsFill(fill int) Limits {
	lim := DefaultLimits()
	lim.ListMaxListpackSize = fill
	return lim
}

// quickOf builds a quicklist holding elems (one push each, under fill 3
// or -1 as Valkey's tests do with create_quicklist).
func quickOf(t *testing.T, lim Limits, elems ...string) *List {
	l := listOf(t, lim, elems...)
	if l.Encoding() != "quicklist" {
		t.Fatalf("setup: %q is %s", elems, l.Encoding())
	}
	return l
}

// The cases of Valkey's "List listpack -> quicklist encoding conversion"
// and "List quicklist -> listpack encoding conversion" tests.
func TestListConversionsAsValkey(t *testing.T) {
	lim := limitsFill(3)
	l := listOf(t, lim, "a", "b", "c")
	if l.Encoding() != "listpack" {
		t.Fatal("3 elements under fill 3 should be a listpack")
	}
	l.Push([]byte("d"), false, lim)
	if l.Encoding() != "quicklist" {
		t.Fatal("RPUSH past the limit should convert")
	}
	l = listOf(t, lim, "a", "b", "c")
	l.Insert([]byte("b"), []byte("d"), true, lim)
	if l.Encoding() != "quicklist" {
		t.Fatal("LINSERT past the limit should convert")
	}
	l = listOf(t, lim, "a", "b", "c")
	l.SetIndex(0, bytes.Repeat([]byte("d"), 50001), lim)
	if l.Encoding() != "quicklist" {
		t.Fatal("LSET of a huge value should convert")
	}

	l = quickOf(t, lim, "a", "b", "c", "d")
	l.PopN(3, false, lim)
	if l.Encoding() != "listpack" {
		t.Fatal("RPOP 3 should convert back")
	}
	l = quickOf(t, lim, "a", "a", "a", "d")
	l.Remove(3, []byte("a"), lim)
	if l.Encoding() != "listpack" {
		t.Fatal("LREM should convert back")
	}
	l = quickOf(t, lim, "a", "b", "c", "d")
	l.Trim(1, 2, lim)
	if l.Encoding() != "listpack" || strs(l) != "b" {
		t.Fatalf("LTRIM 1 1: %s %q", l.Encoding(), strs(l))
	}

	lim = limitsFill(-1)
	big := strings.Repeat("d", 5000)
	l = quickOf(t, lim, "a", "b", "c", big)
	l.PopN(1, false, lim)
	if l.Encoding() != "listpack" {
		t.Fatalf("RPOP of the plain node should convert back (%d nodes)", l.Nodes())
	}
	l = quickOf(t, lim, "a", "a", "a", big)
	l.Remove(1, []byte(big), lim)
	if l.Encoding() != "listpack" {
		t.Fatal("LREM of the plain node should convert back")
	}
	l = quickOf(t, lim, "a", "b", "c", big)
	l.Trim(1, 2, lim)
	if l.Encoding() != "listpack" {
		t.Fatal("LTRIM should convert back")
	}
	l = quickOf(t, lim, big, "a", "b")
	l.PopN(2, false, lim)
	if l.Encoding() != "quicklist" {
		t.Fatal("a plain node alone stays a quicklist")
	}
	l.SetIndex(0, []byte("c"), lim)
	if l.Encoding() != "listpack" || strs(l) != "c" {
		t.Fatalf("LSET replacing the large element should convert back (%d nodes)", l.Nodes())
	}
	listInvariants(t, l)
}

func TestListShrinkNeedsHalfTheLimit(t *testing.T) {
	lim := limitsFill(4)
	l := listOf(t, lim, "1", "2", "3", "4", "5")
	if l.Encoding() != "quicklist" || l.Nodes() != 2 {
		t.Fatalf("%s with %d nodes", l.Encoding(), l.Nodes())
	}
	l.Pop(false, lim) // 4 left in one node: not below half of 4
	if l.Encoding() != "quicklist" || l.Nodes() != 1 {
		t.Fatalf("after one pop: %s with %d nodes", l.Encoding(), l.Nodes())
	}
	l.Pop(false, lim)
	l.Pop(false, lim)
	if l.Encoding() != "listpack" || strs(l) != "1 2" {
		t.Fatalf("after three pops: %s %q", l.Encoding(), strs(l))
	}
	// Popping from the head leaves the head node's neighbour: two nodes,
	// no conversion until one of them is gone.
	l = listOf(t, lim, "1", "2", "3", "4", "5")
	l.PopN(3, true, lim)
	if l.Encoding() != "quicklist" || l.Nodes() != 2 || strs(l) != "4 5" {
		t.Fatalf("%s %d nodes %q", l.Encoding(), l.Nodes(), strs(l))
	}
	l.Pop(true, lim)
	if l.Encoding() != "listpack" {
		t.Fatal("one node of one element should convert back")
	}
}

func TestListLsetOutOfRangeStillConverts(t *testing.T) {
	lim := limitsFill(3)
	l := listOf(t, lim, "a", "b", "c")
	if l.SetIndex(5, []byte("x"), lim) {
		t.Fatal("index 5 is out of range")
	}
	if l.Encoding() != "quicklist" {
		t.Fatal("Valkey converts before checking the index")
	}
}

func TestListValkeyEntrySizes(t *testing.T) {
	for _, c := range []struct {
		v    string
		want int
	}{
		{"0", 2}, {"127", 2}, {"128", 3}, {"-1", 3}, {"4095", 3}, {"-4096", 3},
		{"4096", 4}, {"32767", 4}, {"32768", 5}, {"8388607", 5}, {"8388608", 6},
		{"2147483647", 6}, {"2147483648", 10}, {"-9223372036854775808", 10},
		{"01", 4}, {"-0", 4}, {"", 2}, {"a", 3}, {strings.Repeat("x", 63), 65},
		{strings.Repeat("x", 64), 67}, {strings.Repeat("x", 125), 128},
		{strings.Repeat("x", 126), 130}, {strings.Repeat("x", 4096), 4101 + 2},
	} {
		if got := lpValkeyEntrySize([]byte(c.v)); got != c.want {
			t.Errorf("entry size of %.10q (len %d) = %d, want %d", c.v, len(c.v), got, c.want)
		}
	}
}

func TestListPlainNodes(t *testing.T) {
	lim := DefaultLimits() // -2: 8 KiB nodes
	big := bytes.Repeat([]byte("x"), 9000)
	l := listOf(t, lim, "a", "b")
	l.Push(big, false, lim)
	l.Push([]byte("c"), false, lim)
	listInvariants(t, l)
	if l.Encoding() != "quicklist" || l.Nodes() != 3 || !l.head.next.plain {
		t.Fatalf("%s with %d nodes", l.Encoding(), l.Nodes())
	}
	// Inserting a large element in the middle of a node splits it.
	l.Insert([]byte("a"), big, true, lim)
	listInvariants(t, l)
	if l.Nodes() != 5 || l.Len() != 5 {
		t.Fatalf("after LINSERT: %d nodes, %d elements", l.Nodes(), l.Len())
	}
	if got, _ := l.Index(1); !bytes.Equal(got, big) {
		t.Fatal("large element not at index 1")
	}
}

func TestListInsertSplitsAndMerges(t *testing.T) {
	lim := limitsFill(4)
	l := listOf(t, lim, "1", "2", "3", "4", "5", "6", "7", "8")
	if l.Nodes() != 2 {
		t.Fatalf("%d nodes", l.Nodes())
	}
	l.Insert([]byte("2"), []byte("x"), true, lim)
	listInvariants(t, l)
	if strs(l) != "1 2 x 3 4 5 6 7 8" {
		t.Fatalf("got %q", strs(l))
	}
	l.Insert([]byte("8"), []byte("y"), true, lim)
	l.Insert([]byte("1"), []byte("z"), false, lim)
	listInvariants(t, l)
	if strs(l) != "z 1 2 x 3 4 5 6 7 8 y" {
		t.Fatalf("got %q", strs(l))
	}
	if l.Insert([]byte("nope"), []byte("w"), true, lim) {
		t.Fatal("missing pivot reported found")
	}
}

type listModelOp func(t *rapid.T, l *List, model *[]string, lim Limits)

var listValue = rapid.SampledFrom([]string{"a", "b", "1", "-7", "300", "x", strings.Repeat("L", 40), strings.Repeat("P", 5000)})

func TestListModelWithNodes(t *testing.T) {
	ops := []listModelOp{listOpPush, listOpPop, listOpSet, listOpInsert, listOpRemove, listOpTrim}
	rapid.Check(t, func(t *rapid.T) {
		lim := limitsFill(rapid.SampledFrom([]int{0, 1, 2, 3, 5, -1, -2}).Draw(t, "fill"))
		l := NewList()
		var model []string
		for step := rapid.IntRange(1, 60).Draw(t, "steps"); step > 0; step-- {
			ops[rapid.IntRange(0, len(ops)-1).Draw(t, "op")](t, l, &model, lim)
			listInvariants(t, l)
			if got, want := fmt.Sprint(l.Elements()), fmt.Sprint(toBytes(model)); got != want {
				t.Fatalf("elements %s, want %s (%s, %d nodes)", got, want, l.Encoding(), l.Nodes())
			}
			listCheckReads(t, l, model)
		}
		c := l.Clone().(*List)
		listInvariants(t, c)
		if c.Encoding() != l.Encoding() || c.Nodes() != l.Nodes() || strs(c) != strs(l) {
			t.Fatal("clone differs")
		}
		if l.Len() > 0 {
			p, err := DumpObject(l)
			if err != nil {
				t.Fatal(err)
			}
			v, err := ParseDump(p)
			if err != nil {
				t.Fatal(err)
			}
			r := v.Obj.(*List)
			listInvariants(t, r)
			if strs(r) != strs(l) {
				t.Fatal("restored list differs")
			}
		}
	})
}

func toBytes(model []string) [][]byte {
	out := make([][]byte, len(model))
	for i, s := range model {
		out[i] = []byte(s)
	}
	return out
}

func listCheckReads(t *rapid.T, l *List, model []string) {
	if len(model) == 0 {
		return
	}
	i := rapid.IntRange(0, len(model)-1).Draw(t, "idx")
	if v, ok := l.Index(i); !ok || string(v) != model[i] {
		t.Fatalf("Index(%d) = %q, want %q", i, v, model[i])
	}
	j := rapid.IntRange(i, len(model)-1).Draw(t, "idx2")
	var fwd, rev []string
	l.Range(i, j, func(_ int, v []byte) bool { fwd = append(fwd, string(v)); return true })
	l.RangeRev(i, j, func(_ int, v []byte) bool { rev = append(rev, string(v)); return true })
	want := model[i : j+1]
	if fmt.Sprint(fwd) != fmt.Sprint(want) {
		t.Fatalf("Range(%d,%d) = %v, want %v", i, j, fwd, want)
	}
	for k := range rev {
		if rev[k] != want[len(want)-1-k] {
			t.Fatalf("RangeRev(%d,%d) = %v", i, j, rev)
		}
	}
}

func listOpPush(t *rapid.T, l *List, model *[]string, lim Limits) {
	left := rapid.Bool().Draw(t, "left")
	vals := rapid.SliceOfN(listValue, 1, 6).Draw(t, "vals")
	l.PushMany(toBytes(vals), left, lim)
	for _, v := range vals {
		if left {
			*model = append([]string{v}, *model...)
		} else {
			*model = append(*model, v)
		}
	}
}

func listOpPop(t *rapid.T, l *List, model *[]string, lim Limits) {
	left := rapid.Bool().Draw(t, "left")
	n := rapid.IntRange(1, 5).Draw(t, "n")
	got := l.PopN(n, left, lim)
	m := *model
	n = min(n, len(m))
	var want []string
	if left {
		want, *model = m[:n], m[n:]
	} else {
		for k := len(m) - 1; k >= len(m)-n; k-- {
			want = append(want, m[k])
		}
		*model = m[:len(m)-n]
	}
	if fmt.Sprint(got) != fmt.Sprint(toBytes(want)) {
		t.Fatalf("PopN = %s, want %v", got, want)
	}
}

func listOpSet(t *rapid.T, l *List, model *[]string, lim Limits) {
	v := listValue.Draw(t, "v")
	i := rapid.IntRange(0, len(*model)).Draw(t, "i")
	ok := l.SetIndex(i, []byte(v), lim)
	if ok != (i < len(*model)) {
		t.Fatalf("SetIndex(%d) = %v with %d elements", i, ok, len(*model))
	}
	if ok {
		(*model)[i] = v
	}
}

func listOpInsert(t *rapid.T, l *List, model *[]string, lim Limits) {
	pivot, v := listValue.Draw(t, "pivot"), listValue.Draw(t, "v")
	after := rapid.Bool().Draw(t, "after")
	found := l.Insert([]byte(pivot), []byte(v), after, lim)
	for i, e := range *model {
		if e == pivot {
			if after {
				i++
			}
			*model = append((*model)[:i], append([]string{v}, (*model)[i:]...)...)
			if !found {
				t.Fatal("pivot not found")
			}
			return
		}
	}
	if found {
		t.Fatal("found a missing pivot")
	}
}

func listOpRemove(t *rapid.T, l *List, model *[]string, lim Limits) {
	v := listValue.Draw(t, "v")
	count := rapid.IntRange(-3, 3).Draw(t, "count")
	got := l.Remove(count, []byte(v), lim)
	m := *model
	limit := count
	if limit < 0 {
		limit = -limit
	}
	drop := map[int]bool{}
	for k := range m {
		i := k
		if count < 0 {
			i = len(m) - 1 - k
		}
		if m[i] == v && (limit == 0 || len(drop) < limit) {
			drop[i] = true
		}
	}
	var keep []string
	for i, e := range m {
		if !drop[i] {
			keep = append(keep, e)
		}
	}
	*model = keep
	if got != len(drop) {
		t.Fatalf("Remove = %d, want %d", got, len(drop))
	}
}

func listOpTrim(t *rapid.T, l *List, model *[]string, lim Limits) {
	n := len(*model)
	ltrim := rapid.IntRange(0, n).Draw(t, "ltrim")
	rtrim := rapid.IntRange(0, n-ltrim).Draw(t, "rtrim")
	l.Trim(ltrim, rtrim, lim)
	*model = (*model)[ltrim : n-rtrim]
}

func FuzzListDump(f *testing.F) {
	lim := limitsFill(2)
	for _, elems := range [][]string{{"a"}, {"1", "2", "3"}, {"x", strings.Repeat("y", 9000), "z"}} {
		l := listOf(f, lim, elems...)
		p, _ := DumpObject(l)
		f.Add(p[1 : len(p)-dumpTrailerLen])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeDumpBody(KindList, body)
		if err != nil {
			return
		}
		l := v.Obj.(*List)
		listInvariants(t, l)
		w := DumpWriter{}
		l.AppendDump(&w)
		v2, err := decodeDumpBody(KindList, w.buf)
		if err != nil || strs(v2.Obj.(*List)) != strs(l) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
