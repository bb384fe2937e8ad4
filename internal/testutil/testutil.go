package testutil

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/server"
)

// StartServer starts a node on 127.0.0.1 and an ephemeral port, with the
// given directives applied on top of the defaults, and stops it when the
// test ends.
func StartServer(t testing.TB, directives ...string) *server.Server {
	t.Helper()
	args := append([]string{"--bind", "127.0.0.1", "--port", "0"}, directives...)
	cfg, err := config.Parse(args)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var out io.Writer = io.Discard
	if os.Getenv("SHOAL_TEST_LOG") != "" {
		out = os.Stderr
	}
	logger := slog.New(slog.NewTextHandler(out, nil))
	srv, err := server.New(cfg, server.Options{Logger: logger})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// WaitFor polls cond until it holds or timeout passes, then fails the test
// with msg.
func WaitFor(t testing.TB, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for: %s", timeout, msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
