// Package legacytest exercises legacy (key by key) slot migration the way
// operators and clients meet it: redis-cli --cluster reshard, rebalance,
// add-node, del-node and fix driving CLUSTER SETSLOT, GETKEYSINSLOT and
// MIGRATE on in-process Shoal clusters, while go-redis and valkey-go
// workloads keep an exact ledger of what they wrote and follow -ASK and
// -TRYAGAIN. Every scenario ends with redis-cli --cluster check clean and
// every key on exactly one node, with the value the ledger expects.
//
// The package holds tests only.
package legacytest
