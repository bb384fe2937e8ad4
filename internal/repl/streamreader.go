package repl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// streamReader reads a replica link: the primary's reply lines during the
// handshake, then the replication stream as RESP commands together with
// their raw bytes, which the replica feeds verbatim into its own backlog so
// that its offsets equal its primary's.
type streamReader struct {
	src    io.Reader
	buf    []byte
	r, w   int
	argv   [][]byte
	onRead func(n int) // called after every successful read
}

// maxCommandBytes bounds one command of the stream (a snapshot frame is
// far smaller; a value is at most proto-max-bulk-len, 512 MB by default).
const maxCommandBytes = 1 << 30

var errProtocol = errors.New("protocol error in the replication stream")

func newStreamReader(src io.Reader) *streamReader {
	return &streamReader{src: src, buf: make([]byte, 64<<10)}
}

// fill reads more input, making room for at least need more bytes.
func (s *streamReader) fill(need int) error {
	if s.r > 0 && (s.w == len(s.buf) || s.r == s.w || len(s.buf)-s.w < need) {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.r, s.w = 0, n
	}
	if want := s.w + need; want > len(s.buf) {
		nb := make([]byte, max(want, 2*len(s.buf)))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	n, err := s.src.Read(s.buf[s.w:])
	if n > 0 {
		s.w += n
		if s.onRead != nil {
			s.onRead(n)
		}
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readLine returns the next line without its CRLF (valid until the next
// call).
func (s *streamReader) readLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(s.buf[s.r:s.w], '\n'); i >= 0 {
			line := s.buf[s.r : s.r+i]
			s.r += i + 1
			return bytes.TrimSuffix(line, []byte{'\r'}), nil
		}
		if s.w-s.r > 64<<10 {
			return nil, errProtocol
		}
		if err := s.fill(1); err != nil {
			return nil, err
		}
	}
}

// next returns the next command and its raw bytes, both valid until the
// next call. Bare newlines (keepalives) between commands are skipped and
// not part of any command.
func (s *streamReader) next() (argv [][]byte, raw []byte, err error) {
	for {
		for s.r < s.w && (s.buf[s.r] == '\n' || s.buf[s.r] == '\r') {
			s.r++
		}
		argv, n, need, err := parseCommand(s.buf[s.r:s.w], s.argv[:0])
		if err != nil {
			return nil, nil, err
		}
		if n > 0 {
			s.argv = argv
			raw = s.buf[s.r : s.r+n]
			s.r += n
			return argv, raw, nil
		}
		if err := s.fill(need); err != nil {
			return nil, nil, err
		}
	}
}

// parseCommand parses one RESP multibulk command at the start of b. It
// returns the bytes it spans, or n == 0 when b holds only part of it (need
// then estimates how many more bytes are missing).
func parseCommand(b []byte, argv [][]byte) (_ [][]byte, n, need int, err error) {
	if len(b) == 0 {
		return argv, 0, 1, nil
	}
	if b[0] != '*' {
		return argv, 0, 0, fmt.Errorf("%w: expected '*', got %q", errProtocol, b[0])
	}
	count, pos, ok := parseLen(b, 1)
	if !ok {
		return argv, 0, 1, nil
	}
	if count < 0 || count > 1<<20 {
		return argv, 0, 0, fmt.Errorf("%w: bad multibulk length", errProtocol)
	}
	for i := int64(0); i < count; i++ {
		if pos >= len(b) {
			return argv, 0, 1, nil
		}
		if b[pos] != '$' {
			return argv, 0, 0, fmt.Errorf("%w: expected '$', got %q", errProtocol, b[pos])
		}
		size, next, ok := parseLen(b, pos+1)
		if !ok {
			return argv, 0, 1, nil
		}
		if size < 0 || size > maxCommandBytes {
			return argv, 0, 0, fmt.Errorf("%w: bad bulk length", errProtocol)
		}
		end := next + int(size)
		if end+2 > len(b) {
			return argv, 0, end + 2 - len(b), nil
		}
		argv = append(argv, b[next:end:end])
		pos = end + 2
	}
	return argv, pos, 0, nil
}

// parseLen parses the decimal number ending with CRLF at b[pos:]. ok is
// false when the line is incomplete; a malformed number reads as -1.
func parseLen(b []byte, pos int) (n int64, next int, ok bool) {
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		return 0, 0, false
	}
	next = pos + i + 1
	digits := b[pos : pos+i]
	if len(digits) < 2 || digits[len(digits)-1] != '\r' || len(digits) > 20 {
		return -1, next, true
	}
	digits = digits[:len(digits)-1]
	neg := digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return -1, next, true
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, next, true
}
