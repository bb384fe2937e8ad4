package types

// Kind is a value's type as TYPE reports it.
type Kind uint8

// The kinds of values a key can hold.
const (
	KindString Kind = iota
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

var kindNames = [...]string{"string", "list", "set", "zset", "hash", "stream"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind maps a TYPE name (as SCAN ... TYPE takes it) to a Kind.
func ParseKind(name string) (Kind, bool) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// Object is a collection value.
type Object interface {
	Kind() Kind
	// Encoding is the name OBJECT ENCODING reports (Valkey's names).
	Encoding() string
	// Len is the number of elements.
	Len() int
	// MemUsage estimates the bytes the value occupies. It must be O(1):
	// the keyspace calls it on every write for memory accounting.
	MemUsage() int64
	// Clone returns a deep copy (COPY, snapshot emission of old values).
	Clone() Object
}
