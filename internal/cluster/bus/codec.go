package bus

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Frame layout (all integers in the header big-endian):
//
//	magic   4 bytes  "SHCB"
//	version 1 byte   Version
//	type    1 byte   cluster.Type
//	length  4 bytes  body length
//	body    length bytes, layout by type (see appendBody)
//
// Inside the body numbers are varints, strings and byte strings are
// length-prefixed, node ids are 20 bytes (40 hex characters packed) and
// slot sets are an empty marker, a list of ranges or a raw 2 KiB bitmap,
// whichever is shortest. PING/PONG/MEET end with type-length-value
// extensions so new optional data needs no version bump.
const (
	Magic       = "SHCB"
	Version     = 1
	HeaderLen   = 10
	DefaultMax  = 32 << 20 // default frame body limit (PUBLISH payloads)
	maxIPLen    = 64
	maxNameLen  = 1024
	idBytes     = cluster.IDLen / 2
	slotsEmpty  = 0
	slotsRanges = 1
	slotsBitmap = 2
)

// Extension types of PING/PONG/MEET.
const (
	extHostname  = 1
	extHumanName = 2
	extShardID   = 3
	extForgotten = 4
)

// Decoding errors.
var (
	ErrBadMagic = errors.New("bus: bad frame magic")
	ErrVersion  = errors.New("bus: unsupported protocol version")
	ErrTooLarge = errors.New("bus: frame too large")
	ErrCorrupt  = errors.New("bus: corrupt frame")
	ErrShort    = errors.New("bus: incomplete frame")
)

// AppendFrame appends the encoding of m to dst.
func AppendFrame(dst []byte, m *cluster.Message) []byte {
	start := len(dst)
	dst = append(dst, Magic...)
	dst = append(dst, Version, byte(m.Type), 0, 0, 0, 0)
	dst = appendBody(dst, m)
	binary.BigEndian.PutUint32(dst[start+6:], uint32(len(dst)-start-HeaderLen))
	return dst
}

// Encode returns the frame of m.
func Encode(m *cluster.Message) []byte { return AppendFrame(nil, m) }

func appendBody(b []byte, m *cluster.Message) []byte {
	b = append(b, byte(m.MFlags))
	b = appendID(b, m.Sender)
	if m.Type.Light() {
		b = appendBytes(b, m.Channel)
		return appendBytes(b, m.Payload)
	}
	b = appendString(b, m.MyIP)
	b = binary.AppendUvarint(b, uint64(m.Port))
	b = binary.AppendUvarint(b, uint64(m.TLSPort))
	b = binary.AppendUvarint(b, uint64(m.CPort))
	b = binary.AppendUvarint(b, uint64(m.Flags))
	b = append(b, boolByte(m.StateOK))
	b = binary.AppendUvarint(b, m.CurrentEpoch)
	b = binary.AppendUvarint(b, m.ConfigEpoch)
	b = binary.AppendVarint(b, m.ReplOffset)
	b = appendOptID(b, m.PrimaryID)
	b = appendSlots(b, m.Slots)
	switch m.Type {
	case cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet:
		b = appendGossip(b, m)
	case cluster.MsgFail:
		b = appendID(b, m.About)
	case cluster.MsgUpdate:
		b = appendID(b, m.UpdateID)
		b = binary.AppendUvarint(b, m.UpdateEpoch)
		b = appendSlots(b, m.UpdateSlots)
	}
	return b
}

func appendGossip(b []byte, m *cluster.Message) []byte {
	b = binary.AppendUvarint(b, uint64(len(m.Gossip)))
	for i := range m.Gossip {
		g := &m.Gossip[i]
		b = appendID(b, g.ID)
		b = binary.AppendVarint(b, g.PingSent)
		b = binary.AppendVarint(b, g.PongRecv)
		b = appendString(b, g.IP)
		b = binary.AppendUvarint(b, uint64(g.Port))
		b = binary.AppendUvarint(b, uint64(g.TLSPort))
		b = binary.AppendUvarint(b, uint64(g.CPort))
		b = binary.AppendUvarint(b, uint64(g.Flags))
	}
	n := len(m.Forgotten)
	if m.Hostname != "" {
		n++
	}
	if m.HumanNodename != "" {
		n++
	}
	if m.ShardID != "" {
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	if m.Hostname != "" {
		b = appendExt(b, extHostname, []byte(m.Hostname))
	}
	if m.HumanNodename != "" {
		b = appendExt(b, extHumanName, []byte(m.HumanNodename))
	}
	if m.ShardID != "" {
		b = appendExt(b, extShardID, appendID(nil, m.ShardID))
	}
	for _, f := range m.Forgotten {
		b = appendExt(b, extForgotten, binary.AppendUvarint(appendID(nil, f.ID), f.TTL))
	}
	return b
}

func appendExt(b []byte, t uint64, data []byte) []byte {
	b = binary.AppendUvarint(b, t)
	return appendBytes(b, data)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendString(b []byte, v string) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendID packs a 40-hex-character id into 20 bytes; ids that are not
// valid (never produced by the state machine) encode as zeros.
func appendID(b []byte, id cluster.ID) []byte {
	var raw [idBytes]byte
	if cluster.ValidID(string(id)) {
		_, _ = hex.Decode(raw[:], []byte(id))
	}
	return append(b, raw[:]...)
}

func appendOptID(b []byte, id cluster.ID) []byte {
	if id == "" {
		return append(b, 0)
	}
	return appendID(append(b, 1), id)
}

func appendSlots(b []byte, s *cluster.SlotSet) []byte {
	if s == nil || s.Empty() {
		return append(b, slotsEmpty)
	}
	ranges := s.Ranges()
	if len(ranges)*4 < len(s)*8 {
		b = append(b, slotsRanges)
		b = binary.AppendUvarint(b, uint64(len(ranges)))
		next := 0
		for _, r := range ranges {
			b = binary.AppendUvarint(b, uint64(r.Start-next))
			b = binary.AppendUvarint(b, uint64(r.End-r.Start))
			next = r.End + 1
		}
		return b
	}
	b = append(b, slotsBitmap)
	for _, w := range s {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

// ParseHeader checks a frame header and returns the message type and body
// length. max bounds the body length.
func ParseHeader(h []byte, max int) (cluster.Type, int, error) {
	if len(h) < HeaderLen {
		return 0, 0, ErrShort
	}
	if string(h[:4]) != Magic {
		return 0, 0, ErrBadMagic
	}
	if h[4] != Version {
		return 0, 0, ErrVersion
	}
	n := binary.BigEndian.Uint32(h[6:10])
	if uint64(n) > uint64(max) {
		return 0, 0, ErrTooLarge
	}
	return cluster.Type(h[5]), int(n), nil
}

// Decode decodes one frame from the start of buf and returns the message
// and the number of bytes it used; ErrShort means more bytes are needed.
// It never panics and never allocates more than the input justifies.
func Decode(buf []byte, max int) (*cluster.Message, int, error) {
	t, n, err := ParseHeader(buf, max)
	if err != nil {
		return nil, 0, err
	}
	if len(buf) < HeaderLen+n {
		return nil, 0, ErrShort
	}
	m, err := DecodeBody(t, buf[HeaderLen:HeaderLen+n])
	if err != nil {
		return nil, 0, err
	}
	return m, HeaderLen + n, nil
}

// ReadFrame reads one frame from r. The message does not alias buf.
func ReadFrame(r io.Reader, max int, buf []byte) (*cluster.Message, int, []byte, error) {
	if cap(buf) < HeaderLen {
		buf = make([]byte, HeaderLen, 512)
	}
	buf = buf[:HeaderLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, 0, buf, err
	}
	t, n, err := ParseHeader(buf, max)
	if err != nil {
		return nil, 0, buf, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	body := buf[:n]
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, buf, err
	}
	m, err := DecodeBody(t, body)
	return m, HeaderLen + n, buf, err
}

// DecodeBody decodes a frame body of type t.
func DecodeBody(t cluster.Type, body []byte) (*cluster.Message, error) {
	if int(t) >= cluster.NumTypes || t == cluster.MsgModule {
		return nil, fmt.Errorf("%w: unknown type %d", ErrCorrupt, t)
	}
	d := decoder{b: body}
	m := &cluster.Message{Type: t}
	m.MFlags = cluster.MsgFlags(d.byte())
	m.Sender = d.id()
	if t.Light() {
		m.Channel = d.bytes(len(body))
		m.Payload = d.bytes(len(body))
	} else {
		d.header(m)
		switch t {
		case cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet:
			d.gossip(m)
		case cluster.MsgFail:
			m.About = d.id()
		case cluster.MsgUpdate:
			m.UpdateID = d.id()
			m.UpdateEpoch = d.uvarint()
			m.UpdateSlots = d.slots()
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("trailing bytes")
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, t, d.err)
	}
	return m, nil
}
