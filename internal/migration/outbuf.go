package migration

import (
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/slot"
)

// outBuf is an export job's ordered output: snapshot records and the
// writes to the migrating slots, in the order the keyspace applied them
// (both are appended under the written slot's lock), with a SELECT
// whenever the database changes. It is a keyspace.Sink and a
// keyspace.SnapshotConsumer; appends never block (they run under slot
// locks), so the walker is paced instead and an overrun fails the job.
type outBuf struct {
	scope [slot.Count / 64]uint64 // immutable

	mu   sync.Mutex
	cond *sync.Cond
	// blocks hold the pending bytes in order; the last one is being
	// filled. Written blocks go back to free, so a long migration reuses
	// a few blocks instead of leaving garbage behind (the source's memory
	// overhead is what is pending plus the free list).
	blocks  [][]byte
	free    [][]byte
	pend    int64
	db      int
	closed  bool
	overrun bool
	flushed bool  // a FLUSHALL/FLUSHDB ran: the job fails ("Data was flushed")
	hard    int64 // client-output-buffer-limit replica hard limit (0 = none)
	sent    int64
	snap    int64 // bytes of snapshot records appended (RATE counts them)
	peak    int64 // most bytes ever pending: the source's memory overhead
	made    int   // blocks allocated: more than a handful means churn
	// w is the link (set by writeTo); writing is set while a write to it
	// is in progress, by writeTo or controlNow, which take turns.
	w        io.Writer
	deadline func() // refreshes w's write deadline before a write
	writing  bool
	writeErr error // a controlNow write failed
}

func (o *outBuf) peakBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peak
}

func (o *outBuf) blocksMade() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.made
}

func (o *outBuf) snapshotBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.snap
}

func newOutBuf(slots []int, hard int64) *outBuf {
	o := &outBuf{db: -1, hard: hard}
	o.cond = sync.NewCond(&o.mu)
	for _, s := range slots {
		o.scope[s>>6] |= 1 << (s & 63)
	}
	return o
}

func (o *outBuf) inScope(s int) bool { return s >= 0 && o.scope[s>>6]&(1<<(s&63)) != 0 }

// Propagate takes the writes of the migrating slots. Keyless effects
// (MULTI/EXEC wrappers, FLUSHALL) are not forwarded, as in Valkey: a
// flush fails the job instead.
func (o *outBuf) Propagate(db, s int, argv [][]byte) {
	if !o.inScope(s) {
		if s < 0 && isFlush(argv) {
			o.mu.Lock()
			o.flushed = true
			o.mu.Unlock()
		}
		return
	}
	o.mu.Lock()
	o.selectDB(db)
	o.appendArgv(argv)
	o.appended()
}

// SnapshotRecord takes one snapshot record.
func (o *outBuf) SnapshotRecord(db, _ int, cmd []byte) {
	o.mu.Lock()
	o.selectDB(db)
	b := o.tail(len(cmd))
	o.setTail(append(b, cmd...), len(b))
	o.snap += int64(len(cmd))
	o.appended()
}

// CopiesRecords tells the snapshot that records are copied, so it may
// build them in reused memory.
func (o *outBuf) CopiesRecords() {}

// control appends a CLUSTER SYNCSLOTS message in stream order.
func (o *outBuf) control(sub string) {
	o.mu.Lock()
	o.appendArgv([][]byte{[]byte("CLUSTER"), []byte("SYNCSLOTS"), []byte(sub)})
	o.appended()
}

// controlNow is control for the hand-over's messages (PAUSED,
// FAILOVER-GRANTED), which the write pause waits on: when nothing is
// queued and no write is in progress, the caller writes the message
// itself instead of waking the writer goroutine (under load each hop
// between goroutines cost up to milliseconds). Otherwise it queues it.
func (o *outBuf) controlNow(sub string) {
	o.mu.Lock()
	if o.w == nil || o.writing || len(o.blocks) > 0 || o.closed {
		o.mu.Unlock()
		o.control(sub)
		return
	}
	o.writing = true
	w, deadline := o.w, o.deadline
	o.mu.Unlock()
	msg := appendArgv(nil, [][]byte{[]byte("CLUSTER"), []byte("SYNCSLOTS"), []byte(sub)})
	deadline()
	n, err := w.Write(msg)
	o.mu.Lock()
	o.writing = false
	o.sent += int64(n)
	if err != nil {
		o.writeErr = err // writeTo returns it: the link is down
	}
	o.cond.Broadcast()
	o.mu.Unlock()
}

func (o *outBuf) selectDB(db int) {
	if db != o.db {
		o.db = db
		o.appendArgv([][]byte{[]byte("SELECT"), []byte(strconv.Itoa(db))})
	}
}

// appended wakes the writer and enforces the hard limit; it releases mu.
func (o *outBuf) appended() {
	if o.pend > o.peak {
		o.peak = o.pend
	}
	if o.hard > 0 && o.pend > o.hard {
		o.overrun = true
	}
	o.cond.Broadcast()
	o.mu.Unlock()
}

// pending is the number of bytes not yet written to the socket.
func (o *outBuf) pending() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pend
}

func (o *outBuf) overrunNow() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.overrun
}

func (o *outBuf) flushedNow() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flushed
}

// isFlush recognises the effects of FLUSHALL and FLUSHDB.
func isFlush(argv [][]byte) bool {
	if len(argv) == 0 {
		return false
	}
	n := string(argv[0])
	return len(n) >= 7 && (equalFold(n, "FLUSHALL") || equalFold(n, "FLUSHDB"))
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i]|0x20 != b[i]|0x20 {
			return false
		}
	}
	return true
}

// waitBelow blocks until at most limit bytes are pending, the buffer is
// closed, or the timeout passes (so the caller can re-check its job).
func (o *outBuf) waitBelow(limit int64, timeout time.Duration) {
	t := time.AfterFunc(timeout, func() {
		o.mu.Lock()
		o.cond.Broadcast()
		o.mu.Unlock()
	})
	defer t.Stop()
	deadline := time.Now().Add(timeout)
	o.mu.Lock()
	for o.pend > limit && !o.closed && time.Now().Before(deadline) {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

func (o *outBuf) close() {
	o.mu.Lock()
	o.closed = true
	o.cond.Broadcast()
	o.mu.Unlock()
}

// writeTo drains the buffer into w until the buffer is closed or a write
// fails; it returns the write error (nil after close). Pending blocks go
// out in one writev.
func (o *outBuf) writeTo(w io.Writer, deadline func()) error {
	o.mu.Lock()
	o.w, o.deadline = w, deadline
	o.mu.Unlock()
	for {
		o.mu.Lock()
		for (len(o.blocks) == 0 || o.writing) && !o.closed && o.writeErr == nil {
			o.cond.Wait()
		}
		if err := o.writeErr; err != nil {
			o.mu.Unlock()
			return err
		}
		if o.closed {
			o.mu.Unlock()
			return nil
		}
		// At most writeBlocks per writev: the walker refills the queue
		// while the rest is on the wire, instead of waiting for all of it.
		k := min(len(o.blocks), writeBlocks)
		if k == len(o.blocks) && k > 1 {
			k-- // the last block is still being filled: leave it
		}
		blocks := append([][]byte(nil), o.blocks[:k]...)
		o.blocks = append(o.blocks[:0], o.blocks[k:]...)
		o.writing = true
		o.mu.Unlock()
		deadline()
		bufs := append(net.Buffers(nil), blocks...)
		n, err := bufs.WriteTo(w)
		o.mu.Lock()
		o.writing = false
		o.sent += n
		o.pend -= n
		for _, b := range blocks {
			if cap(b) == blockSize && len(o.free) < maxFreeBlocks {
				o.free = append(o.free, b[:0])
			}
		}
		o.cond.Broadcast() // the walker may be waiting for room
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// Output blocks: big enough for one writev to carry a lot. The free list
// holds as many as can be in use at once — a writev's worth in flight
// plus what the walker may queue meanwhile (paceBytes) — so that blocks
// circulate instead of being dropped and made again: with room for only
// 4, a 90 MB export made 80 of them, 20 MB of garbage that a big heap
// does not collect for a long time (it showed as the source's RSS).
const (
	blockSize     = 256 << 10
	writeBlocks   = 4
	maxFreeBlocks = writeBlocks + paceBytes/blockSize + 1
)

// tail returns the block that can take need more bytes, starting a new
// one (from the free list when it fits) when the last is full.
func (o *outBuf) tail(need int) []byte {
	if n := len(o.blocks); n > 0 && len(o.blocks[n-1])+need <= cap(o.blocks[n-1]) {
		return o.blocks[n-1]
	}
	var b []byte
	if k := len(o.free); k > 0 && need <= blockSize {
		b, o.free = o.free[k-1], o.free[:k-1]
	} else {
		b = make([]byte, 0, max(blockSize, need))
		o.made++
	}
	o.blocks = append(o.blocks, b)
	return b
}

// setTail stores the grown last block; before is its length before.
func (o *outBuf) setTail(b []byte, before int) {
	o.blocks[len(o.blocks)-1] = b
	o.pend += int64(len(b) - before)
}

func (o *outBuf) appendArgv(argv [][]byte) {
	need := 16
	for _, a := range argv {
		need += len(a) + 16
	}
	b := o.tail(need)
	o.setTail(appendArgv(b, argv), len(b))
}

func (o *outBuf) sentBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sent
}

func appendArgv(dst []byte, argv [][]byte) []byte { return resp.AppendCommand(dst, argv) }
