// Package types owns value encodings and the operations on them: the
// collection types (hash with per-field TTLs, list, set, sorted set) behind
// the Object interface. Strings are stored directly in keyspace entries and
// need no type here. Types know nothing about keys, slots or locking.
package types
