package command

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

type nopConn struct{}

func (nopConn) Push(func(w *resp.Writer))         {}
func (nopConn) Sync(*resp.Writer)                 {}
func (nopConn) Close()                            {}
func (nopConn) BufferSizes() (int, int, int)      { return 0, 0, 0 }
func newTestNode() (*Node, *Client, *resp.Writer) { return newTestNodeWith(keyspace.Options{}) }

func newTestNodeWith(opts keyspace.Options) (*Node, *Client, *resp.Writer) {
	ks := keyspace.New(opts)
	n := NewNode(ks, config.New(), nil)
	c := NewClient(n.Clients.NextID(), nopConn{}, "127.0.0.1:5000", "127.0.0.1:6379", ks.NewTx())
	n.Clients.Add(c)
	return n, c, resp.NewWriter(io.Discard)
}

// run executes one command the way the network layer does, including the
// CLIENT REPLY filter, and returns the bytes it produced.
func run(n *Node, c *Client, w *resp.Writer, args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	mark := w.Len()
	n.Exec(c, w, argv)
	c.FilterReply(w, mark)
	return string(w.Bytes()[mark:])
}

func TestClientReplyModes(t *testing.T) {
	n, c, w := newTestNode()
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"CLIENT", "REPLY", "SKIP"}, ""},
		{[]string{"PING", "skipped"}, ""},
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"CLIENT", "REPLY", "OFF"}, ""},
		{[]string{"PING"}, ""},
		{[]string{"CLIENT", "REPLY", "SKIP"}, ""}, // ignored while OFF
		{[]string{"GET", "x"}, ""},
		{[]string{"CLIENT", "REPLY", "ON"}, "+OK\r\n"},
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"CLIENT", "REPLY", "maybe"}, "-ERR syntax error\r\n"},
	}
	for i, s := range steps {
		if got := run(n, c, w, s.args...); got != s.want {
			t.Errorf("step %d %v: got %q, want %q", i, s.args, got, s.want)
		}
	}
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.00K", 1536: "1.50K",
		1 << 20: "1.00M", 5 << 30: "5.00G", 3 << 40: "3.00T", 2 << 50: "2.00P"} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestInstMetric(t *testing.T) {
	var m instMetric
	m.lastValue = 100
	m.add(200, time.Second) // 100/s
	m.add(500, time.Second) // 300/s
	m.add(500, 0)           // no time passed: 0
	m.add(100, time.Second) // counter reset: 0, not negative
	if got := m.value(); got != 100 {
		t.Errorf("average = %v, want 100", got)
	}
	for i := 0; i < 2*instSamples; i++ {
		m.add(m.lastValue+50, time.Second)
	}
	if got := m.value(); got != 50 {
		t.Errorf("average after the window rolled = %v, want 50", got)
	}
}

func TestClientFlagLetters(t *testing.T) {
	cases := map[int64]string{0: "N", ClientMulti: "x", ClientPubSub | ClientMonitor: "OP",
		ClientNoEvict | ClientNoTouch | ClientDirtyCAS: "deT", ClientCloseAfterReply: "c"}
	for f, want := range cases {
		if got := clientFlagLetters(f); got != want {
			t.Errorf("flags %b = %q, want %q", f, got, want)
		}
	}
	if !flagsMatch(ClientMulti|ClientNoEvict, "ex") || flagsMatch(ClientMulti, "xe") || !flagsMatch(0, "N") ||
		flagsMatch(ClientMulti, "N") {
		t.Error("flagsMatch")
	}
	for addr, ip := range map[string]string{"127.0.0.1:5000": "127.0.0.1", "[::1]:6000": "::1"} {
		if !addrHasIP(addr, ip) {
			t.Errorf("addrHasIP(%q, %q) = false", addr, ip)
		}
	}
	if addrHasIP("127.0.0.10:5", "127.0.0.1") || addrHasIP("1.2.3.4:0", "1.2.3.4") {
		t.Error("addrHasIP matched a longer address or port 0")
	}
}

func TestClientErrorPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"ERR bad":                 "ERR bad",
		"WRONGTYPE x":             "WRONGTYPE x",
		"Unknown option":          "ERR Unknown option",
		"argument must be number": "ERR argument must be number",
	} {
		if got := clientError(errString(in)); got != want {
			t.Errorf("clientError(%q) = %q, want %q", in, got, want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestInfoGeneration(t *testing.T) {
	n, c, w := newTestNode()
	run(n, c, w, "SET", "a", "1")
	out := run(n, c, w, "INFO", "keyspace", "commandstats")
	if !strings.Contains(out, "db0:keys=1,expires=0") || !strings.Contains(out, "cmdstat_set:calls=1,") {
		t.Errorf("INFO = %q", out)
	}
	// Without a host the server section still renders.
	if out := run(n, c, w, "INFO", "server"); !strings.Contains(out, "tcp_port:0\r\n") {
		t.Errorf("INFO server without a host = %q", out)
	}
}
