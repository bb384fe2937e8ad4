package resp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// replySeeds holds every reply shape the parser knows, valid and not.
var replySeeds = []string{
	"+OK\r\n",
	"+\r\n",
	"-ERR unknown command 'foo', with args beginning with: \r\n",
	"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
	":0\r\n", ":-1\r\n", ":9223372036854775807\r\n", ":-9223372036854775808\r\n",
	"$0\r\n\r\n", "$5\r\nhello\r\n", "$-1\r\n", "$4\r\na\r\nb\r\n",
	"*-1\r\n", "*0\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "*1\r\n*1\r\n*0\r\n",
	"*3\r\n$-1\r\n*-1\r\n_\r\n",
	"_\r\n",
	"%1\r\n+key\r\n:1\r\n", "%0\r\n", "%2\r\n$1\r\na\r\n*1\r\n:1\r\n+b\r\n%1\r\n_\r\n_\r\n",
	"~2\r\n+a\r\n+b\r\n", "~0\r\n",
	",1.5\r\n", ",-0.1\r\n", ",inf\r\n", ",-inf\r\n", ",nan\r\n", ",1e+300\r\n", ",10\r\n",
	"#t\r\n", "#f\r\n",
	"=15\r\ntxt:Some string\r\n", "=4\r\nmkd:\r\n",
	"(3492890328409238509324850943850943825024385\r\n", "(-1\r\n",
	">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n",
	"!21\r\nSYNTAX invalid syntax\r\n",
	"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
	"|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n",
	// Malformed replies.
	"", "\r\n", "+OK\n", "+OK", ":abc\r\n", ":\r\n", "$-2\r\n", "$3\r\nab\r\n", "$3\r\nabcd\r\n",
	"$2147483648\r\nx\r\n", "*-2\r\n", "*2147483647\r\n", "*1\r\n", "%-1\r\n", "~-1\r\n",
	"#x\r\n", "#\r\n", ",\r\n", ",abc\r\n", ",Infinity\r\n", "(12a\r\n", "(\r\n",
	"_x\r\n", "=3\r\nabc\r\n", "=5\r\nab:cd\r\n", "|-1\r\n", "?1\r\n", "$?\r\n", "*?\r\n",
	"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n",
}

func TestParseReplyShapes(t *testing.T) {
	cases := []struct {
		in   string
		want string // String() of the parsed reply
	}{
		{"+OK\r\n", "OK"},
		{"-ERR bad\r\n", "(error) ERR bad"},
		{":42\r\n", "(integer) 42"},
		{"$5\r\nhello\r\n", `"hello"`},
		{"$0\r\n\r\n", `""`},
		{"$-1\r\n", "(nil)"},
		{"*-1\r\n", "(nil array)"},
		{"_\r\n", "(null)"},
		{"*2\r\n$1\r\na\r\n:1\r\n", `["a", (integer) 1]`},
		{"%1\r\n+k\r\n:1\r\n", "%{k: (integer) 1}"},
		{"~2\r\n+a\r\n+b\r\n", "~{a, b}"},
		{",3.14\r\n", "(double) 3.14"},
		{",-inf\r\n", "(double) -inf"},
		{"#t\r\n", "(boolean) true"},
		{"#f\r\n", "(boolean) false"},
		{"=9\r\ntxt:hello\r\n", `(verbatim txt) "hello"`},
		{"(12345678901234567890\r\n", "(big number) 12345678901234567890"},
		{">2\r\n+a\r\n+b\r\n", ">[a, b]"},
		{"!5\r\nERR x\r\n", `(blob error) "ERR x"`},
		{"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n", `|{ttl: (integer) 3}| "v"`},
	}
	for _, tc := range cases {
		r, n, err := ParseReply([]byte(tc.in))
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tc.in, err)
			continue
		}
		if n != len(tc.in) {
			t.Errorf("ParseReply(%q) consumed %d of %d bytes", tc.in, n, len(tc.in))
		}
		if got := r.String(); got != tc.want {
			t.Errorf("ParseReply(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if enc := string(r.AppendRESP(nil)); enc != tc.in {
			t.Errorf("AppendRESP(ParseReply(%q)) = %q", tc.in, enc)
		}
	}
}

func TestParseReplyFields(t *testing.T) {
	r, _, err := ParseReply([]byte("%2\r\n+a\r\n:1\r\n+b\r\n#t\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != TypeMap || len(r.Elems) != 4 || r.Elems[2].Str != "b" || r.Elems[3].Int != 1 {
		t.Fatalf("map parsed as %#v", r)
	}
	v, _, _ := ParseReply([]byte("=8\r\nmkd:# hi\r\n"))
	if v.Format != "mkd" || v.Str != "# hi" {
		t.Fatalf("verbatim parsed as %#v", v)
	}
	if !v.Equal(&Reply{Type: TypeVerbatim, Format: "mkd", Str: "# hi"}) {
		t.Fatal("Equal failed on identical verbatim replies")
	}
	nb, _, _ := ParseReply([]byte("$-1\r\n"))
	na, _, _ := ParseReply([]byte("*-1\r\n"))
	n3, _, _ := ParseReply([]byte("_\r\n"))
	if !nb.IsNull() || !na.IsNull() || !n3.IsNull() || nb.Equal(na) || nb.Equal(n3) {
		t.Fatal("the three nulls must all be null and all differ")
	}
	if na.IsAggregate() || !r.IsAggregate() {
		t.Fatal("IsAggregate")
	}
}

func TestParseReplyErrors(t *testing.T) {
	incomplete := []string{"+OK", "$5\r\nhel", "*2\r\n:1\r\n", "%1\r\n+k\r\n", "|1\r\n+a\r\n+b\r\n"}
	for _, in := range incomplete {
		if _, _, err := ParseReply([]byte(in)); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("ParseReply(%q) = %v, want ErrUnexpectedEOF", in, err)
		}
	}
	if _, _, err := ParseReply(nil); !errors.Is(err, io.EOF) {
		t.Errorf("ParseReply(empty) = %v, want EOF", err)
	}
	bad := []string{"\r\n", "+OK\n", ":abc\r\n", "$-2\r\n", "$3\r\nabcd\r\n", "*-2\r\n", "%-1\r\n",
		"#x\r\n", ",abc\r\n", ",Infinity\r\n", "(1a\r\n", "_x\r\n", "=3\r\nabc\r\n", "?\r\n", "$?\r\n"}
	for _, in := range bad {
		var re *ReplyError
		if _, _, err := ParseReply([]byte(in)); !errors.As(err, &re) {
			t.Errorf("ParseReply(%q) = %v, want a ReplyError", in, err)
		}
	}
	deep := strings.Repeat("*1\r\n", DefaultMaxReplyDepth+2) + ":1\r\n"
	var re *ReplyError
	if _, _, err := ParseReply([]byte(deep)); !errors.As(err, &re) {
		t.Errorf("deep nesting: %v, want a ReplyError", err)
	}
}

func TestReplyReaderStream(t *testing.T) {
	var all []byte
	var want []string
	for _, s := range replySeeds {
		r, n, err := ParseReply([]byte(s))
		if err == nil && n == len(s) {
			all = append(all, s...)
			want = append(want, r.String())
		}
	}
	// Lines longer than the bufio buffer are accumulated.
	long := "+" + strings.Repeat("x", 100<<10) + "\r\n"
	all = append(all, long...)
	want = append(want, long[1:len(long)-2])
	big := "$" + "200000" + "\r\n" + strings.Repeat("y", 200000) + "\r\n"
	all = append(all, big...)
	want = append(want, `"`+strings.Repeat("y", 200000)+`"`)
	for _, mode := range []string{"whole", "onebyte", "halfreader"} {
		var src io.Reader = bytes.NewReader(all)
		switch mode {
		case "onebyte":
			src = iotest.OneByteReader(src)
		case "halfreader":
			src = iotest.HalfReader(src)
		}
		rr := NewReplyReader(src)
		for i, w := range want {
			r, err := rr.ReadReply()
			if err != nil {
				t.Fatalf("%s: reply %d: %v", mode, i, err)
			}
			if got := r.String(); got != w {
				t.Fatalf("%s: reply %d = %.80s, want %.80s", mode, i, got, w)
			}
		}
		if _, err := rr.ReadReply(); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: after the last reply: %v, want EOF", mode, err)
		}
	}
}

// checkReplyInput is the property every input must satisfy: no panic, and
// a parsed reply re-encodes to bytes that parse to the same reply, whole
// and one byte at a time.
func checkReplyInput(t *testing.T, data []byte) {
	r, n, err := ParseReply(data)
	if err != nil {
		if r != nil || n != 0 {
			t.Fatalf("error %v with a reply", err)
		}
		return
	}
	if n <= 0 || n > len(data) {
		t.Fatalf("consumed %d of %d bytes", n, len(data))
	}
	enc := r.AppendRESP(nil)
	r2, n2, err := ParseReply(enc)
	if err != nil || n2 != len(enc) || !r.Equal(r2) {
		t.Fatalf("re-encoding %q as %q does not round-trip: %v", data[:n], enc, err)
	}
	r3, err := NewReplyReader(iotest.OneByteReader(bytes.NewReader(data))).ReadReply()
	if err != nil || !r.Equal(r3) {
		t.Fatalf("byte-at-a-time parse of %q differs: %v", data[:n], err)
	}
	_ = r.String()
}

func TestReplySeeds(t *testing.T) {
	for _, s := range replySeeds {
		checkReplyInput(t, []byte(s))
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range replySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkReplyInput)
}
