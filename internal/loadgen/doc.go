// Package loadgen is the engine of shoal-benchmark, a memtier-like load
// generator for Shoal, Valkey and Redis, standalone or in cluster mode.
//
// A run starts threads × clients logical clients. Each client is one
// goroutine that owns its connections (one per node it talks to) and
// sends its requests in batches of up to --pipeline commands: the batch is
// routed by hash slot, written to every node it touches with one write per
// node, and the replies are read back in order. Cluster redirections are
// handled inside the batch: -MOVED updates the shared slot map (and asks
// the topology refresher for a fresh CLUSTER SLOTS), -ASK resends with
// ASKING to the importing node, -TRYAGAIN is retried after a short backoff.
// An operation's latency covers all of its redirections.
//
// Closed loop (the default) measures from the moment a batch is written.
// Open loop (--rate) gives every client a fixed schedule of intended send
// times and measures each operation from its intended time, so a server
// stall shows up in the latencies of every request that should have been
// sent during it (no coordinated omission), the way wrk2 does.
//
// Clients hand their finished operations to the collector in batches; the
// collector alone touches the HDR histograms and builds the per-second
// timeline (throughput, hits/misses, p50/p99/p99.9, MOVED/ASK/TRYAGAIN and
// errors per second). At the end the timeline is written as CSV and drawn
// as PNG/SVG charts with operator events (migration start, pause,
// hand-over) as vertical lines, and a memtier-style summary is printed.
//
// Drivers (the migration experiment) either run the binary with --events
// FILE and append "unix_ms,label" lines to FILE (AppendEvent), or use the
// package in-process: New, Run in a goroutine, Mark for events and Live to
// wait for steady load or the first redirection.
//
// The wire code is deliberately small: commands are encoded by hand and
// replies are scanned without building values (a GET's payload is skipped,
// not copied); only CLUSTER SLOTS goes through internal/resp's full reply
// parser.
package loadgen
