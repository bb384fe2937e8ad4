package command_test

import (
	"strconv"
	"strings"
	"testing"
)

func TestStringsAppendStrlen(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(5), "append", "k", "hello")
	if enc := e.encoding("k"); enc != "embstr" {
		t.Fatalf("APPEND to a missing key: encoding %q", enc)
	}
	e.do(int64(11), "append", "k", " world")
	e.do("hello world", "get", "k")
	if enc := e.encoding("k"); enc != "raw" {
		t.Fatalf("APPEND: encoding %q", enc)
	}
	e.do(int64(11), "strlen", "k")
	e.do(int64(0), "strlen", "missing")
	e.do(int64(0), "append", "empty", "")
	e.do("", "get", "empty")
	e.do("OK", "set", "n", "-555")
	e.do(int64(4), "strlen", "n")
}

func TestStringsSetRangeGetRange(t *testing.T) {
	e := newStrEnv(t, 2)
	e.do(int64(3), "setrange", "k", "0", "foo")
	e.do(int64(0), "setrange", "none", "0", "")
	if e.exists("none") {
		t.Fatal("SETRANGE with an empty value created the key")
	}
	e.do(int64(4), "setrange", "pad", "1", "foo")
	e.do("\x00foo", "get", "pad")
	e.do(int64(3), "setrange", "k", "1", "b")
	e.do("fbo", "get", "k")
	e.do(int64(7), "setrange", "k", "4", "bar")
	e.do("fbo\x00bar", "get", "k")
	e.do(int64(7), "setrange", "k", "0", "")
	e.do("OK", "set", "i", "1234")
	e.do(int64(4), "setrange", "i", "0", "")
	if enc := e.encoding("i"); enc != "int" {
		t.Fatalf("empty SETRANGE changed the encoding to %q", enc)
	}
	e.do(int64(4), "setrange", "i", "1", "3")
	e.do("1334", "get", "i")
	if enc := e.encoding("i"); enc != "raw" {
		t.Fatalf("SETRANGE: encoding %q", enc)
	}
	e.do(errReply("ERR offset is out of range"), "setrange", "k", "-1", "x")
	e.do(errNotInt, "setrange", "k", "x", "y")
	tooBig := errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	e.do(tooBig, "setrange", "k", "536870911", "xy")
	e.do(tooBig, "setrange", "new", "536870911", "xy")
	e.do(tooBig, "setrange", "k", "9223372036854775807", "x")

	e.do("OK", "set", "s", "Hello World")
	for _, c := range []struct {
		start, end, want string
	}{
		{"0", "3", "Hell"}, {"0", "-1", "Hello World"}, {"-4", "-1", "orld"}, {"5", "3", ""},
		{"5", "5000", " World"}, {"-5000", "10000", "Hello World"}, {"0", "-100", "H"},
		{"-1", "-3", ""}, {"-100", "-200", ""}, {"0", "4294967297", "Hello World"},
	} {
		e.do(c.want, "getrange", "s", c.start, c.end)
		e.do(c.want, "substr", "s", c.start, c.end)
	}
	e.do("", "getrange", "missing", "0", "-1")
	e.do(errNotInt, "getrange", "s", "a", "1")
	e.do(errNotInt, "getrange", "s", "0", "b")
	e.do(errReply("ERR wrong number of arguments for 'substr' command"), "substr", "s", "0")
}

func TestStringsProtoMaxBulkLen(t *testing.T) {
	// 1mb is the smallest proto-max-bulk-len Valkey accepts.
	const limit = 1 << 20
	e := newStrEnv(t, 2, "--proto-max-bulk-len", "1mb")
	tooBig := errReply("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	e.do(int64(limit), "setrange", "k", strconv.Itoa(limit-1), "x")
	e.do(tooBig, "setrange", "k", strconv.Itoa(limit), "x")
	e.do(tooBig, "append", "k", "x")
	e.do(int64(limit/2), "append", "a", strings.Repeat("a", limit/2))
	e.do(int64(limit), "append", "a", strings.Repeat("a", limit/2))
	e.do(tooBig, "append", "a", "b")
	bitOff := errReply("ERR bit offset is not an integer or out of range")
	e.do(int64(0), "setbit", "b", strconv.Itoa(limit*8-1), "1")
	e.do(bitOff, "setbit", "b", strconv.Itoa(limit*8), "1")
	e.do(bitOff, "getbit", "b", strconv.Itoa(limit*8))
	e.do(bitOff, "bitfield", "b", "get", "u8", "#"+strconv.Itoa(limit))
	e.do(errReply("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"),
		"lcs", "a", "k")
}
