package command_test

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/valkey-io/valkey-go"
)

// TestAdminWithValkeyGo reads INFO, CLIENT LIST, CONFIG GET and COMMAND
// INFO through valkey-go (RESP3: verbatim strings and maps).
func TestAdminWithValkeyGo(t *testing.T) {
	srv := startAdmin(t)
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	info, err := c.Do(ctx, c.B().Info().Section("server").Build()).ToString()
	if err != nil || !strings.Contains(info, "valkey_version:9.0.0\r\n") {
		t.Errorf("INFO server = %q, %v", info, err)
	}
	list, err := c.Do(ctx, c.B().ClientList().Build()).ToString()
	// valkey-go returns RESP3 verbatim strings with their format prefix.
	list = strings.TrimPrefix(list, "txt:")
	if err != nil || !clientLine.MatchString(strings.Split(list, "\n")[0]) {
		t.Errorf("CLIENT LIST = %q, %v", list, err)
	}
	if !strings.Contains(list, " lib-name=valkey lib-ver=") {
		t.Errorf("valkey-go's CLIENT SETINFO is not reflected in CLIENT LIST: %q", list)
	}
	cfg, err := c.Do(ctx, c.B().ConfigGet().Parameter("maxmemory-policy").Build()).AsStrMap()
	if err != nil || cfg["maxmemory-policy"] != "noeviction" {
		t.Errorf("CONFIG GET = %v, %v", cfg, err)
	}
	infos, err := c.Do(ctx, c.B().CommandInfo().CommandName("get", "client|list").Build()).ToArray()
	if err != nil || len(infos) != 2 {
		t.Fatalf("COMMAND INFO = %v, %v", infos, err)
	}
	entry, _ := infos[1].ToArray()
	if name, _ := entry[0].ToString(); len(entry) != 10 || name != "client|list" {
		t.Errorf("COMMAND INFO client|list = %v", entry)
	}
}

// TestAdminWithRedisCLI drives the server with redis-cli, as operators do.
func TestAdminWithRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	srv := startAdmin(t)
	port := strconv.Itoa(srv.Port())
	run := func(args ...string) string {
		out, err := exec.Command(cli, append([]string{"-h", "127.0.0.1", "-p", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("INFO", "server"); !strings.Contains(out, "redis_version:7.2.4") {
		t.Errorf("redis-cli INFO server:\n%s", out)
	}
	if out := run("CLIENT", "LIST"); !strings.Contains(out, " cmd=client|list ") {
		t.Errorf("redis-cli CLIENT LIST:\n%s", out)
	}
	if out := run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"); strings.TrimSpace(out) != "OK" {
		t.Errorf("redis-cli CONFIG SET: %s", out)
	}
	if out := run("--no-raw", "CONFIG", "GET", "maxmemory-policy"); !strings.Contains(out, `"allkeys-lru"`) {
		t.Errorf("redis-cli CONFIG GET:\n%s", out)
	}
	if out := run("--no-raw", "COMMAND", "INFO", "get"); !strings.Contains(out, "@read") {
		t.Errorf("redis-cli COMMAND INFO get:\n%s", out)
	}
	if out := run("COMMAND", "COUNT"); strings.TrimSpace(out) != strconv.Itoa(srv.Node().Table.Len()) {
		t.Errorf("redis-cli COMMAND COUNT: %s", out)
	}
	if out := run("--no-raw", "SLOWLOG", "GET"); strings.Contains(out, "ERR") {
		t.Errorf("redis-cli SLOWLOG GET:\n%s", out)
	}
}
