package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// syncBuffer is a bytes.Buffer safe to read while Run writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is one shoal-cli run.
type result struct {
	code     int
	out, err string
}

// runCLI runs shoal-cli in-process with stdin and returns what it printed.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLICtx(context.Background(), t, IO{In: strings.NewReader(stdin)}, args...)
}

func runCLICtx(ctx context.Context, t *testing.T, stdio IO, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	stdio.Out, stdio.Err = &out, &errb
	if stdio.Getenv == nil {
		stdio.Getenv = func(string) string { return "" }
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, stdio)
	return result{code: code, out: out.String(), err: errb.String()}
}

// hp returns -h host -p port for addr.
func hp(addr string) []string {
	host, port, _ := net.SplitHostPort(addr)
	return []string{"-h", host, "-p", port}
}

func args(prefix []string, rest ...string) []string {
	return append(append([]string(nil), prefix...), rest...)
}

func (r result) must(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.out, r.err)
	}
	return r
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("output lacks %q:\n%s", sub, s)
		}
	}
}

// ioPipe is io.Pipe, named for the tests that feed a prompt slowly.
func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

// slotOfKey is the hash slot of a key.
func slotOfKey(k string) int { return slot.Of([]byte(k)) }

// keyInSlotRange returns a key whose slot is in [lo, hi].
func keyInSlotRange(t *testing.T, lo, hi int) string {
	t.Helper()
	for i := 0; ; i++ {
		k := "key" + strconv.Itoa(i)
		if s := slotOfKey(k); s >= lo && s <= hi {
			return k
		}
	}
}
