package resp

import (
	"fmt"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string // nil with bad == true means unbalanced quotes
		bad  bool
	}{
		{"", []string{}, false},
		{"   \t ", []string{}, false},
		{"set k v", []string{"set", "k", "v"}, false},
		{"  set\tk \r\n v  ", []string{"set", "k", "v"}, false},
		{`set k "hello world"`, []string{"set", "k", "hello world"}, false},
		{`set k 'hello world'`, []string{"set", "k", "hello world"}, false},
		{`"" ''`, []string{"", ""}, false},
		{`"\x41\x6a\x4A"`, []string{"AjJ"}, false},
		{`"\xzz"`, []string{"xzz"}, false},
		{`"\x4"`, []string{"x4"}, false},
		{`"\n\r\t\b\a\\\"\q"`, []string{"\n\r\t\b\a\\\"q"}, false},
		{`'\n\''`, []string{`\n'`}, false},
		{`'a\\b'`, []string{`a\\b`}, false},
		// A quote opens a quoted section even in the middle of a token,
		// as in sdssplitargs.
		{`a"b c"`, []string{`ab c`}, false},
		{`a"b"c`, nil, true},
		{`a'b`, nil, true},
		{`"a"b`, nil, true},
		{`'a'b`, nil, true},
		{`"abc`, nil, true},
		{`'abc`, nil, true},
		{`"abc\"`, nil, true},
		{`"a\`, nil, true},
		{`"a" "b"`, []string{"a", "b"}, false},
		{"\"a\"\tb", []string{"a", "b"}, false},
		{"\"\x01\xff\"", []string{"\x01\xff"}, false},
	}
	for _, tc := range cases {
		got, err := SplitArgs([]byte(tc.in), nil)
		if tc.bad {
			if err == nil {
				t.Errorf("SplitArgs(%q) = %q, want unbalanced quotes", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("SplitArgs(%q): %v", tc.in, err)
			continue
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSplitArgsValkeyEdgeCases covers the corners where sdssplitargs
// treats characters differently inside and outside a token: leading blanks
// are skipped with isspace() (which includes \v and \f), but an unquoted
// token only ends at ' ', '\n', '\r', '\t' or NUL; NUL ends the whole line
// (the C string ends), and NUL inside quotes is an unterminated quote.
func TestSplitArgsValkeyEdgeCases(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"\v\fa\vb\fc", `["a\vb\fc"]`},
		{"a\x00b c", `["a"]`},
		{"\"a\x00b\"", "unbalanced"},
	}
	for _, tc := range cases {
		got, err := SplitArgs([]byte(tc.in), nil)
		res := fmt.Sprintf("%q", got)
		if err != nil {
			res = "unbalanced"
		}
		if res != tc.want {
			t.Errorf("SplitArgs(%q) = %s, want %s", tc.in, res, tc.want)
		}
	}
}

func TestSplitArgsAppendsAndCopies(t *testing.T) {
	line := []byte("b c")
	dst := [][]byte{[]byte("a")}
	got, err := SplitArgs(line, dst)
	if err != nil || len(got) != 3 || string(got[0]) != "a" || string(got[2]) != "c" {
		t.Fatalf("SplitArgs appended %q, %v", got, err)
	}
	line[0] = 'X'
	if string(got[1]) != "b" {
		t.Fatal("SplitArgs results alias the input line")
	}
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{`set k "a b"`, `'x\'y'`, `"\x41"`, `"a"b`, ``, `  `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		args, err := SplitArgs(line, nil)
		if err != nil {
			return
		}
		// Quoting every argument with \xHH escapes must split back to
		// the same arguments.
		var quoted []byte
		for _, a := range args {
			quoted = append(quoted, '"')
			for _, c := range a {
				quoted = fmt.Appendf(quoted, `\x%02x`, c)
			}
			quoted = append(quoted, '"', ' ')
		}
		again, err := SplitArgs(quoted, nil)
		if err != nil || fmt.Sprintf("%q", again) != fmt.Sprintf("%q", args) {
			t.Fatalf("re-quoted %q split to %q (%v), want %q", quoted, again, err, args)
		}
	})
}
