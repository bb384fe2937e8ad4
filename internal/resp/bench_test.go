package resp

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// loopReader serves the same pipeline of requests forever, so a benchmark
// measures parsing, not the source.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.data[l.off:])
		n += c
		l.off = (l.off + c) % len(l.data)
	}
	return n, nil
}

func benchRequests(n int, build func(i int) string) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		b.WriteString(build(i))
	}
	return b.Bytes()
}

func setRequest(i int) string {
	k := fmt.Sprintf("key:%012d", i)
	v := string(bytes.Repeat([]byte{'v'}, 64))
	return fmt.Sprintf("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
}

func getRequest(i int) string {
	k := fmt.Sprintf("key:%012d", i)
	return fmt.Sprintf("*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(k), k)
}

func benchmarkRead(b *testing.B, build func(int) string) {
	data := benchRequests(1000, build)
	rd := NewReader(&loopReader{data: data})
	b.SetBytes(int64(len(data) / 1000))
	b.ReportAllocs()
	ct := startCPUTimer(b)
	defer ct.report(b)
	for i := 0; i < b.N; i++ {
		argv, err := rd.ReadCommand()
		if err != nil || len(argv) < 2 {
			b.Fatalf("argv %q err %v", argv, err)
		}
	}
}

// BenchmarkReadCommandSet parses pipelined SET key:%012d <64 bytes>, the
// redis-benchmark request the single-node target is measured with.
func BenchmarkReadCommandSet(b *testing.B) { benchmarkRead(b, setRequest) }

// BenchmarkReadCommandGet parses pipelined GET key:%012d.
func BenchmarkReadCommandGet(b *testing.B) { benchmarkRead(b, getRequest) }

// BenchmarkReadCommandInline parses inline requests (redis-cli style).
func BenchmarkReadCommandInline(b *testing.B) {
	benchmarkRead(b, func(i int) string { return fmt.Sprintf("SET key:%012d value\r\n", i) })
}

func benchmarkWrite(b *testing.B, write func(w *Writer)) {
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		write(w)
		if w.Len() > 16<<10 {
			_ = w.Flush()
		}
	}
}

func BenchmarkWriterOK(b *testing.B) { benchmarkWrite(b, (*Writer).OK) }

func BenchmarkWriterBulk64(b *testing.B) {
	v := bytes.Repeat([]byte{'v'}, 64)
	benchmarkWrite(b, func(w *Writer) { w.Bulk(v) })
}

func BenchmarkWriterInt(b *testing.B) {
	benchmarkWrite(b, func(w *Writer) { w.Int(1234567) })
}

func BenchmarkWriterNull(b *testing.B) { benchmarkWrite(b, (*Writer).Null) }
