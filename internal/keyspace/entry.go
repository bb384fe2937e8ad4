package keyspace

import "github.com/shoal-db/shoal/internal/types"

// Entry is one key's value and metadata. Handlers may read an Entry they
// got from a Tx while holding its slot lock, and may change it in place only
// between Tx.Modify and the end of the command.
type Entry struct {
	// Str holds the value of a string key; Obj is nil then.
	Str []byte
	// Obj holds a collection value.
	Obj types.Object

	version uint64
	// access is the LRU clock (seconds) or, under an LFU policy, the
	// LFU word: last decrement time in minutes (high 24 bits) and a
	// logarithmic counter (low 8 bits), as Valkey packs it.
	access uint32
	// strEnc remembers whether a string was built by APPEND/SETRANGE
	// (Valkey reports such strings as "raw" whatever their length).
	strEnc uint8
	// inl and inlLen describe an inline block (entry_inline.go): the
	// block class and whether its key room is used, and the length of the
	// value it was made with. They fit in the struct's padding.
	inl    uint8
	inlLen uint16
	// key is the key the entry is stored under (set by Tx.Set): the
	// slot's key table finds entries by it. An entry is stored under one
	// key at a time. It is the last field so that, in an inline block, a
	// lookup's key comparison reads the header and the key bytes right
	// after it.
	key string
}

// String encodings for OBJECT ENCODING.
const (
	encAuto uint8 = iota
	encRaw
)

// Kind is the value's type.
func (e *Entry) Kind() types.Kind {
	if e.Obj == nil {
		return types.KindString
	}
	return e.Obj.Kind()
}

// Version is the entry's last-write version; it only grows.
func (e *Entry) Version() uint64 { return e.version }

// MarkRaw records that a string was modified in place (APPEND, SETRANGE,
// SETBIT...), which Valkey always reports as the "raw" encoding.
func (e *Entry) MarkRaw() { e.strEnc = encRaw }

// Encoding is the name OBJECT ENCODING reports.
func (e *Entry) Encoding() string {
	if e.Obj != nil {
		return e.Obj.Encoding()
	}
	if e.strEnc == encRaw {
		return "raw"
	}
	if len(e.Str) <= 20 && isInt(e.Str) {
		return "int"
	}
	if len(e.Str) <= 44 {
		return "embstr"
	}
	return "raw"
}

// isInt reports whether b is the canonical decimal form of an int64, the
// condition under which Valkey stores a string as an integer.
func isInt(b []byte) bool {
	_, ok := types.ParseInt(b)
	return ok
}

// Clone returns a deep copy with fresh metadata.
func (e *Entry) Clone() *Entry {
	c := &Entry{strEnc: e.strEnc}
	if e.Obj != nil {
		c.Obj = e.Obj.Clone()
	} else {
		c.Str = append([]byte(nil), e.Str...)
	}
	return c
}

// NewString returns a string entry holding a copy of v. Short values are
// stored in the same allocation as the entry (see entry_inline.go).
func NewString(v []byte) *Entry {
	if e := newInlineString(v); e != nil {
		return e
	}
	b := make([]byte, len(v))
	copy(b, v)
	return &Entry{Str: b}
}

// NewObject returns an entry holding a collection.
func NewObject(o types.Object) *Entry { return &Entry{Obj: o} }
