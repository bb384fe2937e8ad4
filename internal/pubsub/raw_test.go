package pubsub_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

// rawConn is a bare RESP connection for byte-exact checks.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	rd *bufio.Reader
}

func dialRaw(t *testing.T, srv *server.Server) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, rd: bufio.NewReader(nc)}
}

// send writes one command as a RESP array of bulk strings.
func (r *rawConn) send(args ...string) {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.nc.Write([]byte(b.String())); err != nil {
		r.t.Fatal(err)
	}
}

// expect reads exactly len(want) bytes and compares them.
func (r *rawConn) expect(want string) {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(want))
	n, err := io.ReadFull(r.rd, got)
	if err != nil || string(got) != want {
		r.t.Fatalf("read %q (err %v), want %q", got[:n], err, want)
	}
}

// read reads exactly n bytes.
func (r *rawConn) read(n int) string {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, n)
	if _, err := io.ReadFull(r.rd, got); err != nil {
		r.t.Fatalf("read %d bytes: %v (got %q)", n, err, got)
	}
	return string(got)
}

// do sends a command and expects the exact reply bytes.
func (r *rawConn) do(want string, args ...string) {
	r.t.Helper()
	r.send(args...)
	r.expect(want)
}

// line reads one CRLF-terminated line.
func (r *rawConn) line() string {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read line: %v (got %q)", err, s)
	}
	return s
}

// silent checks that nothing arrives within d.
func (r *rawConn) silent(d time.Duration) {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(d))
	b, err := r.rd.ReadByte()
	if err == nil {
		rest, _ := r.rd.Peek(r.rd.Buffered())
		r.t.Fatalf("unexpected data %q", append([]byte{b}, rest...))
	}
}

// push formats a pub/sub frame: an array in RESP2, a push in RESP3.
func push(proto int, items ...string) string {
	var b strings.Builder
	if proto == 3 {
		fmt.Fprintf(&b, ">%d\r\n", len(items))
	} else {
		fmt.Fprintf(&b, "*%d\r\n", len(items))
	}
	for _, it := range items {
		switch {
		case it == "<nil>" && proto == 3:
			b.WriteString("_\r\n")
		case it == "<nil>":
			b.WriteString("$-1\r\n")
		case strings.HasPrefix(it, ":"):
			b.WriteString(it + "\r\n")
		default:
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(it), it)
		}
	}
	return b.String()
}

const pubsubCtxErr = "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"

func TestRESP2ExactBytes(t *testing.T) {
	srv := testutil.StartServer(t)
	sub, pub := dialRaw(t, srv), dialRaw(t, srv)

	// Nothing subscribed: one confirmation with a null name and count 0.
	sub.do("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "UNSUBSCRIBE")
	sub.do("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n", "PUNSUBSCRIBE")
	sub.do("*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n", "SUNSUBSCRIBE")
	sub.do(push(2, "unsubscribe", "a", ":0")+push(2, "unsubscribe", "b", ":0"), "UNSUBSCRIBE", "a", "b")
	sub.do("$-1\r\n", "GET", "x") // still a normal client

	sub.do(push(2, "subscribe", "a", ":1")+push(2, "subscribe", "b", ":2")+push(2, "subscribe", "a", ":2"),
		"SUBSCRIBE", "a", "b", "a")
	sub.do(push(2, "psubscribe", "a*", ":3")+push(2, "psubscribe", "b?", ":4"), "PSUBSCRIBE", "a*", "b?")
	sub.do(push(2, "ssubscribe", "s1", ":1")+push(2, "ssubscribe", "s2", ":2"), "SSUBSCRIBE", "s1", "s2")

	pub.do(":2\r\n", "PUBLISH", "a", "hello")
	sub.expect(push(2, "message", "a", "hello") + push(2, "pmessage", "a*", "a", "hello"))
	pub.do(":1\r\n", "PUBLISH", "bx", "")
	sub.expect(push(2, "pmessage", "b?", "bx", ""))
	pub.do(":1\r\n", "SPUBLISH", "s1", "hi")
	sub.expect(push(2, "smessage", "s1", "hi"))
	pub.do(":0\r\n", "SPUBLISH", "a", "shard namespace is separate")

	// RESP2 subscribe mode allows only the pub/sub commands and PING.
	sub.do(pubsubCtxErr, "GET", "x")
	sub.do("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
	sub.do("*2\r\n$4\r\npong\r\n$1\r\nx\r\n", "PING", "x")

	// Unsubscribing channels leaves patterns (and the count says so).
	sub.do(push(2, "unsubscribe", "a", ":3")+push(2, "unsubscribe", "b", ":2"), "UNSUBSCRIBE")
	sub.do(push(2, "unsubscribe", "<nil>", ":2"), "UNSUBSCRIBE")
	sub.do(push(2, "punsubscribe", "a*", ":1")+push(2, "punsubscribe", "b?", ":0"), "PUNSUBSCRIBE")
	// Shard subscriptions alone keep the client in subscribe mode.
	sub.do(pubsubCtxErr, "GET", "x")
	sub.do(push(2, "sunsubscribe", "s1", ":1"), "SUNSUBSCRIBE", "s1")
	sub.do(push(2, "sunsubscribe", "s2", ":0"), "SUNSUBSCRIBE")
	sub.do("+PONG\r\n", "PING")
	sub.do("$-1\r\n", "GET", "x")
	pub.do(":0\r\n", "PUBLISH", "a", "nobody")
	sub.silent(50 * time.Millisecond)
}

func TestRESP3ExactBytes(t *testing.T) {
	srv := testutil.StartServer(t)
	sub, pub := dialRaw(t, srv), dialRaw(t, srv)
	sub.send("HELLO", "3")
	sub.line() // %7 map header
	for i := 0; i < 14; i++ {
		if strings.HasPrefix(sub.line(), "$") {
			sub.line()
		}
	}
	sub.do(push(3, "unsubscribe", "<nil>", ":0"), "UNSUBSCRIBE")
	sub.do(push(3, "subscribe", "a", ":1"), "SUBSCRIBE", "a")
	sub.do(push(3, "psubscribe", "a*", ":2"), "PSUBSCRIBE", "a*")
	pub.do(":2\r\n", "PUBLISH", "a", "hello")
	sub.expect(push(3, "message", "a", "hello") + push(3, "pmessage", "a*", "a", "hello"))
	// RESP3 clients keep full use of the connection while subscribed.
	sub.do("_\r\n", "GET", "x")
	sub.do("+PONG\r\n", "PING")
	sub.do("*2\r\n$1\r\na\r\n:1\r\n", "PUBSUB", "NUMSUB", "a")
	// A client publishing to itself gets the message before the reply.
	sub.do(push(3, "message", "a", "me")+push(3, "pmessage", "a*", "a", "me")+":2\r\n", "PUBLISH", "a", "me")
	sub.do(push(3, "ssubscribe", "s", ":1"), "SSUBSCRIBE", "s")
	sub.do(push(3, "smessage", "s", "z")+":1\r\n", "SPUBLISH", "s", "z")
	sub.do(push(3, "unsubscribe", "a", ":1"), "UNSUBSCRIBE")
	sub.do(push(3, "punsubscribe", "a*", ":0"), "PUNSUBSCRIBE")
	sub.do(push(3, "sunsubscribe", "s", ":0"), "SUNSUBSCRIBE")
}

func TestSubscribeInsideMulti(t *testing.T) {
	srv := testutil.StartServer(t)
	c, pub := dialRaw(t, srv), dialRaw(t, srv)
	c.do("+OK\r\n", "MULTI")
	c.do("+QUEUED\r\n", "SUBSCRIBE", "a", "b")
	c.do("+QUEUED\r\n", "PING")
	c.do("*2\r\n"+push(2, "subscribe", "a", ":1")+push(2, "subscribe", "b", ":2")+"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "EXEC")
	pub.do(":1\r\n", "PUBLISH", "a", "x")
	c.expect(push(2, "message", "a", "x"))
	c.do(push(2, "unsubscribe", "a", ":1")+push(2, "unsubscribe", "b", ":0"), "UNSUBSCRIBE")

	// SSUBSCRIBE and MONITOR cannot run inside EXEC; UNSUBSCRIBE can.
	c.do("+OK\r\n", "MULTI")
	c.do("+QUEUED\r\n", "SSUBSCRIBE", "a")
	c.do("+QUEUED\r\n", "MONITOR")
	c.do("+QUEUED\r\n", "PSUBSCRIBE", "x")
	c.do("+QUEUED\r\n", "UNSUBSCRIBE")
	c.do("*4\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n"+
		"-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"+
		push(2, "psubscribe", "x", ":1")+push(2, "unsubscribe", "<nil>", ":1"), "EXEC")
}

func TestPubSubIntrospectionExact(t *testing.T) {
	srv := testutil.StartServer(t)
	c, sub := dialRaw(t, srv), dialRaw(t, srv)
	c.do("-ERR wrong number of arguments for 'pubsub' command\r\n", "PUBSUB")
	c.do("-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n", "PUBSUB", "foo")
	c.do("-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
		"PUBSUB", "CHANNELS", "a", "b")
	c.do("-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.\r\n",
		"pubsub", "shardchannels", "a", "b")
	c.do("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", "PUBSUB", "NUMPAT", "x")
	c.do("-ERR wrong number of arguments for 'pubsub|help' command\r\n", "PUBSUB", "HELP", "x")
	c.do("-ERR wrong number of arguments for 'publish' command\r\n", "PUBLISH", "a")
	c.do("-ERR wrong number of arguments for 'subscribe' command\r\n", "SUBSCRIBE")
	c.do("-ERR wrong number of arguments for 'ssubscribe' command\r\n", "SSUBSCRIBE")
	c.do("-ERR wrong number of arguments for 'spublish' command\r\n", "SPUBLISH", "a")
	c.do("-ERR wrong number of arguments for 'monitor' command\r\n", "MONITOR", "x")
	c.do("*0\r\n", "PUBSUB", "NUMSUB")
	c.do("*0\r\n", "PUBSUB", "SHARDNUMSUB")
	c.do("*0\r\n", "PUBSUB", "CHANNELS")
	c.do(":0\r\n", "PUBSUB", "NUMPAT")

	sub.do(push(2, "subscribe", "news.b", ":1")+push(2, "subscribe", "news.a", ":2")+push(2, "subscribe", "x", ":3"),
		"SUBSCRIBE", "news.b", "news.a", "x")
	sub.do(push(2, "psubscribe", "n*", ":4")+push(2, "psubscribe", "m*", ":5"), "PSUBSCRIBE", "n*", "m*")
	sub.do(push(2, "ssubscribe", "sh", ":1"), "SSUBSCRIBE", "sh")
	c.do("*3\r\n$6\r\nnews.a\r\n$6\r\nnews.b\r\n$1\r\nx\r\n", "PUBSUB", "CHANNELS")
	c.do("*2\r\n$6\r\nnews.a\r\n$6\r\nnews.b\r\n", "PUBSUB", "CHANNELS", "news.*")
	c.do("*4\r\n$6\r\nnews.a\r\n:1\r\n$4\r\nnope\r\n:0\r\n", "PUBSUB", "NUMSUB", "news.a", "nope")
	c.do(":2\r\n", "PUBSUB", "NUMPAT")
	c.do("*1\r\n$2\r\nsh\r\n", "PUBSUB", "SHARDCHANNELS")
	c.do("*0\r\n", "PUBSUB", "SHARDCHANNELS", "x*")
	c.do("*4\r\n$2\r\nsh\r\n:1\r\n$4\r\nnews\r\n:0\r\n", "PUBSUB", "SHARDNUMSUB", "sh", "news")

	help := []string{
		"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
		"HELP",
		"    Prints this help.",
	}
	want := fmt.Sprintf("*%d\r\n", len(help))
	for _, l := range help {
		want += "+" + l + "\r\n"
	}
	c.do(want, "PUBSUB", "help")

	hub := srv.Node().PubSub
	if hub.NumChannels() != 3 || hub.NumPatterns() != 2 || hub.NumShardChannels() != 1 {
		t.Fatalf("hub sizes %d %d %d", hub.NumChannels(), hub.NumPatterns(), hub.NumShardChannels())
	}
	// RESET drops everything and leaves subscribe mode.
	sub.do("+RESET\r\n", "RESET")
	sub.do("$-1\r\n", "GET", "x")
	c.do("*0\r\n", "PUBSUB", "CHANNELS")
	c.do(":0\r\n", "PUBSUB", "NUMPAT")
}
