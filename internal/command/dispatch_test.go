package command

import (
	"strings"
	"testing"
)

// A panicking handler must answer its client with an error and leave the
// node serving: locks released, other commands unaffected.
func TestPanicInHandlerIsContained(t *testing.T) {
	n, c, w := newTestNode()
	n.Table.add(&Command{Name: "boom", Arity: 2, FirstKey: 1, LastKey: 1, Step: 1, Flags: FlagWrite,
		Handler: func(ctx *Ctx) { ctx.W.Simple("partial"); panic("kaboom") }})
	got := run(n, c, w, "boom", "k")
	if !strings.HasPrefix(got, "-ERR internal error") || strings.Contains(got, "partial") {
		t.Fatalf("reply to panicking command = %q", got)
	}
	// The slot lock of "k" was released: a write to the same key works.
	if got := run(n, c, w, "set", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET after panic = %q", got)
	}
	if got := run(n, c, w, "get", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after panic = %q", got)
	}
}

func TestUnknownCommandAndArity(t *testing.T) {
	n, c, w := newTestNode()
	if got := run(n, c, w, "nosuch", "a", "b"); got != "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n" {
		t.Fatalf("unknown command reply = %q", got)
	}
	if got := run(n, c, w, "GET"); got != "-ERR wrong number of arguments for 'get' command\r\n" {
		t.Fatalf("arity reply = %q", got)
	}
}

func TestMultiExecAbortAndQueue(t *testing.T) {
	n, c, w := newTestNode()
	if got := run(n, c, w, "multi"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if got := run(n, c, w, "set", "a", "1"); got != "+QUEUED\r\n" {
		t.Fatal(got)
	}
	if got := run(n, c, w, "get"); !strings.HasPrefix(got, "-ERR wrong number") {
		t.Fatal(got)
	}
	if got := run(n, c, w, "exec"); got != "-EXECABORT Transaction discarded because of previous errors.\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if got := run(n, c, w, "get", "a"); got != "$-1\r\n" {
		t.Fatalf("aborted transaction wrote: %q", got)
	}
}

// WATCH fails EXEC when another client touched the key, even by creating
// and deleting it.
func TestWatchDetectsConcurrentWrite(t *testing.T) {
	n, c, w := newTestNode()
	other := NewClient(n.Clients.NextID(), nopConn{}, "x", "y", n.KS.NewTx())
	run(n, c, w, "watch", "w")
	run(n, other, w, "set", "w", "1")
	run(n, c, w, "multi")
	run(n, c, w, "set", "w", "2")
	if got := run(n, c, w, "exec"); got != "*-1\r\n" {
		t.Fatalf("EXEC after concurrent write = %q", got)
	}
	if got := run(n, c, w, "get", "w"); got != "$1\r\n1\r\n" {
		t.Fatalf("value = %q", got)
	}
	run(n, c, w, "watch", "w")
	run(n, c, w, "multi")
	run(n, c, w, "set", "w", "3")
	if got := run(n, c, w, "exec"); got != "*1\r\n+OK\r\n" {
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
	n, c, w := newTestNode()
	sink := &recordingSink{}
	n.KS.AddSink(sink)
	run(n, c, w, "set", "a", "1")
	run(n, c, w, "get", "a")
	run(n, c, w, "multi")
	run(n, c, w, "set", "b", "2")
	run(n, c, w, "get", "b")
	run(n, c, w, "set", "c", "3")
	run(n, c, w, "exec")
	want := []string{"set a 1", "MULTI", "set b 2", "set c 3", "EXEC"}
	if strings.Join(sink.got, "|") != strings.Join(want, "|") {
		t.Fatalf("propagated %q, want %q", sink.got, want)
	}
}
