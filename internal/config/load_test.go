package config

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]string
	}{
		{"comments and blanks", "# comment\n\n   # indented comment\n\t\nport 7000\n", map[string]string{"port": "7000"}},
		{"crlf and spaces", "port 7001\r\n   hz 20   \r\n", map[string]string{"port": "7001", "hz": "20"}},
		{"directive case", "PORT 7002\nMaxMemory 1mb", map[string]string{"port": "7002", "maxmemory": "1048576"}},
		{"last wins", "port 1\nport 2\nport 3", map[string]string{"port": "3"}},
		{"quoted values", "requirepass \"a b\\\"c\"\nprimaryauth 'x y'\n", map[string]string{"requirepass": `a b"c`, "primaryauth": "x y"}},
		{"hex escapes", `requirepass "\x41\x42\n"`, map[string]string{"requirepass": "AB\n"}},
		{"empty string", `logfile ""`, map[string]string{"logfile": ""}},
		{"size suffixes", "maxmemory 1k\nproto-max-bulk-len 2mb\nclient-query-buffer-limit 1GB\nrepl-backlog-size 1m\n" +
			"hash-max-listpack-value 1kb\nzset-max-listpack-value 10b\nauto-aof-rewrite-min-size 1g",
			map[string]string{"maxmemory": "1000", "proto-max-bulk-len": "2097152", "client-query-buffer-limit": "1073741824",
				"repl-backlog-size": "1000000", "hash-max-listpack-value": "1024", "zset-max-listpack-value": "10",
				"auto-aof-rewrite-min-size": "1000000000"}},
		{"booleans", "protected-mode NO\nappendonly Yes\ncluster-enabled yes", map[string]string{"protected-mode": "no", "appendonly": "yes", "cluster-enabled": "yes"}},
		{"enums", "maxmemory-policy ALLKEYS-LRU\nloglevel nothing", map[string]string{"maxmemory-policy": "allkeys-lru", "loglevel": "nothing"}},
		{"save multi", "save 3600 1 300 100", map[string]string{"save": "3600 1 300 100"}},
		{"save quoted", `save "3600 1 300 100"`, map[string]string{"save": "3600 1 300 100"}},
		{"save empty", `save ""`, map[string]string{"save": ""}},
		{"save bare", "save", map[string]string{"save": ""}},
		{"save lines accumulate", "save 900 1\nsave 300 10\nsave 60 10000", map[string]string{"save": "900 1 300 10 60 10000"}},
		{"save reset then add", "save 900 1\nsave \"\"\nsave 60 5", map[string]string{"save": "60 5"}},
		{"obuf", "client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
			map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{"obuf partial", "client-output-buffer-limit pubsub 1mb 1kb 5",
			map[string]string{"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1024 5"}},
		{"obuf two lines", "client-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit slave 4 5 6",
			map[string]string{"client-output-buffer-limit": "normal 1 2 3 slave 4 5 6 pubsub 33554432 8388608 60"}},
		{"bind", "bind 127.0.0.1 -::1", map[string]string{"bind": "127.0.0.1 -::1"}},
		{"bind quoted", `bind "127.0.0.1 -::1"`, map[string]string{"bind": "127.0.0.1 -::1"}},
		{"bind empty", `bind ""`, map[string]string{"bind": ""}},
		{"notify", "notify-keyspace-events KEA", map[string]string{"notify-keyspace-events": "AKE"}},
		{"notify letters", "notify-keyspace-events Egx$", map[string]string{"notify-keyspace-events": "g$xE"}},
		{"aliases", "slave-read-only no\nmasterauth pw\nmasteruser u\nhash-max-ziplist-entries 5\nslowlog-log-slower-than -1\nslowlog-max-len 7",
			map[string]string{"replica-read-only": "no", "primaryauth": "pw", "primaryuser": "u", "hash-max-listpack-entries": "5",
				"commandlog-execution-slower-than": "-1", "commandlog-slow-execution-max-len": "7"}},
		{"hz capped", "hz 1000", map[string]string{"hz": "500"}},
		{"hz floor", "hz 0", map[string]string{"hz": "1"}},
		{"backlog not clamped on load", "repl-backlog-size 1", map[string]string{"repl-backlog-size": "1"}},
		{"deprecated ignored", "list-max-ziplist-entries 5\ndynamic-hz yes\nio-threads-do-reads yes", map[string]string{}},
		{"io-threads", "io-threads 4", map[string]string{"io-threads": "4"}},
		{"lazyfree", "lazyfree-lazy-eviction no\nlazyfree-lazy-user-flush no", map[string]string{"lazyfree-lazy-eviction": "no", "lazyfree-lazy-user-flush": "no"}},
		{"daemonize no", "daemonize no", map[string]string{"daemonize": "no"}},
		{"replicaof", "replicaof 10.0.0.1 6380", map[string]string{"replicaof": "10.0.0.1 6380", "slaveof": "10.0.0.1 6380"}},
		{"replicaof no one", "slaveof 10.0.0.1 6380\nreplicaof no one", map[string]string{"replicaof": ""}},
		{"maxmemory-clients percent", "maxmemory-clients 5%", map[string]string{"maxmemory-clients": "5%"}},
		{"octal", "unixsocketperm 700", map[string]string{"unixsocketperm": "700"}},
		{"multi-enum", "shutdown-on-sigterm now save", map[string]string{"shutdown-on-sigterm": "save now"}},
		{"oom values", "oom-score-adj-values 0 100 +200", map[string]string{"oom-score-adj-values": "0 100 200"}},
		{"percentiles", "latency-tracking-info-percentiles 50.000 99.90", map[string]string{"latency-tracking-info-percentiles": "50 99.9"}},
		{"cluster settings", "cluster-enabled yes\ncluster-config-file n.conf\ncluster-node-timeout 5000\ncluster-port 17000\n" +
			"cluster-announce-ip 1.2.3.4\ncluster-announce-port 7000\ncluster-announce-bus-port 17001\ncluster-announce-hostname a-b.c\n" +
			"cluster-require-full-coverage no\ncluster-allow-reads-when-down yes\ncluster-databases 4",
			map[string]string{"cluster-enabled": "yes", "cluster-config-file": "n.conf", "cluster-node-timeout": "5000",
				"cluster-port": "17000", "cluster-announce-ip": "1.2.3.4", "cluster-announce-port": "7000",
				"cluster-announce-bus-port": "17001", "cluster-announce-hostname": "a-b.c",
				"cluster-require-full-coverage": "no", "cluster-allow-reads-when-down": "yes", "cluster-databases": "4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			if err := c.LoadString("test.conf", tt.text); err != nil {
				t.Fatalf("load: %v", err)
			}
			for k, want := range tt.want {
				if got, _ := c.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// loadErrorCases are files Valkey refuses, with the line it reports and
// the reason. The oracle test runs the same files through redis-server.
var loadErrorCases = []struct {
	name   string
	text   string
	line   int
	reason string
	// differs marks Shoal refusals and Valkey 9 checks that Redis 7.0
	// (the oracle) does not have.
	differs bool
}{
	{"bad directive", "port 7000\n\nfoo bar\n", 3, "Bad directive or wrong number of arguments", false},
	{"unbalanced double quote", `bind "a`, 1, "Unbalanced quotes in configuration line", false},
	{"unbalanced single quote", `requirepass 'a`, 1, "Unbalanced quotes in configuration line", false},
	{"closing quote not followed by space", `port 7000 "x"y`, 1, "Unbalanced quotes in configuration line", false},
	{"too many args", "port 1 2", 1, "wrong number of arguments", false},
	{"no args", "requirepass", 1, "wrong number of arguments", false},
	{"trailing comment is an argument", "port 7000 # the port", 1, "wrong number of arguments", false},
	{"not an integer", "port abc", 1, "argument couldn't be parsed into an integer", false},
	{"leading zero", "databases 016", 1, "argument couldn't be parsed into an integer", false},
	{"plus sign", "timeout +5", 1, "argument couldn't be parsed into an integer", false},
	{"out of range", "port 65536", 1, "argument must be between 0 and 65535 inclusive", false},
	{"below range", "databases 0", 1, "argument must be between 1 and 2147483647 inclusive", false},
	{"unsigned negative", "maxclients -1", 1, "argument must be between 1 and 4294967295 inclusive", false},
	{"long long range", "slowlog-log-slower-than -2", 1, "argument must be between -1 and 9223372036854775807 inclusive", false},
	{"bad memory", "maxmemory 1x", 1, "argument must be a memory value", false},
	{"negative memory", "maxmemory -1", 1, "argument must be a memory value", false},
	{"fractional memory", "maxmemory 1.5gb", 1, "argument must be a memory value", false},
	{"memory below range", "proto-max-bulk-len 1kb", 1, "argument must be between 1048576 and 9223372036854775807 inclusive", false},
	{"memory or percent", "maxmemory-clients x", 1, "argument must be a memory or percent value", false},
	{"percent too large", "maxmemory-clients 101%", 1, "percentage argument must be less or equal to 100", false},
	{"octal", "unixsocketperm 8", 1, "argument couldn't be parsed as an octal number", false},
	{"octal range", "unixsocketperm 1000", 1, "argument must be between 0 and 777 inclusive", false},
	{"bad bool", "protected-mode maybe", 1, "argument must be 'yes' or 'no'", false},
	{"bad enum", "maxmemory-policy lru", 1, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", false},
	{"enum two args", "maxmemory-policy noeviction noeviction", 1, "wrong number of arguments", false},
	{"save odd", "save 1", 1, "Invalid save parameters", false},
	{"save zero seconds", "save 0 1", 1, "Invalid save parameters", false},
	{"save negative changes", "save 1 -1", 1, "Invalid save parameters", false},
	{"save junk", "save 3600 x", 1, "Invalid save parameters", false},
	{"obuf count", "client-output-buffer-limit normal 0 0", 1, "Wrong number of arguments in buffer limit configuration.", false},
	{"obuf class", "client-output-buffer-limit master 0 0 0", 1, "Invalid client class specified in buffer limit configuration.", false},
	{"obuf value", "client-output-buffer-limit normal 1x 0 0", 1, "Error in hard, soft or soft_seconds setting in buffer limit configuration.", false},
	{"obuf seconds", "client-output-buffer-limit normal 0 0 -1", 1, "Error in hard, soft or soft_seconds setting in buffer limit configuration.", false},
	{"notify", "notify-keyspace-events Kq", 1, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", false},
	{"notify args", "notify-keyspace-events K E", 1, "wrong number of arguments", false},
	{"dir empty", `dir ""`, 1, "dir can't be empty", true},
	{"dir missing", "dir /nonexistent/shoal/dir", 1, "No such file or directory", false},
	{"dbfilename path", "dbfilename a/b.rdb", 1, "dbfilename can't be a path, just a filename", false},
	{"dbfilename empty", `dbfilename ""`, 1, "dbfilename can't be empty", true},
	{"appendfilename path", "appendfilename /x", 1, "appendfilename can't be a path, just a filename", false},
	{"cluster-config-file empty", `cluster-config-file ""`, 1, "cluster-config-file can't be empty", true},
	{"hostname", "cluster-announce-hostname a_b", 1, "Hostnames may only contain alphanumeric characters, hyphens or dots", false},
	{"replicaof port", "replicaof host 70000", 1, "Invalid primary port", true},
	{"replicaof args", "replicaof host", 1, "wrong number of arguments", false},
	{"oom values", "oom-score-adj-values 0 0 3000", 1, "Invalid oom-score-adj-values, elements must be between -2000 and 2000.", false},
	{"percentiles", "latency-tracking-info-percentiles 101", 1, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]", false},
	{"too many binds", "bind " + strings.Repeat("127.0.0.1 ", 17), 1, "Too many bind addresses specified.", false},
	{"deprecated with wrong args", "dynamic-hz", 1, "Bad directive or wrong number of arguments", true},
	{"include args", "include", 1, "Bad directive or wrong number of arguments", false},
	{"include missing", "include /nonexistent/shoal.conf", 1, "Fatal error, can't open config file '/nonexistent/shoal.conf': No such file or directory", true},
	{"rename-command", "rename-command FLUSHALL \"\"", 1, "rename-command is not supported by Shoal", true},
	{"user", "user default on nopass", 1, "ACL users in the configuration file are not supported by Shoal; use requirepass", true},
	{"loadmodule", "loadmodule /x.so", 1, "modules are not supported by Shoal", true},
	{"sentinel", "sentinel monitor m 1.2.3.4 6379 2", 1, "sentinel mode is not supported by Shoal", true},
	{"daemonize", "daemonize yes", 1, reasonDaemonize, true},
	{"unixsocket", "unixsocket /tmp/shoal.sock", 1, reasonUnixSocket, true},
	{"tls-port", "tls-port 6380", 1, reasonTLS, true},
	{"mptcp", "mptcp yes", 1, reasonMPTCP, true},
	{"ipv4", "cluster-announce-client-ipv4 ::1", 1, "Invalid IPv4 address", true},
	{"ipv6", "cluster-announce-client-ipv6 1.2.3.4", 1, "Invalid IPv6 address", true},
	{"hostname length", "cluster-announce-hostname " + strings.Repeat("a", 256), 1, "Hostnames must be less than 256 characters", false},
	{"nodename", "cluster-announce-human-nodename a{b", 1, "Announced human node name contained invalid character", true},
	{"hash-seed", "hash-seed " + strings.Repeat("x", 257), 1, "hash-seed must be less than or equal to 256 characters", true},
	{"proc title var", "proc-title-template \"{title} {nope}\"", 1, "template format is invalid or contains unknown variables", false},
	{"proc title empty", "proc-title-template \"  \"", 1, "template format is invalid or contains unknown variables", false},
	{"proc title brace", "proc-title-template \"{title\"", 1, "template format is invalid or contains unknown variables", false},
	{"percentiles junk", "latency-tracking-info-percentiles 50 abc", 1, "Invalid latency-tracking-info-percentiles parameters", false},
	{"appenddirname", "appenddirname a/b", 1, "appenddirname can't be a path, just a dirname", false},
	{"multi enum", "shutdown-on-sigint now bogus", 1, "argument(s) must be one of the following: default, save, nosave, now, force, safe, failover", true},
	{"shutdown flags", "shutdown-on-sigint save nosave", 1, "shutdown options SAVE and NOSAVE can't be used simultaneously", false},
	{"dir is a file", "dir /dev/null", 1, "Not a directory", false},
	{"include bad pattern", "include /tmp/[", 1, "Fatal error, bad include pattern '/tmp/[': syntax error in pattern", true},
	{"rdma", "rdma-port 1", 1, reasonRDMA, true},
	{"tls-replication", "tls-replication yes", 1, reasonTLS, true},
	{"repl-mptcp", "repl-mptcp yes", 1, reasonMPTCP, true},
	{"line numbers count comments", "# a\n# b\nport 1\n\nhz x\n", 5, "argument couldn't be parsed into an integer", false},
}

func TestLoadErrors(t *testing.T) {
	for _, tt := range loadErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			err := c.LoadString("/etc/shoal/test.conf", tt.text)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			if fe.Line != tt.line || fe.Reason != tt.reason || fe.File != "/etc/shoal/test.conf" {
				t.Fatalf("got line %d file %q reason %q, want line %d reason %q", fe.Line, fe.File, fe.Reason, tt.line, tt.reason)
			}
			wantText := strings.Trim(strings.Split(tt.text, "\n")[tt.line-1], " \t\r")
			msg := err.Error()
			for _, part := range []string{
				"*** FATAL CONFIG FILE ERROR (Version 9.0.0) ***\n",
				"Reading the configuration file, at line " + strconv.Itoa(tt.line) + " of '/etc/shoal/test.conf'\n",
				">>> '" + wantText + "'\n",
				tt.reason,
			} {
				if !strings.Contains(msg, part) {
					t.Errorf("error text %q lacks %q", msg, part)
				}
			}
		})
	}
}

// TestLoadErrorLeavesOthers checks that a failed load does not report
// success for a later line and that earlier lines were applied (Valkey
// exits anyway; this pins down that nothing panics half-way).
func TestLoadErrorStopsAtFirstError(t *testing.T) {
	c := New()
	err := c.LoadString("x.conf", "port 1\nhz x\nport 2\nfoo\n")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 2 {
		t.Fatalf("got %v, want an error at line 2", err)
	}
}

func TestClusterReplicaofSanity(t *testing.T) {
	c := New()
	err := c.LoadString("x.conf", "cluster-enabled yes\nreplicaof 1.2.3.4 6379\n")
	if err == nil || !strings.Contains(err.Error(), "replicaof directive not allowed in cluster mode") {
		t.Fatalf("got %v", err)
	}
}
