// Package repl is replication: a node's role (primary or replica of
// another node), its replication ids and stream offset, the backlog of the
// replication stream, the primary side (the replicas it serves) and the
// replica side (the link to its own primary). It implements
// command.Replication, through which REPLICAOF, REPLCONF, PSYNC, WAIT,
// ROLE and INFO replication reach it.
//
// The stream. On a primary, a keyspace.Sink encodes every write effect
// into the backlog (backlog.go) in apply order, with SELECT when the
// database changes; PINGs (every repl-ping-replica-period) and REPLCONF
// GETACK (for WAIT) go into it as well. The byte count of the stream is the
// replication offset (master_repl_offset). A replica applies its primary's
// stream through the dispatcher as the "primary client" and feeds the raw
// bytes it applied into its own backlog, so its offset equals the
// primary's, its own replicas get the identical stream and, once
// promoted, it continues the same history.
//
// Synchronization. PSYNC replid offset continues from the backlog when
// replid is the primary's replication id (or its previous one, replid2,
// up to second_repl_offset: the history before a promotion) and the bytes
// are still buffered (+CONTINUE). Otherwise the replica gets a full
// synchronization (fullsync.go): a forkless point-in-time snapshot of the
// data streamed as commands while the primary keeps serving, interleaved
// with the stream from the snapshot's cut so that the replica can apply
// everything as it arrives. A sender goroutine per replica owns the
// replica's socket output; the replica's ACKs arrive as REPLCONF ACK
// commands on the connection, read by the server's connection goroutine.
//
// The replica link (link.go, link_apply.go) connects, authenticates with
// primaryauth/primaryuser, announces its port and capabilities, PSYNCs
// with its cached id and offset, applies the stream, acknowledges every
// second and on GETACK, and reconnects with a backoff.
//
// Goroutines: the cron (Start/Close), one link while a replica, one
// sender per replica connection (plus a snapshot walker during a full
// synchronization). Each has an owner that stops it; Close stops them all.
package repl
