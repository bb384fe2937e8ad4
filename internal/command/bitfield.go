package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// BITFIELD sub-operations and overflow behaviours (Valkey's bitops.c).
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bfOp struct {
	offset uint64
	value  int64 // SET value or INCRBY increment
	opcode int
	owtype int
	bits   int
	signed bool
}

func bitfieldCommand(c *Ctx)   { bfGeneric(c, false) }
func bitfieldROCommand(c *Ctx) { bfGeneric(c, true) }

// bfGeneric implements BITFIELD and BITFIELD_RO: all operations are parsed
// and validated first, then the key is looked up once (grown to the
// farthest written bit) and the operations run in order.
func bfGeneric(c *Ctx, readonlyCmd bool) {
	ops, highest, writes, ok := bfParse(c)
	if !ok {
		return
	}
	key := c.Argv[1]
	if !writes {
		e, ok := c.LookupKind(key, types.KindString)
		if !ok {
			return
		}
		var s []byte
		if e != nil {
			s = e.Str
		}
		c.W.ArrayLen(len(ops))
		for i := range ops {
			bfReplyGet(c, s, &ops[i])
		}
		return
	}
	if readonlyCmd {
		c.Error(ErrBitfieldRO)
		return
	}
	t, ok := strBitWriteTarget(c, key, highest)
	if !ok {
		return
	}
	c.W.ArrayLen(len(ops))
	changes := 0
	for i := range ops {
		op := &ops[i]
		if op.opcode == bfGet {
			bfReplyGet(c, t.e.Str, op)
			continue
		}
		if bfApplyWrite(c, t, op) {
			changes++
		}
	}
	if changes > 0 {
		c.Tx.Notify(keyspace.NotifyString, "setbit", key)
	}
}

// bfParse validates every operation of argv[2:]. writes reports whether
// any SET or INCRBY is present; highest is the farthest bit they touch.
func bfParse(c *Ctx) (ops []bfOp, highest uint64, writes bool, ok bool) {
	owtype := bfWrap
	for j := 2; j < len(c.Argv); j++ {
		rem := len(c.Argv) - j - 1
		sub := c.Argv[j]
		var op bfOp
		switch {
		case strTokIs(sub, "get") && rem >= 2:
			op.opcode = bfGet
		case strTokIs(sub, "set") && rem >= 3:
			op.opcode = bfSet
		case strTokIs(sub, "incrby") && rem >= 3:
			op.opcode = bfIncrBy
		case strTokIs(sub, "overflow") && rem >= 1:
			j++
			switch arg := c.Argv[j]; {
			case strTokIs(arg, "wrap"):
				owtype = bfWrap
			case strTokIs(arg, "sat"):
				owtype = bfSat
			case strTokIs(arg, "fail"):
				owtype = bfFail
			default:
				c.Error(ErrBitfieldOverflow)
				return nil, 0, false, false
			}
			continue
		default:
			c.Error(ErrSyntax)
			return nil, 0, false, false
		}
		if op.signed, op.bits, ok = bfParseType(c.Argv[j+1]); !ok {
			c.Error(ErrBitfieldType)
			return nil, 0, false, false
		}
		if op.offset, ok = strBitOffset(c, c.Argv[j+2], op.bits); !ok {
			return nil, 0, false, false
		}
		if op.opcode != bfGet {
			writes = true
			highest = max(highest, op.offset+uint64(op.bits)-1)
			if op.value, ok = c.Int(j + 3); !ok {
				return nil, 0, false, false
			}
			j++
		}
		op.owtype = owtype
		ops = append(ops, op)
		j += 2
	}
	return ops, highest, writes, true
}

// bfParseType parses i1..i64 and u1..u63 (the sign letter is
// case-sensitive, as in Valkey).
func bfParseType(arg []byte) (signed bool, bits int, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := types.ParseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, int(n), true
}

// bfReplyGet answers a GET; bits beyond the string read as zero.
func bfReplyGet(c *Ctx, s []byte, op *bfOp) {
	u := bfGetBits(s, op.offset, op.bits)
	if op.signed {
		c.W.Int(bfSignExtend(u, op.bits))
	} else {
		c.W.Int(int64(u))
	}
}

// bfApplyWrite runs a SET or INCRBY, replies, and reports whether it
// counts as a change (Valkey counts every write to a grown or new string).
func bfApplyWrite(c *Ctx, t *strBitTarget, op *bfOp) bool {
	s := t.e.Str
	old := bfGetBits(s, op.offset, op.bits)
	var newv, reply uint64
	var overflow bool
	if op.signed {
		oldv := bfSignExtend(old, op.bits)
		var nv, ret int64
		if op.opcode == bfIncrBy {
			nv, overflow = bfSignedAdd(oldv, op.value, op.bits, op.owtype)
			ret = nv
		} else {
			nv, overflow = bfSignedAdd(op.value, 0, op.bits, op.owtype)
			ret = oldv
		}
		newv, reply = uint64(nv), uint64(ret)
	} else {
		if op.opcode == bfIncrBy {
			newv, overflow = bfUnsignedAdd(old, op.value, op.bits, op.owtype)
			reply = newv
		} else {
			newv, overflow = bfUnsignedAdd(uint64(op.value), 0, op.bits, op.owtype)
			reply = old
		}
	}
	if overflow && op.owtype == bfFail {
		c.W.Null()
		return false
	}
	c.W.Int(int64(reply))
	mask := bfMask(op.bits)
	changed := old != newv&mask
	if changed {
		t.prepare(c)
		bfSetBits(t.e.Str, op.offset, op.bits, newv)
	}
	return t.dirty || changed
}

func bfMask(bits int) uint64 {
	if bits == 64 {
		return math.MaxUint64
	}
	return 1<<uint(bits) - 1
}

// bfGetBits reads an unsigned big-endian bit field; bits past the end of
// s read as zero.
func bfGetBits(s []byte, offset uint64, bits int) uint64 {
	var v uint64
	for j := 0; j < bits; j++ {
		idx := offset >> 3
		var bit uint64
		if idx < uint64(len(s)) {
			bit = uint64(s[idx]>>(7-offset&7)) & 1
		}
		v = v<<1 | bit
		offset++
	}
	return v
}

// bfSetBits writes the low bits of v at offset (s is large enough).
func bfSetBits(s []byte, offset uint64, bits int, v uint64) {
	for j := 0; j < bits; j++ {
		bit := byte(v>>uint(bits-1-j)) & 1
		idx, sh := offset>>3, 7-offset&7
		s[idx] = s[idx]&^(1<<sh) | bit<<sh
		offset++
	}
}

func bfSignExtend(u uint64, bits int) int64 {
	if bits < 64 && u&(1<<uint(bits-1)) != 0 {
		u |= math.MaxUint64 << uint(bits)
	}
	return int64(u)
}

// bfUnsignedAdd is Valkey's checkUnsignedBitfieldOverflow combined with
// the addition: it returns the value to store and whether value+incr
// does not fit in bits (unsigned).
func bfUnsignedAdd(value uint64, incr int64, bits, owtype int) (uint64, bool) {
	max := bfMask(bits)
	maxIncr := int64(max - value)
	minIncr := -int64(value)
	over := value > max || (incr > 0 && incr > maxIncr)
	under := !over && incr < 0 && incr < minIncr
	if !over && !under {
		return value + uint64(incr), false
	}
	switch owtype {
	case bfWrap:
		return (value + uint64(incr)) & max, true
	case bfSat:
		if over {
			return max, true
		}
		return 0, true
	}
	return 0, true
}

// bfSignedAdd is checkSignedBitfieldOverflow combined with the addition.
func bfSignedAdd(value, incr int64, bits, owtype int) (int64, bool) {
	var max int64 = math.MaxInt64
	if bits != 64 {
		max = 1<<uint(bits-1) - 1
	}
	min := -max - 1
	maxIncr := int64(uint64(max) - uint64(value))
	minIncr := min - value
	over := value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)
	under := !over && (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr))
	if !over && !under {
		return value + incr, false
	}
	switch owtype {
	case bfWrap:
		c := uint64(value) + uint64(incr)
		if bits < 64 {
			if c&(1<<uint(bits-1)) != 0 {
				c |= math.MaxUint64 << uint(bits)
			} else {
				c &^= math.MaxUint64 << uint(bits)
			}
		}
		return int64(c), true
	case bfSat:
		if over {
			return max, true
		}
		return min, true
	}
	return 0, true
}
