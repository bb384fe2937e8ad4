package resp

import (
	"io"
	"math"
	"strconv"
)

// Writer accumulates replies in memory; the connection flushes it when the
// reader is about to block, so a pipeline of thousands of commands is
// answered with one write. Proto selects RESP2 or RESP3 encodings for the
// shapes that differ (maps, sets, nulls, doubles, booleans, pushes).
type Writer struct {
	buf   []byte
	dst   io.Writer
	Proto int
}

// NewWriter returns a RESP2 writer that flushes to dst.
func NewWriter(dst io.Writer) *Writer {
	return &Writer{dst: dst, buf: make([]byte, 0, 16<<10), Proto: 2}
}

// Len is the number of buffered, unflushed bytes.
func (w *Writer) Len() int { return len(w.buf) }

// Bytes exposes the buffered bytes (for tests and for capturing replies).
func (w *Writer) Bytes() []byte { return w.buf }

// Reset drops buffered bytes.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Truncate drops bytes buffered after mark (see Len).
func (w *Writer) Truncate(mark int) { w.buf = w.buf[:mark] }

// Flush writes the buffered replies to the destination.
func (w *Writer) Flush() error { return w.FlushFrom(0) }

// FlushFrom is Flush for a buffer whose first off bytes were already
// written elsewhere (a non-blocking write that the kernel took in part).
func (w *Writer) FlushFrom(off int) error {
	var err error
	if off < len(w.buf) {
		_, err = w.dst.Write(w.buf[off:])
	}
	if cap(w.buf) > 1<<20 {
		// Do not keep a huge buffer alive for an idle connection.
		w.buf = make([]byte, 0, 16<<10)
	} else {
		w.buf = w.buf[:0]
	}
	return err
}

// Raw appends already-encoded RESP.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// OK writes +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Simple writes a status reply. s must not contain CR or LF.
func (w *Writer) Simple(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Error writes an error reply. msg carries its own code ("ERR ...",
// "WRONGTYPE ..."); newlines are replaced so a reply can never split.
func (w *Writer) Error(msg string) {
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int writes an integer reply.
func (w *Writer) Int(n int64) {
	w.buf = append(w.buf, ':')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *Writer) header(prefix byte, n int) {
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', len(b))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString writes a bulk string from a Go string.
func (w *Writer) BulkString(s string) {
	w.header('$', len(s))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt writes an integer as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes the null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes the null array (*-1 in RESP2, _ in RESP3).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// ArrayLen starts an array of n elements.
func (w *Writer) ArrayLen(n int) { w.header('*', n) }

// MapLen starts a map of n pairs (a flat array of 2n in RESP2).
func (w *Writer) MapLen(n int) {
	if w.Proto >= 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// SetLen starts a set of n elements (an array in RESP2).
func (w *Writer) SetLen(n int) {
	if w.Proto >= 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// PushLen starts an out-of-band push message (an array in RESP2).
func (w *Writer) PushLen(n int) {
	if w.Proto >= 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// AttrLen starts an attribute map (RESP3 only; callers check Proto).
func (w *Writer) AttrLen(n int) { w.header('|', n) }

// Bool writes a boolean (:1/:0 in RESP2).
func (w *Writer) Bool(v bool) {
	if w.Proto >= 3 {
		if v {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if v {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Double writes a floating point reply: a RESP3 double, or in RESP2 a bulk
// string in the shortest form that round-trips (Valkey 8+ behaviour).
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	s := AppendFloat(tmp[:0], f)
	if w.Proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// AppendFloat formats f as Valkey's d2string: "nan", "inf", "-inf", "-0";
// integral values within ±LLONG_MAX/2 as plain integers; anything else
// with the shortest round-trip digits laid out by fpconv's rules.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	const half = float64(math.MaxInt64 / 2)
	if f >= -half && f <= half && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return appendFpconv(dst, f)
}

// appendFpconv lays out the shortest digits of f as fpconv_dtoa does:
// value = digits × 10^k.
func appendFpconv(dst []byte, f float64) []byte {
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], math.Abs(f), 'e', -1, 64)
	mark := 0
	for mark < len(e) && e[mark] != 'e' {
		mark++
	}
	exp10, _ := strconv.Atoi(string(e[mark+1:]))
	var digits []byte
	for _, c := range e[:mark] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	nd := len(digits)
	k := exp10 - (nd - 1)
	if f < 0 {
		dst = append(dst, '-')
	}
	absExp := exp10
	if absExp < 0 {
		absExp = -absExp
	}
	switch {
	case k >= 0 && absExp < nd+7:
		dst = append(dst, digits...)
		for i := 0; i < k; i++ {
			dst = append(dst, '0')
		}
		return dst
	case k < 0 && (k > -7 || absExp < 4):
		offset := nd + k
		if offset <= 0 {
			dst = append(dst, '0', '.')
			for i := 0; i < -offset; i++ {
				dst = append(dst, '0')
			}
			return append(dst, digits...)
		}
		dst = append(dst, digits[:offset]...)
		dst = append(dst, '.')
		return append(dst, digits[offset:]...)
	}
	dst = append(dst, digits[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if exp10 < 0 {
		dst = append(dst, '-')
	} else {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(absExp), 10)
}

// Verbatim writes a verbatim string (=len\r\ntxt:...); a bulk in RESP2.
func (w *Writer) Verbatim(format, s string) {
	if w.Proto < 3 {
		w.BulkString(s)
		return
	}
	w.header('=', len(s)+4)
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkStrings writes an array of bulk strings.
func (w *Writer) BulkStrings(items []string) {
	w.ArrayLen(len(items))
	for _, s := range items {
		w.BulkString(s)
	}
}
