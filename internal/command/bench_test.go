package command

import (
	"bytes"
	"io"
	"testing"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

type benchHost struct{}

func (benchHost) Shutdown()          {}
func (benchHost) Port() int          { return 0 }
func (benchHost) ConfigFile() string { return "" }

const benchExecKeys = 1 << 20

// scatter maps the i-th access to a key index in a fixed pseudo-random
// order (a multiplicative permutation of the power-of-two n), so that
// accesses do not walk memory in allocation order.
func scatter(i, n int) int { return int(uint32(i)*0x9E3779B1) & (n - 1) }

// benchKey writes key:%012d of i into dst (16 bytes) without allocating:
// a request's key arrives in the connection's (cache-hot) read buffer, so
// the benchmark builds it in place rather than reading it from a big
// table, which would add cache misses the server does not have.
func benchKey(dst []byte, i int) []byte {
	dst = append(dst[:0], "key:000000000000"...)
	for j := len(dst) - 1; i > 0; j-- {
		dst[j] = byte('0' + i%10)
		i /= 10
	}
	return dst
}

// benchNode returns a node with benchExecKeys string keys (key:%012d ->
// 64 bytes) loaded.
func benchNode(b *testing.B) *Node {
	ks := keyspace.New(keyspace.Options{Databases: 16})
	n := NewNode(ks, config.New(), benchHost{})
	c, w := benchClient(n)
	val := bytes.Repeat([]byte{'v'}, 64)
	key := make([]byte, 0, 16)
	for i := 0; i < benchExecKeys; i++ {
		n.Exec(c, w, [][]byte{[]byte("SET"), benchKey(key, i), val})
		w.Reset()
	}
	return n
}

func benchClient(n *Node) (*Client, *resp.Writer) {
	c := NewClient(n.Clients.NextID(), nil, "127.0.0.1:1", "127.0.0.1:2", n.KS.NewTx())
	c.Authenticated = true
	return c, resp.NewWriter(io.Discard)
}

// benchRun runs b.N requests from one client; argv is reused, with its
// argument 1 set to a key in scattered order.
func benchRun(n *Node, c *Client, w *resp.Writer, argv [][]byte, seq func() int, next func() bool) {
	key := make([]byte, 0, 16)
	for next() {
		argv[1] = benchKey(key, scatter(seq(), benchExecKeys))
		n.Exec(c, w, argv)
		if w.Len() > 16<<10 {
			_ = w.Flush()
		}
	}
}

func benchmarkExec(b *testing.B, argv [][]byte) {
	n := benchNode(b)
	c, w := benchClient(n)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	i, left := 0, b.N
	benchRun(n, c, w, argv, func() int { i++; return i }, func() bool { left--; return left >= 0 })
}

// BenchmarkExecSET runs SET of an existing key through the whole
// dispatcher (lookup, arity, slot lock, Tx, propagation, stats).
func BenchmarkExecSET(b *testing.B) {
	benchmarkExec(b, [][]byte{[]byte("SET"), nil, bytes.Repeat([]byte{'w'}, 64)})
}

// BenchmarkExecGET runs GET of an existing key through the dispatcher.
func BenchmarkExecGET(b *testing.B) {
	benchmarkExec(b, [][]byte{[]byte("GET"), nil})
}

func benchmarkExecParallel(b *testing.B, argv [][]byte) {
	n := benchNode(b)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	b.RunParallel(func(pb *testing.PB) {
		c, w := benchClient(n)
		own := append([][]byte(nil), argv...)
		i := int(c.ID) * 7919
		benchRun(n, c, w, own, func() int { i++; return i }, pb.Next)
	})
}

// BenchmarkExecGETParallel runs GETs from several clients at once, which
// exposes contention on shared counters and locks.
func BenchmarkExecGETParallel(b *testing.B) {
	benchmarkExecParallel(b, [][]byte{[]byte("GET"), nil})
}

// BenchmarkExecSETParallel is BenchmarkExecGETParallel for SET.
func BenchmarkExecSETParallel(b *testing.B) {
	benchmarkExecParallel(b, [][]byte{[]byte("SET"), nil, bytes.Repeat([]byte{'w'}, 64)})
}
