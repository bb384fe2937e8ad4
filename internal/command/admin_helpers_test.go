package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

// startAdmin starts a node for the admin-family tests. DEBUG is enabled
// when the configuration knows enable-debug-command (Valkey's default
// refuses it).
func startAdmin(t *testing.T, directives ...string) *server.Server {
	t.Helper()
	if _, ok := config.New().Get("enable-debug-command"); ok {
		directives = append([]string{"--enable-debug-command", "yes"}, directives...)
	}
	return testutil.StartServer(t, directives...)
}

// newClient returns a go-redis client speaking protocol proto (2 or 3).
func newClient(t *testing.T, srv *server.Server, proto int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, PoolSize: 1,
		MaxRetries: -1, ReadTimeout: 10 * time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// do runs a command and fails the test on error.
func do(t *testing.T, rdb *redis.Client, args ...any) any {
	t.Helper()
	v, err := rdb.Do(context.Background(), args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// doErr runs a command that must fail and returns the error text.
func doErr(t *testing.T, rdb *redis.Client, args ...any) string {
	t.Helper()
	_, err := rdb.Do(context.Background(), args...).Result()
	if err == nil || err == redis.Nil {
		t.Fatalf("%v: expected an error, got %v", args, err)
	}
	return err.Error()
}

// wantErr checks that a command fails with exactly msg.
func wantErr(t *testing.T, rdb *redis.Client, msg string, args ...any) {
	t.Helper()
	if got := doErr(t, rdb, args...); got != msg {
		t.Errorf("%v:\n got  %q\n want %q", args, got, msg)
	}
}

// infoFields parses INFO output into field -> value.
func infoFields(t *testing.T, rdb *redis.Client, sections ...string) map[string]string {
	t.Helper()
	txt, err := rdb.Info(context.Background(), sections...).Result()
	if err != nil {
		t.Fatalf("INFO %v: %v", sections, err)
	}
	out := make(map[string]string)
	for _, line := range strings.Split(txt, "\r\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("malformed INFO line %q", line)
		}
		out[k] = v
	}
	return out
}
