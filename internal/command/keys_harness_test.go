package command

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// keysHarness runs commands against a Node directly, with a fake clock and
// recorders for propagated effects and keyspace notifications, so tests can
// check what the network cannot show.
type keysHarness struct {
	t      testing.TB
	now    *atomic.Int64
	ks     *keyspace.Keyspace
	node   *Node
	client *Client
	w      *resp.Writer
	sink   *keysSink
	notes  *keysNotes
}

type keysTestConn struct{}

func (keysTestConn) Push(func(w *resp.Writer))         {}
func (keysTestConn) Sync(*resp.Writer)                 {}
func (keysTestConn) Close()                            {}
func (keysTestConn) BufferSizes() (qbuf, free, ob int) { return 0, 0, 0 }

// keysSink records propagated effects as "db: ARGV ...".
type keysSink struct {
	mu  sync.Mutex
	got []string
}

func (s *keysSink) Propagate(db, _ int, argv [][]byte) {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = string(a)
	}
	s.mu.Lock()
	s.got = append(s.got, fmt.Sprintf("%d: %s", db, strings.Join(parts, " ")))
	s.mu.Unlock()
}

func (s *keysSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

// keysNotes records keyspace notifications as "channel message".
type keysNotes struct {
	mu  sync.Mutex
	got []string
}

func (n *keysNotes) PublishNotification(channel, message []byte) {
	n.mu.Lock()
	n.got = append(n.got, string(channel)+" "+string(message))
	n.mu.Unlock()
}

func (n *keysNotes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.got
	n.got = nil
	return out
}

const keysEpoch = 1_700_000_000_000

func newKeysHarness(t testing.TB) *keysHarness {
	t.Helper()
	now := new(atomic.Int64)
	now.Store(keysEpoch)
	ks := keyspace.New(keyspace.Options{Now: now.Load})
	cfg, err := config.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &keysHarness{t: t, now: now, ks: ks, node: NewNode(ks, cfg, nil), w: resp.NewWriter(nil),
		sink: &keysSink{}, notes: &keysNotes{}}
	h.client = h.newClient()
	ks.AddSink(h.sink)
	ks.SetNotifier(h.notes)
	flags, _ := keyspace.ParseNotifyFlags("KEA")
	ks.SetNotifyFlags(flags)
	return h
}

func (h *keysHarness) newClient() *Client {
	c := NewClient(h.node.Clients.NextID(), keysTestConn{}, "test:1", "test:2", h.ks.NewTx())
	c.Authenticated = true
	return c
}

// do runs a command as the harness client and returns the raw reply.
func (h *keysHarness) do(args ...string) string { return h.doAs(h.client, args...) }

func (h *keysHarness) doAs(c *Client, args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	h.w.Reset()
	h.node.Exec(c, h.w, argv)
	return string(h.w.Bytes())
}

// expect runs a command and checks its raw RESP reply.
func (h *keysHarness) expect(want string, args ...string) {
	h.t.Helper()
	if got := h.do(args...); got != want {
		h.t.Fatalf("%s: got %q, want %q", strings.Join(args, " "), got, want)
	}
}

func (h *keysHarness) advance(ms int64) { h.now.Add(ms) }

func keysEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (h *keysHarness) expectEffects(want ...string) {
	h.t.Helper()
	if got := h.sink.take(); !keysEqual(got, want) {
		h.t.Fatalf("propagated %q, want %q", got, want)
	}
}

func (h *keysHarness) expectEvents(want ...string) {
	h.t.Helper()
	if got := h.notes.take(); !keysEqual(got, want) {
		h.t.Fatalf("notified %q, want %q", got, want)
	}
}

// keyEvents is the keyspace+keyevent pair one event on one key produces.
func keyEvents(db int, event, key string) []string {
	return []string{
		fmt.Sprintf("__keyspace@%d__:%s %s", db, key, event),
		fmt.Sprintf("__keyevent@%d__:%s %s", db, event, key),
	}
}

func joinEvents(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
