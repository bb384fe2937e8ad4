package types

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"math"
)

// DUMP / RESTORE payloads.
//
// Shoal's payload is its own format (it does not speak Valkey's RDB
// encoding), laid out like Valkey's so that tools which only pass payloads
// around keep working:
//
//	kind (1 byte) | body | magic "SH" (2) | version (uint16 LE) | CRC-64 (uint64 LE)
//
// kind is the value's Kind; the body is the kind's encoding, built from
// uvarint lengths and counts (DumpWriter) and read back with a bounds-
// checked DumpReader. The CRC-64 (ECMA polynomial) covers every byte before
// it. A payload from another server, a different version or a corrupted
// one fails the trailer check (ErrDumpPayload); a payload with a valid
// trailer whose body does not decode fails with ErrDumpFormat. Decoding
// never trusts a length or count beyond the bytes actually present, so a
// hostile payload cannot make it allocate more than its own size.
//
// Adding a collection type: make it implement Dumpable (AppendDump writes
// the body) and add a case for its Kind in decodeDumpBody that calls its
// decoder. Hashes carry per-field TTLs as absolute unix milliseconds, so
// RESTORE keeps them, as Valkey does.

// DumpVersion is the payload format version this build writes and reads.
const DumpVersion = 1

const (
	dumpMagic0, dumpMagic1 = 'S', 'H'
	dumpTrailerLen         = 2 + 2 + 8
)

// Errors returned by ParseDump.
var (
	// ErrDumpPayload is a payload whose magic, version or checksum is wrong.
	ErrDumpPayload = errors.New("types: DUMP payload version or checksum are wrong")
	// ErrDumpFormat is a payload whose checksum holds but whose body does
	// not decode.
	ErrDumpFormat = errors.New("types: bad DUMP data format")
	// ErrDumpUnsupported is returned by DumpObject for a type without a
	// dump encoding.
	ErrDumpUnsupported = errors.New("types: value type cannot be dumped")
)

// Dumpable is implemented by collection types that can be serialized into
// a DUMP payload.
type Dumpable interface {
	Object
	// AppendDump appends the value's body (without kind or trailer).
	AppendDump(w *DumpWriter)
}

// DumpValue is a decoded payload: a string (Obj nil) or a collection.
type DumpValue struct {
	Str []byte
	Obj Object
}

// DumpString returns the payload of a string value.
func DumpString(v []byte) []byte {
	w := DumpWriter{buf: make([]byte, 0, 1+binary.MaxVarintLen64+len(v)+dumpTrailerLen)}
	w.buf = append(w.buf, byte(KindString))
	w.Bytes(v)
	return w.finish()
}

// AppendDump appends to dst the payload of a value: the string str when
// obj is nil, else the collection obj. MIGRATE builds its requests with it
// in memory it reuses, where a payload per key was garbage the size of
// the data moved.
func AppendDump(dst, str []byte, obj Object) ([]byte, error) {
	w := DumpWriter{buf: dst, start: len(dst)}
	if obj == nil {
		w.buf = append(w.buf, byte(KindString))
		w.Bytes(str)
		return w.finish(), nil
	}
	d, ok := obj.(Dumpable)
	if !ok {
		return dst, ErrDumpUnsupported
	}
	w.buf = append(w.buf, byte(obj.Kind()))
	d.AppendDump(&w)
	return w.finish(), nil
}

// DumpObject returns the payload of a collection value.
func DumpObject(o Object) ([]byte, error) {
	d, ok := o.(Dumpable)
	if !ok {
		return nil, ErrDumpUnsupported
	}
	w := DumpWriter{buf: make([]byte, 0, 64)}
	w.buf = append(w.buf, byte(o.Kind()))
	d.AppendDump(&w)
	return w.finish(), nil
}

// VerifyDump checks a payload's trailer (magic, version and checksum).
func VerifyDump(payload []byte) error {
	if len(payload) < 1+dumpTrailerLen {
		return ErrDumpPayload
	}
	t := len(payload) - dumpTrailerLen
	if payload[t] != dumpMagic0 || payload[t+1] != dumpMagic1 {
		return ErrDumpPayload
	}
	if binary.LittleEndian.Uint16(payload[t+2:]) != DumpVersion {
		return ErrDumpPayload
	}
	sum := crc64.Checksum(payload[:t+4], crc64.MakeTable(crc64.ECMA))
	if binary.LittleEndian.Uint64(payload[t+4:]) != sum {
		return ErrDumpPayload
	}
	return nil
}

// ParseDump verifies and decodes a payload. The result never aliases
// payload, which may be a connection's read buffer.
func ParseDump(payload []byte) (DumpValue, error) { return ParseDumpWith(payload, DefaultLimits()) }

// ParseDumpWith is ParseDump with the server's current encoding limits, so
// a restored collection gets the encoding a fresh one of its size would
// (RESTORE after CONFIG SET hash-max-listpack-entries, as in Valkey).
func ParseDumpWith(payload []byte, lim Limits) (DumpValue, error) {
	if err := VerifyDump(payload); err != nil {
		return DumpValue{}, err
	}
	body := payload[1 : len(payload)-dumpTrailerLen]
	return decodeDumpBody(Kind(payload[0]), body, lim)
}

// decodeDumpBody is the per-kind dispatch, the extension point for
// collection types.
func decodeDumpBody(k Kind, body []byte, lim Limits) (DumpValue, error) {
	r := DumpReader{b: body, lim: lim}
	switch k {
	case KindString:
		v := r.Bytes()
		if err := r.Done(); err != nil {
			return DumpValue{}, err
		}
		return DumpValue{Str: v}, nil
	case KindSet:
		s, err := decodeSetDump(&r)
		if err != nil {
			return DumpValue{}, err
		}
		return DumpValue{Obj: s}, nil
	case KindHash:
		h, err := decodeHashDump(&r)
		if err != nil {
			return DumpValue{}, err
		}
		return DumpValue{Obj: h}, nil
	case KindList:
		return decodeListDump(&r)
	case KindZSet:
		return decodeZSetDump(&r)
	default:
		return DumpValue{}, ErrDumpFormat
	}
}

// DumpWriter builds a payload body.
type DumpWriter struct {
	buf   []byte
	start int // where the payload begins in buf (AppendDump)
}

// Uvarint appends an unsigned varint.
func (w *DumpWriter) Uvarint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }

// Varint appends a signed (zig-zag) varint, e.g. an absolute TTL.
func (w *DumpWriter) Varint(n int64) { w.buf = binary.AppendVarint(w.buf, n) }

// Bytes appends a length-prefixed byte string.
func (w *DumpWriter) Bytes(b []byte) {
	w.Uvarint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

// String appends a length-prefixed string.
func (w *DumpWriter) String(s string) {
	w.Uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// Float64 appends an IEEE-754 double (e.g. a sorted-set score).
func (w *DumpWriter) Float64(f float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
}

// finish appends the trailer.
func (w *DumpWriter) finish() []byte {
	w.buf = append(w.buf, dumpMagic0, dumpMagic1)
	w.buf = binary.LittleEndian.AppendUint16(w.buf, DumpVersion)
	sum := crc64.Checksum(w.buf[w.start:], crc64.MakeTable(crc64.ECMA))
	w.buf = binary.LittleEndian.AppendUint64(w.buf, sum)
	return w.buf
}

// DumpReader reads a payload body. The first error sticks: later reads
// return zero values, and Err / Done report it, so decoders can read a
// whole record and check once.
type DumpReader struct {
	b   []byte
	err error
	lim Limits // encoding thresholds for the decoded collection
}

// NewDumpReader reads body (for collection decoders' tests).
func NewDumpReader(body []byte) *DumpReader { return &DumpReader{b: body, lim: DefaultLimits()} }

func (r *DumpReader) fail() {
	if r.err == nil {
		r.err = ErrDumpFormat
	}
	r.b = nil
}

// Uvarint reads an unsigned varint.
func (r *DumpReader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, size := binary.Uvarint(r.b)
	if size <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[size:]
	return n
}

// Varint reads a signed varint.
func (r *DumpReader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	n, size := binary.Varint(r.b)
	if size <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[size:]
	return n
}

// Bytes reads a length-prefixed byte string into a fresh slice.
func (r *DumpReader) Bytes() []byte {
	n := r.Uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := make([]byte, n)
	copy(out, r.b[:n])
	r.b = r.b[n:]
	return out
}

// String reads a length-prefixed string.
func (r *DumpReader) String() string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// Float64 reads a double. NaN is rejected: no Shoal value holds one.
func (r *DumpReader) Float64() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	if math.IsNaN(f) {
		r.fail()
		return 0
	}
	return f
}

// Count reads an element count and rejects one that the remaining bytes
// cannot hold (every element takes at least minElemSize bytes), so a
// decoder may size its allocation by it.
func (r *DumpReader) Count(minElemSize int) int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	if minElemSize < 1 {
		minElemSize = 1
	}
	if n > uint64(len(r.b)/minElemSize) {
		r.fail()
		return 0
	}
	return int(n)
}

// Err is the first decoding error, or nil.
func (r *DumpReader) Err() error { return r.err }

// Done reports the first error, or ErrDumpFormat when bytes are left over.
func (r *DumpReader) Done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return ErrDumpFormat
	}
	return nil
}
