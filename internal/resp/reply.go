package resp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Reply type bytes, as they appear on the wire.
const (
	TypeSimple    byte = '+'
	TypeError     byte = '-'
	TypeInt       byte = ':'
	TypeBulk      byte = '$'
	TypeArray     byte = '*'
	TypeNull      byte = '_'
	TypeMap       byte = '%'
	TypeSet       byte = '~'
	TypeDouble    byte = ','
	TypeBool      byte = '#'
	TypeVerbatim  byte = '='
	TypeBigNumber byte = '('
	TypePush      byte = '>'
	TypeBlobError byte = '!'
	TypeAttribute byte = '|'
)

// Reply is one parsed reply. Its zero value is not a valid reply; replies
// come from a ReplyReader or ParseReply.
type Reply struct {
	// Type is the wire type byte (TypeSimple, TypeBulk, ...). Attributes
	// are never a Reply of their own: they are attached to the reply that
	// follows them (Attrs).
	Type byte
	// Str is the payload of simple strings, errors, bulk strings, blob
	// errors and big numbers, the text after "fmt:" of a verbatim string,
	// and the textual form of a double exactly as the server sent it.
	Str string
	// Int is an integer reply's value; booleans are 1 (true) or 0 (false).
	Int int64
	// Format is a verbatim string's three-character format ("txt", "mkd").
	Format string
	// Nil marks the RESP2 nulls: "$-1" (Type TypeBulk) and "*-1" (Type
	// TypeArray). The RESP3 null is Type TypeNull.
	Nil bool
	// Elems are the elements of arrays, sets and pushes; a map's keys and
	// values alternate (key, value, key, value...).
	Elems []*Reply
	// Attrs is the attribute map that preceded this reply, keys and
	// values alternating, or nil.
	Attrs []*Reply
}

// Parser limits. Replies come from servers we connect to, but the parser
// is also fuzzed and must stay bounded on hostile input.
const (
	// DefaultMaxReplyDepth bounds aggregate nesting.
	DefaultMaxReplyDepth = 512
	maxPrealloc          = 1024
	maxReplyLine         = 64 << 20
	smallBulk            = 64 << 10
)

// ReplyError is a malformed reply: the stream cannot be trusted any more.
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return "resp: bad reply: " + e.Msg }

func badReply(format string, args ...any) error {
	return &ReplyError{Msg: fmt.Sprintf(format, args...)}
}

// ReplyReader parses replies (RESP2 and RESP3) from a byte stream. It is
// the client side counterpart of Reader.
type ReplyReader struct {
	br *bufio.Reader
	// MaxBulkLen bounds bulk strings, verbatim strings and blob errors.
	MaxBulkLen int64
	// MaxDepth bounds the nesting of aggregates.
	MaxDepth int
}

// NewReplyReader returns a ReplyReader over src.
func NewReplyReader(src io.Reader) *ReplyReader {
	return &ReplyReader{
		br:         bufio.NewReaderSize(src, 16<<10),
		MaxBulkLen: DefaultMaxBulkLen,
		MaxDepth:   DefaultMaxReplyDepth,
	}
}

// Buffered reports the number of bytes read from src but not yet parsed.
func (rr *ReplyReader) Buffered() int { return rr.br.Buffered() }

// ReadReply reads one complete reply. Attributes are attached to the
// reply that follows them; push messages are returned like any other
// reply (Type TypePush), and the caller decides what to do with them.
// A stream that ends inside a reply yields io.ErrUnexpectedEOF; a stream
// that ends between replies yields io.EOF.
func (rr *ReplyReader) ReadReply() (*Reply, error) {
	if _, err := rr.br.Peek(1); err != nil {
		return nil, err
	}
	r, err := rr.read(0)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return r, err
}

// ParseReply parses the first reply in b and returns it with the number of
// bytes it took. An incomplete reply yields io.ErrUnexpectedEOF (io.EOF for
// an empty b).
func ParseReply(b []byte) (*Reply, int, error) {
	src := bytes.NewReader(b)
	rr := NewReplyReader(src)
	r, err := rr.ReadReply()
	if err != nil {
		return nil, 0, err
	}
	return r, len(b) - src.Len() - rr.br.Buffered(), nil
}

// readLine returns the next CRLF-terminated line without its CRLF.
func (rr *ReplyReader) readLine() ([]byte, error) {
	line, err := rr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A long line: accumulate it (bounded).
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(long) > maxReplyLine {
				return nil, badReply("line longer than %d bytes", maxReplyLine)
			}
			line, err = rr.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, badReply("line not terminated by CRLF")
	}
	return line[:len(line)-2], nil
}

func (rr *ReplyReader) read(depth int) (*Reply, error) {
	if depth > rr.MaxDepth {
		return nil, badReply("nesting deeper than %d", rr.MaxDepth)
	}
	line, err := rr.readLine()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, badReply("empty line")
	}
	typ, body := line[0], line[1:]
	switch typ {
	case TypeSimple, TypeError:
		return &Reply{Type: typ, Str: string(body)}, nil
	case TypeInt:
		n, err := parseReplyInt(body)
		if err != nil {
			return nil, err
		}
		return &Reply{Type: typ, Int: n}, nil
	case TypeNull:
		if len(body) != 0 {
			return nil, badReply("null with payload %q", body)
		}
		return &Reply{Type: typ}, nil
	case TypeBool:
		return parseBool(body)
	case TypeDouble:
		return parseDouble(body)
	case TypeBigNumber:
		if !isBigNumber(body) {
			return nil, badReply("invalid big number %q", body)
		}
		return &Reply{Type: typ, Str: string(body)}, nil
	case TypeBulk, TypeBlobError, TypeVerbatim:
		return rr.readBlob(typ, body)
	case TypeArray, TypeSet, TypePush, TypeMap:
		return rr.readAggregate(typ, body, depth)
	case TypeAttribute:
		return rr.readAttribute(body, depth)
	}
	return nil, badReply("unknown reply type %q", typ)
}

func parseReplyInt(b []byte) (int64, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, badReply("invalid integer %q", b)
	}
	return n, nil
}

func parseBool(body []byte) (*Reply, error) {
	switch string(body) {
	case "t":
		return &Reply{Type: TypeBool, Int: 1}, nil
	case "f":
		return &Reply{Type: TypeBool, Int: 0}, nil
	}
	return nil, badReply("invalid boolean %q", body)
}

func parseDouble(body []byte) (*Reply, error) {
	s := string(body)
	switch s {
	case "inf", "-inf", "nan":
	default:
		// ParseFloat also accepts forms like "Infinity" and hex floats;
		// a double must start like a decimal number.
		if len(s) == 0 || !(s[0] == '-' || s[0] == '+' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9')) {
			return nil, badReply("invalid double %q", body)
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, badReply("invalid double %q", body)
		}
	}
	return &Reply{Type: TypeDouble, Str: s}, nil
}

func isBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readBlob reads the payload of a length-prefixed string type.
func (rr *ReplyReader) readBlob(typ byte, header []byte) (*Reply, error) {
	n, err := parseReplyInt(header)
	if err != nil {
		return nil, err
	}
	if n == -1 && typ == TypeBulk {
		return &Reply{Type: typ, Nil: true}, nil
	}
	if n < 0 || n > rr.MaxBulkLen {
		return nil, badReply("invalid length %d", n)
	}
	payload, err := rr.readPayload(n)
	if err != nil {
		return nil, err
	}
	if typ != TypeVerbatim {
		return &Reply{Type: typ, Str: payload}, nil
	}
	if len(payload) < 4 || payload[3] != ':' {
		return nil, badReply("verbatim string without a format")
	}
	return &Reply{Type: typ, Format: payload[:3], Str: payload[4:]}, nil
}

// readPayload reads n bytes and the CRLF after them. Big payloads are read
// in pieces so that a lying length costs no more memory than the data
// actually received.
func (rr *ReplyReader) readPayload(n int64) (string, error) {
	var payload string
	if n <= smallBulk {
		buf := make([]byte, n)
		if _, err := io.ReadFull(rr.br, buf); err != nil {
			return "", err
		}
		payload = string(buf)
	} else {
		var sb strings.Builder
		if _, err := io.CopyN(&sb, rr.br, n); err != nil {
			return "", err
		}
		payload = sb.String()
	}
	var crlf [2]byte
	if _, err := io.ReadFull(rr.br, crlf[:]); err != nil {
		return "", err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return "", badReply("payload not terminated by CRLF")
	}
	return payload, nil
}

func (rr *ReplyReader) readAggregate(typ byte, header []byte, depth int) (*Reply, error) {
	n, err := parseReplyInt(header)
	if err != nil {
		return nil, err
	}
	if n == -1 && typ == TypeArray {
		return &Reply{Type: typ, Nil: true}, nil
	}
	if n < 0 || n > maxMultibulkLen {
		return nil, badReply("invalid aggregate length %d", n)
	}
	count := n
	if typ == TypeMap {
		count = 2 * n
	}
	elems, err := rr.readElems(count, depth)
	if err != nil {
		return nil, err
	}
	return &Reply{Type: typ, Elems: elems}, nil
}

func (rr *ReplyReader) readElems(count int64, depth int) ([]*Reply, error) {
	elems := make([]*Reply, 0, min(count, maxPrealloc))
	for i := int64(0); i < count; i++ {
		e, err := rr.read(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	return elems, nil
}

// readAttribute reads an attribute map and the reply it decorates.
func (rr *ReplyReader) readAttribute(header []byte, depth int) (*Reply, error) {
	n, err := parseReplyInt(header)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > maxMultibulkLen {
		return nil, badReply("invalid attribute length %d", n)
	}
	attrs, err := rr.readElems(2*n, depth)
	if err != nil {
		return nil, err
	}
	r, err := rr.read(depth + 1)
	if err != nil {
		return nil, err
	}
	r.Attrs = append(attrs, r.Attrs...)
	return r, nil
}
