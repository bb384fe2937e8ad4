package command

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// strBitOffset parses a bit offset as Valkey's getBitOffsetFromArgument:
// a non-negative integer whose byte index is below proto-max-bulk-len.
// With hashBits > 0 (BITFIELD) the form "#n" means n*hashBits.
func strBitOffset(c *Ctx, arg []byte, hashBits int) (uint64, bool) {
	useHash := hashBits > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	n, ok := types.ParseInt(arg)
	if ok && useHash {
		if n > math.MaxInt64/int64(hashBits) || n < math.MinInt64/int64(hashBits) {
			ok = false
		} else {
			n *= int64(hashBits)
		}
	}
	if !ok || n < 0 || n>>3 >= strMaxBulkLen(c) {
		c.Error(ErrBitOffset)
		return 0, false
	}
	return uint64(n), true
}

// strBitTarget is a string entry prepared for in-place bit writes, as
// Valkey's lookupStringForBitCommand: created or zero-padded so that a
// given bit exists.
type strBitTarget struct {
	key      []byte
	e        *keyspace.Entry
	dirty    bool // created or grown by the lookup
	modified bool // Tx.Modify was called (or the entry is new)
}

// strBitWriteTarget looks key up for a bit write reaching bit maxbit.
func strBitWriteTarget(c *Ctx, key []byte, maxbit uint64) (*strBitTarget, bool) {
	size := int(maxbit>>3) + 1
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return nil, false
	}
	if e == nil {
		e = &keyspace.Entry{Str: make([]byte, size)}
		e.MarkRaw()
		c.Tx.Set(key, e, false)
		return &strBitTarget{key: key, e: e, dirty: true, modified: true}, true
	}
	// Valkey unshares the value into a raw string even when no bit
	// changes, so OBJECT ENCODING reports "raw" from here on.
	e.MarkRaw()
	t := &strBitTarget{key: key, e: e}
	if len(e.Str) < size {
		t.prepare(c)
		e.Str = strGrowZero(e.Str, size)
		t.dirty = true
	}
	return t, true
}

// prepare announces the in-place change to the Tx before the first write.
func (t *strBitTarget) prepare(c *Ctx) {
	if !t.modified {
		c.Tx.Modify(t.key, t.e)
		t.modified = true
	}
}

func setbitCommand(c *Ctx) {
	key := c.Argv[1]
	off, ok := strBitOffset(c, c.Argv[2], 0)
	if !ok {
		return
	}
	on, ok := types.ParseInt(c.Argv[3])
	if !ok || on&^1 != 0 {
		c.Error(ErrBitValue)
		return
	}
	t, ok := strBitWriteTarget(c, key, off)
	if !ok {
		return
	}
	idx, mask := off>>3, byte(1)<<(7-off&7)
	old := t.e.Str[idx]&mask != 0
	if t.dirty || old != (on == 1) {
		t.prepare(c)
		if on == 1 {
			t.e.Str[idx] |= mask
		} else {
			t.e.Str[idx] &^= mask
		}
		c.Tx.Notify(keyspace.NotifyString, "setbit", key)
	}
	if old {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func getbitCommand(c *Ctx) {
	off, ok := strBitOffset(c, c.Argv[2], 0)
	if !ok {
		return
	}
	e, ok := c.LookupKind(c.Argv[1], types.KindString)
	if !ok {
		return
	}
	idx := off >> 3
	if e == nil || idx >= uint64(len(e.Str)) || e.Str[idx]&(1<<(7-off&7)) == 0 {
		c.W.Int(0)
		return
	}
	c.W.Int(1)
}

// strBitRange is a parsed [start [end [BYTE|BIT]]] range of BITCOUNT or
// BITPOS, resolved against the string as Valkey does.
type strBitRange struct {
	e          *keyspace.Entry
	start, end int64 // inclusive, in units (bytes or bits)
	isBit      bool
	endGiven   bool
	empty      bool // Valkey's early "start < 0 && end < 0 && start > end" exit
}

// strParseBitRange parses argv[at:] (at most start, end, unit), then
// looks the key up. checkNegEmpty enables BITCOUNT's early empty-range
// rule. It replies and returns false on errors.
func strParseBitRange(c *Ctx, at int, checkNegEmpty bool) (strBitRange, bool) {
	var r strBitRange
	n := len(c.Argv) - at
	if n > 3 {
		c.Error(ErrSyntax)
		return r, false
	}
	var ok bool
	if n >= 1 {
		if r.start, ok = c.Int(at); !ok {
			return r, false
		}
	}
	if n == 3 {
		switch {
		case strTokIs(c.Argv[at+2], "bit"):
			r.isBit = true
		case strTokIs(c.Argv[at+2], "byte"):
		default:
			c.Error(ErrSyntax)
			return r, false
		}
	}
	if n >= 2 {
		if r.end, ok = c.Int(at + 1); !ok {
			return r, false
		}
		r.endGiven = true
	}
	if r.e, ok = c.LookupKind(c.Argv[1], types.KindString); !ok {
		return r, false
	}
	total := int64(0)
	if r.e != nil {
		total = int64(len(r.e.Str))
	}
	if n == 0 {
		r.start, r.end = 0, total-1
		return r, true
	}
	if !r.endGiven {
		r.end = total - 1
	}
	if checkNegEmpty && r.start < 0 && r.end < 0 && r.start > r.end {
		r.empty = true
		return r, true
	}
	if r.isBit {
		total <<= 3
	}
	r.start, r.end = strNormalizeIndexes(r.start, r.end, total)
	return r, true
}

// strNormalizeIndexes turns negative indexes into offsets from the end and
// clamps both into [0, total-1] (end may stay below start).
func strNormalizeIndexes(start, end, total int64) (int64, int64) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= total {
		end = total - 1
	}
	return start, end
}

// bitRange returns the range as inclusive bit positions.
func (r *strBitRange) bitRange() (int64, int64) {
	if r.isBit {
		return r.start, r.end
	}
	return r.start * 8, r.end*8 + 7
}

func bitcountCommand(c *Ctx) {
	r, ok := strParseBitRange(c, 2, true)
	if !ok {
		return
	}
	if r.empty || r.e == nil || r.start > r.end {
		c.W.Int(0)
		return
	}
	sb, eb := r.bitRange()
	c.W.Int(strCountBits(r.e.Str, sb, eb))
}

// strCountBits counts the set bits at positions sb..eb (inclusive).
func strCountBits(s []byte, sb, eb int64) int64 {
	first, last := sb>>3, eb>>3
	n := strPopcount(s[first : last+1])
	// Remove the bits of the edge bytes that fall outside the range.
	n -= int64(bits.OnesCount8(s[first] & ^byte(0xff>>(sb&7))))
	n -= int64(bits.OnesCount8(s[last] & byte(0xff>>(eb&7+1))))
	return n
}

func strPopcount(b []byte) int64 {
	var n int
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return int64(n)
}

func bitposCommand(c *Ctx) {
	bit, ok := c.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(ErrBitArg)
		return
	}
	r, ok := strParseBitRange(c, 3, false)
	if !ok {
		return
	}
	switch {
	case r.e == nil:
		c.W.Int(-bit) // a missing key is an infinite run of zeros
		return
	case r.start > r.end:
		c.W.Int(-1)
		return
	}
	sb, eb := r.bitRange()
	if pos := strFindBit(r.e.Str, sb, eb, byte(bit)); pos >= 0 {
		c.W.Int(pos)
		return
	}
	// Looking for a clear bit without an explicit end, the string counts
	// as zero-padded on the right.
	if bit == 0 && !r.endGiven {
		c.W.Int(eb + 1)
		return
	}
	c.W.Int(-1)
}

// strFindBit returns the first position in sb..eb holding bit, or -1.
func strFindBit(s []byte, sb, eb int64, bit byte) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	i := sb
	for i <= eb {
		if i&7 != 0 || i+7 > eb {
			if (s[i>>3]>>(7-i&7))&1 == bit {
				return i
			}
			i++
			continue
		}
		// Byte-aligned: skip whole words, then whole bytes, of the
		// uninteresting value.
		j := i >> 3
		endByte := (eb + 1) >> 3 // exclusive; bytes fully inside the range
		for j+8 <= endByte && binary.LittleEndian.Uint64(s[j:]) == uint64(skip)*0x0101010101010101 {
			j += 8
		}
		for j < endByte && s[j] == skip {
			j++
		}
		if j < endByte {
			return j*8 + int64(bits.LeadingZeros8(s[j]^skip))
		}
		i = j * 8
	}
	return -1
}

// bitopCommand is BITOP AND|OR|XOR|NOT destkey key [key ...]. Missing keys
// are empty strings; the result is as long as the longest input, and an
// empty result deletes destkey.
func bitopCommand(c *Ctx) {
	op := c.Argv[1]
	switch {
	case strTokIs(op, "and"), strTokIs(op, "or"), strTokIs(op, "xor"):
	case strTokIs(op, "not"):
		if len(c.Argv) != 4 {
			c.Error(ErrBitopNot)
			return
		}
	default:
		c.Error(ErrSyntax)
		return
	}
	dest := c.Argv[2]
	srcs := make([][]byte, 0, len(c.Argv)-3)
	maxLen := 0
	for _, key := range c.Argv[3:] {
		e, ok := c.LookupKind(key, types.KindString)
		if !ok {
			return
		}
		var s []byte
		if e != nil {
			s = e.Str
		}
		srcs = append(srcs, s)
		maxLen = max(maxLen, len(s))
	}
	if maxLen == 0 {
		if c.Tx.Delete(dest) {
			c.Tx.Notify(keyspace.NotifyGeneric, "del", dest)
		}
		c.W.Int(0)
		return
	}
	res := strBitop(op[0]|0x20, srcs, maxLen)
	e := &keyspace.Entry{Str: res}
	e.MarkRaw()
	c.Tx.Set(dest, e, false)
	c.Tx.Notify(keyspace.NotifyString, "set", dest)
	c.W.Int(int64(maxLen))
}

// strBitop computes the operation ('a'nd, 'o'r, 'x'or, 'n'ot) over srcs,
// each zero-padded to n bytes.
func strBitop(op byte, srcs [][]byte, n int) []byte {
	res := make([]byte, n)
	copy(res, srcs[0])
	if op == 'n' {
		for i := range res {
			res[i] = ^res[i]
		}
		return res
	}
	for _, s := range srcs[1:] {
		switch op {
		case 'a':
			for i := range s {
				res[i] &= s[i]
			}
			clear(res[len(s):])
		case 'o':
			for i := range s {
				res[i] |= s[i]
			}
		case 'x':
			for i := range s {
				res[i] ^= s[i]
			}
		}
	}
	return res
}
