package keyspace

import (
	"unsafe"
)

// Inline string entries.
//
// A string entry made by NewString is one allocation, laid out like
// Valkey's embedded strings:
//
//	[Entry header][key room][value bytes][slack]
//
// e.Str points at the value (with cap == len, so growing it reallocates
// instead of running into the slack), and when Tx.Set stores the entry
// under a key that fits in the key room (or else in the slack), the key is
// copied there and e.key points at it. A lookup then touches the slot's key table and this one
// block: key, metadata and value are adjacent, where a separate key
// string, Entry and value would be three scattered objects (three cache
// misses, and three objects for the GC to mark).
//
// The block's size is one of the Go allocator's size classes; the key room
// in front of the value is inlineKeyReserve bytes, the size class's slack
// after it serves longer keys when it can. Values
// too long for the largest block get a plain Entry and a separate buffer,
// where the header overhead no longer matters.

// entryHeaderSize is the size of Entry; the block's buffer follows it.
const entryHeaderSize = unsafe.Sizeof(Entry{})

// inlineKeyReserve is the key room in front of the value: enough for
// typical keys (redis-benchmark's "key:000000000042" is 16 bytes). Keeping
// it there puts the key next to the header for lookups.
const inlineKeyReserve = 24

// inlineBlockSizes are the block sizes (Go size classes) of the inline
// classes 1..len; class 0 means "not inline". The cases of newInlineBlock
// must match: buffer = size - entryHeaderSize (72).
var inlineBlockSizes = [...]uint16{80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512}

// Entry.inl bits.
const (
	inlClassMask = 0x1f // inline class (index into inlineBlockSizes, +1)
	inlKeyPlaced = 0x20 // the key room holds a key
)

type inlineBlock[B any] struct {
	e   Entry
	buf B
}

func newBlock[B any]() (*Entry, []byte) {
	p := new(inlineBlock[B])
	return &p.e, unsafe.Slice((*byte)(unsafe.Pointer(&p.buf)), unsafe.Sizeof(p.buf))
}

// inlineClass picks the smallest class whose buffer holds n value bytes
// plus the key reserve, or 0 when n is too long.
func inlineClass(n int) int {
	need := int(entryHeaderSize) + n + inlineKeyReserve
	for i, size := range inlineBlockSizes {
		if int(size) >= need {
			return i + 1
		}
	}
	return 0
}

func newInlineBlock(class int) (*Entry, []byte) {
	switch class {
	case 1:
		return newBlock[[8]byte]()
	case 2:
		return newBlock[[24]byte]()
	case 3:
		return newBlock[[40]byte]()
	case 4:
		return newBlock[[56]byte]()
	case 5:
		return newBlock[[72]byte]()
	case 6:
		return newBlock[[88]byte]()
	case 7:
		return newBlock[[104]byte]()
	case 8:
		return newBlock[[120]byte]()
	case 9:
		return newBlock[[136]byte]()
	case 10:
		return newBlock[[152]byte]()
	case 11:
		return newBlock[[168]byte]()
	case 12:
		return newBlock[[184]byte]()
	case 13:
		return newBlock[[216]byte]()
	case 14:
		return newBlock[[248]byte]()
	case 15:
		return newBlock[[280]byte]()
	case 16:
		return newBlock[[312]byte]()
	case 17:
		return newBlock[[344]byte]()
	case 18:
		return newBlock[[376]byte]()
	case 19:
		return newBlock[[408]byte]()
	case 20:
		return newBlock[[440]byte]()
	}
	panic("keyspace: bad inline class")
}

// newInlineString returns an inline entry holding a copy of v, or nil when
// v is too long to be inlined.
func newInlineString(v []byte) *Entry {
	class := inlineClass(len(v))
	if class == 0 {
		return nil
	}
	e, buf := newInlineBlock(class)
	n := copy(buf[inlineKeyReserve:], v)
	e.Str = buf[inlineKeyReserve : inlineKeyReserve+n : inlineKeyReserve+n]
	e.inl = uint8(class)
	e.inlLen = uint16(n)
	return e
}

// blockBytes is the size of e's inline block, 0 for a plain entry.
func (e *Entry) blockBytes() int64 {
	if c := e.inl & inlClassMask; c != 0 {
		return int64(inlineBlockSizes[c-1])
	}
	return 0
}

// tailRoomLen is the slack after the value.
func (e *Entry) tailRoomLen() int {
	return int(e.blockBytes()) - int(entryHeaderSize) - inlineKeyReserve - int(e.inlLen)
}

// keyFits reports whether a key of n bytes fits in the block's rooms.
func (e *Entry) keyFits(n int) bool {
	return e.inl&inlClassMask != 0 && (n <= inlineKeyReserve || n <= e.tailRoomLen())
}

// keyRoom returns the room a key of n bytes goes to.
func (e *Entry) keyRoom(n int) []byte {
	off := entryHeaderSize
	if n > inlineKeyReserve {
		off += inlineKeyReserve + uintptr(e.inlLen)
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), off)), n)
}

// ownsBlock reports whether e is the header of its inline block: e.Str
// still starts at the value the block was made with. A copy of an inline
// Entry (cp := *e) fails the check, so the key room is only ever written
// through the block's own header.
func (e *Entry) ownsBlock() bool {
	// Compare addresses as integers: for a copy, e+offset lies outside
	// e's allocation, and forming such a pointer is invalid (checkptr
	// rejects it under -race).
	return e.inl&inlClassMask != 0 &&
		uintptr(unsafe.Pointer(unsafe.SliceData(e.Str))) == uintptr(unsafe.Pointer(e))+entryHeaderSize+inlineKeyReserve
}

// strInBlock reports whether e.Str still lives in e's block (possibly
// resliced shorter in place), so that it costs nothing beyond the block.
func (e *Entry) strInBlock() bool { return e.ownsBlock() }

// setKey records the key e is stored under: a copy in e's key room when
// it fits and the room is free, a fresh string otherwise. The room is
// written once, so strings pointing into it never change.
func (e *Entry) setKey(key []byte) {
	if len(key) > 0 && e.key == string(key) {
		return // stored again under the same key
	}
	if e.inl&inlKeyPlaced != 0 || len(key) == 0 || !e.keyFits(len(key)) || !e.ownsBlock() {
		e.key = string(key)
		return
	}
	room := e.keyRoom(len(key))
	copy(room, key)
	e.inl |= inlKeyPlaced
	e.key = unsafe.String(&room[0], len(room))
}
