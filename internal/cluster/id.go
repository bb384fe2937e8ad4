package cluster

import (
	"encoding/hex"
	"math/rand/v2"
)

// IDLen is the length of a node id: 40 lower-case hex characters, as
// Valkey's CLUSTER_NAMELEN.
const IDLen = 40

// ID is a node id (or a shard id): 40 lower-case hex characters. The empty
// ID means "none" (for example the primary of a primary).
type ID string

// ValidID reports whether s is a well-formed node id. Valkey accepts
// [a-z0-9]{40}; we accept only lower-case hex, which is what every Valkey and
// Shoal node generates, so ids pack into 20 bytes on the wire.
func ValidID(s string) bool {
	if len(s) != IDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// NewID returns a random id drawn from r.
func NewID(r *rand.Rand) ID {
	var b [IDLen / 2]byte
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return ID(hex.EncodeToString(b[:]))
}

// Short returns the first 8 characters of the id, for logs.
func (id ID) Short() string {
	if len(id) > 8 {
		return string(id[:8])
	}
	return string(id)
}
