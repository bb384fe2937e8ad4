package migration

import (
	"io"
	"strconv"
	"sync"
	"time"

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

	mu      sync.Mutex
	cond    *sync.Cond
	buf     []byte
	spare   []byte
	db      int
	closed  bool
	overrun bool
	flushed bool  // a FLUSHALL/FLUSHDB ran: the job fails ("Data was flushed")
	hard    int64 // client-output-buffer-limit replica hard limit (0 = none)
	sent    int64
	total   int64 // bytes ever appended
}

func (o *outBuf) appendedBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.total
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
	o.buf = appendArgv(o.buf, argv)
	o.appended()
}

// SnapshotRecord takes one snapshot record.
func (o *outBuf) SnapshotRecord(db, _ int, cmd []byte) {
	o.mu.Lock()
	o.selectDB(db)
	o.buf = append(o.buf, cmd...)
	o.appended()
}

// control appends a CLUSTER SYNCSLOTS message in stream order.
func (o *outBuf) control(sub string) {
	o.mu.Lock()
	o.buf = appendArgv(o.buf, [][]byte{[]byte("CLUSTER"), []byte("SYNCSLOTS"), []byte(sub)})
	o.appended()
}

func (o *outBuf) selectDB(db int) {
	if db != o.db {
		o.db = db
		o.buf = appendArgv(o.buf, [][]byte{[]byte("SELECT"), []byte(strconv.Itoa(db))})
	}
}

// appended wakes the writer and enforces the hard limit; it releases mu.
func (o *outBuf) appended() {
	o.total = o.sent + int64(len(o.buf))
	if o.hard > 0 && int64(len(o.buf)) > o.hard {
		o.overrun = true
	}
	o.cond.Broadcast()
	o.mu.Unlock()
}

// pending is the number of bytes not yet written to the socket.
func (o *outBuf) pending() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return int64(len(o.buf))
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
	for int64(len(o.buf)) > limit && !o.closed && time.Now().Before(deadline) {
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
// fails; it returns the write error (nil after close).
func (o *outBuf) writeTo(w io.Writer, deadline func()) error {
	for {
		o.mu.Lock()
		for len(o.buf) == 0 && !o.closed {
			o.cond.Wait()
		}
		if o.closed {
			o.mu.Unlock()
			return nil
		}
		data := o.buf
		o.buf = o.spare[:0]
		o.mu.Unlock()
		deadline()
		n, err := w.Write(data)
		o.mu.Lock()
		o.sent += int64(n)
		if cap(data) <= 4<<20 {
			o.spare = data[:0] // keep a moderate buffer for reuse
		}
		o.cond.Broadcast() // the walker may be waiting for room
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (o *outBuf) sentBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sent
}

func appendArgv(dst []byte, argv [][]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(argv)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range argv {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}
