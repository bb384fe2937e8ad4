package server

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/config"
)

// Replies the kernel does not take at once are only partly sent by the
// combiner's non-blocking write; the connection goroutine must send the
// rest, whole and in order. Small socket buffers on both ends make the
// partial write certain, which an end-to-end test over loopback (whose
// buffers grow to megabytes) cannot.
func TestCombinedPartialWrite(t *testing.T) {
	cfg, err := config.Parse([]string{"--bind", "127.0.0.1", "--port", "0"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.combiner == nil {
		t.Skip("write combining disabled (SHOAL_NOCOMBINE)")
	}
	s.wg.Add(1)
	go s.combiner.loop(s.wg.Done)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.(*net.TCPConn).SetWriteBuffer(32 << 10)
	_ = client.(*net.TCPConn).SetReadBuffer(64 << 10)
	c := s.newConn(nc)
	defer c.Close()

	want := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	c.w.Raw(want)
	c.batch = 2
	type result struct {
		r    combinedResult
		sent int
	}
	done := make(chan result, 1)
	go func() {
		r := c.combinedFlush() // c.sent stays as the combiner left it
		done <- result{r, c.sent}
	}()
	_ = client.SetReadDeadline(time.Now().Add(30 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(client, got); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.r != combinedSent {
		t.Fatalf("combinedFlush = %v, want combinedSent", res.r)
	}
	if res.sent >= len(want) {
		t.Fatalf("the combiner's write took all %d bytes: the partial path was not exercised", res.sent)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the client received different bytes than were written")
	}
	if c.w.Len() != 0 {
		t.Fatalf("writer still holds %d bytes", c.w.Len())
	}
}
