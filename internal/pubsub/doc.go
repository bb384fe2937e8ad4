// Package pubsub owns the subscription registry and message fan-out for
// PUBLISH, SPUBLISH and keyspace notifications. There are three
// namespaces, as in Valkey: channels, glob patterns over channels, and
// sharded channels (which patterns never see).
//
// The package knows nothing about connections: a Subscriber is an
// interface whose Deliver must not block (the connection layer buffers
// and closes a client whose output grows past its limit), so a publisher
// never waits on a slow subscriber's network.
//
// Concurrency: one RWMutex guards the registry. Publishers hold it shared
// while they deliver, (un)subscribers hold it exclusively. Lock order:
// keyspace slot locks (keyspace notifications are published under them)
// → Hub.mu → whatever Subscriber.Deliver and the Subscribe confirm
// callback take (the connection's output lock). Nothing called under
// Hub.mu may take a slot lock or call back into the Hub.
package pubsub
