// Package bus carries cluster.Messages between nodes: a versioned binary
// wire codec (length-prefixed frames with a magic and a version; the
// decoder never panics on garbage), a TCP transport (a listener on the
// cluster port, one outbound link per peer with reconnects, bounded send
// queues, owned goroutines with stop paths), a Runner that drives a
// cluster.State with it, and an in-memory network with a fake clock,
// partitions, loss and delays for deterministic tests of many nodes.
package bus
