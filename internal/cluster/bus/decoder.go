package bus

import (
	"encoding/binary"
	"encoding/hex"
	"errors"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/slot"
)

// decoder reads a body; the first error sticks and every later read
// returns zero values, so callers check d.err once.
type decoder struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated")

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail(errTruncated)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bounded reads a uvarint that must not exceed max.
func (d *decoder) bounded(max uint64) uint64 {
	v := d.uvarint()
	if v > max {
		d.fail(errors.New("value out of range"))
		return 0
	}
	return v
}

func (d *decoder) port() int { return int(d.bounded(65535)) }

func (d *decoder) raw(n int) []byte {
	if n < 0 || len(d.b) < n {
		d.fail(errTruncated)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(max int) []byte {
	n := d.bounded(uint64(max))
	v := d.raw(int(n))
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

func (d *decoder) string(max int) string { return string(d.bytes(max)) }

func (d *decoder) id() cluster.ID {
	v := d.raw(idBytes)
	if v == nil {
		return ""
	}
	return cluster.ID(hex.EncodeToString(v))
}

func (d *decoder) optID() cluster.ID {
	switch d.byte() {
	case 0:
		return ""
	case 1:
		return d.id()
	}
	d.fail(errors.New("bad optional id"))
	return ""
}

func (d *decoder) slots() *cluster.SlotSet {
	s := new(cluster.SlotSet)
	switch d.byte() {
	case slotsEmpty:
	case slotsRanges:
		n := d.bounded(slot.Count)
		next := uint64(0)
		for i := uint64(0); i < n && d.err == nil; i++ {
			start := next + d.bounded(slot.Count)
			end := start + d.bounded(slot.Count)
			if end >= slot.Count {
				d.fail(errors.New("slot out of range"))
				break
			}
			s.SetRange(int(start), int(end))
			next = end + 1
		}
	case slotsBitmap:
		raw := d.raw(len(s) * 8)
		for i := 0; raw != nil && i < len(s); i++ {
			s[i] = binary.LittleEndian.Uint64(raw[i*8:])
		}
	default:
		d.fail(errors.New("bad slot encoding"))
	}
	return s
}

func (d *decoder) header(m *cluster.Message) {
	m.MyIP = d.string(maxIPLen)
	m.Port, m.TLSPort, m.CPort = d.port(), d.port(), d.port()
	m.Flags = cluster.NodeFlags(d.bounded(0xffff))
	m.StateOK = d.byte() != 0
	m.CurrentEpoch = d.uvarint()
	m.ConfigEpoch = d.uvarint()
	m.ReplOffset = d.varint()
	m.PrimaryID = d.optID()
	m.Slots = d.slots()
}

// minGossipLen is the smallest encoding of a gossip entry; it bounds the
// count a frame can claim.
const minGossipLen = idBytes + 8

func (d *decoder) gossip(m *cluster.Message) {
	n := d.bounded(uint64(len(d.b) / minGossipLen))
	if n > 0 {
		m.Gossip = make([]cluster.Gossip, n)
	}
	for i := range m.Gossip {
		g := &m.Gossip[i]
		g.ID = d.id()
		g.PingSent = d.varint()
		g.PongRecv = d.varint()
		g.IP = d.string(maxIPLen)
		g.Port, g.TLSPort, g.CPort = d.port(), d.port(), d.port()
		g.Flags = cluster.NodeFlags(d.bounded(0xffff))
	}
	exts := d.bounded(uint64(len(d.b) / 2))
	for i := uint64(0); i < exts && d.err == nil; i++ {
		t := d.uvarint()
		data := d.raw(int(d.bounded(uint64(len(d.b)))))
		if d.err != nil {
			return
		}
		d.extension(m, t, data)
	}
}

func (d *decoder) extension(m *cluster.Message, t uint64, data []byte) {
	e := decoder{b: data}
	switch t {
	case extHostname:
		m.Hostname = string(e.raw(min(len(data), maxNameLen)))
	case extHumanName:
		m.HumanNodename = string(e.raw(min(len(data), maxNameLen)))
	case extShardID:
		m.ShardID = e.id()
	case extForgotten:
		f := cluster.Forgotten{ID: e.id(), TTL: e.uvarint()}
		if e.err == nil {
			m.Forgotten = append(m.Forgotten, f)
		}
	default:
		return // unknown extension: skipped, for forward compatibility
	}
	if e.err != nil || len(e.b) != 0 {
		d.fail(errors.New("bad extension"))
	}
}
