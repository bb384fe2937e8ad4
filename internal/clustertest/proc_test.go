package clustertest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Real shoal-server processes, for the tests where the way a node dies
// matters: SIGKILL gives it no chance to close anything gracefully (an
// in-process Server.Close fails its migrations and tells its replicas),
// and SIGSTOP freezes it with its sockets open.

// buildServer compiles shoal-server into the test's directory (the go
// build cache makes every build after the first a link).
func buildServer(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shoal-server")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-o", bin, "github.com/shoal-db/shoal/cmd/shoal-server")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build shoal-server: %v\n%s", err, out)
	}
	return bin
}

// proc is a shoal-server process.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startProc(t testing.TB, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if os.Getenv("SHOAL_TEST_LOG") == "" {
		cmd.Stdout, cmd.Stderr = nil, nil
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill sends SIGKILL (which also ends a stopped process) and waits for
// the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// signal sends sig to the process.
func (p *proc) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to pid %d: %v", sig, p.cmd.Process.Pid, err)
	}
}

// procNode is a cluster-enabled shoal-server process on fixed ports with
// its own directory: killed and started again with the same arguments it
// reloads its nodes.conf (its data is gone: nothing else is persisted).
type procNode struct {
	t       testing.TB
	bin     string
	args    []string
	port    int
	busPort int
	dir     string
	p       *proc
	cl      *redis.Client
	id      string
}

// startProcNode starts a node with the test defaults and directives on
// top, and waits until it answers.
func startProcNode(t testing.TB, bin string, directives ...string) *procNode {
	t.Helper()
	n := &procNode{t: t, bin: bin, port: testutil.Port(t), busPort: testutil.Port(t), dir: t.TempDir()}
	n.args = append([]string{"--bind", "127.0.0.1", "--port", strconv.Itoa(n.port),
		"--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(n.busPort),
		"--cluster-node-timeout", strconv.Itoa(testutil.ClusterNodeTimeout),
		"--dir", n.dir, "--logfile", filepath.Join(n.dir, "shoal.log")}, directives...)
	n.cl = redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	t.Cleanup(func() { n.cl.Close() })
	n.start()
	return n
}

func (n *procNode) start() {
	n.t.Helper()
	n.p = startProc(n.t, n.bin, n.args...)
	ctx := context.Background()
	testutil.WaitFor(n.t, 20*time.Second, "shoal-server on port "+strconv.Itoa(n.port)+" up", func() bool {
		select {
		case <-n.p.done:
			n.t.Fatalf("shoal-server on port %d exited:\n%s", n.port, n.logTail())
		default:
		}
		return n.cl.Ping(ctx).Err() == nil
	})
}

// Addr is the node's client address.
func (n *procNode) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)) }

// Client is a plain client of the node (no retries).
func (n *procNode) Client() *redis.Client { return n.cl }

// ID is the node's id (stable across restarts: it is in nodes.conf).
func (n *procNode) ID() string {
	if n.id == "" {
		id, err := n.cl.ClusterMyID(context.Background()).Result()
		if err != nil {
			n.t.Fatalf("CLUSTER MYID on %s: %v", n.Addr(), err)
		}
		n.id = id
	}
	return n.id
}

// Kill ends the process with SIGKILL.
func (n *procNode) Kill() { n.p.kill() }

// Restart starts the killed node again with the same arguments.
func (n *procNode) Restart() {
	n.t.Helper()
	n.start()
}

// Stop freezes the process (SIGSTOP); Cont resumes it.
func (n *procNode) Stop() { n.p.signal(n.t, syscall.SIGSTOP) }

// Cont resumes a stopped process.
func (n *procNode) Cont() { n.p.signal(n.t, syscall.SIGCONT) }

// Do runs a command and fails the test on error.
func (n *procNode) Do(args ...any) any {
	n.t.Helper()
	v, err := n.cl.Do(context.Background(), args...).Result()
	if err != nil {
		n.t.Fatalf("%s: %v: %v", n.Addr(), args, err)
	}
	return v
}

// logTail is the end of the node's log file, for failure messages.
func (n *procNode) logTail() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "shoal.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
