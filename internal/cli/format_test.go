package cli

import (
	"testing"

	"github.com/shoal-db/shoal/internal/resp"
)

func parse(t *testing.T, wire string) *resp.Reply {
	t.Helper()
	r, _, err := resp.ParseReply([]byte(wire))
	if err != nil {
		t.Fatalf("parse %q: %v", wire, err)
	}
	return r
}

// The expected texts are redis-cli 7.0's output for the same replies.
func TestFormatReply(t *testing.T) {
	cases := []struct {
		wire              string
		tty, raw, jsonOut string
	}{
		{"+OK\r\n", "OK\n", "OK\n", "\"OK\"\n"},
		{":1\r\n", "(integer) 1\n", "1\n", "1\n"},
		{"$-1\r\n", "(nil)\n", "\n", "null\n"},
		{"_\r\n", "(nil)\n", "\n", "null\n"},
		{"-ERR unknown command 'foo', with args beginning with: \r\n",
			"(error) ERR unknown command 'foo', with args beginning with: \n",
			"ERR unknown command 'foo', with args beginning with: \n\n",
			"error:\"ERR unknown command 'foo', with args beginning with: \"\n"},
		{"*0\r\n", "(empty array)\n", "\n", "[]\n"},
		{"~0\r\n", "(empty set)\n", "\n", "[]\n"},
		{"%0\r\n", "(empty hash)\n", "\n", "{}\n"},
		{",1.5\r\n", "(double) 1.5\n", "1.5\n", "1.5\n"},
		{"#t\r\n", "(true)\n", "(true)\n", "true\n"},
		{"#f\r\n", "(false)\n", "(false)\n", "false\n"},
		{"*5\r\n$1\r\na\r\n$1\r\nb\r\n$3\r\nc d\r\n$3\r\ne\"f\r\n$3\r\ng\x01h\r\n",
			"1) \"a\"\n2) \"b\"\n3) \"c d\"\n4) \"e\\\"f\"\n5) \"g\\x01h\"\n",
			"a\nb\nc d\ne\"f\ng\x01h\n",
			"[\"a\",\"b\",\"c d\",\"e\\\"f\",\"g\\u0001h\"]\n"},
		{"%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$1\r\n2\r\n",
			"1# \"f1\" => \"v1\"\n2# \"f2\" => \"2\"\n", "f1 v1\nf2 2\n", "{\"f1\":\"v1\",\"f2\":\"2\"}\n"},
		{"*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n", "1) 1) \"a\"\n   2) (double) 1.5\n", "a\n1.5\n", "[[\"a\",1.5]]\n"},
		{"%1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n", "1# \"a\" => \n   1) (integer) 1\n   2) (integer) 2\n",
			"a 1\n2\n", "{\"a\":[1,2]}\n"},
		{"%1\r\n$1\r\na\r\n*1\r\n:1\r\n", "1# \"a\" => 1) (integer) 1\n", "a 1\n", "{\"a\":[1]}\n"},
		{"*2\r\n:1\r\n%1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n",
			"1) (integer) 1\n2) 1# \"a\" => \n      1) (integer) 1\n      2) (integer) 2\n", "1\na 1\n2\n",
			"[1,{\"a\":[1,2]}]\n"},
		{"%1\r\n:1\r\n$1\r\nx\r\n", "1# (integer) 1 => \"x\"\n", "1 x\n", "{\"1\":\"x\"}\n"},
		{"$4\r\n\xc3\xa9\x7f\x0c\r\n", "\"\\xc3\\xa9\\x7f\\x0c\"\n", "\xc3\xa9\x7f\x0c\n", "\"\xc3\xa9\x7f\\f\"\n"},
	}
	for _, c := range cases {
		r := parse(t, c.wire)
		if got := formatReply(r, outputStandard); got != c.tty {
			t.Errorf("%q tty: got %q want %q", c.wire, got, c.tty)
		}
		if got := formatReply(r, outputRaw); got != c.raw {
			t.Errorf("%q raw: got %q want %q", c.wire, got, c.raw)
		}
		if got := formatReply(r, outputJSON); got != c.jsonOut {
			t.Errorf("%q json: got %q want %q", c.wire, got, c.jsonOut)
		}
	}
}

// Nested arrays indent by the width of the parent's index, as in
// redis-cli: a 10-element array is numbered " 1)" .. "10)".
func TestFormatNestedWidth(t *testing.T) {
	wire := "*1\r\n*10\r\n"
	for i := 0; i < 9; i++ {
		wire += ":1\r\n"
	}
	wire += "*2\r\n$1\r\nx\r\n*0\r\n"
	want := "1)  1) (integer) 1\n    2) (integer) 1\n    3) (integer) 1\n    4) (integer) 1\n" +
		"    5) (integer) 1\n    6) (integer) 1\n    7) (integer) 1\n    8) (integer) 1\n    9) (integer) 1\n" +
		"   10) 1) \"x\"\n       2) (empty array)\n"
	if got := formatReply(parse(t, wire), outputStandard); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
