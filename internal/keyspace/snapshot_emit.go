package keyspace

import (
	"math"
	"strconv"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// Snapshot records are RESP multibulk commands that rebuild one entry on an
// empty consumer: SET (with PXAT), or RPUSH / SADD / ZADD / HSET in chunks
// followed by HPEXPIREAT for field TTLs and PEXPIREAT for the key's TTL.
// Times are absolute so that a record means the same thing whenever it is
// applied. A collection is cut into records of about recordBytes so that no
// single payload is huge, and it may be emitted over several lock holds
// (bigEntry) so that a million-element value never stalls its slot.

const (
	// recordBytes is the target size of one record.
	recordBytes = 64 << 10
	// bigEntryElems: a collection with more elements than this is emitted
	// over several lock holds.
	bigEntryElems = 1024
)

// bigEntry is a collection being emitted chunk by chunk. Between chunks
// the walker releases the slot lock; the entry cannot change meanwhile
// without the pre-write hook finishing it first, so positions and scan
// cursors stay valid.
type bigEntry struct {
	db    *DB
	key   string
	e     *Entry
	pos   int    // next list index / zset rank
	cur   uint64 // next Dict scan cursor
	begun bool
}

// isBig reports whether e should be emitted over several lock holds.
func isBig(e *Entry) bool { return e.Obj != nil && e.Obj.Len() > bigEntryElems }

// emitEntry emits the whole of e (stored under key in db, slot s).
func (sn *Snapshot) emitEntry(db *DB, s int, key string, e *Entry, now int64) {
	b := &bigEntry{db: db, key: key, e: e}
	for !sn.emitChunk(b, s, now, math.MaxInt) {
	}
}

// emitChunk emits about budget bytes of b and reports whether the entry is
// complete (its TTL record included).
func (sn *Snapshot) emitChunk(b *bigEntry, s int, now int64, budget int) bool {
	e, key := b.e, b.key
	if !b.begun {
		b.begun = true
		sn.keys.Add(1)
		if e.Obj == nil {
			sn.record(b.db, s, appendSetRecord(sn.scratch(), key, e.Str, sn.ttlOf(b.db, s, key)))
			return true
		}
	}
	done := true
	spent := 0
	for spent < budget {
		var rec []byte
		switch o := e.Obj.(type) {
		case *types.List:
			rec, done = listChunk(sn.scratch(), o, key, &b.pos)
		case *types.Set:
			rec, done = setChunk(sn.scratch(), o, key, &b.cur)
		case *types.ZSet:
			rec, done = zsetChunk(sn.scratch(), o, key, &b.cur)
		case *types.Hash:
			var ttls []byte
			rec, ttls, done = hashChunk(sn.scratch(), o, key, &b.cur, now)
			if rec != nil {
				sn.record(b.db, s, rec)
				spent += len(rec)
			}
			rec = ttls
		default:
			// Streams are not implemented; nothing else exists.
			return true
		}
		if rec != nil {
			sn.record(b.db, s, rec)
			spent += len(rec)
		}
		if done {
			break
		}
	}
	if !done {
		return false
	}
	if at := sn.ttlOf(b.db, s, key); at >= 0 {
		sn.record(b.db, s, appendCmd(sn.scratch(), "PEXPIREAT", key, strconv.FormatInt(at, 10)))
	}
	return true
}

func (sn *Snapshot) ttlOf(db *DB, s int, key string) int64 { return db.expireAt(s, key) }

// chunkCount is how many elements of o make about recordBytes.
func chunkCount(o types.Object) int {
	n := o.Len()
	if n == 0 {
		return 1
	}
	avg := max(int(o.MemUsage()/int64(n)), 1)
	return min(max(recordBytes/avg, 16), 4096)
}

func listChunk(dst []byte, l *types.List, key string, pos *int) ([]byte, bool) {
	n := chunkCount(l)
	stop := min(*pos+n, l.Len()) - 1
	b := newRecord(dst, key)
	l.Range(*pos, stop, func(_ int, v []byte) bool { b.arg(v); return true })
	*pos = stop + 1
	return b.finish("RPUSH", key), *pos >= l.Len()
}

func setChunk(dst []byte, st *types.Set, key string, cur *uint64) ([]byte, bool) {
	b := newRecord(dst, key)
	// An intset formats members into a scratch buffer: each is appended
	// before the next is formatted.
	*cur = st.Scan(*cur, chunkCount(st), func(m []byte) { b.arg(m) })
	return b.finish("SADD", key), *cur == 0
}

func zsetChunk(dst []byte, z *types.ZSet, key string, cur *uint64) ([]byte, bool) {
	b := newRecord(dst, key)
	*cur = z.Scan(*cur, chunkCount(z), func(m []byte, score float64) {
		b.score(score)
		b.arg(m)
	})
	return b.finish("ZADD", key), *cur == 0
}

// hashChunk returns an HSET record for a chunk of fields and, when some of
// them have TTLs, an HPEXPIREAT record per distinct time (one when the
// fields share it, as HSETEX/HEXPIRE batches usually do).
func hashChunk(dst []byte, h *types.Hash, key string, cur *uint64, now int64) (rec, ttls []byte, done bool) {
	b := newRecord(dst, key)
	var byTime map[int64][][]byte
	*cur = h.Scan(*cur, chunkCount(h), now, func(f, v []byte) {
		b.arg(f)
		b.arg(v)
		if h.VolatileFields() == 0 {
			return
		}
		if at, ok := h.FieldTTL(f, now); ok && at != types.NoExpiry {
			if byTime == nil {
				byTime = make(map[int64][][]byte)
			}
			byTime[at] = append(byTime[at], f)
		}
	})
	done = *cur == 0
	rec = b.finish("HSET", key)
	if rec == nil {
		return nil, nil, done
	}
	for at, fields := range byTime {
		hdr := [][]byte{[]byte(strconv.FormatInt(at, 10)), []byte("FIELDS"), []byte(strconv.Itoa(len(fields)))}
		ttls = appendCmdArgs(ttls, "HPEXPIREAT", key, append(hdr, fields...))
	}
	return rec, ttls, done
}

func appendSetRecord(dst []byte, key string, val []byte, at int64) []byte {
	n := 3
	if at >= 0 {
		n = 5
	}
	dst = resp.AppendArrayHeader(dst, n)
	dst = resp.AppendBulkString(dst, "SET")
	dst = resp.AppendBulkString(dst, key)
	dst = resp.AppendBulk(dst, val)
	if at < 0 {
		return dst
	}
	dst = resp.AppendBulkString(dst, "PXAT")
	return resp.AppendIntBulk(dst, at)
}

func appendCmd(dst []byte, args ...string) []byte { return resp.AppendCommandStrings(dst, args...) }

func appendCmdArgs(dst []byte, name, key string, args [][]byte) []byte {
	dst = resp.AppendArrayHeader(dst, 2+len(args))
	dst = resp.AppendBulkString(dst, name)
	dst = resp.AppendBulkString(dst, key)
	for _, a := range args {
		dst = resp.AppendBulk(dst, a)
	}
	return dst
}
