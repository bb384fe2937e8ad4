package command

import (
	"testing"
)

func TestStringsLongDoubleParse(t *testing.T) {
	ok := []string{"0", "1", "-1", "+5", ".5", "5.", "1e5", "1E+5", "1e-5", "0x10", "0X1.8p1", "0x.8",
		"inf", "-INF", "+Infinity", "1e4931", "3.5\x00junk", "00012"}
	for _, s := range ok {
		if _, good := strParseLongDouble([]byte(s)); !good {
			t.Errorf("%q rejected", s)
		}
	}
	bad := []string{"", " 1", "1 ", "\t1", "1e", "1e+", ".", "-", "+", "nan", "NaN", "1_0", "0x", "0xp1",
		"0x1p", "1e5000", "1e999999999", "-1e999999999", "1e-999999999", "1e9223372036854775807", "-1e5000", "1e-5000", "0b101", "0o7", "1.2.3", "--1", "infinit", "12a"}
	for _, s := range bad {
		if _, good := strParseLongDouble([]byte(s)); good {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestStringsLongDoubleFormat(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"10.5", "0.1", "10.6"},
		{"0.2", "0.1", "0.3"},
		{"5.0e3", "2.0e2", "5200"},
		{"-1e-20", "0", "0"},
		{"1", "-1", "0"},
		{"-0.5", "0", "-0.5"},
		{"1e20", "0", "100000000000000000000"},
		{"0.1", "0", "0.1"},
		{"1e-18", "0", "0"},
		{"1e-17", "0", "0.00000000000000001"},
	} {
		a, _ := strParseLongDouble([]byte(c.a))
		b, _ := strParseLongDouble([]byte(c.b))
		sum, ok := strAddLongDouble(a, b)
		if !ok {
			t.Fatalf("%s+%s overflowed", c.a, c.b)
		}
		if got := string(strFormatLongDouble(sum)); got != c.want {
			t.Errorf("%s+%s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
	big, _ := strParseLongDouble([]byte("1.1e4932"))
	if _, ok := strAddLongDouble(big, big); ok {
		t.Error("overflow to infinity not detected")
	}
	inf, _ := strParseLongDouble([]byte("inf"))
	one, _ := strParseLongDouble([]byte("1"))
	if _, ok := strAddLongDouble(inf, one); ok {
		t.Error("infinity accepted")
	}
}

func FuzzStringsLongDouble(f *testing.F) {
	for _, s := range []string{"1", "0.1", "-3.5e10", "0x1p-3", "inf", "1e4000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := strParseLongDouble([]byte(s))
		if !ok || v.inf != 0 {
			return
		}
		zero, _ := strParseLongDouble([]byte("0"))
		sum, ok := strAddLongDouble(v, zero)
		if !ok {
			t.Fatalf("%q + 0 overflowed", s)
		}
		out := strFormatLongDouble(sum)
		if _, ok := strParseLongDouble(out); !ok {
			t.Fatalf("%q formatted as %q, which does not parse", s, out)
		}
	})
}

func TestStringsBitfieldOverflow(t *testing.T) {
	for _, c := range []struct {
		value        uint64
		incr         int64
		bits, ow     int
		want         uint64
		wantOverflow bool
	}{
		{250, 10, 8, bfWrap, 4, true},
		{250, 10, 8, bfSat, 255, true},
		{5, -10, 8, bfSat, 0, true},
		{5, -10, 8, bfWrap, 251, true},
		{5, 3, 8, bfWrap, 8, false},
		{300, 0, 8, bfWrap, 44, true},
	} {
		got, over := bfUnsignedAdd(c.value, c.incr, c.bits, c.ow)
		if got != c.want || over != c.wantOverflow {
			t.Errorf("unsigned %+v: got %d %v", c, got, over)
		}
	}
	for _, c := range []struct {
		value, incr  int64
		bits, ow     int
		want         int64
		wantOverflow bool
	}{
		{127, 1, 8, bfWrap, -128, true},
		{127, 1, 8, bfSat, 127, true},
		{-128, -1, 8, bfSat, -128, true},
		{-128, -1, 8, bfWrap, 127, true},
		{1 << 62, 1 << 62, 64, bfWrap, -1 << 63, true},
		{-1 << 63, -1, 64, bfSat, -1 << 63, true},
		{10, 0, 4, bfWrap, -6, true},
		{3, -4, 4, bfWrap, -1, false},
	} {
		got, over := bfSignedAdd(c.value, c.incr, c.bits, c.ow)
		if got != c.want || over != c.wantOverflow {
			t.Errorf("signed %+v: got %d %v", c, got, over)
		}
	}
}
