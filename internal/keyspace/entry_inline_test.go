package keyspace

import (
	"bytes"
	"testing"
	"unsafe"
)

func TestNewStringInline(t *testing.T) {
	for _, n := range []int{0, 1, 8, 44, 64, 100, 300, 500, 4096} {
		v := bytes.Repeat([]byte{'x'}, n)
		e := NewString(v)
		if !bytes.Equal(e.Str, v) || (e.inl != 0 && cap(e.Str) != len(e.Str)) {
			t.Fatalf("n=%d: Str %q cap %d", n, e.Str, cap(e.Str))
		}
		inline := e.inl&inlClassMask != 0
		if wantInline := inlineClass(n) != 0; inline != wantInline {
			t.Fatalf("n=%d: inline %v, want %v", n, inline, wantInline)
		}
		if inline && (!e.keyFits(inlineKeyReserve) || e.tailRoomLen() < 0) {
			t.Fatalf("n=%d: key room too small (tail %d)", n, e.tailRoomLen())
		}
		if n > 0 {
			v[0] = 'y' // the entry holds a copy
			if e.Str[0] != 'x' {
				t.Fatal("NewString aliases its argument")
			}
		}
	}
}

func TestInlineBlockSizesMatchTypes(t *testing.T) {
	for class := 1; class <= len(inlineBlockSizes); class++ {
		e, buf := newInlineBlock(class)
		if got := int(entryHeaderSize) + len(buf); got != int(inlineBlockSizes[class-1]) {
			t.Fatalf("class %d: block is %d bytes, table says %d", class, got, inlineBlockSizes[class-1])
		}
		if unsafe.Pointer(&buf[0]) != unsafe.Add(unsafe.Pointer(e), entryHeaderSize) {
			t.Fatalf("class %d: buffer does not follow the header", class)
		}
	}
}

func TestSetKeyPlacesKeyInBlock(t *testing.T) {
	e := NewString([]byte("value"))
	key := []byte("key:000000000042")
	e.setKey(key)
	if e.key != string(key) || e.inl&inlKeyPlaced == 0 {
		t.Fatalf("key %q placed %v", e.key, e.inl&inlKeyPlaced != 0)
	}
	room := unsafe.Add(unsafe.Pointer(e), entryHeaderSize)
	if unsafe.Pointer(unsafe.StringData(e.key)) != room {
		t.Fatal("key is not in the block's room")
	}
	key[0] = 'X' // the entry holds a copy
	if e.key != "key:000000000042" {
		t.Fatal("setKey aliases its argument")
	}
	// Stored again under another key: the room is not rewritten (strings
	// pointing into it stay valid), the new key is allocated.
	old := e.key
	e.setKey([]byte("other"))
	if e.key != "other" || old != "key:000000000042" {
		t.Fatalf("key %q, old %q", e.key, old)
	}
}

func TestSetKeyFallbacks(t *testing.T) {
	long := bytes.Repeat([]byte{'k'}, 200)
	e := NewString([]byte("v"))
	e.setKey(long)
	if e.key != string(long) || e.inl&inlKeyPlaced != 0 {
		t.Fatal("a key longer than the room must be allocated")
	}
	// A copy of an inline header must never write past itself.
	src := NewString([]byte("v"))
	cp := *src
	cp.setKey([]byte("k"))
	if cp.key != "k" || cp.inl&inlKeyPlaced != 0 {
		t.Fatal("a copied header used the key room")
	}
	// After APPEND-style growth the value left the block.
	g := NewString([]byte("v"))
	g.Str = append(g.Str, "more"...)
	if g.strInBlock() {
		t.Fatal("grown value still counted in the block")
	}
}

// Accounting must return to zero whatever happens to entries: overwrite,
// delete, expire, values grown out of their blocks, long keys.
func TestInlineAccountingBalances(t *testing.T) {
	ks := New(Options{Databases: 2})
	tx := ks.NewTx()
	ks.LockAll()
	tx.HoldsAll = true
	tx.Begin(0)
	long := string(bytes.Repeat([]byte{'k'}, 100))
	for i := 0; i < 1000; i++ {
		k := []byte{byte('a' + i%26), byte(i), byte(i >> 8)}
		if i%7 == 0 {
			k = append([]byte(long), k...)
		}
		tx.Set(k, NewString(bytes.Repeat([]byte{'v'}, i%200)), false)
		if i%3 == 0 {
			e := tx.LookupWrite(k)
			tx.Modify(k, e)
			e.Str = append(e.Str, "grown"...)
		}
	}
	tx.Finish()
	tx.Begin(0)
	tx.FlushDB()
	tx.Finish()
	ks.UnlockAll()
	if got := ks.DatasetBytes(); got != 0 {
		t.Fatalf("DatasetBytes after flush = %d, want 0", got)
	}
}

func TestSetKeyInTailSlack(t *testing.T) {
	e := NewString(bytes.Repeat([]byte{'v'}, 161))
	if e.tailRoomLen() < 28 {
		t.Skipf("tail room %d with these size classes", e.tailRoomLen())
	}
	key := bytes.Repeat([]byte{'k'}, 28)
	e.setKey(key)
	tail := unsafe.Add(unsafe.Pointer(e), entryHeaderSize+inlineKeyReserve+161)
	if e.key != string(key) || unsafe.Pointer(unsafe.StringData(e.key)) != tail {
		t.Fatal("a key longer than the front room is not in the tail slack")
	}
	if string(e.Str) != string(bytes.Repeat([]byte{'v'}, 161)) {
		t.Fatal("placing the key changed the value")
	}
}
