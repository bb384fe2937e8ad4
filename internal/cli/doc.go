// Package cli is shoal-cli: a redis-cli compatible command-line client
// (one-off commands, an interactive prompt, -c redirections, --raw and
// --json output) and a cluster manager in the spirit of
// `redis-cli --cluster` (create, check, fix, info, add-node, del-node,
// reshard, rebalance, migrate, status).
//
// The cluster manager follows valkey-cli's algorithms (slot allocation and
// replica anti-affinity in create, proportional reshard tables, weighted
// rebalance with a threshold, the open-slot fix cases) so operators get the
// plans they know, but moves data with atomic slot migration by default:
// one CLUSTER MIGRATESLOTS per source/target pair, polled through
// CLUSTER GETSLOTMIGRATIONS. --legacy uses SETSLOT/GETKEYSINSLOT/MIGRATE for
// every numbered database.
//
// Everything runs from Run with injected streams, so the whole tool is
// testable in-process; cmd/shoal-cli only wires the process (signals, exit
// code). The package talks to servers through its own small RESP client
// (conn.go) built on internal/resp's reply parser.
package cli
