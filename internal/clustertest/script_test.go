package clustertest

import (
	"bufio"
	"context"
	"math/rand/v2"
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
)

// portsFree reports whether the client and bus ports of n nodes from base
// are free on 127.0.0.1.
func portsFree(base, n int) bool {
	for i := 0; i < n; i++ {
		for _, p := range []int{base + i, base + i + 10000} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				return false
			}
			ln.Close()
		}
	}
	return true
}

// The README's first command: scripts/local-cluster.sh starts a working
// 3-primary cluster, prints how to connect, and stops every node on Ctrl-C.
func TestLocalClusterScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds shoal-server and runs the script")
	}
	base := 0
	for try := 0; try < 50 && base == 0; try++ {
		if b := 20000 + rand.IntN(20000); portsFree(b, 3) {
			base = b
		}
	}
	if base == 0 {
		t.Skip("no free port range")
	}
	script, err := filepath.Abs("../../scripts/local-cluster.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(base), "DIR="+t.TempDir(), "NODE_TIMEOUT=2000",
		"BIN="+filepath.Join(t.TempDir(), "shoal-server"),
		"PATH="+filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the script has exited
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "redis-cli -c -p") {
				ready <- sc.Text()
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	select {
	case line := <-ready:
		if !strings.Contains(line, "redis-cli -c -p "+strconv.Itoa(base)) {
			t.Fatalf("connect hint %q", line)
		}
	case <-exited:
		t.Fatalf("script exited before the cluster was ready: %v", cmd.ProcessState)
	case <-time.After(3 * time.Minute):
		t.Fatal("cluster not ready after 3 minutes")
	}

	ctx := context.Background()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:" + strconv.Itoa(base)}})
	for i := 0; i < 20; i++ {
		if err := cl.Set(ctx, "k"+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("script did not exit on SIGINT")
	}
	for i := 0; i < 3; i++ {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(base+i)); err == nil {
			c.Close()
			t.Errorf("node on port %d still running after Ctrl-C", base+i)
		}
	}
}
