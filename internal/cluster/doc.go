// Package cluster is the pure state machine of a Valkey-compatible cluster
// node: the node table (ids, addresses, flags, roles, shard ids), config
// epochs and the current epoch with Valkey's collision resolution, hash-slot
// ownership and the legacy migrating/importing markers, gossip (PING, PONG,
// MEET with gossip sections and extensions), failure detection (PFAIL, FAIL
// by a majority of primaries, FAIL messages, clearing FAIL), UPDATE messages,
// FORGET with a ban list, cluster_state, failover-vote bookkeeping, and the
// nodes.conf text format.
//
// It has no sockets, no clock, no goroutines and no hidden randomness: time
// enters only as the now argument of every call, randomness only through the
// seeded source in Config, and everything that must happen outside (sending
// messages, dialing or closing links, persisting nodes.conf, deleting keys of
// lost slots, delivering published messages) is returned as an Output. This
// is what lets the same code run in production behind a TCP transport and in
// tests on a simulated network of hundreds of nodes driven by a fake clock
// (package bus).
//
// The rules are Valkey's cluster_legacy.c as observed on the wire and in the
// CLUSTER commands; the wire format is ours (package bus). A State is not
// safe for concurrent use: the owner serialises calls (see bus.Runner).
package cluster
