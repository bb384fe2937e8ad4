package command_test

import (
	"testing"
)

func TestStringsIncrDecr(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(1), "incr", "n")
	e.do(int64(2), "incr", "n")
	e.do(int64(12), "incrby", "n", "10")
	e.do(int64(11), "decr", "n")
	e.do(int64(6), "decrby", "n", "5")
	e.do(int64(-4), "decrby", "n", "10")
	e.do("-4", "get", "n")
	if enc := e.encoding("n"); enc != "int" {
		t.Fatalf("encoding after INCR = %q", enc)
	}
	e.do(int64(-1), "decr", "fresh")
	e.do(errNotInt, "incrby", "n", "abc")
	e.do(errNotInt, "incrby", "n", "1.5")
	e.do(errNotInt, "decrby", "n", "")

	e.do("OK", "set", "max", "9223372036854775807")
	e.do(errReply("ERR increment or decrement would overflow"), "incr", "max")
	e.do("OK", "set", "min", "-9223372036854775808")
	e.do(errReply("ERR increment or decrement would overflow"), "decr", "min")
	e.do(errReply("ERR decrement would overflow"), "decrby", "n", "-9223372036854775808")
	e.do(int64(-9223372036854775804), "incrby", "n", "-9223372036854775800")

	// Only the canonical form of an int64 is a number.
	for _, v := range []string{"abc", " 1", "1 ", "01", "+1", "-0", "1.0", "", "99999999999999999999"} {
		e.do("OK", "set", "bad", v)
		e.do(errNotInt, "incr", "bad")
	}

	// INCR keeps the TTL and turns a raw string back into an integer.
	e.do("OK", "set", "t", "5", "ex", "100")
	e.do(int64(6), "incr", "t")
	if ttl := e.pttl("t"); ttl <= 0 {
		t.Fatalf("INCR dropped the TTL: %d", ttl)
	}
	e.do("OK", "set", "r", "1")
	e.do(int64(2), "append", "r", "2")
	if enc := e.encoding("r"); enc != "raw" {
		t.Fatalf("encoding after APPEND = %q", enc)
	}
	e.do(int64(13), "incr", "r")
	if enc := e.encoding("r"); enc != "int" {
		t.Fatalf("encoding after INCR of a raw string = %q", enc)
	}
}

func TestStringsIncrByFloat(t *testing.T) {
	e := newStrEnv(t, 2)
	// Results checked against redis-server 7.0 (long double arithmetic).
	cases := []struct{ start, incr, want string }{
		{"10.50", "0.1", "10.6"},
		{"5.0e3", "2.0e2", "5200"},
		{"3.0e3", "5.0e3", "8000"},
		{"10.5", "3.0e3", "3010.5"},
		{"0.2", "0.1", "0.3"},
		{"1", "-1", "0"},
		{"-1e-20", "0", "0"},
		{"0.1", "1e-20", "0.1"},
		{"0x10", "1", "17"},
		{"1.5", "0x1p1", "3.5"},
		{"1e17", "1", "100000000000000001"},
		{"123456789.123456789", "0.3", "123456789.42345678900164785"},
	}
	for i, c := range cases {
		key := "f" + string(rune('a'+i))
		e.do("OK", "set", key, c.start)
		e.do(c.want, "incrbyfloat", key, c.incr)
		e.do(c.want, "get", key)
	}
	// Repeated increments of 0.1 stay "short" as in Valkey.
	want := []string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"}
	for _, w := range want {
		e.do(w, "incrbyfloat", "chain", "0.1")
	}
	e.do("3.5", "incrbyfloat", "new", "3.5")

	notFloat := errReply("ERR value is not a valid float")
	for _, bad := range []string{"abc", "", " 1", "1 ", "1e", ".", "nan", "1_0", "1e5000", "0x"} {
		e.do(notFloat, "incrbyfloat", "new", bad)
		e.do("OK", "set", "badval", bad)
		e.do(notFloat, "incrbyfloat", "badval", "1")
	}
	nanInf := errReply("ERR increment would produce NaN or Infinity")
	e.do(nanInf, "incrbyfloat", "new", "inf")
	e.do(nanInf, "incrbyfloat", "new", "-infinity")
	e.do("OK", "set", "big", "1e4932")
	e.do(nanInf, "incrbyfloat", "big", "1e4932")
	e.do("3.5", "get", "new")

	// The TTL survives.
	e.do("OK", "set", "t", "1", "px", "100000")
	e.do("1.5", "incrbyfloat", "t", "0.5")
	if ttl := e.pttl("t"); ttl <= 0 {
		t.Fatalf("INCRBYFLOAT dropped the TTL: %d", ttl)
	}
}
