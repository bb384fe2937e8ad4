package repl

import (
	"context"
	"errors"
	"math"
	"strconv"
	"sync"

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

// frameLimit bounds one REPLCONF SNAPSHOT frame's payload.
const frameLimit = 512 << 10

type record struct {
	tag int64
	db  int
	cmd []byte
}

// fullSync is the snapshot consumer of one full synchronization.
type fullSync struct {
	bl   *backlog
	quit chan struct{} // closed when the sender gives up

	mu     sync.Mutex
	recs   []record
	queued int64
	done   bool
	err    error
	wake   chan struct{} // sender: records queued or walk ended
	room   chan struct{} // walker: the queue drained

	// bufs recycles record copies once they are sent: the snapshot builds
	// records in reused memory (CopiesRecords), and without recycling here
	// a 1 GiB sync would leave 1 GiB of garbage behind, which the GC
	// turns into memory growth and client latency on the primary.
	bufs sync.Pool
}

// CopiesRecords marks fullSync as a keyspace.SnapshotCopier.
func (fs *fullSync) CopiesRecords() {}

// copyRecord copies cmd into a recycled buffer when one is big enough.
func (fs *fullSync) copyRecord(cmd []byte) []byte {
	if b, ok := fs.bufs.Get().(*[]byte); ok && cap(*b) >= len(cmd) {
		return append((*b)[:0], cmd...)
	}
	return append(make([]byte, 0, max(len(cmd), 512)), cmd...)
}

// recycle returns sent records' buffers.
func (fs *fullSync) recycle(recs []record) {
	for _, r := range recs {
		if cap(r.cmd) <= 1<<20 {
			b := r.cmd[:0]
			fs.bufs.Put(&b)
		}
	}
}

// SnapshotRecord implements keyspace.SnapshotConsumer. It runs with slot
// s locked; the tag is read after everything that slot's writers
// propagated before, and before anything they propagate next.
func (fs *fullSync) SnapshotRecord(db, _ int, cmd []byte) {
	fs.mu.Lock()
	cmd = fs.copyRecord(cmd)
	fs.recs = append(fs.recs, record{tag: fs.bl.end.Load(), db: db, cmd: cmd})
	fs.queued += int64(len(cmd))
	fs.mu.Unlock()
	signal(fs.wake)
}

// pace blocks the walker while the sender is behind.
func (fs *fullSync) pace() error {
	for {
		fs.mu.Lock()
		q := fs.queued
		fs.mu.Unlock()
		if q < paceLimit {
			return nil
		}
		select {
		case <-fs.room:
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
	fs := &fullSync{bl: bl, quit: make(chan struct{}), wake: make(chan struct{}, 1), room: make(chan struct{}, 1)}
	var rd *reader
	streamDB := -1
	atCut := func() {
		bl.mu.Lock()
		rd = bl.newReaderLocked(bl.end.Load(), rep.kill)
		streamDB = bl.streamDB
		bl.mu.Unlock()
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
// order until the walk ended and every record was sent.
func (rep *replica) interleave(fs *fullSync, rd *reader, closed <-chan struct{}) error {
	bl := fs.bl
	buf := make([]byte, 0, sendChunk)
	var frame []byte
	var due []record
	for {
		pos := rd.pos.Load()
		fs.mu.Lock()
		n := 0
		for n < len(fs.recs) && fs.recs[n].tag <= pos {
			n++
		}
		due = append(due[:0], fs.recs[:n]...)
		clear(fs.recs[:n])
		fs.recs = fs.recs[n:]
		next := int64(math.MaxInt64)
		if len(fs.recs) > 0 {
			next = fs.recs[0].tag
		}
		// Records queued after this point carry a tag >= end.
		end := bl.end.Load()
		finished, werr := fs.done && len(fs.recs) == 0, fs.err
		for _, rec := range due {
			fs.queued -= int64(len(rec.cmd))
		}
		fs.mu.Unlock()
		if len(due) > 0 {
			signal(fs.room)
			var err error
			if frame, err = rep.sendRecords(frame, due); err != nil {
				return err
			}
			fs.recycle(due)
			clear(due)
			continue
		}
		if limit := min(next, end); pos < limit {
			data, _, ok := bl.read(rd, limit, buf)
			if !ok {
				return errors.New("replica fell behind the output buffer limit (client-output-buffer-limit replica)")
			}
			if err := rep.write(data); err != nil {
				return err
			}
			rd.pos.Add(int64(len(data)))
			continue
		}
		if finished {
			if werr != nil {
				return werr
			}
			return nil
		}
		grown := bl.parkAt(rd, pos)
		if grown == nil {
			continue // the stream grew meanwhile
		}
		if err := rep.park(fs.wake, grown, closed); err != nil {
			return err
		}
	}
}

// sendRecords writes records as REPLCONF SNAPSHOT frames, one database
// and at most frameLimit bytes of commands per frame.
func (rep *replica) sendRecords(frame []byte, recs []record) ([]byte, error) {
	for len(recs) > 0 {
		db, size, n := recs[0].db, 0, 0
		for n < len(recs) && recs[n].db == db && (n == 0 || size+len(recs[n].cmd) <= frameLimit) {
			size += len(recs[n].cmd)
			n++
		}
		frame = appendFrameHeader(frame[:0], db, size)
		for _, rec := range recs[:n] {
			frame = append(frame, rec.cmd...)
		}
		frame = append(frame, '\r', '\n')
		if err := rep.write(frame); err != nil {
			return frame, err
		}
		recs = recs[n:]
	}
	if cap(frame) > 4*frameLimit {
		frame = nil
	}
	return frame, nil
}

// appendFrameHeader starts REPLCONF SNAPSHOT <db> $<size>.
func appendFrameHeader(dst []byte, db, size int) []byte {
	dbs := strconv.Itoa(db)
	dst = append(dst, "*4\r\n$8\r\nREPLCONF\r\n$8\r\nSNAPSHOT\r\n$"...)
	dst = strconv.AppendInt(dst, int64(len(dbs)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, dbs...)
	dst = append(dst, "\r\n$"...)
	dst = strconv.AppendInt(dst, int64(size), 10)
	return append(dst, '\r', '\n')
}
