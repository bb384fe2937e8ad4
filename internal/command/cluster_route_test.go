package command

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/slot"
)

// fakeCluster serves a routing snapshot the test controls.
type fakeCluster struct {
	r atomic.Pointer[cluster.Routes]
}

func (f *fakeCluster) Routes() *cluster.Routes { return f.r.Load() }
func (f *fakeCluster) Do(func(time.Time, *cluster.State) (cluster.Output, error)) error {
	return nil
}
func (f *fakeCluster) View(func(*cluster.State)) {}
func (f *fakeCluster) SaveConfig() error         { return nil }
func (f *fakeCluster) Links() []cluster.LinkInfo {
	return nil
}

// twoNodes is a snapshot where node 0 (myself) owns every slot except
// those given to node 1.
func twoNodes(ok bool, theirs ...int) *cluster.Routes {
	r := &cluster.Routes{OK: ok, Myself: 0, MyPrimary: 0, Migrating: map[int]int32{}, Importing: map[int]int32{},
		Owner: new([slot.Count]int32),
		Nodes: []cluster.RouteNode{{ID: "a", IP: "127.0.0.1", Port: 7000}, {ID: "b", IP: "127.0.0.1", Port: 7001}}}
	for _, s := range theirs {
		r.Owner[s] = 1
	}
	return r
}

func newClusterTestNode(r *cluster.Routes) (*Node, *Client, *resp.Writer, *fakeCluster) {
	n, c, w := newTestNode()
	f := &fakeCluster{}
	f.r.Store(r)
	n.Cluster = f
	n.ClusterEnabled = true
	return n, c, w, f
}

// A client blocked on a key whose slot moves away is answered -MOVED when
// the topology changes, and -CLUSTERDOWN when the cluster goes down, as
// Valkey's clusterRedirectBlockedClientIfNeeded does.
func TestBlockedClientRedirected(t *testing.T) {
	s := slot.OfString("k")
	for _, tc := range []struct {
		name string
		next *cluster.Routes
		want string
	}{
		{"moved", twoNodes(true, s), "-MOVED " + strconv.Itoa(s) + " 127.0.0.1:7001\r\n"},
		{"down", twoNodes(false), "-CLUSTERDOWN The cluster is down\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, c, w, f := newClusterTestNode(twoNodes(true))
			n.Table.add(&Command{Name: "bwait", Arity: 2, FirstKey: 1, LastKey: 1, Step: 1,
				Handler: func(ctx *Ctx) {
					if ctx.Tx.Exists(ctx.Argv[1]) {
						ctx.W.OK()
						return
					}
					ctx.Block([][]byte{ctx.Argv[1]}, 0, func(w *resp.Writer) { w.Null() })
				}})
			done := make(chan string, 1)
			go func() { done <- run(n, c, w, "bwait", "k") }()
			deadline := time.Now().Add(5 * time.Second)
			for n.BlockedClients() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("client never blocked")
				}
				time.Sleep(time.Millisecond)
			}
			// A spurious wake-up only makes it block again.
			n.ClusterWakeBlocked()
			f.r.Store(tc.next)
			n.ClusterWakeBlocked()
			select {
			case got := <-done:
				if got != tc.want {
					t.Fatalf("blocked client got %q, want %q", got, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("blocked client was not redirected")
			}
		})
	}
}

// Legacy migration markers: a migrating slot answers -ASK for missing
// keys and -TRYAGAIN for a partial multi-key request; an importing slot
// serves ASKING clients only.
func TestRoutingOpenSlots(t *testing.T) {
	s := slot.OfString("{t}a")
	r := twoNodes(true)
	r.Migrating[s] = 1
	n, c, w, f := newClusterTestNode(r)
	ask := "-ASK " + strconv.Itoa(s) + " 127.0.0.1:7001\r\n"
	steps := []struct{ args, want string }{
		{"get {t}a", ask},
		{"set {t}a 1", ask},
		{"get {t}a", "$1\r\n1\r\n"}, // the key exists here: served
		{"mget {t}a {t}b", "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"},
		{"move {t}a 1", "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"},
		{"copy {t}a {t}c db 1", "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"},
		{"exists {t}a {t}a", ":2\r\n"},
	}
	for _, st := range steps {
		if st.args == "set {t}a 1" {
			// Write the key locally first (before the marker mattered).
			f.r.Store(twoNodes(true))
			run(n, c, w, "set", "{t}a", "1")
			f.r.Store(r)
			continue
		}
		if got := run(n, c, w, strings.Fields(st.args)...); got != st.want {
			t.Fatalf("%s: got %q, want %q", st.args, got, st.want)
		}
	}

	// Importing on node 0: the slot belongs to node 1.
	imp := twoNodes(true, s)
	imp.Importing[s] = 1
	f.r.Store(imp)
	moved := "-MOVED " + strconv.Itoa(s) + " 127.0.0.1:7001\r\n"
	for _, st := range []struct{ args, want string }{
		{"get {t}a", moved},
		{"asking", "+OK\r\n"},
		{"get {t}a", "$1\r\n1\r\n"},
		{"get {t}a", moved}, // ASKING is one-shot
		{"asking", "+OK\r\n"},
		{"mget {t}a {t}zz", "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"},
		{"asking", "+OK\r\n"},
		{"mget {t}a {t}a", "*2\r\n$1\r\n1\r\n$1\r\n1\r\n"},
	} {
		if got := run(n, c, w, strings.Fields(st.args)...); got != st.want {
			t.Fatalf("importing %s: got %q, want %q", st.args, got, st.want)
		}
	}
}

// A routing decision taken before the command got its slot lock is
// confirmed under the lock: a slot that became MIGRATING meanwhile, with
// the key gone, answers -ASK instead of recreating the key on the source;
// an unchanged snapshot keeps the decision without looking at keys.
func TestRoutingRecheckedUnderLock(t *testing.T) {
	s := slot.OfString("k")
	stable := twoNodes(true)
	n, c, w, f := newClusterTestNode(stable)
	set := n.Table.Lookup([]byte("set"))
	ctx := &Ctx{Node: n, C: c, Tx: c.Tx, W: w, Argv: [][]byte{[]byte("set"), []byte("k"), []byte("v")}, Cmd: set,
		route: routeMemo{check: true, routes: stable}}
	n.KS.LockSlot(s)
	if !n.clusterRecheck(ctx, set) {
		t.Fatal("unchanged snapshot: recheck refused")
	}
	migrating := twoNodes(true)
	migrating.Migrating[s] = 1
	f.r.Store(migrating)
	mark := w.Len()
	ok := n.clusterRecheck(ctx, set)
	n.KS.UnlockSlot(s)
	if ok {
		t.Fatal("slot opened and key missing: recheck accepted")
	}
	if got, want := string(w.Bytes()[mark:]), "-ASK "+strconv.Itoa(s)+" 127.0.0.1:7001\r\n"; got != want {
		t.Fatalf("recheck answered %q, want %q", got, want)
	}
	n.KS.LockSlot(s)
	exists := n.KS.KeyExists(0, []byte("k"))
	n.KS.UnlockSlot(s)
	if exists {
		t.Fatal("the refused SET created the key")
	}
}

// An empty MULTI/EXEC needs no routing.
func TestRoutingEmptyExec(t *testing.T) {
	n, c, w, _ := newClusterTestNode(twoNodes(true))
	for _, st := range []struct{ args, want string }{
		{"multi", "+OK\r\n"},
		{"exec", "*0\r\n"},
	} {
		if got := run(n, c, w, strings.Fields(st.args)...); got != st.want {
			t.Fatalf("%s: got %q, want %q", st.args, got, st.want)
		}
	}
}
