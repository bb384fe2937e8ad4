package command_test

import (
	"context"
	"strings"
	"testing"
)

func TestConfigGetSet(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := newClient(t, srv, proto)
		got, err := rdb.ConfigGet(ctx, "maxmemory*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if got["maxmemory"] != "0" || got["maxmemory-policy"] != "noeviction" || got["maxmemory-samples"] == "" {
			t.Errorf("RESP%d CONFIG GET maxmemory* = %v", proto, got)
		}
		// Several patterns (Redis 7 syntax), overlapping: each parameter once.
		v := do(t, rdb, "config", "get", "maxmemory", "maxmemory*", "hz")
		n := 0
		switch v := v.(type) {
		case []any: // RESP2: flat array
			n = len(v) / 2
			if len(v)%2 != 0 {
				t.Fatalf("RESP2 odd-length reply %v", v)
			}
		case map[any]any: // RESP3: map
			n = len(v)
		default:
			t.Fatalf("RESP%d CONFIG GET reply type %T", proto, v)
		}
		if n != len(got)+1 {
			t.Errorf("RESP%d CONFIG GET maxmemory maxmemory* hz: %d pairs, want %d: %v", proto, n, len(got)+1, v)
		}
	}
	rdb := newClient(t, srv, 2)
	if err := rdb.Do(ctx, "config", "set", "maxmemory-samples", "7", "hz", "20").Err(); err != nil {
		t.Fatal(err)
	}
	got, _ := rdb.ConfigGet(ctx, "*").Result()
	if got["maxmemory-samples"] != "7" || got["hz"] != "20" {
		t.Errorf("after CONFIG SET: samples=%q hz=%q", got["maxmemory-samples"], got["hz"])
	}
	if f := infoFields(t, rdb, "server"); f["hz"] != "20" {
		t.Errorf("INFO hz = %q after CONFIG SET hz 20", f["hz"])
	}
	wantErr(t, rdb, "ERR wrong number of arguments for 'config|get' command", "config", "get")
	wantErr(t, rdb, "ERR wrong number of arguments for 'config|set' command", "config", "set", "hz")
	wantErr(t, rdb, "ERR syntax error", "config", "set", "hz", "10", "maxmemory")
	wantErr(t, rdb, "ERR unknown subcommand 'foo'. Try CONFIG HELP.", "config", "foo")
	if msg := doErr(t, rdb, "config", "set", "nosuch-param", "1"); !strings.HasPrefix(msg, "ERR ") {
		t.Errorf("CONFIG SET unknown parameter: %q", msg)
	}
	if msg := doErr(t, rdb, "config", "rewrite"); !strings.HasPrefix(msg, "ERR ") {
		t.Errorf("CONFIG REWRITE without a file: %q", msg)
	}
	help, err := rdb.Do(ctx, "config", "help").StringSlice()
	if err != nil || len(help) < 4 || !strings.HasPrefix(help[0], "CONFIG <subcommand>") || help[len(help)-2] != "HELP" {
		t.Errorf("CONFIG HELP = %q, %v", help, err)
	}
}

func TestConfigResetStat(t *testing.T) {
	srv := startAdmin(t)
	rdb := newClient(t, srv, 2)
	ctx := context.Background()
	rdb.Set(ctx, "a", "1", 0)
	rdb.Get(ctx, "a")
	rdb.Get(ctx, "b")
	doErr(t, rdb, "nosuch")
	before := infoFields(t, rdb, "everything")
	for _, k := range []string{"cmdstat_set", "errorstat_ERR", "keyspace_hits", "keyspace_misses"} {
		if before[k] == "" || before[k] == "0" {
			t.Fatalf("precondition: %s = %q", k, before[k])
		}
	}
	if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	f := infoFields(t, rdb, "everything")
	for _, k := range []string{"cmdstat_set", "cmdstat_get", "errorstat_ERR"} {
		if _, ok := f[k]; ok {
			t.Errorf("%s = %q survived CONFIG RESETSTAT", k, f[k])
		}
	}
	for _, k := range []string{"keyspace_hits", "keyspace_misses", "total_error_replies", "expired_keys", "evicted_keys"} {
		if f[k] != "0" {
			t.Errorf("%s = %q after CONFIG RESETSTAT", k, f[k])
		}
	}
	// Only the INFO call above has run since the reset.
	if f["total_commands_processed"] != "1" {
		t.Errorf("total_commands_processed = %q after reset", f["total_commands_processed"])
	}
	if f["rdb_changes_since_last_save"] != "1" {
		t.Errorf("rdb_changes_since_last_save = %q: RESETSTAT must not reset it", f["rdb_changes_since_last_save"])
	}
}
