package repl

import (
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// backlog is the replication stream of this node: one shared buffer of
// bytes, addressed by stream offsets, that every replica sender reads at
// its own position and that a reconnecting replica resumes from (partial
// resynchronization). It keeps at least repl-backlog-size bytes of
// history, and more while a connected replica still needs them, up to the
// replica output buffer limit (client-output-buffer-limit replica), past
// which that replica is dropped.
//
// Offsets are Valkey's: end is master_repl_offset, the number of bytes
// the stream has ever carried; the byte at stream index i (0-based) is
// the one a PSYNC for offset i+1 asks for first.
type backlog struct {
	mu        sync.Mutex
	blocks    []*block // oldest first; the last one is being filled
	blockSize int
	start     int64 // stream index of blocks[0].buf[0]
	// end is master_repl_offset. Written under mu, read lock-free (a
	// snapshot record's tag, INFO, WAIT).
	end  atomic.Int64
	size atomic.Int64 // repl-backlog-size
	// streamDB is the database the stream has selected last (-1 none):
	// effects on another one are preceded by SELECT, and a replica that
	// joins in the middle of the stream is told where it stands.
	streamDB int
	scratch  []byte
	readers  map[*reader]struct{}
	waiting  int // readers parked on their wake channel
	limit    bufferLimit
}

type block struct {
	off int64 // stream index of buf[0]
	buf []byte
}

// bufferLimit is client-output-buffer-limit replica: a hard limit, and a
// soft limit that may be exceeded for softFor at most (0 disables each).
type bufferLimit struct {
	hard, soft int64
	softFor    time.Duration
}

// reader is one consumer's position in the stream. Its position pins
// the backlog: bytes at or after pos are kept.
type reader struct {
	pos       atomic.Int64
	wake      chan struct{}
	waiting   bool  // guarded by backlog.mu
	softSince int64 // unix ms the soft limit was first exceeded (0: not); guarded by backlog.mu
	dropped   bool  // guarded by backlog.mu
	// drop is called (under backlog.mu) when the reader falls past the
	// buffer limit; it must not block (it closes the replica's socket).
	drop func()
}

// Block size bounds: blocks are small enough that trimming frees memory
// promptly and big enough that appends rarely allocate.
const (
	minBlockSize = 16 << 10
	maxBlockSize = 1 << 20
)

func newBacklog(offset, size int64) *backlog {
	b := &backlog{start: offset, streamDB: -1, readers: make(map[*reader]struct{})}
	b.end.Store(offset)
	b.size.Store(size)
	b.blockSize = blockSizeFor(size)
	return b
}

func blockSizeFor(size int64) int {
	return int(min(max(size/16, minBlockSize), maxBlockSize))
}

// setSize changes repl-backlog-size; the history shrinks on later appends.
func (b *backlog) setSize(size int64) {
	b.size.Store(size)
	b.mu.Lock()
	b.blockSize = blockSizeFor(size)
	b.trim()
	b.mu.Unlock()
}

func (b *backlog) setLimit(l bufferLimit) {
	b.mu.Lock()
	b.limit = l
	b.mu.Unlock()
}

// streamDBNow is the database the stream has selected last (-1: none).
func (b *backlog) streamDBNow() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.streamDB
}

// histlen is repl_backlog_histlen.
func (b *backlog) histlen() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.end.Load() - b.start
}

// firstByte is repl_backlog_first_byte_offset.
func (b *backlog) firstByte() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.start + 1
}

// canServe reports whether a PSYNC for offset (1-based, the first byte
// wanted) can continue from the history.
func (b *backlog) canServe(offset int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return offset >= b.start+1 && offset <= b.end.Load()+1
}

// appendCommand appends argv as a RESP command on database db (-1: none,
// no SELECT), preceded by SELECT when the stream is on another database.
// Sinks call it with the written keys' slot locks held.
func (b *backlog) appendCommand(db int, argv [][]byte) {
	b.mu.Lock()
	b.scratch = b.scratch[:0]
	if db >= 0 && db != b.streamDB {
		b.scratch = appendSelect(b.scratch, db)
		b.streamDB = db
	}
	b.scratch = appendRESP(b.scratch, argv)
	b.write(b.scratch)
	if cap(b.scratch) > 1<<20 {
		b.scratch = nil // one big value must not pin a big buffer
	}
	b.wakeReaders()
	b.mu.Unlock()
}

// appendRaw appends bytes received from this node's own primary, verbatim
// (a replica's stream is identical to its primary's). selectDB is the
// database the bytes select, or -1.
func (b *backlog) appendRaw(p []byte, selectDB int) {
	b.mu.Lock()
	b.write(p)
	if selectDB >= 0 {
		b.streamDB = selectDB
	}
	b.wakeReaders()
	b.mu.Unlock()
}

// write appends p to the blocks; the caller holds mu. The end offset
// moves once per write, never in the middle of p: it is read without the
// lock (snapshot record tags), and a reader must only ever see a command
// boundary.
func (b *backlog) write(p []byte) {
	grew := false
	end := b.end.Load()
	for len(p) > 0 {
		var tail *block
		if n := len(b.blocks); n > 0 {
			tail = b.blocks[n-1]
		}
		if tail == nil || len(tail.buf) == cap(tail.buf) {
			tail = &block{off: end, buf: make([]byte, 0, b.blockSize)}
			b.blocks = append(b.blocks, tail)
			grew = true
		}
		n := min(len(p), cap(tail.buf)-len(tail.buf))
		tail.buf = append(tail.buf, p[:n]...)
		p = p[n:]
		end += int64(n)
	}
	b.end.Store(end)
	if grew {
		b.afterNewBlock()
	}
}

// afterNewBlock trims the history and enforces the output buffer limit.
// Both only matter when memory grows, so they run once per block, as in
// Valkey's feedReplicationBuffer.
func (b *backlog) afterNewBlock() {
	b.checkLimits()
	b.trim()
}

// trim drops the oldest blocks while the rest still holds repl-backlog-size
// bytes and no reader needs them.
func (b *backlog) trim() {
	size := b.size.Load()
	low := b.minReaderPos()
	drop := 0
	hist := b.end.Load() - b.start
	for drop < len(b.blocks)-1 {
		first := b.blocks[drop]
		flen := int64(len(first.buf))
		if hist-flen < size || first.off+flen > low {
			break
		}
		hist -= flen
		drop++
	}
	if drop == 0 {
		return
	}
	clear(b.blocks[:drop])
	b.blocks = b.blocks[drop:]
	b.start = b.blocks[0].off
}

func (b *backlog) minReaderPos() int64 {
	low := b.end.Load()
	for r := range b.readers {
		if r.dropped {
			continue
		}
		low = min(low, r.pos.Load())
	}
	return low
}

// checkLimits drops the readers that fell too far behind.
func (b *backlog) checkLimits() {
	l := b.limit
	if l.hard <= 0 && l.soft <= 0 {
		return
	}
	end := b.end.Load()
	now := time.Now().UnixMilli()
	for r := range b.readers {
		if r.dropped {
			continue
		}
		behind := end - r.pos.Load()
		over := l.hard > 0 && behind > l.hard
		if l.soft > 0 && behind > l.soft {
			if r.softSince == 0 {
				r.softSince = now
			} else if now-r.softSince > l.softFor.Milliseconds() {
				over = true
			}
		} else {
			r.softSince = 0
		}
		if over {
			r.dropped = true
			if r.drop != nil {
				r.drop()
			}
		}
	}
}

// wakeReaders signals the readers parked waiting for data; mu is held.
func (b *backlog) wakeReaders() {
	if b.waiting == 0 {
		return
	}
	for r := range b.readers {
		if r.waiting {
			r.waiting = false
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}
	}
	b.waiting = 0
}

// newReader registers a reader at stream index pos, which must still be
// in the history. It returns nil when it is not.
func (b *backlog) newReader(pos int64, drop func()) *reader {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.newReaderLocked(pos, drop)
}

func (b *backlog) newReaderLocked(pos int64, drop func()) *reader {
	if pos < b.start || pos > b.end.Load() {
		return nil
	}
	r := &reader{wake: make(chan struct{}, 1), drop: drop}
	r.pos.Store(pos)
	b.readers[r] = struct{}{}
	return r
}

// dropReader unregisters r, releasing the history it pinned.
func (b *backlog) dropReader(r *reader) {
	b.mu.Lock()
	if _, ok := b.readers[r]; ok {
		delete(b.readers, r)
		if r.waiting {
			b.waiting--
		}
		b.trim()
	}
	b.mu.Unlock()
}

// read copies stream bytes from r's position up to limit (exclusive; the
// end of the stream at most) into dst, at most cap(dst) bytes. With no
// such byte it parks r: the returned channel fires when data arrives.
// ok is false when r's bytes are gone (r was dropped for its limit).
func (b *backlog) read(r *reader, limit int64, dst []byte) (data []byte, wait <-chan struct{}, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pos := r.pos.Load()
	if r.dropped || pos < b.start {
		return nil, nil, false
	}
	limit = min(limit, b.end.Load())
	if pos >= limit {
		if !r.waiting {
			r.waiting = true
			b.waiting++
		}
		return nil, r.wake, true
	}
	i := sort.Search(len(b.blocks), func(i int) bool { return b.blocks[i].off > pos }) - 1
	dst = dst[:0]
	for ; i < len(b.blocks) && len(dst) < cap(dst) && pos < limit; i++ {
		blk := b.blocks[i]
		from := int(pos - blk.off)
		to := min(len(blk.buf), int(limit-blk.off))
		n := min(to-from, cap(dst)-len(dst))
		dst = append(dst, blk.buf[from:from+n]...)
		pos += int64(n)
	}
	return dst, nil, true
}

// setDrop installs r's drop callback, calling it at once when r was
// already dropped.
func (b *backlog) setDrop(r *reader, f func()) {
	b.mu.Lock()
	r.drop = f
	dropped := r.dropped
	b.mu.Unlock()
	if dropped {
		f()
	}
}

// parkAt parks r until the stream grows past pos; it returns nil when it
// already has.
func (b *backlog) parkAt(r *reader, pos int64) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.end.Load() > pos {
		return nil
	}
	if !r.waiting {
		r.waiting = true
		b.waiting++
	}
	return r.wake
}

// appendRESP encodes argv as a RESP multibulk.
func appendRESP(dst []byte, argv [][]byte) []byte {
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

func appendSelect(dst []byte, db int) []byte {
	var num [20]byte
	return appendRESP(dst, [][]byte{[]byte("SELECT"), strconv.AppendInt(num[:0], int64(db), 10)})
}
