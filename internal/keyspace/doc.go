// Package keyspace owns the data: numbered databases, each an array of
// 16384 per-slot tables allocated on demand; key expiry (lazy on access and
// an active, CPU-bounded background cycle); entry versions; approximate
// memory accounting and eviction; and the single write choke point.
//
// The write choke point is Tx. Every mutation of a key goes through a Tx
// method, which bumps the entry's version, accounts memory, invalidates
// WATCHes, records keys that blocked clients wait on, publishes keyspace
// notifications and hands the effect, as a command, to the propagation
// sinks in apply order. Nothing outside this package can modify a table.
//
// Snapshots (snapshot*.go) are forkless and point-in-time: a cut version,
// a walker that emits entries at or below the cut a bounded amount per
// lock hold, and a pre-write hook in the choke point that emits an
// entry's old value before its first write after the cut. Replica full
// sync, slot migration and persistence all use them. Replica mode
// (replica.go) stops a replica from expiring or evicting on its own.
//
// Locking: one mutex per hash slot, shared by every database (so MOVE and
// COPY between databases lock one stripe per key). Callers lock the slots of
// the keys a command touches, in ascending order, before building a Tx for
// it; whole-keyspace commands either lock every slot (LockAll) or walk the
// slots one lock at a time. Lock order: slot locks (ascending) → watch
// registry → notifier (pub/sub) → a client's output buffer.
package keyspace
