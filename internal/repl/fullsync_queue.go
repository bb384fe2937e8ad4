package repl

// recQueue holds the snapshot records waiting for a full sync's sender.
// Their bytes are copied once, into fixed-size blocks recycled through a
// free list, and described by runs: consecutive records with the same tag
// and database. The sender writes a run's bytes straight from the blocks
// (writev), so a record is copied once on its way from the walker's
// scratch buffer to the socket, and a sync of any size leaves no garbage
// behind (garbage makes the GC mark the whole dataset again, which on a
// big primary is seconds of CPU taken from its clients).
//
// A recQueue is guarded by its fullSync's mu. The sender takes a prefix of
// the runs (take), writes their bytes without the lock and then releases
// them; the blocks those bytes are in are neither changed nor reused
// before the release, and appends never touch a run that was taken.
type recQueue struct {
	blocks [][]byte // pending bytes in order; the last one is filled
	off    int      // bytes of blocks[0] already released
	runs   []run    // pending runs from runs[head]
	head   int
	taken  int // runs from head being written by the sender
	tbytes int // their bytes
	free   [][]byte
	queued int64 // bytes appended and not released
	total  int64 // bytes ever appended
}

// run is a group of consecutive records with one tag and database.
type run struct {
	tag int64
	db  int
	n   int // bytes
}

const (
	// queueBlock is the size of a record block.
	queueBlock = 128 << 10
	// maxFreeBlocks bounds the free list: what a paced walker can fill.
	maxFreeBlocks = paceLimit/queueBlock + 8
)

// add appends one record.
func (q *recQueue) add(tag int64, db int, cmd []byte) {
	if k := len(q.runs); k > q.head+q.taken {
		last := &q.runs[k-1]
		if last.tag == tag && last.db == db && last.n+len(cmd) <= frameLimit {
			last.n += len(cmd)
			q.copyIn(cmd)
			return
		}
	}
	q.runs = append(q.runs, run{tag: tag, db: db, n: len(cmd)})
	q.copyIn(cmd)
}

func (q *recQueue) copyIn(p []byte) {
	q.queued += int64(len(p))
	q.total += int64(len(p))
	for len(p) > 0 {
		k := len(q.blocks)
		if k == 0 || len(q.blocks[k-1]) == cap(q.blocks[k-1]) {
			q.blocks = append(q.blocks, q.newBlock())
			k++
		}
		b := q.blocks[k-1]
		n := copy(b[len(b):cap(b)], p)
		q.blocks[k-1] = b[:len(b)+n]
		p = p[n:]
	}
}

func (q *recQueue) newBlock() []byte {
	if k := len(q.free); k > 0 {
		b := q.free[k-1]
		q.free[k-1] = nil
		q.free = q.free[:k-1]
		return b
	}
	return make([]byte, 0, queueBlock)
}

// next returns the first run not taken; ok is false when there is none.
func (q *recQueue) next() (r run, ok bool) {
	if i := q.head + q.taken; i < len(q.runs) {
		return q.runs[i], true
	}
	return run{}, false
}

// takeNext marks the next run taken and appends its bytes to dst as
// slices of the blocks, valid until release.
func (q *recQueue) takeNext(dst [][]byte) [][]byte {
	// The bytes of the runs taken before this one come first.
	skip := q.off + q.tbytes
	n := q.runs[q.head+q.taken].n
	q.taken++
	q.tbytes += n
	for _, b := range q.blocks {
		if skip >= len(b) {
			skip -= len(b)
			continue
		}
		k := min(n, len(b)-skip)
		dst = append(dst, b[skip:skip+k])
		n -= k
		skip = 0
		if n == 0 {
			break
		}
	}
	return dst
}

// release drops the runs taken, recycling the blocks they emptied.
func (q *recQueue) release() {
	bytes := q.tbytes
	clear(q.runs[q.head : q.head+q.taken])
	q.head += q.taken
	q.taken, q.tbytes = 0, 0
	q.queued -= int64(bytes)
	if q.head == len(q.runs) {
		q.runs, q.head = q.runs[:0], 0
	} else if q.head > len(q.runs)/2 && q.head > 64 {
		n := copy(q.runs, q.runs[q.head:])
		q.runs, q.head = q.runs[:n], 0
	}
	q.off += bytes
	for len(q.blocks) > 0 && q.off >= len(q.blocks[0]) {
		b := q.blocks[0]
		if len(q.blocks) == 1 && len(b) < cap(b) {
			// The block being filled: empty it in place.
			q.blocks[0] = b[:0]
			q.off = 0
			break
		}
		q.off -= len(b)
		q.recycle(b)
		// Shift rather than reslice: the list is short, and reslicing
		// would make append reallocate it again and again.
		n := copy(q.blocks, q.blocks[1:])
		q.blocks[n] = nil
		q.blocks = q.blocks[:n]
	}
}

func (q *recQueue) recycle(b []byte) {
	if cap(b) == queueBlock && len(q.free) < maxFreeBlocks {
		q.free = append(q.free, b[:0])
	}
}

// empty reports whether no run is pending (taken ones included).
func (q *recQueue) empty() bool { return q.head == len(q.runs) }
