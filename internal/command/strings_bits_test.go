package command_test

import (
	"testing"
)

func TestStringsSetbitGetbit(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(0), "setbit", "k", "1", "1")
	e.do("\x40", "get", "k")
	if enc := e.encoding("k"); enc != "raw" {
		t.Fatalf("SETBIT on a new key: encoding %q", enc)
	}
	e.do(int64(1), "setbit", "k", "1", "1")
	e.do(int64(1), "setbit", "k", "1", "0")
	e.do(int64(0), "setbit", "k", "17", "1")
	e.do("\x00\x00\x40", "get", "k")
	e.do("OK", "set", "i", "1") // '1' = 0b00110001
	e.do(int64(0), "setbit", "i", "6", "1")
	e.do("3", "get", "i")
	for off, want := range []int64{0, 0, 1, 1, 0, 0, 1, 1} {
		e.do(want, "getbit", "i", itoa(off))
	}
	e.do(int64(0), "getbit", "i", "100000")
	e.do(int64(0), "getbit", "missing", "3")

	bitOff := errReply("ERR bit offset is not an integer or out of range")
	bitVal := errReply("ERR bit is not an integer or out of range")
	e.do(bitOff, "setbit", "k", "-1", "1")
	e.do(bitOff, "setbit", "k", "4294967296", "1")
	e.do(bitOff, "setbit", "k", "abc", "1")
	e.do(bitOff, "getbit", "k", "-1")
	for _, v := range []string{"2", "-1", "10", "abc", "1.0"} {
		e.do(bitVal, "setbit", "k", "0", v)
	}
}

func TestStringsBitcount(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "set", "s", "foobar")
	for _, c := range []struct {
		args []any
		want int64
	}{
		{nil, 26}, {[]any{"0", "0"}, 4}, {[]any{"1", "1"}, 6}, {[]any{"1", "1", "byte"}, 6},
		{[]any{"5", "30", "bit"}, 17}, {[]any{"5", "30", "BIT"}, 17}, {[]any{"0", "-1", "bit"}, 26},
		{[]any{"-1", "-3"}, 0}, {[]any{"-3", "-1"}, 10}, {[]any{"-100", "100"}, 26},
		{[]any{"7", "8", "bit"}, 0}, {[]any{"1", "2", "bit"}, 2}, {[]any{"47", "47", "bit"}, 0},
		// Valkey 8+: end may be omitted.
		{[]any{"1"}, 22}, {[]any{"-2"}, 7},
	} {
		e.do(c.want, append([]any{"bitcount", "s"}, c.args...)...)
	}
	e.do(int64(0), "bitcount", "missing")
	e.do(int64(0), "bitcount", "missing", "0", "-1")
	e.do(errSyntax, "bitcount", "s", "0", "1", "foo")
	e.do(errSyntax, "bitcount", "s", "0", "b", "foo") // the unit is checked before end
	e.do(errSyntax, "bitcount", "s", "0", "1", "bit", "x")
	e.do(errNotInt, "bitcount", "s", "a", "1")
	e.do(errNotInt, "bitcount", "s", "0", "b")
}

func TestStringsBitpos(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "set", "k", "\xff\xf0\x00")
	for _, c := range []struct {
		args []any
		want int64
	}{
		{[]any{"0"}, 12}, {[]any{"1"}, 0}, {[]any{"0", "2"}, 16}, {[]any{"0", "2", "-1"}, 16},
		{[]any{"1", "2", "-1"}, -1}, {[]any{"0", "0", "-1", "bit"}, 12}, {[]any{"0", "7", "15", "bit"}, 12},
		{[]any{"1", "7", "15", "bit"}, 7}, {[]any{"1", "12", "23", "bit"}, -1},
	} {
		e.do(c.want, append([]any{"bitpos", "k"}, c.args...)...)
	}
	e.do("OK", "set", "ones", "\xff\xff\xff")
	e.do(int64(24), "bitpos", "ones", "0")
	e.do(int64(24), "bitpos", "ones", "0", "1")
	e.do(int64(-1), "bitpos", "ones", "0", "0", "-1")
	e.do(int64(-1), "bitpos", "ones", "0", "0", "-1", "bit")
	e.do(int64(0), "bitpos", "missing", "0")
	e.do(int64(-1), "bitpos", "missing", "1")
	e.do("OK", "set", "empty", "")
	e.do(int64(-1), "bitpos", "empty", "0")
	e.do(errReply("ERR The bit argument must be 1 or 0."), "bitpos", "k", "2")
	e.do(errNotInt, "bitpos", "k", "x")
	e.do(errNotInt, "bitpos", "k", "0", "a")
	e.do(errSyntax, "bitpos", "k", "0", "0", "1", "foo")
	e.do(errSyntax, "bitpos", "k", "0", "0", "1", "bit", "x")
}

func TestStringsBitop(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do("OK", "mset", "a", "abc", "b", "xyz12")
	e.do(int64(5), "bitop", "and", "d", "a", "b")
	e.do("``b\x00\x00", "get", "d")
	e.do(int64(5), "bitop", "OR", "d", "a", "b")
	e.do("y{{12", "get", "d")
	e.do(int64(5), "bitop", "xor", "d", "a", "b")
	e.do("\x19\x1b\x1912", "get", "d")
	e.do(int64(3), "bitop", "not", "d", "a")
	e.do("\x9e\x9d\x9c", "get", "d")
	if enc := e.encoding("d"); enc != "raw" {
		t.Fatalf("BITOP result encoding %q", enc)
	}
	e.do("OK", "set", "d", "v", "ex", "100")
	e.do(int64(3), "bitop", "or", "d", "a", "missing")
	if ttl := e.pttl("d"); ttl != -1 {
		t.Fatalf("BITOP kept the destination TTL: %d", ttl)
	}
	e.do(int64(0), "bitop", "and", "d", "m1", "m2")
	if e.exists("d") {
		t.Fatal("an empty BITOP result must delete the destination")
	}
	e.do(errReply("ERR BITOP NOT must be called with a single source key."), "bitop", "not", "d", "a", "b")
	e.do(errSyntax, "bitop", "nand", "d", "a")
	e.do(errReply("ERR wrong number of arguments for 'bitop' command"), "bitop", "and", "d")
}

func TestStringsBitfield(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do([]any{int64(0), int64(255)}, "bitfield", "bf", "set", "u8", "0", "255", "get", "u8", "0")
	e.do([]any{int64(9)}, "bitfield", "bf", "incrby", "u8", "0", "10")
	e.do([]any{int64(255)}, "bitfield", "bf", "overflow", "sat", "incrby", "u8", "0", "300")
	e.do([]any{nil}, "bitfield", "bf", "overflow", "fail", "incrby", "u8", "0", "1")
	e.do([]any{int64(0)}, "bitfield", "bf", "overflow", "wrap", "incrby", "u8", "0", "1")
	e.do([]any{int64(0), int64(-128), int64(128)}, "bitfield", "bf", "set", "i8", "#1", "-128", "get", "i8", "#1", "get", "u8", "8")
	e.do([]any{int64(-128)}, "bitfield", "bf", "overflow", "sat", "incrby", "i8", "8", "-1")
	e.do([]any{nil}, "bitfield", "bf", "overflow", "FAIL", "incrby", "i8", "8", "-1")
	e.do([]any{int64(127)}, "bitfield", "bf", "incrby", "i8", "8", "-1")
	e.do([]any{int64(0), int64(9223372036854775807)},
		"bitfield", "i64", "set", "i64", "0", "-9223372036854775808", "incrby", "i64", "0", "-1")
	e.do([]any{int64(0), int64(0), int64(0), int64(0)},
		"bitfield", "sm", "set", "u2", "0", "5", "set", "u2", "2", "-1", "set", "i3", "4", "10", "set", "i3", "7", "-5")
	e.do([]any{int64(1), int64(3), int64(2), int64(3)},
		"bitfield", "sm", "get", "u2", "0", "get", "u2", "2", "get", "i3", "4", "get", "i3", "7")
	e.do([]any{}, "bitfield", "bf")
	e.do([]any{}, "bitfield", "bf", "overflow", "wrap")
	e.do([]any{int64(0)}, "bitfield", "missing", "get", "u8", "0")
	if e.exists("missing") {
		t.Fatal("a read-only BITFIELD created the key")
	}
	e.do([]any{nil}, "bitfield", "fresh", "overflow", "fail", "incrby", "u2", "0", "10")
	e.do("\x00", "get", "fresh")

	typ := errReply("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	for _, ty := range []string{"u64", "i65", "u0", "x8", "U8", "i", ""} {
		e.do(typ, "bitfield", "bf", "get", ty, "0")
	}
	e.do(errSyntax, "bitfield", "bf", "get", "u8")
	e.do(errSyntax, "bitfield", "bf", "set", "u8", "0")
	e.do(errSyntax, "bitfield", "bf", "foo")
	e.do(errSyntax, "bitfield", "bf", "overflow")
	e.do(errReply("ERR Invalid OVERFLOW type specified"), "bitfield", "bf", "overflow", "foo")
	e.do(errReply("ERR bit offset is not an integer or out of range"), "bitfield", "bf", "get", "u8", "-1")
	e.do(errReply("ERR bit offset is not an integer or out of range"), "bitfield", "bf", "get", "u8", "#-1")
	e.do(errNotInt, "bitfield", "bf", "set", "u8", "0", "abc")

	e.do([]any{int64(0), int64(2032)}, "bitfield_ro", "bf", "get", "u8", "0", "get", "i16", "4")
	e.do([]any{int64(0)}, "bitfield_ro", "bf", "overflow", "sat", "get", "u8", "0")
	ro := errReply("ERR BITFIELD_RO only supports the GET subcommand")
	e.do(ro, "bitfield_ro", "bf", "set", "u8", "0", "1")
	e.do(ro, "bitfield_ro", "bf", "incrby", "u8", "0", "1")
}

func itoa(n int) string {
	return string(rune('0' + n))
}
