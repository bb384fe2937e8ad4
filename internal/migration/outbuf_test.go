package migration

import (
	"io"
	"net"
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
