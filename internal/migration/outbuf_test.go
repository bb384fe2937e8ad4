package migration

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestOutBufReusesBlocks: a snapshot of many records through a socket
// that drains at its own pace allocates a handful of blocks, not one per
// few records (each allocation is source memory until the next GC, which
// on a big heap is far away: the source's overhead).
func TestOutBufReusesBlocks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 32<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			time.Sleep(20 * time.Microsecond) // a target that parses as it reads
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	o := newOutBuf([]int{0}, 0)
	done := make(chan error, 1)
	go func() { done <- o.writeTo(conn, func() {}) }()
	rec := make([]byte, 16<<10+40)
	const records = 3000 // ~50 MB
	for i := 0; i < records; i++ {
		o.SnapshotRecord(0, 0, rec)
		for o.pending() > paceBytes {
			o.waitBelow(paceBytes, 100*time.Millisecond)
		}
	}
	for o.pending() > 0 {
		o.waitBelow(0, 100*time.Millisecond)
	}
	o.close()
	if err := <-done; err != nil && err != io.EOF {
		t.Fatal(err)
	}
	t.Logf("%d blocks allocated, peak %d bytes pending", o.blocksMade(), o.peakBytes())
	if made := o.blocksMade(); made > maxFreeBlocks+1 {
		t.Fatalf("%d blocks allocated for %d records (peak %d bytes pending)", made, records, o.peakBytes())
	}
}

// TestOutBufControlNowKeepsOrder: a hand-over message written directly
// by its caller never overtakes what is queued or being written.
func TestOutBufControlNowKeepsOrder(t *testing.T) {
	r, w := net.Pipe()
	defer r.Close()
	o := newOutBuf([]int{0}, 0)
	done := make(chan error, 1)
	go func() { done <- o.writeTo(w, func() {}) }()
	rec := make([]byte, 100<<10)
	for i := range rec {
		rec[i] = 'r'
	}
	for i := 0; i < 20; i++ {
		o.SnapshotRecord(0, 0, rec) // 2 MB: net.Pipe makes the writer wait for the reader
	}
	o.controlNow("PAUSED")
	_ = r.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 64<<10)
	for !strings.Contains(string(got), "PAUSED") {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if i := strings.Index(string(got), "PAUSED"); i < 20*len(rec) {
		t.Fatalf("PAUSED at byte %d, before the %d bytes queued ahead of it", i, 20*len(rec))
	}
	// Nothing queued now: the caller writes the next one itself.
	wrote := make(chan struct{})
	go func() { o.controlNow("FAILOVER-GRANTED"); close(wrote) }()
	n, err := r.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "FAILOVER-GRANTED") {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	<-wrote
	o.close()
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
