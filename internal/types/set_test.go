package types

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// setEncModel predicts a set's encoding from Valkey's rules
// (setTypeCreate / setTypeAddAux / setTypeMaybeConvert), independently of
// Set's representation.
type setEncModel struct {
	enc     string
	members map[string]bool
}

func newSetEncModel(first string, hint int, lim Limits) *setEncModel {
	m := &setEncModel{members: map[string]bool{}}
	_, isInt := ParseInt([]byte(first))
	switch {
	case isInt && hint <= lim.SetMaxIntsetEntries:
		m.enc = "intset"
	case hint <= lim.SetMaxListpackEntries:
		m.enc = "listpack"
	default:
		m.enc = "hashtable"
	}
	return m
}

func (m *setEncModel) maybeConvert(hint int, lim Limits) {
	if (m.enc == "listpack" && hint > lim.SetMaxListpackEntries) || (m.enc == "intset" && hint > lim.SetMaxIntsetEntries) {
		m.enc = "hashtable"
	}
}

func (m *setEncModel) add(v string, lim Limits) bool {
	if m.members[v] {
		return false
	}
	n := len(m.members)
	_, isInt := ParseInt([]byte(v))
	switch m.enc {
	case "intset":
		if isInt {
			if n+1 > lim.SetMaxIntsetEntries {
				m.enc = "hashtable"
			}
			break
		}
		widest := 0
		for k := range m.members {
			widest = max(widest, len(k))
		}
		if n < lim.SetMaxListpackEntries && len(v) <= lim.SetMaxListpackValue && widest <= lim.SetMaxListpackValue {
			m.enc = "listpack"
		} else {
			m.enc = "hashtable"
		}
	case "listpack":
		if n >= lim.SetMaxListpackEntries || len(v) > lim.SetMaxListpackValue {
			m.enc = "hashtable"
		}
	}
	m.members[v] = true
	return true
}

func setMemberGen() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.StringMatching(`-?[1-9][0-9]{0,4}`),
		rapid.SampledFrom([]string{"0", "-0", "01", "+1", "9223372036854775807", "-9223372036854775808", "9223372036854775808"}),
		rapid.StringMatching(`[a-z]{0,12}`),
	)
}

func setLimitsGen(t *rapid.T) Limits {
	l := DefaultLimits()
	l.SetMaxIntsetEntries = rapid.IntRange(0, 10).Draw(t, "intset")
	l.SetMaxListpackEntries = rapid.IntRange(0, 10).Draw(t, "lpEntries")
	l.SetMaxListpackValue = rapid.IntRange(0, 12).Draw(t, "lpValue")
	return l
}

// TestSetEncodingModel adds and removes members (in SADD-like batches with
// their size hints) and checks membership, length and the encoding after
// every step against the model, with random thresholds that change
// between steps as CONFIG SET would change them.
func TestSetEncodingModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := setLimitsGen(t)
		gen := setMemberGen()
		var s *Set
		var m *setEncModel
		for step := rapid.IntRange(1, 40).Draw(t, "steps"); step > 0; step-- {
			if rapid.IntRange(0, 9).Draw(t, "reconfigure") == 0 {
				lim = setLimitsGen(t)
			}
			if s == nil || rapid.Bool().Draw(t, "add") {
				batch := rapid.SliceOfN(gen, 1, 12).Draw(t, "batch")
				if s == nil {
					s, m = NewSet([]byte(batch[0]), len(batch), lim), newSetEncModel(batch[0], len(batch), lim)
				} else {
					if s.WouldConvert(len(batch), lim) != (m.enc != "hashtable" && func() bool {
						c := *m
						c.maybeConvert(len(batch), lim)
						return c.enc == "hashtable"
					}()) {
						t.Fatalf("WouldConvert disagrees for hint %d enc %s", len(batch), s.Encoding())
					}
					s.MaybeConvert(len(batch), lim)
					m.maybeConvert(len(batch), lim)
				}
				for _, v := range batch {
					if got, want := s.Add([]byte(v), lim), m.add(v, lim); got != want {
						t.Fatalf("Add(%q) = %v, model %v", v, got, want)
					}
				}
			} else {
				for _, v := range rapid.SliceOfN(gen, 1, 6).Draw(t, "remove") {
					if got, want := s.Remove([]byte(v)), m.members[v]; got != want {
						t.Fatalf("Remove(%q) = %v, model %v", v, got, want)
					}
					delete(m.members, v)
				}
				if len(m.members) == 0 {
					s, m = nil, nil
					continue
				}
			}
			checkSetAgainst(t, s, m.members)
			if s.Encoding() != m.enc {
				t.Fatalf("encoding %s, model %s (members %v, limits %+v)", s.Encoding(), m.enc, m.members, lim)
			}
		}
	})
}

func checkSetAgainst(t interface{ Fatalf(string, ...any) }, s *Set, want map[string]bool) {
	if s.Len() != len(want) {
		t.Fatalf("Len %d, want %d", s.Len(), len(want))
	}
	seen := map[string]bool{}
	s.Range(func(m []byte) bool {
		if !want[string(m)] || seen[string(m)] {
			t.Fatalf("Range returned %q (unexpected or repeated)", m)
		}
		seen[string(m)] = true
		return true
	})
	for v := range want {
		if !s.Contains([]byte(v)) {
			t.Fatalf("missing %q (%s)", v, s.Encoding())
		}
	}
	if s.Contains([]byte("never-a-member")) {
		t.Fatalf("Contains of a non-member")
	}
	switch s.Encoding() {
	case "intset":
		prev := ""
		s.Range(func(m []byte) bool {
			if _, ok := ParseInt(m); !ok {
				t.Fatalf("intset holds %q", m)
			}
			if prev != "" {
				a, _ := strconv.ParseInt(prev, 10, 64)
				b, _ := strconv.ParseInt(string(m), 10, 64)
				if a >= b {
					t.Fatalf("intset out of order: %s then %s", prev, m)
				}
			}
			prev = string(m)
			return true
		})
	}
}

func TestSetConvertToIntset(t *testing.T) {
	lim := DefaultLimits()
	s := NewListpackSet()
	for _, v := range []string{"5", "-3", "100"} {
		s.Add([]byte(v), lim)
	}
	s.ConvertToIntset(lim)
	if s.Encoding() != "intset" || fmt.Sprint(setStrings(s)) != "[-3 5 100]" {
		t.Fatalf("got %s %v", s.Encoding(), setStrings(s))
	}
	h := NewSet([]byte("x"), 200, lim)
	h.Add([]byte("7"), lim)
	h.Add([]byte("x"), lim)
	h.ConvertToIntset(lim) // not all integers: unchanged
	if h.Encoding() != "hashtable" || h.Len() != 2 {
		t.Fatalf("got %s", h.Encoding())
	}
	h.Remove([]byte("x"))
	lim.SetMaxIntsetEntries = 0
	h.ConvertToIntset(lim) // too many for an intset of 0
	if h.Encoding() != "hashtable" {
		t.Fatal("converted past set-max-intset-entries")
	}
	lim.SetMaxIntsetEntries = 1
	h.ConvertToIntset(lim)
	if h.Encoding() != "intset" || !h.Contains([]byte("7")) || h.MemUsage() <= 0 {
		t.Fatalf("got %s", h.Encoding())
	}
}

func setStrings(s *Set) []string {
	var out []string
	s.Range(func(m []byte) bool { out = append(out, string(m)); return true })
	return out
}

func TestSetCloneKeepsEncoding(t *testing.T) {
	lim := DefaultLimits()
	for _, members := range [][]string{{"1", "2"}, {"a", "1"}, {"a", string(bytes.Repeat([]byte("x"), 100))}} {
		s := NewSetFor([]byte(members[0]), lim)
		for _, m := range members {
			s.Add([]byte(m), lim)
		}
		c := s.Clone().(*Set)
		if c.Encoding() != s.Encoding() || c.Len() != s.Len() || c.MemUsage() != s.MemUsage() {
			t.Fatalf("clone %s/%d, original %s/%d", c.Encoding(), c.Len(), s.Encoding(), s.Len())
		}
		c.Add([]byte("new"), lim)
		if s.Contains([]byte("new")) {
			t.Fatal("clone shares storage")
		}
	}
}

// TestSetScanGuarantee checks, for a hashtable set, that a member present
// for a whole SSCAN iteration is returned at least once while the set
// grows and shrinks (the table resizes) between calls.
func TestSetScanGuarantee(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := DefaultLimits()
		s := NewSet([]byte("k"), 1000, lim)
		stable := map[string]bool{}
		for i := 0; i < rapid.IntRange(1, 300).Draw(t, "stable"); i++ {
			k := "s" + strconv.Itoa(i)
			s.Add([]byte(k), lim)
			stable[k] = true
		}
		seen := map[string]bool{}
		cursor, next := uint64(0), 0
		for calls := 0; ; calls++ {
			count := rapid.IntRange(1, 20).Draw(t, "count")
			cursor = s.Scan(cursor, count, func(m []byte) { seen[string(m)] = true })
			if cursor == 0 {
				break
			}
			if calls > 100000 {
				t.Fatal("scan does not terminate")
			}
			// Churn: add or remove a batch of transient members, or
			// rebuild the set from its members (as SUNIONSTORE k k does).
			n := rapid.IntRange(0, 200).Draw(t, "churn")
			if rapid.IntRange(0, 4).Draw(t, "rebuild") == 0 {
				r := NewSet([]byte("k"), s.Len(), lim)
				s.Range(func(m []byte) bool { r.Add(m, lim); return true })
				s = r
			} else if rapid.Bool().Draw(t, "grow") {
				for i := 0; i < n; i++ {
					s.Add([]byte("t"+strconv.Itoa(next)), lim)
					next++
				}
			} else {
				s.Range(func(m []byte) bool { return true })
				var drop [][]byte
				s.Range(func(m []byte) bool {
					if m[0] == 't' && len(drop) < n {
						drop = append(drop, append([]byte(nil), m...))
					}
					return true
				})
				for _, m := range drop {
					s.Remove(m)
				}
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("stable member %q never returned", k)
			}
		}
	})
}

func TestSetScanSmallEncodings(t *testing.T) {
	lim := DefaultLimits()
	s := NewSetFor([]byte("1"), lim)
	s.Add([]byte("1"), lim)
	s.Add([]byte("2"), lim)
	var got []string
	if c := s.Scan(12345, 1, func(m []byte) { got = append(got, string(m)) }); c != 0 || len(got) != 2 {
		t.Fatalf("cursor %d, got %v", c, got)
	}
}

func TestSetRandomHelpers(t *testing.T) {
	lim := DefaultLimits()
	for _, enc := range []string{"intset", "listpack", "hashtable"} {
		var s *Set
		switch enc {
		case "intset":
			s = NewIntSet()
		case "listpack":
			s = NewListpackSet()
		default:
			s = NewSet([]byte("x"), 1000, lim)
		}
		for i := 0; i < 50; i++ {
			s.Add([]byte(strconv.Itoa(i*3)), lim)
		}
		if s.Encoding() != enc {
			t.Fatalf("setup: %s", s.Encoding())
		}
		for _, count := range []int{1, 5, 16, 17, 40, 49} {
			got := s.PickDistinct(count)
			seen := map[string]bool{}
			for _, m := range got {
				if seen[string(m)] || !s.Contains(m) {
					t.Fatalf("%s PickDistinct(%d): bad member %q in %q", enc, count, m, got)
				}
				seen[string(m)] = true
			}
			if len(got) != count {
				t.Fatalf("%s PickDistinct(%d) returned %d", enc, count, len(got))
			}
		}
		n := 0
		s.RandomRepeat(1000, func(m []byte) bool {
			if !s.Contains(m) {
				t.Fatalf("%s RandomRepeat returned %q", enc, m)
			}
			n++
			return n < 500
		})
		if n != 500 {
			t.Fatalf("RandomRepeat did not stop: %d", n)
		}
		if m, ok := s.Random(); !ok || !s.Contains(m) {
			t.Fatalf("Random %q %v", m, ok)
		}
	}
	// Every member of a small set is eventually picked by PickDistinct.
	s := NewListpackSet()
	for _, m := range []string{"a", "b", "c", "d"} {
		s.Add([]byte(m), lim)
	}
	hit := map[string]bool{}
	for i := 0; i < 400; i++ {
		for _, m := range s.PickDistinct(1) {
			hit[string(m)] = true
		}
	}
	if len(hit) != 4 {
		t.Fatalf("PickDistinct is not covering the set: %v", hit)
	}
}

func TestSetDumpRoundTrip(t *testing.T) {
	lim := DefaultLimits()
	build := func(first string, hint int, members ...string) *Set {
		s := NewSet([]byte(first), hint, lim)
		for _, m := range members {
			s.Add([]byte(m), lim)
		}
		return s
	}
	big := make([]string, 300)
	for i := range big {
		big[i] = "m" + strconv.Itoa(i)
	}
	for _, s := range []*Set{
		build("1", 3, "-5", "1", "9223372036854775807"),
		build("a", 2, "a", "", "1"),
		build("x", 300, big...),
	} {
		p, err := DumpObject(s)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseDump(p)
		if err != nil {
			t.Fatalf("%s: %v", s.Encoding(), err)
		}
		got := v.Obj.(*Set)
		if got.Encoding() != s.Encoding() {
			t.Fatalf("encoding %s -> %s", s.Encoding(), got.Encoding())
		}
		a, b := setStrings(s), setStrings(got)
		sort.Strings(a)
		sort.Strings(b)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("members %v -> %v", a, b)
		}
	}
	// A hashtable that shrank comes back compact, as RDB_TYPE_SET loads.
	h := build("x", 300, "1", "2", "3")
	p, _ := DumpObject(h)
	if v, err := ParseDump(p); err != nil || v.Obj.(*Set).Encoding() != "intset" {
		t.Fatalf("small hashtable restored as %v (%v)", v.Obj, err)
	}
}

func TestSetDumpRejectsBadBodies(t *testing.T) {
	cases := map[string]func(w *DumpWriter){
		"empty":             func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(0) },
		"unknown encoding":  func(w *DumpWriter) { w.Uvarint(7); w.Uvarint(1); w.Bytes([]byte("a")) },
		"unsorted intset":   func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(2); w.Varint(5); w.Varint(3) },
		"duplicate intset":  func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(2); w.Varint(5); w.Varint(5) },
		"duplicate lp":      func(w *DumpWriter) { w.Uvarint(1); w.Uvarint(2); w.Bytes([]byte("a")); w.Bytes([]byte("a")) },
		"duplicate ht":      func(w *DumpWriter) { w.Uvarint(2); w.Uvarint(2); w.Bytes([]byte("a")); w.Bytes([]byte("a")) },
		"count past end":    func(w *DumpWriter) { w.Uvarint(1); w.Uvarint(1000); w.Bytes([]byte("a")) },
		"trailing":          func(w *DumpWriter) { w.Uvarint(1); w.Uvarint(1); w.Bytes([]byte("a")); w.Uvarint(1) },
		"truncated member":  func(w *DumpWriter) { w.Uvarint(2); w.Uvarint(1); w.Uvarint(10); w.buf = append(w.buf, 'x') },
		"truncated intset":  func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(2); w.Varint(1) },
		"huge member count": func(w *DumpWriter) { w.Uvarint(0); w.Uvarint(1 << 60) },
	}
	for name, body := range cases {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindSet))
		body(&w)
		if _, err := ParseDump(w.finish()); !errors.Is(err, ErrDumpFormat) {
			t.Errorf("%s: err = %v, want ErrDumpFormat", name, err)
		}
	}
}

// FuzzSetDumpBody feeds arbitrary set bodies (behind a valid trailer) to
// the decoder: it must never panic, and a body it accepts must survive a
// DUMP/RESTORE round trip with the same members and encoding.
func FuzzSetDumpBody(f *testing.F) {
	lim := DefaultLimits()
	for _, members := range [][]string{{"1", "2", "3"}, {"a", "b"}, {"x", "1", "-7"}} {
		s := NewSet([]byte(members[0]), len(members), lim)
		for _, m := range members {
			s.Add([]byte(m), lim)
		}
		w := DumpWriter{}
		s.AppendDump(&w)
		f.Add(w.buf)
	}
	f.Add([]byte{2, 1, 1, 'a'})
	f.Add([]byte{0, 2, 2, 2})
	f.Fuzz(func(t *testing.T, body []byte) {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindSet))
		w.buf = append(w.buf, body...)
		v, err := ParseDump(w.finish())
		if err != nil {
			return
		}
		s := v.Obj.(*Set)
		p, err := DumpObject(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseDump(p)
		if err != nil {
			t.Fatalf("re-dump rejected: %v", err)
		}
		s2 := again.Obj.(*Set)
		if s2.Encoding() != s.Encoding() || s2.Len() != s.Len() {
			t.Fatalf("round trip %s/%d -> %s/%d", s.Encoding(), s.Len(), s2.Encoding(), s2.Len())
		}
		s.Range(func(m []byte) bool {
			if !s2.Contains(m) {
				t.Fatalf("lost %q", m)
			}
			return true
		})
	})
}
