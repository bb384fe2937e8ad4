package command_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

func TestSlowlog(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 2)
	do(t, rdb, "config", "set", "slowlog-log-slower-than", "0")
	do(t, rdb, "slowlog", "reset")
	do(t, rdb, "client", "setname", "slowpoke")
	rdb.Set(ctx, "key", strings.Repeat("x", 200), 0)
	entries, err := rdb.SlowLogGet(ctx, 2).Result() // go-redis parses the entry shape
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("SLOWLOG GET 2: %d entries", len(entries))
	}
	e := entries[0]
	if len(e.Args) != 3 || e.Args[0] != "set" || e.Args[1] != "key" ||
		e.Args[2] != strings.Repeat("x", 128)+"... (72 more bytes)" {
		t.Errorf("newest entry args = %q", e.Args)
	}
	if e.ClientName != "slowpoke" || !strings.HasPrefix(e.ClientAddr, "127.0.0.1:") ||
		e.ID <= entries[1].ID || time.Since(e.Time) > time.Minute {
		t.Errorf("newest entry = %+v", e)
	}
	raw := do(t, rdb, "slowlog", "get", "1").([]any)[0].([]any)
	if len(raw) != 6 {
		t.Errorf("SLOWLOG entry has %d fields, want 6", len(raw))
	}
	if n, _ := rdb.SlowLogLen(ctx).Result(); n < 3 {
		t.Errorf("SLOWLOG LEN = %d", n)
	}
	all := do(t, rdb, "slowlog", "get", "-1").([]any)
	if n, _ := rdb.SlowLogLen(ctx).Result(); int(n) < len(all) {
		t.Errorf("SLOWLOG GET -1 returned %d entries, LEN %d", len(all), n)
	}
	do(t, rdb, "config", "set", "slowlog-log-slower-than", "-1")
	do(t, rdb, "slowlog", "reset")
	rdb.Set(ctx, "key", "v", 0)
	if n, _ := rdb.SlowLogLen(ctx).Result(); n != 0 {
		t.Errorf("SLOWLOG LEN = %d with logging disabled", n)
	}
	wantErr(t, rdb, "ERR count should be greater than or equal to -1", "slowlog", "get", "-2")
	wantErr(t, rdb, "ERR count should be greater than or equal to -1", "slowlog", "get", "abc")
	wantErr(t, rdb, "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.",
		"slowlog", "get", "1", "2")
	wantErr(t, rdb, "ERR unknown subcommand 'foo'. Try SLOWLOG HELP.", "slowlog", "foo")
}

func TestLatencyMonitor(t *testing.T) {
	srv := startAdmin(t)
	rdb := newClient(t, srv, 2)
	if doc := do(t, rdb, "latency", "doctor").(string); !strings.Contains(doc, "Latency monitoring is disabled") {
		t.Errorf("LATENCY DOCTOR with monitoring off = %q", doc)
	}
	do(t, rdb, "config", "set", "latency-monitor-threshold", "10")
	if doc := do(t, rdb, "latency", "doctor").(string); !strings.HasPrefix(doc, "Dave, no latency spike") {
		t.Errorf("LATENCY DOCTOR without events = %q", doc)
	}
	do(t, rdb, "debug", "sleep", "0.03")
	latest := do(t, rdb, "latency", "latest").([]any)
	if len(latest) != 1 {
		t.Fatalf("LATENCY LATEST = %v", latest)
	}
	ev := latest[0].([]any)
	if len(ev) != 6 || ev[0] != "command" || ev[2].(int64) < 30 || ev[3].(int64) < 30 ||
		ev[4].(int64) < 30 || ev[5] != int64(1) || time.Since(time.Unix(ev[1].(int64), 0)) > time.Minute {
		t.Errorf("LATENCY LATEST entry = %v", ev)
	}
	hist := do(t, rdb, "latency", "history", "command").([]any)
	if len(hist) != 1 || len(hist[0].([]any)) != 2 || hist[0].([]any)[1].(int64) < 30 {
		t.Errorf("LATENCY HISTORY command = %v", hist)
	}
	if h := do(t, rdb, "latency", "history", "nosuch").([]any); len(h) != 0 {
		t.Errorf("LATENCY HISTORY nosuch = %v", h)
	}
	if doc := do(t, rdb, "latency", "doctor").(string); !strings.Contains(doc, "1. command: 1 latency spikes") {
		t.Errorf("LATENCY DOCTOR = %q", doc)
	}
	if n := do(t, rdb, "latency", "reset", "nosuch"); n != int64(0) {
		t.Errorf("LATENCY RESET nosuch = %v", n)
	}
	if n := do(t, rdb, "latency", "reset"); n != int64(1) {
		t.Errorf("LATENCY RESET = %v", n)
	}
	if l := do(t, rdb, "latency", "latest").([]any); len(l) != 0 {
		t.Errorf("LATENCY LATEST after reset = %v", l)
	}
	wantErr(t, rdb, "ERR unknown subcommand 'foo'. Try LATENCY HELP.", "latency", "foo")
	wantErr(t, rdb, "ERR wrong number of arguments for 'latency|history' command", "latency", "history")
}

func TestMemoryCommands(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 3)
	rdb.Set(ctx, "small", "v", 0)
	rdb.Set(ctx, "big", strings.Repeat("x", 10000), 0)
	small, err := rdb.MemoryUsage(ctx, "small").Result()
	if err != nil || small <= 0 {
		t.Fatalf("MEMORY USAGE small = %d, %v", small, err)
	}
	big, _ := rdb.MemoryUsage(ctx, "big", 0).Result()
	if big < 10000 || big <= small {
		t.Errorf("MEMORY USAGE big = %d (small %d)", big, small)
	}
	if _, err := rdb.MemoryUsage(ctx, "missing").Result(); err != redis.Nil {
		t.Errorf("MEMORY USAGE missing: %v, want nil", err)
	}
	wantErr(t, rdb, "ERR syntax error", "memory", "usage", "small", "samples", "-1")
	wantErr(t, rdb, "ERR value is not an integer or out of range", "memory", "usage", "small", "samples", "x")
	wantErr(t, rdb, "ERR syntax error", "memory", "usage", "small", "foo")
	wantErr(t, rdb, "ERR syntax error", "memory", "usage", "small", "samples")
	for _, proto := range []int{2, 3} {
		c := newClient(t, srv, proto)
		v := do(t, c, "memory", "stats")
		stats := map[string]any{}
		switch v := v.(type) {
		case map[any]any:
			for k, x := range v {
				stats[k.(string)] = x
			}
		case []any:
			if len(v)%2 != 0 {
				t.Fatalf("MEMORY STATS odd length")
			}
			for i := 0; i < len(v); i += 2 {
				stats[v[i].(string)] = v[i+1]
			}
		}
		for _, k := range []string{"peak.allocated", "total.allocated", "keys.count", "dataset.bytes",
			"dataset.percentage", "fragmentation", "db.0"} {
			if _, ok := stats[k]; !ok {
				t.Errorf("RESP%d MEMORY STATS lacks %s: %v", proto, k, stats)
			}
		}
		if stats["keys.count"] != int64(2) {
			t.Errorf("RESP%d keys.count = %v", proto, stats["keys.count"])
		}
	}
	if doc := do(t, rdb, "memory", "doctor").(string); !strings.HasPrefix(doc, "Hi Sam") {
		t.Errorf("MEMORY DOCTOR = %q", doc)
	}
	do(t, rdb, "memory", "purge")
	wantErr(t, rdb, "ERR unknown subcommand 'foo'. Try MEMORY HELP.", "memory", "foo")
}

func TestDebugCommands(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 2)
	rdb.Set(ctx, "s", "bar", 0)
	rdb.Set(ctx, "n", "123", 0)
	rdb.Set(ctx, "long", strings.Repeat("y", 100), 0)
	obj := regexp.MustCompile(`^Value at:0x[0-9a-f]+ refcount:1 encoding:(\w+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:\d+$`)
	for key, want := range map[string][2]string{"s": {"embstr", "4"}, "n": {"int", "2"}, "long": {"raw", "102"}} {
		got, err := rdb.DebugObject(ctx, key).Result()
		m := obj.FindStringSubmatch(got)
		if err != nil || m == nil || m[1] != want[0] || m[2] != want[1] {
			t.Errorf("DEBUG OBJECT %s = %q, %v; want encoding %s serializedlength %s", key, got, err, want[0], want[1])
		}
	}
	wantErr(t, rdb, "ERR no such key", "debug", "object", "missing")
	wantErr(t, rdb, "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.", "debug", "nosuch")
	wantErr(t, rdb, "ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.", "debug", "object")
	wantErr(t, rdb, "ERR oops", "debug", "error", "ERR oops")
	start := time.Now()
	do(t, rdb, "debug", "sleep", "0.05")
	if time.Since(start) < 50*time.Millisecond {
		t.Error("DEBUG SLEEP 0.05 returned early")
	}
	do(t, rdb, "debug", "sleep", "0")
	node := srv.Node()
	do(t, rdb, "debug", "set-active-expire", "0")
	if node.ActiveExpireEnabled() {
		t.Error("active expiry still enabled after DEBUG SET-ACTIVE-EXPIRE 0")
	}
	do(t, rdb, "debug", "set-active-expire", "1")
	if !node.ActiveExpireEnabled() {
		t.Error("active expiry disabled after DEBUG SET-ACTIVE-EXPIRE 1")
	}
	before := infoFields(t, rdb, "replication")["master_replid"]
	do(t, rdb, "debug", "change-repl-id")
	if after := infoFields(t, rdb, "replication")["master_replid"]; after == before {
		t.Error("DEBUG CHANGE-REPL-ID kept the replication ID")
	}
	help, err := rdb.Do(ctx, "debug", "help").StringSlice()
	if err != nil || !strings.HasPrefix(help[0], "DEBUG <subcommand>") {
		t.Errorf("DEBUG HELP = %q, %v", help, err)
	}
}

func TestTimeLastsaveShutdown(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 2)
	tm, err := rdb.Time(ctx).Result()
	if err != nil || time.Since(tm).Abs() > time.Minute {
		t.Errorf("TIME = %v, %v", tm, err)
	}
	raw := do(t, rdb, "time").([]any)
	if len(raw) != 2 {
		t.Errorf("TIME = %v", raw)
	}
	ls, err := rdb.LastSave(ctx).Result()
	if err != nil || time.Since(time.Unix(ls, 0)) > time.Minute {
		t.Errorf("LASTSAVE = %d, %v", ls, err)
	}
	wantErr(t, rdb, "ERR wrong number of arguments for 'time' command", "time", "x")
	wantErr(t, rdb, "ERR No shutdown in progress.", "shutdown", "abort")
	wantErr(t, rdb, "ERR syntax error", "shutdown", "foo")
	wantErr(t, rdb, "ERR syntax error", "shutdown", "nosave", "save")
	wantErr(t, rdb, "ERR syntax error", "shutdown", "abort", "now")
	pipe := rdb.TxPipeline()
	pipe.Do(ctx, "shutdown")
	if _, err := pipe.Exec(ctx); err == nil || !strings.Contains(err.Error(), "EXECABORT") {
		t.Errorf("SHUTDOWN inside MULTI: %v", err)
	}
	select {
	case <-srv.Done():
		t.Fatal("server asked to stop before SHUTDOWN")
	default:
	}
	c := dialRaw(t, srv.Addr())
	c.send(t, "SHUTDOWN", "NOSAVE")
	c.expectEOF(t)
	testutil.WaitFor(t, 5*time.Second, "SHUTDOWN reaches the host", func() bool {
		select {
		case <-srv.Done():
			return true
		default:
			return false
		}
	})
	if !srv.Node().ShutdownRequested() {
		t.Error("ShutdownRequested is false after SHUTDOWN")
	}
}
