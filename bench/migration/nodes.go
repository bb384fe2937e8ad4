package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// node is one shoal-server process this program started (and stops by PID).
type node struct {
	port int
	dir  string
	cmd  *exec.Cmd
	rc   *redis.Client
	id   string
}

func (n *node) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startNode starts a cluster-enabled shoal-server on a free port.
func startNode(bin, root string, i int) (*node, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, fmt.Sprintf("node%d", i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--cluster-enabled", "yes", "--cluster-node-timeout", "5000", "--dir", dir,
		"--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
		// An emptied primary stays an empty primary (Valkey would make it a
		// replica of the new owner), so the next event can use it again.
		"--cluster-allow-replica-migration", "no")
	cmd.Stdout, cmd.Stderr = logf, logf
	if dir := os.Getenv("PROFILE_DIR"); dir != "" {
		// CPU and allocation profiles per node, written when the node
		// stops (SIGTERM).
		cmd.Env = append(os.Environ(), fmt.Sprintf("SHOAL_CPUPROFILE=%s/node%d.cpu", dir, i),
			fmt.Sprintf("SHOAL_MEMPROFILE=%s/node%d.mem", dir, i))
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &node{port: port, dir: dir, cmd: cmd,
		rc: redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), ReadTimeout: time.Minute})}
	ctx := context.Background()
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if id, err := n.rc.ClusterMyID(ctx).Result(); err == nil {
			n.id = id
			return n, nil
		}
		if time.Since(start) > 20*time.Second {
			n.stop()
			return nil, fmt.Errorf("node on port %d did not start (see %s)", port, dir)
		}
	}
}

func (n *node) stop() {
	n.rc.Close()
	if n.cmd.Process == nil {
		return
	}
	// SIGTERM first, so a node shuts down cleanly (and writes its
	// profile); SIGKILL if it has not exited within five seconds.
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { _, _ = n.cmd.Process.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-exited
	}
}

// rss is the process's resident set in bytes (Linux).
func (n *node) rss() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// owned lists the slots each node id owns, from node n's CLUSTER SLOTS.
func owned(ctx context.Context, n *node) (map[string][]int, error) {
	slots, err := n.rc.ClusterSlots(ctx).Result()
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, s := range slots {
		for sl := s.Start; sl <= s.End; sl++ {
			out[s.Nodes[0].ID] = append(out[s.Nodes[0].ID], sl)
		}
	}
	return out, nil
}

// agree waits until every node reports cluster_state:ok and the same
// slot owners.
func agree(ctx context.Context, nodes []*node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for ; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var first string
		ok := true
		for _, n := range nodes {
			info, err := n.rc.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				ok = false
				break
			}
			m, err := owned(ctx, n)
			if err != nil {
				ok = false
				break
			}
			s := fmt.Sprint(len(m), m)
			if first == "" {
				first = s
			} else if s != first {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("the cluster did not agree within %v", timeout)
}

// formCluster meets every node and gives the first three equal slot ranges.
func formCluster(ctx context.Context, nodes []*node, primaries int) error {
	// Distinct config epochs first, as redis-cli --cluster create sets them.
	for i, n := range nodes {
		if err := n.rc.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			return err
		}
	}
	for _, n := range nodes[1:] {
		if err := nodes[0].rc.ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(n.port)).Err(); err != nil {
			return err
		}
	}
	per := 16384 / primaries
	for i := 0; i < primaries; i++ {
		lo, hi := i*per, (i+1)*per-1
		if i == primaries-1 {
			hi = 16383
		}
		if err := nodes[i].rc.ClusterAddSlotsRange(ctx, lo, hi).Err(); err != nil {
			return err
		}
	}
	return agree(ctx, nodes, 60*time.Second)
}

// cpuTime is the CPU time the process used so far, user and system,
// from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func (n *node) cpuTime() (user, sys time.Duration, faults int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n.cmd.Process.Pid))
	if err != nil {
		return 0, 0, 0
	}
	// The command name (field 2) may hold spaces: count after its ')'.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, 0, 0
	}
	f := strings.Fields(rest) // f[0] is field 3
	if len(f) < 13 {
		return 0, 0, 0
	}
	faults, _ = strconv.ParseInt(f[7], 10, 64) // minflt, field 10
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u) * 10 * time.Millisecond, time.Duration(st) * 10 * time.Millisecond, faults
}

// cpuUse is the CPU time each node used during an event, in node order:
// user and system time (page faults on fresh memory show as system time).
type cpuUse struct {
	user, sys []time.Duration
	faults    []int64 // minor page faults
}

func cpuTimes(nodes []*node) cpuUse {
	c := cpuUse{make([]time.Duration, len(nodes)), make([]time.Duration, len(nodes)), make([]int64, len(nodes))}
	for i, n := range nodes {
		c.user[i], c.sys[i], c.faults[i] = n.cpuTime()
	}
	return c
}

func cpuSince(nodes []*node, before cpuUse) cpuUse {
	now := cpuTimes(nodes)
	for i := range now.user {
		now.user[i] -= before.user[i]
		now.sys[i] -= before.sys[i]
		now.faults[i] -= before.faults[i]
	}
	return now
}

func (c cpuUse) String() string {
	var total time.Duration
	parts := make([]string, len(c.user))
	for i := range c.user {
		total += c.user[i] + c.sys[i]
		parts[i] = fmt.Sprintf("%.2f/%.2f/%dk", c.user[i].Seconds(), c.sys[i].Seconds(), c.faults[i]/1000)
	}
	return fmt.Sprintf("%.2f s (user s/sys s/minor faults per node: %s)", total.Seconds(), strings.Join(parts, ", "))
}
