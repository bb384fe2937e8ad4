// Package clustertest holds no code: its tests run Shoal in cluster mode
// end to end — in-process clusters from testutil.StartCluster, real
// clients (go-redis, valkey-go), redis-cli --cluster, redis-benchmark
// --cluster, and shoal-server processes killed with SIGKILL — and check
// routing errors byte for byte, numbered databases, sharded and
// cluster-wide pub/sub, failure detection and restarts from nodes.conf.
package clustertest
