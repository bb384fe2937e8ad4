package toolstest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/testutil"
)

// run executes a tool with a deadline and returns its combined output.
func run(t *testing.T, timeout time.Duration, stdin []byte, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s timed out after %v: %w", bin, timeout, ctx.Err())
	}
	return string(out), err
}

// tail keeps the end of a tool's output for failure messages.
func tail(out string) string {
	const keep = 3000
	if len(out) > keep {
		return "..." + out[len(out)-keep:]
	}
	return out
}

func portArgs(addr string) []string {
	i := strings.LastIndexByte(addr, ':')
	return []string{"-h", addr[:i], "-p", addr[i+1:]}
}

func TestRedisCLIOneOff(t *testing.T) {
	cli := difftest.RequireBinary(t, "redis-cli")
	srv := testutil.StartServer(t)
	conn := portArgs(srv.Addr())
	cases := []struct {
		args  []string
		stdin string
		want  string
	}{
		{args: []string{"PING"}, want: "PONG\n"},
		{args: []string{"ECHO", "hello world"}, want: "hello world\n"},
		{args: []string{"SET", "foo", "bar"}, want: "OK\n"},
		{args: []string{"GET", "foo"}, want: "bar\n"},
		{args: []string{"--no-raw", "GET", "foo"}, want: "\"bar\"\n"},
		{args: []string{"GET", "missing"}, want: "\n"},
		{args: []string{"-3", "GET", "foo"}, want: "bar\n"},
		{args: []string{"-x", "SET", "fromstdin"}, stdin: "piped value", want: "OK\n"},
		{args: []string{"GET", "fromstdin"}, want: "piped value\n"},
		{args: []string{"-r", "3", "INCR", "counter"}, want: "1\n2\n3\n"},
		{args: []string{"MGET", "foo", "missing", "counter"}, want: "bar\n\n3\n"},
		{args: []string{"DEL", "foo", "counter"}, want: "2\n"},
		{args: []string{"-n", "1", "SET", "indb1", "v"}, want: "OK\n"},
		{args: []string{"-n", "1", "GET", "indb1"}, want: "v\n"},
		{args: []string{"GET", "indb1"}, want: "\n"},
	}
	for _, tc := range cases {
		var stdin []byte
		if tc.stdin != "" {
			stdin = []byte(tc.stdin)
		}
		out, err := run(t, 30*time.Second, stdin, cli, append(conn, tc.args...)...)
		if err != nil || out != tc.want {
			t.Errorf("redis-cli %s = %q (%v), want %q", strings.Join(tc.args, " "), out, err, tc.want)
		}
	}
	// Errors are printed, not fatal to the tool.
	out, _ := run(t, 30*time.Second, nil, cli, append(conn, "NOSUCHCOMMAND", "x")...)
	if !strings.Contains(out, "ERR unknown command 'NOSUCHCOMMAND'") {
		t.Errorf("redis-cli NOSUCHCOMMAND printed %q", out)
	}
}

// massInsert builds the RESP stream of a --pipe mass insertion.
func massInsert(n int) []byte {
	w := resp.NewWriter(nil)
	for i := 0; i < n; i++ {
		w.ArrayLen(3)
		w.BulkString("SET")
		w.BulkString("key:" + strconv.Itoa(i))
		w.BulkString("value:" + strconv.Itoa(i))
	}
	for i := 0; i < 100; i++ {
		w.ArrayLen(2)
		w.BulkString("INCR")
		w.BulkString("pipecounter")
	}
	return append([]byte(nil), w.Bytes()...)
}

func TestRedisCLIPipe(t *testing.T) {
	cli := difftest.RequireBinary(t, "redis-cli")
	srv := testutil.StartServer(t)
	const n = 20000
	out, err := run(t, 2*time.Minute, massInsert(n), cli, append(portArgs(srv.Addr()), "--pipe")...)
	if err != nil {
		t.Fatalf("redis-cli --pipe: %v\n%s", err, tail(out))
	}
	want := fmt.Sprintf("errors: 0, replies: %d", n+100)
	if !strings.Contains(out, want) {
		t.Fatalf("redis-cli --pipe output lacks %q:\n%s", want, tail(out))
	}
	c, err := difftest.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, i := range []int{0, 1, n / 2, n - 1} {
		r, err := c.Do("GET", "key:"+strconv.Itoa(i))
		if err != nil || r.Str != "value:"+strconv.Itoa(i) {
			t.Errorf("GET key:%d after --pipe = %v, %v", i, r, err)
		}
	}
	if r, err := c.Do("GET", "pipecounter"); err != nil || r.Str != "100" {
		t.Errorf("GET pipecounter after --pipe = %v, %v", r, err)
	}
}

// benchLine matches redis-benchmark -q result lines such as
// "SET: 81967.21 requests per second, p50=0.303 msec" and
// "MSET (10 keys): 60240.96 requests per second".
var benchLine = regexp.MustCompile(`(?m)^\s*([A-Z_]+(?: \(10 keys\))?): ([0-9.]+) requests per second`)

func TestRedisBenchmark(t *testing.T) {
	bench := difftest.RequireBinary(t, "redis-benchmark")
	srv := testutil.StartServer(t)
	args := append(portArgs(srv.Addr()), "-t", "set,get,incr,mset", "-n", "20000", "-q")
	out, err := run(t, 5*time.Minute, nil, bench, args...)
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, tail(out))
	}
	// -q still draws progress with carriage returns; keep final lines.
	out = strings.ReplaceAll(out, "\r", "\n")
	got := map[string]float64{}
	for _, m := range benchLine.FindAllStringSubmatch(out, -1) {
		rps, _ := strconv.ParseFloat(m[2], 64)
		got[m[1]] = rps
	}
	for _, name := range []string{"SET", "GET", "INCR", "MSET (10 keys)"} {
		if got[name] <= 0 {
			t.Errorf("redis-benchmark: no throughput for %s in:\n%s", name, out)
		}
	}
	if strings.Contains(out, "ERR") {
		t.Errorf("redis-benchmark saw error replies:\n%s", out)
	}
	t.Logf("redis-benchmark against Shoal: %v", got)
}
