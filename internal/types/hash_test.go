package types

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"testing"

	"pgregory.net/rapid"
)

// hashModelField is the model of one stored field: its value and expiry
// (NoExpiry for none). A stored field may be logically expired.
type hashModelField struct {
	v  string
	at int64
}

type hashModel map[string]hashModelField

func (m hashModel) live(f string, now int64) bool {
	e, ok := m[f]
	return ok && (e.at == NoExpiry || now <= e.at)
}

// TestHashTTLModel drives a Hash through every write with field TTLs and a
// moving clock, against a map model, with small encoding limits so
// conversions happen.
func TestHashTTLModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := smallLimits(t)
		h := NewHash()
		m := hashModel{}
		now := int64(1000)
		field := rapid.StringMatching(`[a-e]{1,2}`)
		for step := rapid.IntRange(1, 100).Draw(t, "steps"); step > 0; step-- {
			f := field.Draw(t, "f")
			switch rapid.IntRange(0, 8).Draw(t, "op") {
			case 0, 1: // HSET / HSETEX KEEPTTL
				v := smallString.Draw(t, "v")
				keep := rapid.Bool().Draw(t, "keep")
				wasLive := m.live(f, now)
				_, stored := m[f]
				updated, expOver := h.Put([]byte(f), []byte(v), NoExpiry, keep, now, lim)
				if updated != wasLive || expOver != (stored && !wasLive) {
					t.Fatalf("Put(%q) = %v,%v; live=%v stored=%v", f, updated, expOver, wasLive, stored)
				}
				at := NoExpiry
				if keep && wasLive {
					at = m[f].at
				}
				m[f] = hashModelField{v, at}
			case 2: // HSETEX with a TTL
				v := smallString.Draw(t, "v")
				at := now + int64(rapid.IntRange(0, 50).Draw(t, "ttl"))
				h.Put([]byte(f), []byte(v), at, false, now, lim)
				m[f] = hashModelField{v, at}
			case 3: // HDEL
				if got := h.Delete([]byte(f), now); got != m.live(f, now) {
					t.Fatalf("Delete(%q) = %v", f, got)
				}
				if m.live(f, now) {
					delete(m, f)
				}
			case 4: // HSETEX with a past time deletes even expired fields
				_, stored := m[f]
				if got := h.DeleteAny([]byte(f)); got != stored {
					t.Fatalf("DeleteAny(%q) = %v", f, got)
				}
				delete(m, f)
			case 5: // HEXPIRE
				at := now + int64(rapid.IntRange(0, 50).Draw(t, "ttl"))
				if got := h.SetFieldTTL([]byte(f), at, now); got != m.live(f, now) {
					t.Fatalf("SetFieldTTL(%q) = %v", f, got)
				}
				if m.live(f, now) {
					m[f] = hashModelField{m[f].v, at}
				}
			case 6: // HPERSIST
				live := m.live(f, now)
				exists, removed := h.PersistField([]byte(f), now)
				if exists != live || removed != (live && m[f].at != NoExpiry) {
					t.Fatalf("PersistField(%q) = %v,%v", f, exists, removed)
				}
				if live {
					m[f] = hashModelField{m[f].v, NoExpiry}
				}
			case 7: // time passes
				now += int64(rapid.IntRange(1, 30).Draw(t, "dt"))
			case 8: // the active job
				max := rapid.IntRange(1, 5).Draw(t, "max")
				got := h.ReclaimExpired(now, max)
				var due []hashModelField
				for _, e := range m {
					if e.at != NoExpiry && now > e.at {
						due = append(due, e)
					}
				}
				if len(got) != min(max, len(due)) {
					t.Fatalf("reclaimed %q of %d due (max %d)", got, len(due), max)
				}
				for _, g := range got {
					e, ok := m[string(g)]
					if !ok || e.at == NoExpiry || now <= e.at {
						t.Fatalf("reclaimed %q which is not expired", g)
					}
					delete(m, string(g))
				}
			}
			checkHashModel(t, h, m, now)
		}
		checkHashDump(t, h, now)
	})
}

func checkHashModel(t *rapid.T, h *Hash, m hashModel, now int64) {
	if h.Len() != len(m) {
		t.Fatalf("Len %d want %d (enc %s)", h.Len(), len(m), h.Encoding())
	}
	vol, minAt := 0, NoExpiry
	live := map[string]string{}
	for f, e := range m {
		if e.at != NoExpiry {
			vol++
			if minAt == NoExpiry || e.at < minAt {
				minAt = e.at
			}
		}
		if m.live(f, now) {
			live[f] = e.v
		}
		v, ok := h.Get([]byte(f), now)
		if ok != m.live(f, now) || (ok && string(v) != e.v) {
			t.Fatalf("Get(%q) = %q,%v; model %+v now %d", f, v, ok, e, now)
		}
		at, ok := h.FieldTTL([]byte(f), now)
		if ok != m.live(f, now) || (ok && at != e.at) {
			t.Fatalf("FieldTTL(%q) = %d,%v; model %+v", f, at, ok, e)
		}
	}
	if h.VolatileFields() != vol || h.MinFieldTTL() != minAt {
		t.Fatalf("volatile %d min %d, want %d %d", h.VolatileFields(), h.MinFieldTTL(), vol, minAt)
	}
	if vol > 0 && h.Encoding() != "hashtable" {
		t.Fatal("a hash with volatile fields must use the hashtable encoding")
	}
	seen := map[string]string{}
	h.Range(now, func(f, v []byte) bool { seen[string(f)] = string(v); return true })
	if fmt.Sprint(seen) != fmt.Sprint(live) {
		t.Fatalf("Range %v want %v", seen, live)
	}
	// The incremental memory figure matches a recount.
	if h.d != nil {
		want := int64(vol) * ttlEntryCost
		h.d.Range(func(k string, v []byte) bool { want += fieldCost(k, v); return true })
		if h.mem != want {
			t.Fatalf("mem %d, recount %d", h.mem, want)
		}
	}
	if c := h.Clone().(*Hash); c.mem != h.mem || c.Len() != h.Len() || c.VolatileFields() != vol {
		t.Fatalf("clone mem %d len %d, original %d %d", c.mem, c.Len(), h.mem, h.Len())
	}
}

// checkHashDump round-trips h through DUMP/RESTORE.
func checkHashDump(t *rapid.T, h *Hash, now int64) {
	if h.Len() == 0 {
		return
	}
	p, err := DumpObject(h)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseDump(p)
	if err != nil {
		t.Fatalf("ParseDump: %v", err)
	}
	g := v.Obj.(*Hash)
	if g.Len() != h.Len() || g.VolatileFields() != h.VolatileFields() {
		t.Fatalf("restored len %d vol %d, want %d %d", g.Len(), g.VolatileFields(), h.Len(), h.VolatileFields())
	}
	h.Range(now, func(f, v []byte) bool {
		got, ok := g.Get(f, now)
		a1, _ := h.FieldTTL(f, now)
		a2, _ := g.FieldTTL(f, now)
		if !ok || !bytes.Equal(got, v) || a1 != a2 {
			t.Fatalf("restored %q = %q (ttl %d), want %q (ttl %d)", f, got, a2, v, a1)
		}
		return true
	})
}

func TestHashPrepareSet(t *testing.T) {
	lim := Limits{HashMaxListpackEntries: 2, HashMaxListpackValue: 4}
	h := NewHash()
	h.PrepareSet([][]byte{[]byte("a"), []byte("1"), []byte("a"), []byte("2")}, lim)
	if h.Encoding() != "listpack" {
		t.Fatal("two pairs fit")
	}
	h.PrepareSet([][]byte{[]byte("a"), []byte("1"), []byte("a"), []byte("2"), []byte("a"), []byte("3")}, lim)
	if h.Encoding() != "hashtable" {
		t.Fatal("three pairs convert, even when they repeat a field (hashTypeTryConversion)")
	}
	h = NewHash()
	h.PrepareSet([][]byte{[]byte("a"), []byte("12345")}, lim)
	if h.Encoding() != "hashtable" {
		t.Fatal("a long value converts")
	}
}

func TestHashRandomAndScanSkipExpired(t *testing.T) {
	h := NewHash()
	lim := DefaultLimits()
	for i := 0; i < 50; i++ {
		h.Put([]byte(fmt.Sprint("f", i)), []byte("v"), int64(100+i%2), false, 0, lim)
	}
	// At 101 the fields with expiry 100 are expired, the others are not.
	var fields []string
	cur := uint64(0)
	for {
		cur = h.Scan(cur, 7, 101, func(f, _ []byte) { fields = append(fields, string(f)) })
		if cur == 0 {
			break
		}
	}
	sort.Strings(fields)
	if len(fields) != 25 {
		t.Fatalf("scan saw %d live fields: %v", len(fields), fields)
	}
	r := uint64(0)
	next := func() uint64 { r = r*6364136223846793005 + 1442695040888963407; return r }
	for i := 0; i < 100; i++ {
		f, _, ok := h.Random(next, 101)
		if !ok {
			t.Fatal("no random field")
		}
		if at, _ := h.FieldTTL(f, 101); at != 101 {
			t.Fatalf("random returned %q (expiry %d)", f, at)
		}
	}
	if _, _, ok := h.Random(next, 200); ok {
		t.Fatal("all fields expired, Random must give up")
	}
}

func TestHashDumpErrors(t *testing.T) {
	body := func(fn func(w *DumpWriter)) []byte {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindHash))
		fn(&w)
		return w.finish()
	}
	cases := map[string]func(w *DumpWriter){
		"empty": func(w *DumpWriter) { w.Uvarint(0) },
		"duplicate": func(w *DumpWriter) {
			w.Uvarint(2)
			w.String("a")
			w.String("1")
			w.Varint(-1)
			w.String("a")
			w.String("2")
			w.Varint(-1)
		},
		"bad ttl":   func(w *DumpWriter) { w.Uvarint(1); w.String("a"); w.String("1"); w.Varint(-2) },
		"truncated": func(w *DumpWriter) { w.Uvarint(1); w.String("a"); w.String("1") },
		"too many":  func(w *DumpWriter) { w.Uvarint(1000); w.String("a") },
		"trailing":  func(w *DumpWriter) { w.Uvarint(1); w.String("a"); w.String("1"); w.Varint(-1); w.Uvarint(0) },
		"dup ttl": func(w *DumpWriter) {
			w.Uvarint(2)
			w.String("a")
			w.String("1")
			w.Varint(5)
			w.String("a")
			w.String("2")
			w.Varint(7)
		},
	}
	for name, fn := range cases {
		if _, err := ParseDump(body(fn)); !errors.Is(err, ErrDumpFormat) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Encodings after RESTORE follow the content.
	h := NewHash()
	h.Set([]byte("a"), []byte("1"), false, 0, DefaultLimits())
	p, _ := DumpObject(h)
	if v, err := ParseDump(p); err != nil || v.Obj.Encoding() != "listpack" {
		t.Fatalf("small hash restored as %v (%v)", v.Obj, err)
	}
	h.SetFieldTTL([]byte("a"), 5000, 0)
	p, _ = DumpObject(h)
	if v, err := ParseDump(p); err != nil || v.Obj.Encoding() != "hashtable" {
		t.Fatalf("volatile hash restored as %v (%v)", v.Obj, err)
	}
}

// FuzzParseHashDump feeds arbitrary hash bodies to the decoder: it must
// never panic, and what it accepts must dump back to an equivalent hash.
func FuzzParseHashDump(f *testing.F) {
	seed := NewHash()
	seed.Put([]byte("f"), []byte("v"), 12345, false, 0, DefaultLimits())
	seed.Put([]byte("g"), []byte("w"), NoExpiry, false, 0, DefaultLimits())
	w := DumpWriter{}
	seed.AppendDump(&w)
	f.Add(w.buf)
	f.Add([]byte{1, 0, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := decodeHashDump(NewDumpReader(body))
		if err != nil {
			return
		}
		w := DumpWriter{}
		h.AppendDump(&w)
		g, err := decodeHashDump(NewDumpReader(w.buf))
		if err != nil || g.Len() != h.Len() || g.VolatileFields() != h.VolatileFields() {
			t.Fatalf("accepted hash does not round-trip: %v", err)
		}
	})
}
