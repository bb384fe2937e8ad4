package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// fakeCluster is a scripted cluster that speaks just enough RESP for the
// cluster manager: CLUSTER NODES/INFO, COUNTKEYSINSLOT and the atomic slot
// migration commands. It lets the atomic path be tested (success, failure,
// cancellation, progress) before the server implements MIGRATESLOTS.
type fakeCluster struct {
	t     *testing.T
	mu    sync.Mutex
	nodes []*fakeNode
	owner [numSlots]int // node index owning each slot, -1 for none
	jobs  []*fakeJob
	wg    sync.WaitGroup

	// Behaviour.
	keysPerSlot   int64
	pollsToFinish int    // GETSLOTMIGRATIONS polls of the source before a job ends
	neverFinish   bool   // jobs run until cancelled
	failWith      string // jobs end failed with this message
	reportKeys    bool   // jobs carry keys_sent/bytes_sent/keys_total

	// Observations.
	migrateCalls []string
	cancels      int
	started      chan struct{} // receives one value per MIGRATESLOTS
}

type fakeNode struct {
	fc   *fakeCluster
	idx  int
	id   string
	ln   net.Listener
	port int
}

type fakeJob struct {
	name     string
	src, dst int
	ranges   []slotRange
	state    string
	message  string
	polls    int
}

// startFakeCluster starts n fake primaries; slots are split evenly among
// the first owners nodes (the rest own nothing).
func startFakeCluster(t *testing.T, n, owners int) *fakeCluster {
	fc := &fakeCluster{t: t, keysPerSlot: 3, pollsToFinish: 3, started: make(chan struct{}, 16)}
	for i := range fc.owner {
		fc.owner[i] = i * owners / numSlots
	}
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		node := &fakeNode{fc: fc, idx: i, id: strings.Repeat(fmt.Sprintf("%x", 10+i), 40), ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
		fc.nodes = append(fc.nodes, node)
		fc.wg.Add(1)
		go node.accept()
	}
	t.Cleanup(func() {
		for _, node := range fc.nodes {
			node.ln.Close()
		}
		fc.wg.Wait()
	})
	return fc
}

func (fc *fakeCluster) addr(i int) string { return fc.nodes[i].ln.Addr().String() }

// accept serves connections until the listener closes; each connection's
// goroutine ends when the client goes away or the test closes it.
func (n *fakeNode) accept() {
	defer n.fc.wg.Done()
	var conns sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	defer func() {
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		conns.Wait()
	}()
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		open = append(open, c)
		mu.Unlock()
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer c.Close()
			rd := resp.NewReader(c)
			w := resp.NewWriter(c)
			for {
				argv, err := rd.ReadCommand()
				if err != nil {
					return
				}
				args := make([]string, len(argv))
				for i, a := range argv {
					args[i] = string(a)
				}
				n.handle(w, args)
				if w.Flush() != nil {
					return
				}
			}
		}()
	}
}

func (n *fakeNode) handle(w *resp.Writer, args []string) {
	fc := n.fc
	fc.mu.Lock()
	defer fc.mu.Unlock()
	cmd := strings.ToUpper(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToUpper(args[1])
	}
	switch {
	case cmd == "INFO":
		w.BulkString("# Cluster\r\ncluster_enabled:1\r\n# Keyspace\r\n")
	case cmd == "SELECT", cmd == "ASKING":
		w.OK()
	case cmd == "DBSIZE":
		w.Int(0)
	case cmd == "CONFIG":
		w.ArrayLen(0)
	case cmd == "CLUSTER" && sub == "NODES":
		w.BulkString(fc.nodesText(n.idx))
	case cmd == "CLUSTER" && sub == "INFO":
		w.BulkString(fmt.Sprintf("cluster_state:ok\r\ncluster_known_nodes:%d\r\n", len(fc.nodes)))
	case cmd == "CLUSTER" && sub == "COUNTKEYSINSLOT":
		s, _ := strconv.Atoi(args[2])
		w.Int(fc.countKeys(n.idx, s))
	case cmd == "CLUSTER" && sub == "MIGRATESLOTS":
		fc.migrateSlots(w, n.idx, args)
	case cmd == "CLUSTER" && sub == "GETSLOTMIGRATIONS":
		fc.getSlotMigrations(w, n.idx)
	case cmd == "CLUSTER" && sub == "CANCELSLOTMIGRATIONS":
		fc.cancel(w, n.idx)
	default:
		w.Error("ERR unknown command '" + args[0] + "'")
	}
}

func (fc *fakeCluster) nodesText(me int) string {
	var b strings.Builder
	for i, n := range fc.nodes {
		flags := "master"
		if i == me {
			flags = "myself,master"
		}
		fmt.Fprintf(&b, "%s 127.0.0.1:%d@%d %s - 0 0 %d connected", n.id, n.port, n.port+10000, flags, i+1)
		var set slotSet
		for s, o := range fc.owner {
			set[s] = o == i
		}
		for _, r := range set.ranges() {
			if r.Start == r.End {
				fmt.Fprintf(&b, " %d", r.Start)
			} else {
				fmt.Fprintf(&b, " %d-%d", r.Start, r.End)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// countKeys: the owner has keysPerSlot; a target importing the slot has
// a share growing with the job's polls.
func (fc *fakeCluster) countKeys(node, s int) int64 {
	if fc.owner[s] == node {
		return fc.keysPerSlot
	}
	for _, j := range fc.jobs {
		if j.dst == node && j.state == "snapshotting" && inRanges(j.ranges, s) {
			return min(fc.keysPerSlot, int64(j.polls))
		}
	}
	return 0
}

func inRanges(rs []slotRange, s int) bool {
	for _, r := range rs {
		if s >= r.Start && s <= r.End {
			return true
		}
	}
	return false
}

func (fc *fakeCluster) migrateSlots(w *resp.Writer, src int, args []string) {
	fc.migrateCalls = append(fc.migrateCalls, strings.Join(args, " "))
	var ranges []slotRange
	i := 3
	for ; i+1 < len(args) && args[i] != "NODE"; i += 2 {
		a, _ := strconv.Atoi(args[i])
		b, _ := strconv.Atoi(args[i+1])
		ranges = append(ranges, slotRange{a, b})
	}
	dst := -1
	for _, n := range fc.nodes {
		if i+1 < len(args) && n.id == args[i+1] {
			dst = n.idx
		}
	}
	for _, r := range ranges {
		for s := r.Start; s <= r.End; s++ {
			if fc.owner[s] != src {
				w.Error("ERR Slots are not served by this node.")
				return
			}
		}
	}
	if dst < 0 {
		w.Error("ERR Unknown node name")
		return
	}
	fc.jobs = append([]*fakeJob{{name: fmt.Sprintf("%040d", len(fc.jobs)+1), src: src, dst: dst, ranges: ranges,
		state: "snapshotting"}}, fc.jobs...)
	w.OK()
	fc.started <- struct{}{}
}

// getSlotMigrations lists the jobs of a node (RESP2: flat arrays); a
// poll by the source advances its jobs.
func (fc *fakeCluster) getSlotMigrations(w *resp.Writer, node int) {
	var mine []*fakeJob
	for _, j := range fc.jobs {
		if j.src == node || j.dst == node {
			mine = append(mine, j)
		}
		if j.src == node && j.state == "snapshotting" {
			j.polls++
			fc.advance(j)
		}
	}
	w.ArrayLen(len(mine))
	for _, j := range mine {
		op := "EXPORT"
		if j.dst == node {
			op = "IMPORT"
		}
		fields := 11
		if fc.reportKeys {
			fields += 3
		}
		w.ArrayLen(2 * fields)
		kv := func(k, v string) { w.BulkString(k); w.BulkString(v) }
		kvi := func(k string, v int64) { w.BulkString(k); w.Int(v) }
		kv("name", j.name)
		kv("operation", op)
		kv("slot_ranges", rangesString(j.ranges))
		kv("target_node", fc.nodes[j.dst].id)
		kv("source_node", fc.nodes[j.src].id)
		now := time.Now().Unix()
		kvi("create_time", now)
		kvi("last_update_time", now)
		kvi("last_ack_time", now)
		kv("state", j.state)
		kv("message", j.message)
		kvi("cow_size", 0)
		if fc.reportKeys {
			total := int64(rangesCount(j.ranges)) * fc.keysPerSlot
			kvi("keys_sent", min(total, int64(j.polls)*10))
			kvi("bytes_sent", min(total, int64(j.polls)*10)*100)
			kvi("keys_total", total)
		}
	}
}

func (fc *fakeCluster) advance(j *fakeJob) {
	if fc.neverFinish || j.polls < fc.pollsToFinish {
		return
	}
	if fc.failWith != "" {
		j.state, j.message = "failed", fc.failWith
		return
	}
	j.state = "success"
	for _, r := range j.ranges {
		for s := r.Start; s <= r.End; s++ {
			fc.owner[s] = j.dst
		}
	}
}

func (fc *fakeCluster) cancel(w *resp.Writer, node int) {
	fc.cancels++
	n := 0
	for _, j := range fc.jobs {
		if j.src == node && j.state == "snapshotting" {
			j.state = "cancelled"
			n++
		}
	}
	if n == 0 {
		w.Error("ERR No migrations ongoing")
		return
	}
	w.OK()
}

func (fc *fakeCluster) slotsOf(node int) int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	n := 0
	for _, o := range fc.owner {
		if o == node {
			n++
		}
	}
	return n
}
