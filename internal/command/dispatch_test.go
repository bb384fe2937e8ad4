package command

import (
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

type fakeHost struct{}

func (fakeHost) Shutdown()          {}
func (fakeHost) Port() int          { return 0 }
func (fakeHost) ConfigFile() string { return "" }

type fakeConn struct{}

func (fakeConn) Push(func(*resp.Writer))      {}
func (fakeConn) Sync(w *resp.Writer)          {}
func (fakeConn) Close()                       {}
func (fakeConn) BufferSizes() (int, int, int) { return 0, 0, 0 }

func newTestNode(t *testing.T) (*Node, *Client) {
	t.Helper()
	ks := keyspace.New(keyspace.Options{Databases: 16})
	n := NewNode(ks, config.New(), fakeHost{})
	c := NewClient(n.Clients.NextID(), fakeConn{}, "127.0.0.1:1", "127.0.0.1:2", ks.NewTx())
	c.Authenticated = true
	return n, c
}

func run(n *Node, c *Client, args ...string) string {
	w := resp.NewWriter(nil)
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	n.Exec(c, w, argv)
	return string(w.Bytes())
}

// A panicking handler must answer its client with an error and leave the
// node serving: locks released, other commands unaffected.
func TestPanicInHandlerIsContained(t *testing.T) {
	n, c := newTestNode(t)
	n.Table.add(&Command{Name: "boom", Arity: 2, FirstKey: 1, LastKey: 1, Step: 1, Flags: FlagWrite,
		Handler: func(ctx *Ctx) { ctx.W.Simple("partial"); panic("kaboom") }})
	got := run(n, c, "boom", "k")
	if !strings.HasPrefix(got, "-ERR internal error") || strings.Contains(got, "partial") {
		t.Fatalf("reply to panicking command = %q", got)
	}
	// The slot lock of "k" was released: a write to the same key works.
	if got := run(n, c, "set", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET after panic = %q", got)
	}
	if got := run(n, c, "get", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after panic = %q", got)
	}
}

func TestUnknownCommandAndArity(t *testing.T) {
	n, c := newTestNode(t)
	if got := run(n, c, "nosuch", "a", "b"); got != "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n" {
		t.Fatalf("unknown command reply = %q", got)
	}
	if got := run(n, c, "GET"); got != "-ERR wrong number of arguments for 'get' command\r\n" {
		t.Fatalf("arity reply = %q", got)
	}
}

func TestMultiExecAbortAndQueue(t *testing.T) {
	n, c := newTestNode(t)
	if got := run(n, c, "multi"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if got := run(n, c, "set", "a", "1"); got != "+QUEUED\r\n" {
		t.Fatal(got)
	}
	if got := run(n, c, "get"); !strings.HasPrefix(got, "-ERR wrong number") {
		t.Fatal(got)
	}
	if got := run(n, c, "exec"); got != "-EXECABORT Transaction discarded because of previous errors.\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if got := run(n, c, "get", "a"); got != "$-1\r\n" {
		t.Fatalf("aborted transaction wrote: %q", got)
	}
}

// WATCH fails EXEC when another client touched the key, even by creating
// and deleting it.
func TestWatchDetectsConcurrentWrite(t *testing.T) {
	n, c := newTestNode(t)
	other := NewClient(n.Clients.NextID(), fakeConn{}, "x", "y", n.KS.NewTx())
	other.Authenticated = true
	run(n, c, "watch", "w")
	run(n, other, "set", "w", "1")
	run(n, c, "multi")
	run(n, c, "set", "w", "2")
	if got := run(n, c, "exec"); got != "*-1\r\n" {
		t.Fatalf("EXEC after concurrent write = %q", got)
	}
	if got := run(n, c, "get", "w"); got != "$1\r\n1\r\n" {
		t.Fatalf("value = %q", got)
	}
	run(n, c, "watch", "w")
	run(n, c, "multi")
	run(n, c, "set", "w", "3")
	if got := run(n, c, "exec"); got != "*1\r\n+OK\r\n" {
		t.Fatalf("EXEC without interference = %q", got)
	}
}

type recordingSink struct{ got []string }

func (s *recordingSink) Propagate(db, slot int, argv [][]byte) {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = string(a)
	}
	s.got = append(s.got, strings.Join(parts, " "))
}

// A MULTI block with several writes reaches sinks wrapped in MULTI/EXEC;
// reads are not propagated.
func TestPropagationOfTransaction(t *testing.T) {
	n, c := newTestNode(t)
	sink := &recordingSink{}
	n.KS.AddSink(sink)
	run(n, c, "set", "a", "1")
	run(n, c, "get", "a")
	run(n, c, "multi")
	run(n, c, "set", "b", "2")
	run(n, c, "get", "b")
	run(n, c, "set", "c", "3")
	run(n, c, "exec")
	want := []string{"set a 1", "MULTI", "set b 2", "set c 3", "EXEC"}
	if strings.Join(sink.got, "|") != strings.Join(want, "|") {
		t.Fatalf("propagated %q, want %q", sink.got, want)
	}
}
