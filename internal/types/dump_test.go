package types

import (
	"bytes"
	"errors"
	"testing"
)

func TestDumpStringRoundTrip(t *testing.T) {
	for _, v := range [][]byte{nil, {}, []byte("hello"), bytes.Repeat([]byte{0, 0xff, '\r', '\n'}, 5000)} {
		p := DumpString(v)
		got, err := ParseDump(p)
		if err != nil {
			t.Fatalf("ParseDump(DumpString(%d bytes)): %v", len(v), err)
		}
		if got.Obj != nil || !bytes.Equal(got.Str, v) {
			t.Fatalf("round trip of %d bytes gave %q/%v", len(v), got.Str, got.Obj)
		}
		if len(got.Str) > 0 && &got.Str[0] == &p[2] {
			t.Fatal("decoded value aliases the payload")
		}
	}
}

func TestDumpRejectsCorruption(t *testing.T) {
	p := DumpString([]byte("some value"))
	// Every single-bit flip anywhere is caught by the trailer check.
	for i := range p {
		for bit := 0; bit < 8; bit++ {
			q := append([]byte(nil), p...)
			q[i] ^= 1 << bit
			if _, err := ParseDump(q); !errors.Is(err, ErrDumpPayload) {
				t.Fatalf("flip byte %d bit %d: err = %v", i, bit, err)
			}
		}
	}
	// Every truncation is rejected.
	for n := 0; n < len(p); n++ {
		if _, err := ParseDump(p[:n]); err == nil {
			t.Fatalf("truncated to %d bytes accepted", n)
		}
	}
	// A payload from a real Valkey/Redis (RDB encoding, 10-byte trailer).
	redis := []byte("\x00\x05hello\n\x00cr\xdfve4 \n")
	if _, err := ParseDump(redis); !errors.Is(err, ErrDumpPayload) {
		t.Fatalf("foreign payload: err = %v", err)
	}
}

func TestDumpBadBodyWithValidChecksum(t *testing.T) {
	cases := map[string]func(w *DumpWriter){
		"length past end": func(w *DumpWriter) { w.Uvarint(100); w.buf = append(w.buf, 'x') },
		"trailing bytes":  func(w *DumpWriter) { w.Bytes([]byte("ab")); w.buf = append(w.buf, 0) },
		"bad varint":      func(w *DumpWriter) { w.buf = append(w.buf, 0xff, 0xff) },
		"empty body":      func(w *DumpWriter) {},
	}
	for name, body := range cases {
		w := DumpWriter{}
		w.buf = append(w.buf, byte(KindString))
		body(&w)
		if _, err := ParseDump(w.finish()); !errors.Is(err, ErrDumpFormat) {
			t.Errorf("%s: err = %v, want ErrDumpFormat", name, err)
		}
	}
	// An unknown kind with a valid trailer.
	w := DumpWriter{}
	w.buf = append(w.buf, 200)
	if _, err := ParseDump(w.finish()); !errors.Is(err, ErrDumpFormat) {
		t.Errorf("unknown kind: err = %v", err)
	}
}

func TestDumpObjectUnsupported(t *testing.T) {
	if _, err := DumpObject(fakeObject{}); !errors.Is(err, ErrDumpUnsupported) {
		t.Fatalf("err = %v", err)
	}
}

func TestDumpReaderBounds(t *testing.T) {
	w := DumpWriter{}
	w.Uvarint(1 << 40) // a count no body could hold
	r := NewDumpReader(w.buf)
	if n := r.Count(1); n != 0 || r.Err() == nil {
		t.Fatalf("Count = %d, err = %v", n, r.Err())
	}
	w = DumpWriter{}
	w.Varint(-12345)
	w.String("field")
	w.Float64(2.5)
	r = NewDumpReader(w.buf)
	if v, s, f := r.Varint(), r.String(), r.Float64(); v != -12345 || s != "field" || f != 2.5 || r.Done() != nil {
		t.Fatalf("got %d %q %v err %v", v, s, f, r.Done())
	}
	if r.Float64(); r.Err() == nil {
		t.Fatal("reading past the end succeeded")
	}
}

type fakeObject struct{}

func (fakeObject) Kind() Kind       { return KindList }
func (fakeObject) Encoding() string { return "quicklist" }
func (fakeObject) Len() int         { return 0 }
func (fakeObject) MemUsage() int64  { return 0 }
func (fakeObject) Clone() Object    { return fakeObject{} }

// FuzzParseDump feeds arbitrary payloads to the RESTORE decoder: it must
// never panic, and whatever it accepts must survive a DUMP/RESTORE round
// trip unchanged.
func FuzzParseDump(f *testing.F) {
	f.Add(DumpString([]byte("hello")))
	f.Add(DumpString(nil))
	f.Add([]byte("\x00\x05hello\n\x00cr\xdfve4 \n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		v, err := ParseDump(payload)
		if err != nil {
			return
		}
		if v.Obj != nil {
			return
		}
		again, err := ParseDump(DumpString(v.Str))
		if err != nil || !bytes.Equal(again.Str, v.Str) {
			t.Fatalf("accepted value does not round-trip: %v", err)
		}
	})
}

// FuzzParseDumpBody bypasses the checksum, so the fuzzer reaches the body
// decoders with arbitrary content.
func FuzzParseDumpBody(f *testing.F) {
	f.Add(byte(KindString), []byte("\x05hello"))
	f.Add(byte(KindString), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Add(byte(KindList), []byte("\x00\x00\x01\x00\x02\x01a\x01b"))         // listpack [a b]
	f.Add(byte(KindList), []byte("\x01\x03\x02\x00\x01\x01a\x01\x01\x01b")) // quicklist, plain node
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		w := DumpWriter{}
		w.buf = append(w.buf, kind)
		w.buf = append(w.buf, body...)
		_, _ = ParseDump(w.finish())
	})
}

// TestAppendDump: a payload appended after other bytes is the payload
// DumpString gives (the checksum covers the payload only), and it loads.
func TestAppendDump(t *testing.T) {
	v := bytes.Repeat([]byte("v"), 20000)
	prefix := []byte("*5\r\n$14\r\nRESTORE-ASKING\r\n")
	got, err := AppendDump(append([]byte(nil), prefix...), v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], DumpString(v)) {
		t.Fatal("AppendDump after a prefix differs from DumpString")
	}
	if err := VerifyDump(got[len(prefix):]); err != nil {
		t.Fatal(err)
	}
	if _, err := AppendDump(nil, nil, notDumpable{}); !errors.Is(err, ErrDumpUnsupported) {
		t.Fatalf("an object without a dump format: %v", err)
	}
}

type notDumpable struct{ Object }
