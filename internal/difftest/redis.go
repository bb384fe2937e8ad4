package difftest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// InCI reports whether the tests run in CI (CI=true), where a missing
// external tool is a failure rather than a reason to skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// RequireBinary returns the path of the named program on PATH. When it is
// missing the test is skipped, or fails under CI=true: CI must install it
// (scripts/test.sh does).
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found on PATH (Debian: apt-get install -y redis-server redis-tools); scripts/test.sh installs it", name)
	if InCI() {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
	return ""
}

// RedisServer is a redis-server process started for a test.
type RedisServer struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	out  *lockedBuffer
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartRedis starts redis-server (bin) on a free loopback port with no
// persistence, in a temporary directory, and stops it by PID when the test
// ends. Extra arguments are appended to the command line.
func StartRedis(t testing.TB, bin string, extra ...string) *RedisServer {
	t.Helper()
	dir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		rs, err := startRedisOnce(bin, dir, extra)
		if err == nil {
			t.Cleanup(rs.stop)
			return rs
		}
		lastErr = err
	}
	t.Fatalf("could not start redis-server: %v", lastErr)
	return nil
}

func startRedisOnce(bin, dir string, extra []string) (*RedisServer, error) {
	port, err := testutil.FreePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--logfile", "",
	}, extra...)
	rs := &RedisServer{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cmd:  exec.Command(bin, args...),
		done: make(chan struct{}),
		out:  &lockedBuffer{},
	}
	rs.cmd.Stdout, rs.cmd.Stderr = rs.out, rs.out
	if err := rs.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	// The waiter goroutine is owned by rs and ends when the process does
	// (stop kills it).
	go func() {
		_ = rs.cmd.Wait()
		close(rs.done)
	}()
	if err := rs.waitReady(10 * time.Second); err != nil {
		rs.stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, rs.out.String())
	}
	return rs, nil
}

// waitReady polls until the server answers PING.
func (rs *RedisServer) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-rs.done:
			return errors.New("redis-server exited during start-up")
		default:
		}
		if c, err := Dial(rs.Addr); err == nil {
			c.Timeout = time.Second
			r, err := c.Do("PING")
			_ = c.Close()
			if err == nil && r.Str == "PONG" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s not ready after %v", rs.Addr, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the process by its PID and waits for it to exit.
func (rs *RedisServer) stop() {
	if rs.cmd.Process != nil {
		_ = rs.cmd.Process.Kill()
	}
	select {
	case <-rs.done:
	case <-time.After(10 * time.Second):
	}
}

// Log returns what the server printed so far.
func (rs *RedisServer) Log() string { return rs.out.String() }

// HasCommands reports which of names the server at addr does not know,
// asking COMMAND INFO (a server without COMMAND lacks them all).
func HasCommands(addr string, names []string) (missing []string, err error) {
	if len(names) == 0 {
		return nil, nil
	}
	c, err := Dial(addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	r, err := c.Do(append([]string{"COMMAND", "INFO"}, names...)...)
	if err != nil {
		return nil, err
	}
	if r.IsError() || len(r.Elems) != len(names) {
		return names, nil
	}
	for i, e := range r.Elems {
		if e.IsNull() {
			missing = append(missing, strings.ToLower(names[i]))
		}
	}
	return missing, nil
}
