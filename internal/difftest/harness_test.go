package difftest

import (
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/resp"
)

func TestParseScript(t *testing.T) {
	src := `# A comment
# SCAN with MATCH stays a comment (upper case)
# sort of a comment, too: words after an argument-less directive
# requires: lpush zadd

SET k "a b"
# sort
KEYS *
# conn other
# ignore the time of day
TIME
# conn main
# approx 5000
PTTL k
# shape ids differ
CLIENT ID
# scan
SCAN 0 MATCH k*
# capture d
DUMP k
RESTORE k2 0 ${d}
# expect "-ERR it's different\r\n" Valkey's reply, with an apostrophe
GETEX nosuch EX 0
# recv
`
	sc, err := ParseScript("x.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sc.Requires, ",") != "lpush,zadd" {
		t.Errorf("requires = %v", sc.Requires)
	}
	want := []struct {
		line int
		argv string
		conn string
		mode Mode
	}{
		{6, "SET|k|a b", "", ModeExact},
		{8, "KEYS|*", "", ModeSort},
		{11, "TIME", "other", ModeIgnore},
		{14, "PTTL|k", "", ModeApprox},
		{16, "CLIENT|ID", "", ModeShape},
		{18, "SCAN|0|MATCH|k*", "", ModeScan},
		{20, "DUMP|k", "", ModeCapture},
		{21, "RESTORE|k2|0|${d}", "", ModeExact},
		{23, "GETEX|nosuch|EX|0", "", ModeExpect},
		{24, "", "", ModeExact},
	}
	if len(sc.Steps) != len(want) {
		t.Fatalf("%d steps, want %d", len(sc.Steps), len(want))
	}
	for i, w := range want {
		st := sc.Steps[i]
		if st.Line != w.line || strings.Join(st.Argv, "|") != w.argv || st.Conn != w.conn || st.Mode != w.mode {
			t.Errorf("step %d = line %d %q conn %q mode %v; want %+v", i, st.Line, st.Argv, st.Conn, st.Mode, w)
		}
	}
	if sc.Steps[3].Tol != 5000 || sc.Steps[6].Capture != "d" || sc.Steps[2].Reason != "the time of day" {
		t.Errorf("directive arguments lost: %+v %+v %+v", sc.Steps[3], sc.Steps[6], sc.Steps[2])
	}
	if e := sc.Steps[8].Expect; e == nil || e.Type != resp.TypeError || e.Str != "ERR it's different" {
		t.Errorf("expect parsed as %v", e)
	}
	if !sc.Steps[9].Recv {
		t.Error("# recv is not a read step")
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, src := range []string{
		"SET k \"unbalanced\n",
		"# sort\n# ignore why\nGET k\n",
		"# ignore\nGET k\n",
		"# approx x\nPTTL k\n",
		"# capture\nDUMP k\n",
		"# expect +OK\nGET k\n",
		"# expect \"+OK\"\nGET k\n",
		"# expect \"+OK\r\n+OK\r\n\" two replies\nGET k\n",
		"# conn\nGET k\n",
		"GET k\n# sort\n",
	} {
		if _, err := ParseScript("bad.txt", []byte(src)); err == nil {
			t.Errorf("ParseScript(%q) accepted a bad script", src)
		}
	}
}

func reply(t *testing.T, s string) *resp.Reply {
	t.Helper()
	r, n, err := resp.ParseReply([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("bad test reply %q: %v", s, err)
	}
	return r
}

func TestCompare(t *testing.T) {
	cases := []struct {
		mode Mode
		tol  float64
		a, b string
		want bool
	}{
		{ModeExact, 0, "$1\r\na\r\n", "$1\r\na\r\n", true},
		{ModeExact, 0, "$1\r\na\r\n", "+a\r\n", false},
		{ModeExact, 0, "$-1\r\n", "*-1\r\n", false},
		{ModeSort, 0, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{ModeSort, 0, "*2\r\n$1\r\na\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false},
		{ModeSort, 0, "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true},
		{ModeSort, 0, "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n", false},
		{ModeSortPairs, 0, "*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "*4\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true},
		{ModeSortPairs, 0, "*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "*4\r\n+a\r\n:2\r\n+b\r\n:1\r\n", false},
		{ModeSort, 0, "-ERR x\r\n", "-ERR x\r\n", true},
		{ModeApprox, 5, ":1000\r\n", ":996\r\n", true},
		{ModeApprox, 5, ":1000\r\n", ":994\r\n", false},
		{ModeApprox, 0.01, "$4\r\n1.50\r\n", "$5\r\n1.501\r\n", true},
		{ModeApprox, 5, ":1\r\n", "$1\r\n1\r\n", false},
		{ModeApprox, 5, "*2\r\n:1\r\n+x\r\n", "*2\r\n:3\r\n+x\r\n", true},
		{ModeApprox, 5, "*2\r\n:1\r\n+x\r\n", "*2\r\n:3\r\n+y\r\n", false},
		{ModeShape, 0, ":1\r\n", ":2\r\n", true},
		{ModeShape, 0, ":1\r\n", "$1\r\n1\r\n", false},
		{ModeShape, 0, "%1\r\n+a\r\n+b\r\n", "%1\r\n+c\r\n+d\r\n", true},
		{ModeShape, 0, "%1\r\n+a\r\n+b\r\n", "%2\r\n+c\r\n+d\r\n+e\r\n+f\r\n", false},
		{ModeIgnore, 0, ":1\r\n", "-ERR\r\n", true},
	}
	for _, tc := range cases {
		if got := Compare(tc.mode, tc.tol, reply(t, tc.a), reply(t, tc.b)); got != tc.want {
			t.Errorf("Compare(%v, %q, %q) = %v", tc.mode, tc.a, tc.b, got)
		}
	}
}

// TestScriptsParse keeps every script in testdata/ parseable even where
// redis-server is not installed.
func TestScriptsParse(t *testing.T) {
	scripts, err := LoadScripts("testdata")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, sc := range scripts {
		total += len(sc.Steps)
	}
	if len(scripts) < 10 || total < 1000 {
		t.Fatalf("%d scripts with %d steps; the suite has shrunk", len(scripts), total)
	}
}
