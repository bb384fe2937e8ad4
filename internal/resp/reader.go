package resp

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Default limits, matching Valkey's defaults.
const (
	DefaultMaxBulkLen     = 512 << 20 // proto-max-bulk-len
	DefaultQueryBufLimit  = 1 << 30   // client-query-buffer-limit
	maxInlineSize         = 64 << 10  // PROTO_INLINE_MAX_SIZE
	maxUnauthMultibulkLen = 10        // unauthenticated clients may not send huge arrays
	maxUnauthBulkLen      = 16384
	readChunk             = 16 << 10
	maxMultibulkLen       = 1<<31 - 1
)

// ProtocolError is a malformed request. The connection that sent it must be
// answered with "-ERR Protocol error: <msg>" and closed: the byte stream can
// no longer be trusted to be aligned on a command boundary.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

func protoErr(msg string) error { return &ProtocolError{Msg: msg} }

// ErrQueryBufLimit means the client's unparsed input exceeded
// client-query-buffer-limit; Valkey closes such a client.
var ErrQueryBufLimit = errors.New("query buffer limit exceeded")

// Reader parses requests from a byte stream.
type Reader struct {
	src     io.Reader
	buf     []byte
	r, w    int
	argv    [][]byte
	OnBlock func() // called just before the reader blocks on src (flush point)

	MaxBulkLen    int64
	QueryBufLimit int
	// Authenticated relaxes the limits Valkey applies to clients that have
	// not authenticated yet (big multibulk counts and bulk lengths).
	Authenticated bool
}

// NewReader returns a Reader over src.
func NewReader(src io.Reader) *Reader {
	return &Reader{
		src:           src,
		buf:           make([]byte, readChunk),
		argv:          make([][]byte, 0, 8),
		MaxBulkLen:    DefaultMaxBulkLen,
		QueryBufLimit: DefaultQueryBufLimit,
		Authenticated: true,
	}
}

// Buffered reports the number of unread bytes.
func (rd *Reader) Buffered() int { return rd.w - rd.r }

// QueryBufLen is the size of the input buffer (for CLIENT LIST qbuf).
func (rd *Reader) QueryBufLen() (used, capacity int) { return rd.w - rd.r, len(rd.buf) }

// ReadCommand returns the next request's arguments. An empty inline line
// yields a zero-length argv, which callers skip. The returned slices alias
// the reader's buffer.
func (rd *Reader) ReadCommand() ([][]byte, error) {
	for {
		if rd.r < rd.w {
			argv, n, err := rd.parse()
			if err != nil {
				return nil, err
			}
			if n > 0 {
				rd.r += n
				return argv, nil
			}
		}
		if err := rd.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more input, compacting or growing the buffer first.
func (rd *Reader) fill() error {
	if rd.r > 0 {
		if rd.r == rd.w {
			rd.r, rd.w = 0, 0
		} else if rd.w == len(rd.buf) || rd.r > len(rd.buf)/2 {
			n := copy(rd.buf, rd.buf[rd.r:rd.w])
			rd.r, rd.w = 0, n
		}
	}
	if rd.w == len(rd.buf) {
		if rd.QueryBufLimit > 0 && len(rd.buf) >= rd.QueryBufLimit {
			return ErrQueryBufLimit
		}
		nb := make([]byte, len(rd.buf)*2)
		copy(nb, rd.buf[rd.r:rd.w])
		rd.r, rd.w = 0, rd.w-rd.r
		rd.buf = nb
	}
	if rd.OnBlock != nil {
		rd.OnBlock()
	}
	n, err := rd.src.Read(rd.buf[rd.w:])
	rd.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// SetMinBuffer grows the input buffer to at least n bytes, keeping what
// it holds unread. For a connection that carries a bulk stream (a slot
// migration's link): with the default 16 KiB, 16 KiB values cost one read
// system call each, which on the target of a migration was a sixth of its
// CPU time. Argument slices already returned stay valid (the old buffer is
// left to them).
func (rd *Reader) SetMinBuffer(n int) {
	if n <= len(rd.buf) {
		return
	}
	nb := make([]byte, n)
	copy(nb, rd.buf[rd.r:rd.w])
	rd.r, rd.w = 0, rd.w-rd.r
	rd.buf = nb
}

// ensure grows the buffer so that a request of total size need (counted
// from rd.r) fits, so that big bulk arguments are read in one piece.
func (rd *Reader) ensure(need int) error {
	if need <= len(rd.buf)-rd.r {
		return nil
	}
	if rd.QueryBufLimit > 0 && need > rd.QueryBufLimit {
		return ErrQueryBufLimit
	}
	if need <= len(rd.buf) {
		// Room exists once the unread bytes move to the front: growing
		// here instead made a pipelined load churn ~165 MB of buffers.
		n := copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r, rd.w = 0, n
		return nil
	}
	size := len(rd.buf)
	for size < need {
		size *= 2
	}
	nb := make([]byte, size)
	copy(nb, rd.buf[rd.r:rd.w])
	rd.r, rd.w = 0, rd.w-rd.r
	rd.buf = nb
	return nil
}

// parse tries to parse one request at rd.r. It returns n == 0 when the
// buffer does not yet hold a complete request.
func (rd *Reader) parse() ([][]byte, int, error) {
	b := rd.buf[rd.r:rd.w]
	if b[0] == '*' {
		return rd.parseMultibulk(b)
	}
	return rd.parseInline(b)
}

func (rd *Reader) parseInline(b []byte) ([][]byte, int, error) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		if len(b) > maxInlineSize {
			return nil, 0, protoErr("too big inline request")
		}
		return nil, 0, nil
	}
	line := b[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	argv, err := SplitArgs(line, rd.argv[:0])
	if err != nil {
		return nil, 0, protoErr("unbalanced quotes in request")
	}
	rd.argv = argv[:0]
	return argv, nl + 1, nil
}

// readLine returns the integer on the "<prefix><n>\r\n" line at b[pos:].
// ok is false when the line is incomplete.
func readIntLine(b []byte, pos int) (n int64, next int, ok bool, bad bool) {
	end := bytes.IndexByte(b[pos:], '\r')
	if end < 0 || pos+end+1 >= len(b) {
		return 0, 0, false, false
	}
	v, ok := parseStrictInt(b[pos+1 : pos+end])
	if !ok || b[pos+end+1] != '\n' {
		return 0, 0, true, true
	}
	return v, pos + end + 2, true, false
}

// parseStrictInt parses a length as Valkey's string2ll: no '+', no leading
// zeros, no "-0", within int64 — so "*01" and "$+1" are protocol errors.
func parseStrictInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	signed := b
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	if len(b) <= 18 {
		// Cannot overflow: parse in place (every request has a few of
		// these lengths, and strconv's generality shows in profiles).
		var v int64
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int64(c-'0')
		}
		if neg {
			v = -v
		}
		return v, true
	}
	v, err := strconv.ParseInt(string(signed), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

func (rd *Reader) parseMultibulk(b []byte) ([][]byte, int, error) {
	count, pos, ok, bad := readIntLine(b, 0)
	if !ok {
		if len(b) > maxInlineSize {
			return nil, 0, protoErr("too big mbulk count string")
		}
		return nil, 0, nil
	}
	if bad || count > maxMultibulkLen {
		return nil, 0, protoErr("invalid multibulk length")
	}
	if !rd.Authenticated && count > maxUnauthMultibulkLen {
		return nil, 0, protoErr("unauthenticated multibulk length")
	}
	argv := rd.argv[:0]
	for i := int64(0); i < count; i++ {
		if pos >= len(b) {
			return nil, 0, nil
		}
		if b[pos] != '$' {
			return nil, 0, protoErr("expected '$', got '" + string(b[pos]) + "'")
		}
		n, next, ok, bad := readIntLine(b, pos)
		if !ok {
			if len(b)-pos > maxInlineSize {
				return nil, 0, protoErr("too big bulk count string")
			}
			return nil, 0, nil
		}
		if bad || n < 0 || n > rd.MaxBulkLen {
			return nil, 0, protoErr("invalid bulk length")
		}
		if !rd.Authenticated && n > maxUnauthBulkLen {
			return nil, 0, protoErr("unauthenticated bulk length")
		}
		end := next + int(n) + 2
		if end > len(b) {
			// Make room for the whole bulk so that the next fill completes it.
			if err := rd.ensure(end); err != nil {
				return nil, 0, err
			}
			return nil, 0, nil
		}
		if b[end-2] != '\r' || b[end-1] != '\n' {
			return nil, 0, protoErr("invalid bulk length")
		}
		argv = append(argv, b[next:next+int(n)])
		pos = end
	}
	rd.argv = argv[:0]
	return argv, pos, nil
}
