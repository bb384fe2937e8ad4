package config

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The oracle test runs the same CONFIG SET probes against a real
// redis-server 7.0 (when installed) and against Config, and compares the
// replies and the CONFIG GET values. Where Valkey 9 differs from Redis
// 7.0 on purpose the difference is listed in oracleExpectedDiff.

// oracleSkip are settings the probes must not touch on the live oracle
// (they would rebind it, lock us out or write files) or that Redis 7.0
// handles differently by design.
var oracleSkip = map[string]bool{
	"port": true, "bind": true, "requirepass": true, "dir": true, "dbfilename": true,
	"appendonly": true, "appendfilename": true, "unixsocket": true, "logfile": true,
	"replicaof": true, "slaveof": true, "maxclients": true, "save": false,
	"oom-score-adj": true, "oom-score-adj-values": true, "cluster-config-file": true,
	"tls-port": true, "locale-collate": true, "proc-title-template": true,
	"shutdown-on-sigint": true, "shutdown-on-sigterm": true,
	// Redis 7.0 makes io-threads immutable and caps it at 128; Valkey 9
	// changes it at run time, up to 256.
	"io-threads": true,
	// Redis 7.0 has no "nothing" level; Valkey lists it in the error.
	"loglevel": true,
	// Redis 7.0 lacks flush-before-load.
	"repl-diskless-load": true,
	// Shoal has no active defragmentation to enable.
	"activedefrag": true,
	// Shoal refuses to enable TLS with its own reason.
	"tls-cluster": true, "tls-replication": true,
	// Valkey bounds maxmemory-samples to 1..64.
	"maxmemory-samples": true,
}

// oracleExpectedDiff lists probe values where Shoal deliberately differs
// from Redis 7.0: sizes that overflow 64 bits are refused instead of
// wrapping around.
var oracleExpectedDiff = map[string]bool{
	"18446744073709551616": true, "99999999999999999999gb": true, "17179869184gb": true,
}

func oracleProbes(s *Setting) []string {
	switch s.Type {
	case TypeBool:
		return []string{"yes", "no", "YES", "No", "maybe", "", "1"}
	case TypeEnum:
		p := append([]string{}, s.Enum...)
		for _, e := range s.Enum {
			p = append(p, strings.ToUpper(e))
		}
		return append(p, "bogus", "", s.Default)
	case TypeString:
		return []string{"abc", "", "a b", "x-y.z", s.Default}
	case TypeInt:
		return []string{"0", "1", "-1", "01", "+1", " 1", "abc", "", "7", "100", "1000", "65535", "65536",
			"2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
			"9223372036854775807", "9223372036854775808", "-9223372036854775808", "1k", "777", "778", s.Default}
	case TypeMemory:
		return []string{"0", "1", "1k", "1kb", "1KB", "1m", "1mb", "1g", "1gb", "1Gb", "1b", "", "kb",
			"-1", "1.5gb", "1tb", "18446744073709551615", "9223372036854775807", "9223372036854775808",
			"abc", "10%", "100%", "101%", "0%", "1048576", "1048575", "18446744073709551616",
			"99999999999999999999gb", "17179869184gb", s.Default}
	}
	switch s.Name {
	case "client-output-buffer-limit":
		return []string{"normal 1mb 2mb 3", "replica 1 1 1", "slave 1kb 2 -1", "pubsub 0 0 0", "master 1 1 1",
			"normal 1 1", "normal 1 1 x", "normal  1 1 1", "", "Normal 1 2 3 PUBSUB 4 5 6", "normal 1 2 3 normal 4 5 6",
			"pubsub 1.5 1 1", "normal 1 1 +5", "normal 1 1 ", s.Default}
	case "save":
		return []string{"3600 1 300 100", "", "3600 1 300", "3600 x", "0 1", "1 -1", "3600 1  300 100",
			" 3600 1", "+5 +6", "10 0", s.Default}
	case "notify-keyspace-events":
		return []string{"KEA", "AKE", "Kg", "Eh$lszxet", "q", "", "KEAmn", "Ex", "KEm", "A", "gA", "K"}
	case "latency-tracking-info-percentiles":
		return []string{"50 99 99.9", "", "0 100", "101", "-1", "abc", "99.99999", "1e1", "50  99", s.Default}
	}
	return nil
}

func startOracle(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	if testing.Short() {
		t.Skip("oracle comparison skipped in -short mode")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), Protocol: 2})
	t.Cleanup(func() { rdb.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return rdb
}

func TestOracleConfigSet(t *testing.T) {
	rdb := startOracle(t)
	ctx := context.Background()
	c := New()
	compared := 0
	for i := range settings {
		s := &settings[i]
		if oracleSkip[s.Name] || !s.Mutable || s.Has(FlagHidden) {
			continue
		}
		if v, err := rdb.ConfigGet(ctx, s.Name).Result(); err != nil || len(v) == 0 {
			continue // not a Redis 7.0 setting
		}
		for _, probe := range oracleProbes(s) {
			if oracleExpectedDiff[probe] {
				continue
			}
			want := oracleReply(rdb.ConfigSet(ctx, s.Name, probe).Err())
			got := oracleReply(c.Set([][2]string{{s.Name, probe}}))
			if want != got && !strings.HasPrefix(want, "ERR CONFIG SET failed (possibly related to argument '"+s.Name+"') - can't set") {
				t.Errorf("CONFIG SET %s %q: redis %q, shoal %q", s.Name, probe, want, got)
			}
			if want == "OK" && got == "OK" {
				w := rdb.ConfigGet(ctx, s.Name).Val()[s.Name]
				if g := c.Match(s.Name)[0][1]; w != g {
					t.Errorf("CONFIG GET %s after %q: redis %q, shoal %q", s.Name, probe, w, g)
				}
			}
			compared++
		}
	}
	t.Logf("compared %d probes", compared)
}

func oracleReply(err error) string {
	if err == nil {
		return "OK"
	}
	return err.Error()
}

// TestOracleConfigGetAll checks that every setting Redis 7.0 reports under
// CONFIG GET * exists in the table (or is one Valkey removed) and that
// their defaults agree unless Valkey changed them.
func TestOracleConfigGetAll(t *testing.T) {
	rdb := startOracle(t)
	all, err := rdb.ConfigGet(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	removed := map[string]bool{"io-threads-do-reads": true, "dynamic-hz": true}
	changed := map[string]bool{
		// Defaults Valkey changed, or that depend on how the oracle runs.
		"lazyfree-lazy-eviction": true, "lazyfree-lazy-expire": true, "lazyfree-lazy-server-del": true,
		"lazyfree-lazy-user-del": true, "lazyfree-lazy-user-flush": true, "replica-lazy-flush": true,
		"slave-lazy-flush": true, "repl-backlog-size": true, "syslog-ident": true, "dir": true, "port": true,
		"bind": true, "save": true, "appendonly": true, "latency-tracking-info-percentiles": true,
		"client-query-buffer-limit": false,
	}
	c := New()
	for name, rv := range all {
		if removed[name] {
			continue
		}
		sv, ok := c.Get(name)
		if !ok {
			t.Errorf("redis 7.0 setting %q missing from the table", name)
			continue
		}
		if sv != rv && !changed[name] {
			t.Errorf("default of %s: redis 7.0 %q, shoal %q", name, rv, sv)
		}
	}
}

// TestOracleLoadErrors feeds the loader's error cases to redis-server and
// compares the line, the quoted text and the reason it prints.
func TestOracleLoadErrors(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil || testing.Short() {
		t.Skip("redis-server not installed or -short")
	}
	dir := t.TempDir()
	for _, tt := range loadErrorCases {
		if tt.differs {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "oracle.conf")
			// port 0 keeps a wrongly accepted file from listening anywhere.
			if err := os.WriteFile(path, []byte(tt.text+"\nport 0\nbind 127.0.0.1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			out, _ := exec.CommandContext(ctx, bin, path).CombinedOutput()
			text := string(out)
			want := "Reading the configuration file, at line " + strconv.Itoa(tt.line) + "\n"
			if !strings.Contains(text, want) {
				t.Fatalf("redis-server output %q lacks %q", text, want)
			}
			lines := strings.Split(strings.TrimSpace(text), "\n")
			if got := lines[len(lines)-1]; got != tt.reason {
				t.Errorf("redis reason %q, shoal %q", got, tt.reason)
			}
		})
	}
}
