package config

import (
	"math"
	"reflect"
	"testing"
)

func TestMatch(t *testing.T) {
	c := New()
	tests := []struct {
		patterns []string
		want     [][2]string
	}{
		{[]string{"maxmemory"}, [][2]string{{"maxmemory", "0"}}},
		{[]string{"MAXMEMORY"}, [][2]string{{"MAXMEMORY", "0"}}},
		{[]string{"nosuch"}, [][2]string{}},
		{[]string{"slave-read-only"}, [][2]string{{"slave-read-only", "yes"}}},
		{[]string{"*read-only"}, [][2]string{{"replica-read-only", "yes"}, {"slave-read-only", "yes"}}},
		{[]string{"maxmemory", "MAXMEMORY", "maxmemory-p*"}, [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"}}},
		{[]string{"maxmemory-policy", "max*-policy"}, [][2]string{{"maxmemory-policy", "noeviction"}}},
		{[]string{"hz", "port"}, [][2]string{{"hz", "10"}, {"port", "6379"}}},
		{[]string{"save", "client-output-buffer-limit"}, [][2]string{
			{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
			{"save", "3600 1 300 100 60 10000"}}},
		{[]string{"bind", "notify-keyspace-events"}, [][2]string{{"bind", "* -::*"}, {"notify-keyspace-events", ""}}},
		{[]string{"[hp][zo]*"}, [][2]string{{"hz", "10"}, {"port", "6379"}}},
		{[]string{"slowlog-*"}, [][2]string{{"slowlog-log-slower-than", "10000"}, {"slowlog-max-len", "128"}}},
		// Hidden settings need their exact name.
		{[]string{"key-load-delay"}, [][2]string{{"key-load-delay", "0"}}},
		{[]string{"key-load-*"}, [][2]string{}},
		{[]string{"masterauth", "primaryauth", "masteruser"}, [][2]string{{"masterauth", ""}, {"masteruser", ""}, {"primaryauth", ""}}},
	}
	for _, tt := range tests {
		got := c.Match(tt.patterns...)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
}

// TestNotifyKeepsNewWithAll checks the one value whose CONFIG GET text
// loses information: with 'A', Valkey omits 'n' but keeps the flag.
func TestNotifyKeepsNewWithAll(t *testing.T) {
	c := New()
	if err := c.Set([][2]string{{"notify-keyspace-events", "KEAn"}}); err != nil {
		t.Fatal(err)
	}
	if got := c.Match("notify-keyspace-events")[0][1]; got != "AKE" {
		t.Errorf("CONFIG GET shows %q", got)
	}
	if got := c.get("notify-keyspace-events"); got != "AnKE" {
		t.Errorf("stored %q", got)
	}
}

func TestMatchAllIsSortedAndComplete(t *testing.T) {
	all := New().Match("*")
	seen := map[string]bool{}
	for i, kv := range all {
		if i > 0 && all[i-1][0] >= kv[0] {
			t.Fatalf("not sorted at %q", kv[0])
		}
		seen[kv[0]] = true
	}
	for i := range settings {
		s := &settings[i]
		if s.Has(FlagHidden) {
			if seen[s.Name] {
				t.Errorf("hidden %s returned by *", s.Name)
			}
			continue
		}
		if !seen[s.Name] || (s.Alias != "" && !seen[s.Alias]) {
			t.Errorf("%s (alias %q) missing from *", s.Name, s.Alias)
		}
	}
}

func TestRequiredDirectivesExist(t *testing.T) {
	for _, name := range []string{
		"bind", "port", "protected-mode", "requirepass", "databases", "dir", "logfile", "loglevel", "maxclients",
		"timeout", "tcp-keepalive", "maxmemory", "maxmemory-policy", "maxmemory-samples", "proto-max-bulk-len",
		"client-query-buffer-limit", "client-output-buffer-limit", "notify-keyspace-events", "slowlog-log-slower-than",
		"slowlog-max-len", "latency-monitor-threshold", "hz", "active-expire-effort", "io-threads", "save", "appendonly",
		"appendfilename", "dbfilename", "daemonize", "pidfile", "tcp-backlog", "unixsocket", "lfu-log-factor",
		"lfu-decay-time", "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
		"lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "replica-read-only", "slave-read-only", "repl-backlog-size",
		"repl-timeout", "cluster-enabled", "cluster-config-file", "cluster-node-timeout", "cluster-port",
		"cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port", "cluster-announce-hostname",
		"cluster-require-full-coverage", "cluster-allow-reads-when-down", "cluster-databases", "hash-max-listpack-entries",
		"hash-max-listpack-value", "list-max-listpack-size", "set-max-intset-entries", "set-max-listpack-entries",
		"set-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value", "hash-max-ziplist-entries",
		"hash-max-ziplist-value", "list-max-ziplist-size", "zset-max-ziplist-entries", "zset-max-ziplist-value",
		"primaryauth", "masterauth", "primaryuser", "masteruser",
	} {
		if _, ok := Lookup(name); !ok {
			t.Errorf("%s missing", name)
		}
	}
}

func TestDefaults(t *testing.T) {
	c := New()
	for k, want := range map[string]string{
		"port": "6379", "bind": "* -::*", "protected-mode": "yes", "databases": "16", "maxclients": "10000",
		"timeout": "0", "tcp-keepalive": "300", "maxmemory": "0", "maxmemory-policy": "noeviction",
		"maxmemory-samples": "5", "proto-max-bulk-len": "536870912", "client-query-buffer-limit": "1073741824",
		"slowlog-log-slower-than": "10000", "slowlog-max-len": "128", "hz": "10", "active-expire-effort": "1",
		"io-threads": "1", "save": "3600 1 300 100 60 10000", "appendonly": "no", "appendfilename": "appendonly.aof",
		"dbfilename": "dump.rdb", "daemonize": "no", "tcp-backlog": "511", "lfu-log-factor": "10", "lfu-decay-time": "1",
		"lazyfree-lazy-eviction": "yes", "replica-read-only": "yes", "repl-backlog-size": "10485760", "repl-timeout": "60",
		"cluster-enabled": "no", "cluster-config-file": "nodes.conf", "cluster-node-timeout": "15000",
		"cluster-port": "0", "cluster-require-full-coverage": "yes", "cluster-allow-reads-when-down": "no",
		"cluster-databases": "1", "hash-max-listpack-entries": "512", "hash-max-listpack-value": "64",
		"list-max-listpack-size": "-2", "set-max-intset-entries": "512", "set-max-listpack-entries": "128",
		"set-max-listpack-value": "64", "zset-max-listpack-entries": "128", "zset-max-listpack-value": "64",
		"loglevel": "notice", "logfile": "", "pidfile": "", "unixsocket": "",
	} {
		if got := c.get(k); got != want {
			t.Errorf("default %s = %q, want %q", k, got, want)
		}
	}
}

func TestTypedAccessors(t *testing.T) {
	c := New()
	if err := c.LoadString("t.conf", "maxmemory 1gb\nmaxmemory-clients 10%\nunixsocketperm 755\n"+
		"client-output-buffer-limit pubsub 1mb 2kb 7\nsave 10 1 20 2\nbind 127.0.0.1 -::1\nappendonly yes"); err != nil {
		t.Fatal(err)
	}
	if c.Int("maxmemory") != 1<<30 || c.Int("maxmemory-clients") != -10 || c.Int("unixsocketperm") != 0o755 ||
		c.Int("hz") != 10 || c.Int("slowlog-log-slower-than") != 10000 || c.Int("nosuch") != 0 {
		t.Errorf("Int: %d %d %d %d", c.Int("maxmemory"), c.Int("maxmemory-clients"), c.Int("unixsocketperm"), c.Int("hz"))
	}
	if !c.Bool("appendonly") || c.Bool("cluster-enabled") {
		t.Error("Bool")
	}
	if l, ok := c.OutputBufferLimit("pubsub"); !ok || l != (BufferLimit{Hard: 1 << 20, Soft: 2048, SoftSeconds: 7}) {
		t.Errorf("pubsub limit %+v", l)
	}
	if l, _ := c.OutputBufferLimit("replica"); l.Hard != 256<<20 {
		t.Errorf("replica limit %+v", l)
	}
	if _, ok := c.OutputBufferLimit("master"); ok {
		t.Error("master class accepted")
	}
	if got := c.SaveParams(); !reflect.DeepEqual(got, [][2]int64{{10, 1}, {20, 2}}) {
		t.Errorf("SaveParams %v", got)
	}
	if got := c.BindAddrs(); !reflect.DeepEqual(got, []string{"127.0.0.1", "-::1"}) {
		t.Errorf("BindAddrs %v", got)
	}
	if err := c.Set([][2]string{{"maxmemory", "18446744073709551615"}}); err != nil {
		t.Fatal(err)
	}
	if c.Int("maxmemory") != math.MaxInt64 {
		t.Errorf("huge maxmemory reads as %d", c.Int("maxmemory"))
	}
	if !IsSensitive("requirepass") || !IsSensitive("masterauth") || IsSensitive("port") {
		t.Error("IsSensitive")
	}
}
