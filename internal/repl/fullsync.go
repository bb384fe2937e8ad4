package repl

import (
	"context"
	"errors"
	"math"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// A full synchronization streams a forkless point-in-time snapshot of the
// data (keyspace.StartSnapshot) to the replica, interleaved with the
// replication stream from the snapshot's cut on, in an order the replica
// can apply as it arrives:
//
//   - At the cut (every slot locked, so no write in between) the sender
//     pins the backlog at its end X0 and answers +FULLRESYNC replid X0.
//   - Each snapshot record is queued with a tag: the backlog's end when it
//     was emitted. A record is emitted under its slot's lock before any
//     later write to its key propagates, so every stream byte that depends
//     on the record lies at or after its tag. The sender sends the records
//     due (tag <= its position) before any backlog byte at or after their
//     tag, and backlog bytes up to the next tag otherwise.
//   - Records travel in frames the replica does not count in its offset:
//     REPLCONF SNAPSHOT <db> <RESP commands>, then REPLCONF SNAPSHOT-EOF
//     once the walk ended; REPLCONF STREAM-DB <db> first tells the replica
//     which database the stream has selected at X0. Both ends are Shoal.
//
// Memory stays bounded: the walker waits (Pace) while the queue holds more
// than paceLimit bytes, and the backlog stays pinned only as far as the
// sender lags, up to the replica output buffer limit.

// paceLimit is how many bytes of records may wait for the sender.
const paceLimit = 8 << 20

// frameLimit bounds one REPLCONF SNAPSHOT frame's payload (a single
// bigger record travels alone).
const frameLimit = 512 << 10

// wakeBytes is how many queued bytes wake the sender: it writes records
// in big batches rather than one syscall per record, and records below
// this are sent anyway when the stream grows or the walk ends.
const wakeBytes = 256 << 10

// fullSync is the snapshot consumer of one full synchronization.
type fullSync struct {
	bl   *backlog
	quit chan struct{} // closed when the sender gives up

	mu   sync.Mutex
	q    recQueue
	done bool
	err  error
	wake chan struct{} // sender: records queued or walk ended
	room chan struct{} // walker: the queue drained

	// walkFrom is when the walker last paused or waited (walker only).
	walkFrom  time.Time
	walkPause time.Duration
}

// CopiesRecords marks fullSync as a keyspace.SnapshotCopier: records are
// copied into the queue, so the snapshot builds them in reused memory.
func (fs *fullSync) CopiesRecords() {}

// SnapshotRecord implements keyspace.SnapshotConsumer. It runs with slot
// s locked; the tag is read after everything that slot's writers
// propagated before, and before anything they propagate next.
func (fs *fullSync) SnapshotRecord(db, _ int, cmd []byte) {
	fs.mu.Lock()
	before := fs.q.queued
	fs.q.add(fs.bl.end.Load(), db, cmd)
	wake := before < wakeBytes && fs.q.queued >= wakeBytes
	fs.mu.Unlock()
	if wake {
		signal(fs.wake)
	}
}

// The walker's CPU share. Between two lock holds the walker pauses for
// walkPause once it has run for walkSlice: a CPU-bound goroutine keeps its
// P until it blocks or is preempted (10 ms), and while both Ps of a small
// machine are busy nobody polls the network, so clients whose requests
// arrived wait in the kernel (measured: 30% lower primary p99 during a
// 1 GiB sync on 2 cores; docs/design/0009). The pause is a real sleep,
// not runtime.Gosched, which puts the walker on the global run queue that
// the scheduler checks before the network. The share is an eighth of the
// machine's CPUs, a quarter of one core on 2 cores and no limit from 8 on
// (CPUs, not GOMAXPROCS: shoal-server runs one P fewer than CPUs, and an
// eighth of one P is the 12% share that made a 1 GiB sync take 12 s
// instead of 7 in docs/design/0009); the
// walk is not the bottleneck of a sync (the replica applying it is), so
// the sync takes barely longer.
const (
	walkSlice    = 250 * time.Microsecond
	walkShareDen = 8
)

// walkPauseFor is the pause after each walkSlice for procs Ps.
func walkPauseFor(procs int) time.Duration {
	if procs >= walkShareDen {
		return 0
	}
	return walkSlice * time.Duration(walkShareDen-procs) / time.Duration(procs)
}

// walkShare pauses the walker when its slice is spent.
func (fs *fullSync) walkShare() {
	if fs.walkPause <= 0 {
		return
	}
	if fs.walkFrom.IsZero() {
		fs.walkFrom = time.Now()
		return
	}
	if time.Since(fs.walkFrom) >= walkSlice {
		time.Sleep(fs.walkPause)
		fs.walkFrom = time.Now()
	}
}

// pace blocks the walker while the sender is behind, and keeps its CPU
// share.
func (fs *fullSync) pace() error {
	fs.walkShare()
	for {
		fs.mu.Lock()
		q := fs.q.queued
		fs.mu.Unlock()
		if q < paceLimit {
			return nil
		}
		select {
		case <-fs.room:
			fs.walkFrom = time.Now()
		case <-fs.quit:
			return errReplicaGone
		}
	}
}

func (fs *fullSync) finish(err error) {
	fs.mu.Lock()
	fs.done, fs.err = true, err
	fs.mu.Unlock()
	signal(fs.wake)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// fullSync runs a full synchronization and returns the replica's backlog
// reader, positioned after everything sent.
func (rep *replica) fullSync(bl *backlog, replid string, closed <-chan struct{}) (*reader, error) {
	r := rep.r
	fs := &fullSync{bl: bl, quit: make(chan struct{}), wake: make(chan struct{}, 1), room: make(chan struct{}, 1),
		walkPause: walkPauseFor(runtime.NumCPU())}
	var rd *reader
	streamDB := -1
	atCut := func() {
		bl.mu.Lock()
		rd = bl.newReaderLocked(bl.end.Load(), rep.kill)
		streamDB = bl.streamDB
		bl.mu.Unlock()
		// The imports open at the cut go first, before any record (the
		// pre-write hook may emit one as soon as the slot locks are
		// released): the replica stages their slots, so the staged keys
		// the walk sends land in its staging too (keyspace/imports.go).
		fs.mu.Lock()
		for _, head := range r.ks.ImportHeads() {
			fs.q.add(rd.pos.Load(), 0, appendRESP(nil, head))
		}
		fs.mu.Unlock()
	}
	// A replica applies its primary's stream on the link goroutine: the
	// cut must fall between two applied commands, where the data and
	// the backlog's end agree.
	onReplica := r.IsReplica()
	if onReplica {
		r.applyMu.Lock()
	}
	snap := r.ks.StartSnapshot(keyspace.SnapshotOptions{Consumer: fs, AtCut: atCut, Pace: fs.pace})
	if onReplica {
		r.applyMu.Unlock()
	}
	r.queueOpenSlots(fs, rd.pos.Load()) // setslot.go
	ctx, cancel := context.WithCancel(context.Background())
	var walker sync.WaitGroup
	walker.Add(1)
	go func() {
		defer walker.Done()
		fs.finish(snap.Run(ctx))
	}()
	defer func() {
		close(fs.quit)
		cancel()
		snap.Close()
		walker.Wait()
	}()
	if err := rep.write([]byte("+FULLRESYNC " + replid + " " + strconv.FormatInt(rd.pos.Load(), 10) + "\r\n")); err != nil {
		return rd, err
	}
	rep.state.Store(stateSendBulk)
	if streamDB >= 0 {
		if err := rep.write(appendRESP(nil, [][]byte{[]byte("REPLCONF"), []byte("STREAM-DB"), []byte(strconv.Itoa(streamDB))})); err != nil {
			return rd, err
		}
	}
	if err := rep.interleave(fs, rd, closed); err != nil {
		return rd, err
	}
	return rd, rep.write(appendRESP(nil, [][]byte{[]byte("REPLCONF"), []byte("SNAPSHOT-EOF")}))
}

// interleave sends the queued records and the backlog in dependency
// order until the walk ended and every record was sent. Each round
// gathers, in order, the runs of records due (tag <= position) and the
// stream bytes up to the next run's tag, into one writev of up to
// syncBatch bytes: under a write workload the tags advance between almost
// every record, and a syscall per record and stream piece would cost the
// primary more CPU than the snapshot itself.
func (rep *replica) interleave(fs *fullSync, rd *reader, closed <-chan struct{}) error {
	b := newSyncBatch()
	for {
		b.reset()
		finished, werr, err := b.gather(fs, rd)
		if err != nil {
			return err
		}
		if b.size > 0 {
			err := rep.writeBuffers(&b.bufs)
			fs.mu.Lock()
			fs.q.release()
			fs.mu.Unlock()
			signal(fs.room)
			if err != nil {
				return err
			}
			continue
		}
		if finished {
			return werr
		}
		pos := rd.pos.Load()
		grown := fs.bl.parkAt(rd, pos)
		if grown == nil {
			continue // the stream grew meanwhile
		}
		if err := rep.park(fs.wake, grown, closed); err != nil {
			return err
		}
		batchRound()
	}
}

// syncBatch is one writev of a full sync: frames of records taken from the
// queue (their bytes referenced in its blocks) and stream bytes, with the
// small pieces (frame headers, CRLFs, stream bytes) in an arena that is
// never reallocated while bufs refers to it.
type syncBatch struct {
	bufs  net.Buffers
	iov   [][]byte // bufs' backing array, reused
	arena []byte
	open  int // start of the arena segment that is bufs' last element, or -1
	size  int
}

// syncBatch bounds the bytes of one batch; arenaSize its small pieces.
const (
	syncBatchBytes = 512 << 10
	arenaSize      = sendChunk + 64<<10
)

func newSyncBatch() *syncBatch {
	return &syncBatch{arena: make([]byte, 0, arenaSize), iov: make([][]byte, 0, 64)}
}

func (b *syncBatch) reset() {
	clear(b.iov[:cap(b.iov)])
	b.bufs = b.iov[:0]
	b.arena = b.arena[:0]
	b.open = -1
	b.size = 0
}

// small appends p (which fits) to the arena and the batch.
func (b *syncBatch) small(p []byte) {
	start := len(b.arena)
	b.arena = append(b.arena, p...)
	b.grow(start)
}

// grow adds the arena's bytes from start on to the batch, as part of its
// last element when that is the arena segment being built.
func (b *syncBatch) grow(start int) {
	if b.open < 0 {
		b.open = start
		b.bufs = append(b.bufs, nil)
	}
	b.bufs[len(b.bufs)-1] = b.arena[b.open:]
}

// gather fills the batch. finished reports that the walk ended (with
// werr) and every record was taken.
func (b *syncBatch) gather(fs *fullSync, rd *reader) (finished bool, werr, err error) {
	var hdr [64]byte
	for b.size < syncBatchBytes {
		pos := rd.pos.Load()
		added := false
		fs.mu.Lock()
		for b.size < syncBatchBytes && cap(b.arena)-len(b.arena) >= len(hdr)+2 {
			r, ok := fs.q.next()
			if !ok || r.tag > pos {
				break
			}
			b.small(appendFrameHeader(hdr[:0], r.db, r.n))
			b.bufs = fs.q.takeNext(b.bufs)
			b.open = -1
			b.small(crlfBytes)
			b.size += r.n
			added = true
		}
		next := int64(math.MaxInt64)
		if r, ok := fs.q.next(); ok {
			next = r.tag
		}
		// Records queued after this point carry a tag >= end.
		end := fs.bl.end.Load()
		finished, werr = fs.done && fs.q.empty(), fs.err
		fs.mu.Unlock()
		if limit := min(next, end); pos < limit && cap(b.arena) > len(b.arena) {
			data, _, ok := fs.bl.read(rd, limit, b.arena[len(b.arena):len(b.arena)])
			if !ok {
				return false, nil, errors.New("replica fell behind the output buffer limit (client-output-buffer-limit replica)")
			}
			if len(data) > 0 {
				start := len(b.arena)
				b.arena = b.arena[:start+len(data)]
				b.grow(start)
				rd.pos.Add(int64(len(data)))
				b.size += len(data)
				added = true
			}
		}
		if !added {
			break
		}
	}
	b.iov = b.bufs[:0]
	return finished, werr, nil
}

var crlfBytes = []byte("\r\n")

// appendFrameHeader starts REPLCONF SNAPSHOT <db> $<size>.
func appendFrameHeader(dst []byte, db, size int) []byte {
	var num [20]byte
	dbs := strconv.AppendInt(num[:0], int64(db), 10)
	dst = append(dst, "*4\r\n$8\r\nREPLCONF\r\n$8\r\nSNAPSHOT\r\n$"...)
	dst = strconv.AppendInt(dst, int64(len(dbs)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, dbs...)
	dst = append(dst, "\r\n$"...)
	dst = strconv.AppendInt(dst, int64(size), 10)
	return append(dst, '\r', '\n')
}
