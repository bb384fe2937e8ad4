package cli

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// shoal-cli prints exactly what redis-cli prints, in every output mode,
// for the same commands against the same Shoal server.
func TestOutputMatchesRedisCLI(t *testing.T) {
	rcli := difftest.RequireBinary(t, "redis-cli")
	srv := testutil.StartServer(t)
	hostPort := hp(srv.Addr())
	setup := [][]string{
		{"RPUSH", "l", "a", "b", "c d", "e\"f", "g\x01h", "\xc3\xa9"},
		{"HSET", "h", "f1", "v1", "f2", "2"},
		{"ZADD", "z", "1.5", "a", "2", "b"},
		{"SET", "s", "hello"},
		{"SADD", "set1", "x"},
	}
	for _, c := range setup {
		runCLI(t, "", args(hostPort, c...)...).must(t, 0)
	}
	cmds := [][]string{
		{"PING"}, {"GET", "s"}, {"GET", "missing"}, {"LRANGE", "l", "0", "-1"}, {"LRANGE", "none", "0", "-1"},
		{"HGETALL", "h"}, {"HGETALL", "none"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZSCORE", "z", "a"},
		{"SMEMBERS", "set1"}, {"SMEMBERS", "none"}, {"STRLEN", "s"}, {"NOSUCHCOMMAND", "x"},
		{"COMMAND", "INFO", "GET"}, {"TYPE", "l"}, {"EXISTS", "s", "l", "nope"},
	}
	modes := [][]string{{"--no-raw"}, {"--raw"}, {"--json"}, {"-3", "--no-raw"}, {"-3", "--raw"}, {"-2", "--json"}}
	for _, mode := range modes {
		for _, c := range cmds {
			a := append(append(append([]string(nil), hostPort...), mode...), c...)
			want, err := exec.Command(rcli, a...).Output()
			if err != nil {
				t.Fatalf("redis-cli %v: %v", a, err)
			}
			got := runCLI(t, "", a...).must(t, 0)
			if got.out != string(want) {
				t.Errorf("%v:\nshoal-cli: %q\nredis-cli: %q", a, got.out, want)
			}
		}
	}
}

func TestOneOff(t *testing.T) {
	srv := testutil.StartServer(t, "--requirepass", "secret")
	hpa := args(hp(srv.Addr()), "-a", "secret", "--no-auth-warning")

	r := runCLI(t, "", args(hpa, "SET", "k", "-1")...).must(t, 0)
	if r.out != "OK\n" || r.err != "" {
		t.Fatalf("SET: %+v", r)
	}
	if r := runCLI(t, "", args(hpa, "INCRBY", "k", "-2")...).must(t, 0); r.out != "-3\n" {
		t.Fatalf("INCRBY with a negative argument: %q", r.out)
	}
	// -n selects the database; -r repeats.
	runCLI(t, "", args(hpa, "-n", "3", "-r", "3", "INCR", "c")...).must(t, 0)
	if r := runCLI(t, "", args(hpa, "-n", "3", "--no-raw", "GET", "c")...).must(t, 0); r.out != "\"3\"\n" {
		t.Fatalf("-n 3 GET c: %q", r.out)
	}
	if r := runCLI(t, "", args(hpa, "GET", "c")...).must(t, 0); r.out != "\n" {
		t.Fatalf("db 0 GET c: %q", r.out)
	}
	// -x takes the last argument from stdin.
	runCLI(t, "line1\nline2", args(hpa, "-x", "SET", "blob")...).must(t, 0)
	if r := runCLI(t, "", args(hpa, "GET", "blob")...); r.out != "line1\nline2\n" {
		t.Fatalf("-x: %q", r.out)
	}
	// The password warning, as redis-cli prints it.
	r = runCLI(t, "", args(hp(srv.Addr()), "-a", "secret", "PING")...).must(t, 0)
	mustContain(t, r.err, "Warning: Using a password")
	// The password from the environment.
	r = runCLICtx(context.Background(), t, IO{Getenv: func(k string) string {
		if k == "REDISCLI_AUTH" {
			return "secret"
		}
		return ""
	}}, args(hp(srv.Addr()), "PING")...).must(t, 0)
	if r.out != "PONG\n" {
		t.Fatalf("REDISCLI_AUTH: %+v", r)
	}
	// Error replies: exit 0 like redis-cli, 1 with -e.
	runCLI(t, "", args(hpa, "LPUSH", "k", "x")...).must(t, 0)
	runCLI(t, "", args(hpa, "-e", "LPUSH", "k", "x")...).must(t, 1)
	// A wrong password, a server that is not there, a bad flag.
	r = runCLI(t, "", args(hp(srv.Addr()), "-a", "wrong", "--no-auth-warning", "PING")...).must(t, 1)
	mustContain(t, r.err, "AUTH failed")
	runCLI(t, "", "-h", "127.0.0.1", "-p", "1", "PING").must(t, 1)
	runCLI(t, "", "--no-such-flag").must(t, 2)
	if r := runCLI(t, "", "--version").must(t, 0); !strings.HasPrefix(r.out, "shoal-cli ") {
		t.Fatalf("--version: %q", r.out)
	}
}

// Without a terminal, the prompt reads commands line by line
// ("echo PING | shoal-cli"); with one, it shows redis-cli's prompt.
func TestInteractive(t *testing.T) {
	srv := testutil.StartServer(t)
	in := "SET a 1\nGET a\n\"GET\" 'a'\nSELECT 2\nMULTI\nINCR x\nEXEC\n3 INCR y\nbad \"quote\nquit\nPING\n"
	r := runCLI(t, in, args(hp(srv.Addr()))...).must(t, 0)
	want := "OK\n1\n1\nOK\nOK\nQUEUED\n1\n1\n2\n3\nInvalid argument(s)\n"
	if r.out != want {
		t.Fatalf("got:\n%q\nwant:\n%q", r.out, want)
	}
	port := strconv.Itoa(srv.Port())
	r = runCLICtx(context.Background(), t, IO{In: strings.NewReader("SELECT 1\nMULTI\nDISCARD\n"), InTTY: true, OutTTY: true},
		args(hp(srv.Addr()))...).must(t, 0)
	for _, p := range []string{"127.0.0.1:" + port + "> ", "127.0.0.1:" + port + "[1]> ", "127.0.0.1:" + port + "[1](TX)> "} {
		mustContain(t, r.out, p)
	}
	// Ctrl-C at the prompt leaves it.
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := ioPipe()
	defer pw.Close()
	done := make(chan result)
	go func() { done <- runCLICtx(ctx, t, IO{In: pr}, args(hp(srv.Addr()))...) }()
	cancel()
	select {
	case r := <-done:
		r.must(t, 0)
	case <-time.After(10 * time.Second):
		t.Fatal("the prompt did not stop on cancel")
	}
}

// -c follows -MOVED across the shards of a cluster; without it the
// redirection is printed.
func TestClusterRedirects(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	node0 := hp(c.Addr(0))
	for i := 0; i < 30; i++ {
		k := "key:" + strconv.Itoa(i)
		runCLI(t, "", args(node0, "-c", "SET", k, "v"+strconv.Itoa(i))...).must(t, 0)
	}
	for i := 0; i < 30; i++ {
		k := "key:" + strconv.Itoa(i)
		if r := runCLI(t, "", args(hp(c.Addr(2)), "-c", "GET", k)...).must(t, 0); r.out != "v"+strconv.Itoa(i)+"\n" {
			t.Fatalf("GET %s: %q", k, r.out)
		}
	}
	r := runCLI(t, "", args(node0, "--no-raw", "GET", "key:0")...).must(t, 0)
	if !strings.HasPrefix(r.out, "(error) MOVED ") && r.out != "\"v0\"\n" {
		t.Fatalf("without -c: %q", r.out)
	}
	// The prompt says where it was redirected.
	var moved string
	for i := 0; i < 30; i++ {
		k := "key:" + strconv.Itoa(i)
		if r := runCLI(t, "", args(node0, "GET", k)...); strings.HasPrefix(r.out, "MOVED") {
			moved = k
			break
		}
	}
	r = runCLICtx(context.Background(), t, IO{In: strings.NewReader("GET " + moved + "\n"), InTTY: true, OutTTY: true},
		args(node0, "-c")...).must(t, 0)
	mustContain(t, r.out, "-> Redirected to slot [")
	// -ASK during a legacy migration: the key is written on the target
	// after ASKING.
	c.Do(1, "CLUSTER", "SETSLOT", "12182", "IMPORTING", c.NodeID(2))
	c.Do(2, "CLUSTER", "SETSLOT", "12182", "MIGRATING", c.NodeID(1))
	if r := runCLI(t, "", args(node0, "-c", "SET", "foo", "asked")...).must(t, 0); r.out != "OK\n" {
		t.Fatalf("SET through ASK: %q", r.out)
	}
	conn, err := Dial(c.Addr(1), ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if rs, err := conn.Pipeline([][]string{{"ASKING"}, {"GET", "foo"}}); err != nil || rs[1].Str != "asked" {
		t.Fatalf("foo on the importing node: %v %v", rs, err)
	}
	// "cluster <word>" that is no manager verb goes to the server.
	r = runCLI(t, "", args(node0, "cluster", "keyslot", "foo")...).must(t, 0)
	if r.out != "12182\n" {
		t.Fatalf("cluster keyslot: %q", r.out)
	}
}
