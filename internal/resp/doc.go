// Package resp owns the Redis serialization protocol: the request reader
// (multibulk and inline, zero-copy argv, Valkey's limits and error texts),
// the reply writer (RESP2 and RESP3 shapes chosen per connection) and a reply
// parser used by clients and tests.
//
// The reader never allocates per argument on the hot path: argv entries are
// sub-slices of the reader's buffer and are valid only until the next call
// to ReadCommand. Callers that keep an argument (a key stored in the
// keyspace, a queued MULTI command) must copy it.
package resp
