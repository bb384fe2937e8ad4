package command

import (
	"bytes"
	"fmt"
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

// benchNode returns a node, a client and its reply writer, with
// benchExecKeys string keys (key:%012d -> 64 bytes) loaded.
func benchNode(b *testing.B) (*Node, *Client, *resp.Writer, [][][]byte, [][][]byte) {
	ks := keyspace.New(keyspace.Options{Databases: 16})
	n := NewNode(ks, config.New(), benchHost{})
	c := NewClient(n.Clients.NextID(), nil, "127.0.0.1:1", "127.0.0.1:2", ks.NewTx())
	c.Authenticated = true
	w := resp.NewWriter(io.Discard)
	val := bytes.Repeat([]byte{'v'}, 64)
	sets := make([][][]byte, benchExecKeys)
	gets := make([][][]byte, benchExecKeys)
	for i := range sets {
		k := []byte(fmt.Sprintf("key:%012d", i))
		sets[i] = [][]byte{[]byte("SET"), k, val}
		gets[i] = [][]byte{[]byte("GET"), k}
		n.Exec(c, w, sets[i])
		w.Reset()
	}
	return n, c, w, sets, gets
}

func benchmarkExec(b *testing.B, pick func(sets, gets [][][]byte, i int) [][]byte) {
	n, c, w, sets, gets := benchNode(b)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	for i := 0; i < b.N; i++ {
		n.Exec(c, w, pick(sets, gets, scatter(i, benchExecKeys)))
		if w.Len() > 16<<10 {
			_ = w.Flush()
		}
	}
}

// BenchmarkExecSET runs SET of an existing key through the whole
// dispatcher (lookup, arity, slot lock, Tx, propagation, stats).
func BenchmarkExecSET(b *testing.B) {
	benchmarkExec(b, func(sets, _ [][][]byte, i int) [][]byte { return sets[i] })
}

// BenchmarkExecGET runs GET of an existing key through the dispatcher.
func BenchmarkExecGET(b *testing.B) {
	benchmarkExec(b, func(_, gets [][][]byte, i int) [][]byte { return gets[i] })
}

// BenchmarkExecGETParallel runs GETs from several clients at once, which
// exposes contention on shared counters and locks.
func BenchmarkExecGETParallel(b *testing.B) {
	n, _, _, _, gets := benchNode(b)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	b.RunParallel(func(pb *testing.PB) {
		c := NewClient(n.Clients.NextID(), nil, "127.0.0.1:1", "127.0.0.1:2", n.KS.NewTx())
		c.Authenticated = true
		w := resp.NewWriter(io.Discard)
		i := int(c.ID) * 7919
		for pb.Next() {
			n.Exec(c, w, gets[scatter(i, benchExecKeys)])
			i++
			if w.Len() > 16<<10 {
				_ = w.Flush()
			}
		}
	})
}

// BenchmarkExecSETParallel is BenchmarkExecGETParallel for SET.
func BenchmarkExecSETParallel(b *testing.B) {
	n, _, _, sets, _ := benchNode(b)
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	b.RunParallel(func(pb *testing.PB) {
		c := NewClient(n.Clients.NextID(), nil, "127.0.0.1:1", "127.0.0.1:2", n.KS.NewTx())
		c.Authenticated = true
		w := resp.NewWriter(io.Discard)
		i := int(c.ID) * 7919
		for pb.Next() {
			n.Exec(c, w, sets[scatter(i, benchExecKeys)])
			i++
			if w.Len() > 16<<10 {
				_ = w.Flush()
			}
		}
	})
}
