package main

import (
	"errors"
	"net"
	"net/http"
	_ "net/http/pprof" // profiling endpoints, in this test binary only
	"os"
	"strings"
	"testing"
)

// TestTypebenchPprofServer runs a real shoal-server with net/http/pprof
// beside it, for profiling under bench/types.sh load without putting a
// profiler in the production binary. It is skipped unless
// SHOAL_TYPEBENCH_PPROF names a loopback address for the profiler, e.g.:
//
//	go test -c -o /tmp/shoal-prof ./cmd/shoal-server
//	SHOAL_TYPEBENCH_PPROF=127.0.0.1:6070 SHOAL_TYPEBENCH_ARGS="--port 7000" \
//	    /tmp/shoal-prof -test.run TypebenchPprof -test.timeout 0
//	go tool pprof http://127.0.0.1:6070/debug/pprof/profile?seconds=20
//
// The server stops on SIGINT/SIGTERM like shoal-server itself.
func TestTypebenchPprofServer(t *testing.T) {
	addr := os.Getenv("SHOAL_TYPEBENCH_PPROF")
	if addr == "" {
		t.Skip("SHOAL_TYPEBENCH_PPROF not set")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		t.Fatalf("SHOAL_TYPEBENCH_PPROF=%q: want a loopback host:port", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.DefaultServeMux}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
	}()
	if code := run(strings.Fields(os.Getenv("SHOAL_TYPEBENCH_ARGS"))); code != 0 {
		t.Fatalf("shoal-server exited with status %d", code)
	}
}
