package keyspace

import (
	"math"
	"slices"
	"strconv"

	"github.com/shoal-db/shoal/internal/resp"
)

// recordBuilder builds one collection record, NAME key arg..., straight
// into the record buffer although its argument count is only known at the
// end (a scan returns what it returns): arguments are appended after room
// left for the header, which is written when the record is finished, the
// arguments moved down next to it. Collecting the arguments in a slice
// first, copying set members and formatting scores one allocation each,
// made garbage in proportion to the data sent.
type recordBuilder struct {
	buf  []byte
	room int // bytes reserved for the header and the key
	n    int // arguments after the key
}

// recordHeaderMax bounds a record's header without the key:
// "*<n>\r\n$<len>\r\n<NAME>\r\n$<keylen>\r\n" and the key's "\r\n".
const recordHeaderMax = 80

func newRecord(dst []byte, key string) recordBuilder {
	room := recordHeaderMax + len(key)
	return recordBuilder{buf: slices.Grow(dst[:0], room+recordBytes)[:room], room: room}
}

func (b *recordBuilder) arg(p []byte) {
	b.buf = resp.AppendBulk(b.buf, p)
	b.n++
}

// score adds a zset score so that ZADD parses back the same float64.
func (b *recordBuilder) score(f float64) {
	var tmp [32]byte
	b.arg(appendScore(tmp[:0], f))
}

// finish writes the header and returns the record; nil when it has no
// argument after the key.
func (b *recordBuilder) finish(name, key string) []byte {
	if b.n == 0 {
		return nil
	}
	var h [recordHeaderMax]byte
	hdr := resp.AppendArrayHeader(h[:0], 2+b.n)
	hdr = resp.AppendBulkString(hdr, name)
	hdr = append(hdr, '$')
	hdr = strconv.AppendInt(hdr, int64(len(key)), 10)
	hdr = append(hdr, '\r', '\n')
	total := len(hdr) + len(key) + 2
	args := len(b.buf) - b.room
	copy(b.buf[total:], b.buf[b.room:])
	copy(b.buf, hdr)
	copy(b.buf[len(hdr):], key)
	b.buf[total-2], b.buf[total-1] = '\r', '\n'
	return b.buf[:total+args]
}

// appendScore renders a score so that ZADD parses back the same float64.
func appendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
