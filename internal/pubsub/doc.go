// Package pubsub owns the channel and pattern subscription registry and
// message fan-out for PUBLISH, keyspace notifications and (in cluster mode)
// sharded channels. It knows nothing about connections: subscribers are an
// interface whose Deliver must not block.
package pubsub
