package loadgen

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/resp"
)

func TestReadReply(t *testing.T) {
	cases := []struct {
		in   string
		typ  byte
		null bool
		err  string
	}{
		{"+OK\r\n", '+', false, ""},
		{"-MOVED 3999 127.0.0.1:6381\r\n", '-', false, "MOVED 3999 127.0.0.1:6381"},
		{":42\r\n", ':', false, ""},
		{"$5\r\nhello\r\n", '$', false, ""},
		{"$0\r\n\r\n", '$', false, ""},
		{"$-1\r\n", '$', true, ""},
		{"*-1\r\n", '*', true, ""},
		{"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", '*', false, ""},
		{"_\r\n", '_', true, ""},
		{"%1\r\n+k\r\n$1\r\nv\r\n", '%', false, ""},
		{"~2\r\n#t\r\n,1.5\r\n", '~', false, ""},
		{"=7\r\ntxt:abc\r\n", '=', false, ""},
		{"!9\r\nERR oops!\r\n", '!', false, "ERR oops!"},
		{"(123456789012345678901\r\n", '(', false, ""},
		{"|1\r\n+a\r\n+b\r\n$2\r\nhi\r\n", '$', false, ""},
		{">2\r\n+message\r\n$1\r\nx\r\n", '>', false, ""},
	}
	for _, tc := range cases {
		br := bufio.NewReader(strings.NewReader(tc.in + "+NEXT\r\n"))
		var r reply
		if err := readReply(br, &r); err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if r.typ != tc.typ || r.null != tc.null || r.err != tc.err || r.bytes != len(tc.in) {
			t.Errorf("%q: got %+v, want typ %q null %v err %q bytes %d", tc.in, r, tc.typ, tc.null, tc.err, len(tc.in))
		}
		// The stream stays in sync.
		if err := readReply(br, &r); err != nil || r.typ != '+' {
			t.Errorf("%q: next reply %+v, %v", tc.in, r, err)
		}
	}
}

func TestReadReplyErrors(t *testing.T) {
	for _, in := range []string{"?x\r\n", "$x\r\n", "*-5\r\n", "+OK\n", "$-2\r\n"} {
		var r reply
		err := readReply(bufio.NewReader(strings.NewReader(in)), &r)
		if !errors.Is(err, errProtocol) {
			t.Errorf("%q: err %v, want a protocol error", in, err)
		}
	}
	var r reply
	if err := readReply(bufio.NewReader(strings.NewReader("$5\r\nab")), &r); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated bulk: %v", err)
	}
	deep := strings.Repeat("*1\r\n", maxDepth+2) + ":1\r\n"
	if err := readReply(bufio.NewReader(strings.NewReader(deep)), &r); !errors.Is(err, errProtocol) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestEncodingMatchesRESP(t *testing.T) {
	b := append([]byte(nil), setPrefix...)
	b = appendBulk(b, []byte("memtier-7"))
	b = appendBulk(b, []byte("xxx"))
	b = append(b, getPrefix...)
	b = appendBulk(b, []byte("k"))
	b = append(b, askingPrefix...)
	b = appendCommand(b, "CLUSTER", "SLOTS")
	rd := resp.NewReader(strings.NewReader(string(b)))
	want := [][]string{{"SET", "memtier-7", "xxx"}, {"GET", "k"}, {"ASKING"}, {"CLUSTER", "SLOTS"}}
	for _, w := range want {
		argv, err := rd.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		if len(argv) != len(w) {
			t.Fatalf("argv %q, want %q", argv, w)
		}
		for i := range w {
			if string(argv[i]) != w[i] {
				t.Fatalf("argv %q, want %q", argv, w)
			}
		}
	}
}

func TestParseRedirect(t *testing.T) {
	cases := []struct {
		msg, from string
		slot      int
		addr      string
		ok        bool
	}{
		{"MOVED 3999 127.0.0.1:6381", "127.0.0.1:7000", 3999, "127.0.0.1:6381", true},
		{"ASK 0 10.0.0.2:7001", "x:1", 0, "10.0.0.2:7001", true},
		{"MOVED 12 :6390", "127.0.0.1:7000", 12, "127.0.0.1:6390", true},
		{"MOVED 12 [::1]:6390", "", 12, "[::1]:6390", true},
		{"MOVED 16384 a:1", "", 0, "", false},
		{"MOVED x a:1", "", 0, "", false},
		{"MOVED 1", "", 0, "", false},
		{"MOVED 1 nohostport", "", 0, "", false},
	}
	for _, tc := range cases {
		s, addr, ok := parseRedirect(tc.msg, tc.from)
		if ok != tc.ok || (ok && (s != tc.slot || addr != tc.addr)) {
			t.Errorf("%q: got %d %q %v", tc.msg, s, addr, ok)
		}
	}
}

func TestParseSlots(t *testing.T) {
	raw := "*2\r\n" +
		"*4\r\n:0\r\n:8191\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n*3\r\n$9\r\n127.0.0.1\r\n:7003\r\n$2\r\nr1\r\n" +
		"*3\r\n:8192\r\n:16383\r\n*2\r\n$0\r\n\r\n:7001\r\n"
	r, _, err := resp.ParseReply([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseSlots(r, "10.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []slotRange{{0, 8191, "127.0.0.1:7000"}, {8192, 16383, "10.1.1.1:7001"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	tp := newTopology("seed:1")
	tp.apply(got)
	if a := tp.addr(tp.route(100)); a != "127.0.0.1:7000" {
		t.Fatalf("slot 100 routes to %s", a)
	}
	tp.moved(100, "127.0.0.1:7009")
	if a := tp.addr(tp.route(100)); a != "127.0.0.1:7009" {
		t.Fatalf("after MOVED slot 100 routes to %s", a)
	}
	if a := tp.addr(tp.route(101)); a != "127.0.0.1:7000" {
		t.Fatalf("MOVED of 100 changed slot 101: %s", a)
	}
	for _, bad := range []string{"-ERR This instance has cluster support disabled\r\n", ":1\r\n", "*1\r\n*2\r\n:0\r\n:1\r\n", "*1\r\n*3\r\n:5\r\n:1\r\n*2\r\n$1\r\na\r\n:1\r\n"} {
		r, _, err := resp.ParseReply([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseSlots(r, "h"); err == nil {
			t.Errorf("%q: parsed", bad)
		}
	}
}
