package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func keyTableEntry(key string) *Entry {
	e := NewString([]byte("v:" + key))
	e.setKey([]byte(key))
	return e
}

// checkKeyTable compares t with the model, through every read path.
func checkKeyTable(t *testing.T, kt *keyTable, model map[string]*Entry) {
	t.Helper()
	if kt.Len() != len(model) {
		t.Fatalf("Len = %d, want %d", kt.Len(), len(model))
	}
	for k, e := range model {
		if got := kt.Get([]byte(k)); got != e {
			t.Fatalf("Get(%q) = %p, want %p", k, got, e)
		}
		if got := kt.GetString(k); got != e {
			t.Fatalf("GetString(%q) = %p, want %p", k, got, e)
		}
	}
	seen := map[string]bool{}
	for k, e := range kt.All() {
		if model[k] != e || seen[k] {
			t.Fatalf("All yielded %q -> %p (model %p, seen %v)", k, e, model[k], seen[k])
		}
		seen[k] = true
	}
	if len(seen) != len(model) {
		t.Fatalf("All yielded %d keys, want %d", len(seen), len(model))
	}
}

// TestKeyTableModel runs random puts, replaces and deletes against a Go
// map, across growth, tombstone rebuilds and emptying.
func TestKeyTableModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	var kt keyTable
	model := map[string]*Entry{}
	for round := 0; round < 20; round++ {
		space := 1 + rng.IntN(500)
		for op := 0; op < 2000; op++ {
			k := fmt.Sprintf("k%d", rng.IntN(space))
			switch rng.IntN(3) {
			case 0, 1:
				e := keyTableEntry(k)
				old := kt.Put(e)
				if old != model[k] {
					t.Fatalf("Put(%q) replaced %p, want %p", k, old, model[k])
				}
				model[k] = e
			case 2:
				old := kt.Delete([]byte(k))
				if old != model[k] {
					t.Fatalf("Delete(%q) = %p, want %p", k, old, model[k])
				}
				delete(model, k)
			}
		}
		checkKeyTable(t, &kt, model)
		if round%5 == 4 {
			for k := range model {
				kt.DeleteString(k)
				delete(model, k)
			}
			checkKeyTable(t, &kt, model)
			if kt.groups != nil {
				t.Fatal("an emptied table keeps its groups")
			}
		}
	}
}

func TestKeyTableDeleteWhileIterating(t *testing.T) {
	var kt keyTable
	for i := 0; i < 300; i++ {
		kt.Put(keyTableEntry(fmt.Sprint(i)))
	}
	n := 0
	for k := range kt.All() {
		kt.DeleteString(k)
		n++
	}
	if n != 300 || kt.Len() != 0 {
		t.Fatalf("visited %d, %d left", n, kt.Len())
	}
}

// Many keys whose tags collide (same top 7 bits) still resolve by key.
func TestKeyTableTagCollisions(t *testing.T) {
	var kt keyTable
	model := map[string]*Entry{}
	var tag uint8
	for i := 0; len(model) < 64; i++ {
		k := fmt.Sprint("c", i)
		h := keyHashString(k)
		if len(model) == 0 {
			tag = tagOf(h)
		}
		if tagOf(h) != tag {
			continue
		}
		e := keyTableEntry(k)
		kt.Put(e)
		model[k] = e
	}
	checkKeyTable(t, &kt, model)
	if kt.Get([]byte("absent")) != nil {
		t.Fatal("found an absent key")
	}
}

func TestKeyTableEmptyKey(t *testing.T) {
	var kt keyTable
	e := keyTableEntry("")
	kt.Put(e)
	if kt.Get(nil) != e || kt.GetString("") != e || kt.Len() != 1 {
		t.Fatal("empty key not found")
	}
	if kt.Delete([]byte{}) != e || kt.Len() != 0 {
		t.Fatal("empty key not deleted")
	}
}

func TestKeyTableAllFromWraps(t *testing.T) {
	var kt keyTable
	for i := 0; i < 100; i++ {
		kt.Put(keyTableEntry(fmt.Sprint(i)))
	}
	for _, r := range []uint64{0, 1, 5, 1 << 40} {
		n := 0
		for range kt.AllFrom(r) {
			n++
		}
		if n != 100 {
			t.Fatalf("AllFrom(%d) yielded %d keys", r, n)
		}
	}
}

func TestMatchers(t *testing.T) {
	g := keyGroup{ctrl: [8]uint8{ctrlEmpty, ctrlDeleted, 0x85, 0x85, 0xff, ctrlEmpty, 0x80, ctrlDeleted}}
	w := g.word()
	bitsOf := func(m uint64) (out []int) {
		for i := 0; i < 8; i++ {
			if m>>(8*i+7)&1 != 0 {
				out = append(out, i)
			}
		}
		return out
	}
	if got := bitsOf(matchEmpty(w)); fmt.Sprint(got) != "[0 5]" {
		t.Fatalf("matchEmpty = %v", got)
	}
	if got := bitsOf(matchFree(w)); fmt.Sprint(got) != "[0 1 5]" {
		t.Fatalf("matchFree = %v", got)
	}
	// matchTag may flag extra bytes; every true match must be flagged.
	m := bitsOf(matchTag(w, 0x85))
	for _, want := range []int{2, 3} {
		found := false
		for _, i := range m {
			found = found || i == want
		}
		if !found {
			t.Fatalf("matchTag(0x85) = %v, misses %d", m, want)
		}
	}
	for _, i := range m {
		if i == 7 {
			t.Fatal("matchTag flags the unused byte")
		}
	}
}
