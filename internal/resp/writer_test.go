package resp

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// encode runs fn against a fresh writer speaking proto and returns the
// buffered bytes.
func encode(proto int, fn func(w *Writer)) string {
	w := NewWriter(nil)
	w.Proto = proto
	fn(w)
	return string(w.Bytes())
}

func TestWriterEncodings(t *testing.T) {
	cases := []struct {
		name         string
		fn           func(w *Writer)
		resp2, resp3 string
	}{
		{"ok", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
		{"simple", func(w *Writer) { w.Simple("PONG") }, "+PONG\r\n", "+PONG\r\n"},
		{"error", func(w *Writer) { w.Error("ERR bad\r\nthing\n") }, "-ERR bad  thing \r\n", "-ERR bad  thing \r\n"},
		{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
		{"int min", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"empty bulk", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w *Writer) { w.BulkString("hé") }, "$3\r\nhé\r\n", "$3\r\nhé\r\n"},
		{"bulk int", func(w *Writer) { w.BulkInt(-7) }, "$2\r\n-7\r\n", "$2\r\n-7\r\n"},
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.ArrayLen(2); w.Int(1); w.Null() }, "*2\r\n:1\r\n$-1\r\n", "*2\r\n:1\r\n_\r\n"},
		{"map", func(w *Writer) { w.MapLen(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"empty map", func(w *Writer) { w.MapLen(0) }, "*0\r\n", "%0\r\n"},
		{"set", func(w *Writer) { w.SetLen(2); w.BulkString("a"); w.BulkString("b") }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"push", func(w *Writer) { w.PushLen(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", ">1\r\n$1\r\nm\r\n"},
		{"attr", func(w *Writer) { w.AttrLen(1) }, "|1\r\n", "|1\r\n"},
		{"true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double int", func(w *Writer) { w.Double(10) }, "$2\r\n10\r\n", ",10\r\n"},
		{"double inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", func(w *Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", "hi") }, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"bulk strings", func(w *Writer) { w.BulkStrings([]string{"a", ""}) }, "*2\r\n$1\r\na\r\n$0\r\n\r\n", "*2\r\n$1\r\na\r\n$0\r\n\r\n"},
		{"raw", func(w *Writer) { w.Raw([]byte("+X\r\n")) }, "+X\r\n", "+X\r\n"},
	}
	for _, tc := range cases {
		if got := encode(2, tc.fn); got != tc.resp2 {
			t.Errorf("%s RESP2 = %q, want %q", tc.name, got, tc.resp2)
		}
		if got := encode(3, tc.fn); got != tc.resp3 {
			t.Errorf("%s RESP3 = %q, want %q", tc.name, got, tc.resp3)
		}
		// Everything the writer emits must parse back (the attribute
		// header alone is incomplete by design).
		if tc.name != "attr" {
			for _, proto := range []int{2, 3} {
				enc := encode(proto, tc.fn)
				if r, n, err := ParseReply([]byte(enc)); err != nil || n != len(enc) {
					t.Errorf("%s RESP%d %q does not parse: %v %v", tc.name, proto, enc, r, err)
				}
			}
		}
	}
}

// TestWriterDoubleMatchesValkey pins the double format to Valkey's
// d2string (util.c): "-0" for negative zero, plain integers while the
// value is integral and within ±LLONG_MAX/2, otherwise fpconv_dtoa
// (shortest digits, laid out by emit_digits): with K the power of ten of
// the last digit and E the magnitude of the decimal exponent, integers
// with K >= 0 and E < ndigits+7 are written out, decimals with K > -7 or
// E < 4 are written with a point, everything else as d.ddde±E with no
// zero padding ("1e-7", "1.2345e-4", "1e+19"). RESP2 sends the same text
// as a bulk string.
func TestWriterDoubleMatchesValkey(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1.5, "1.5"},
		{-3, "-3"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{0.0001, "0.0001"},
		{0.000001, "0.000001"},
		{1e-5, "0.00001"},
		{1.5e-6, "1.5e-6"},
		{0.00012345, "1.2345e-4"},
		{1e-7, "1e-7"},
		{-1.5e-7, "-1.5e-7"},
		{1234567.5, "1234567.5"},
		{12345678.9, "12345678.9"},
		{123456789012.25, "123456789012.25"},
		{1e17, "100000000000000000"},
		{4e18, "4000000000000000000"},
		{1e19, "1e+19"},
		{9.007199254740993e18, "9007199254740993000"},
		{1.23e20, "1.23e+20"},
		{1e21, "1e+21"},
		{5e25, "5e+25"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
	}
	for _, tc := range cases {
		if got := string(AppendFloat(nil, tc.f)); got != tc.want {
			t.Errorf("AppendFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

type failingWriter struct{ writes int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	return 0, errors.New("broken pipe")
}

func TestWriterBuffering(t *testing.T) {
	var dst bytes.Buffer
	w := NewWriter(&dst)
	if w.Proto != 2 {
		t.Fatalf("a new writer speaks RESP%d, want RESP2", w.Proto)
	}
	if err := w.Flush(); err != nil || dst.Len() != 0 {
		t.Fatalf("flushing nothing wrote %q, %v", dst.String(), err)
	}
	w.OK()
	mark := w.Len()
	w.Int(1)
	w.Truncate(mark)
	if got := string(w.Bytes()); got != "+OK\r\n" {
		t.Fatalf("after Truncate: %q", got)
	}
	if err := w.Flush(); err != nil || dst.String() != "+OK\r\n" || w.Len() != 0 {
		t.Fatalf("Flush wrote %q (err %v), %d left", dst.String(), err, w.Len())
	}
	w.Simple("x")
	w.Reset()
	if w.Len() != 0 {
		t.Fatal("Reset kept bytes")
	}
	// A huge reply's buffer is not retained after the flush.
	w.Bulk(make([]byte, 2<<20))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if cap(w.Bytes()) > 1<<20 {
		t.Fatalf("writer kept a %d-byte buffer", cap(w.Bytes()))
	}
	fw := &failingWriter{}
	w2 := NewWriter(fw)
	w2.OK()
	if err := w2.Flush(); err == nil || fw.writes != 1 {
		t.Fatalf("Flush to a broken destination: %v after %d writes", err, fw.writes)
	}
}
