package keyspace

// Replica mode. A replica's data must stay identical to its primary's, so
// a replica never expires or evicts on its own: the primary propagates a
// DEL (or HDEL for hash fields) when it reclaims a key, and the replica
// applies it in stream order. Meanwhile ordinary clients of the replica
// must not see logically expired keys, so reads treat them as missing
// without deleting them. Replicas ignore maxmemory (Valkey's default,
// replica-ignore-maxmemory yes).

// SetReplicaMode switches replica mode on or off.
func (ks *Keyspace) SetReplicaMode(on bool) { ks.replica.Store(on) }

// ReplicaMode reports whether replica mode is on.
func (ks *Keyspace) ReplicaMode() bool { return ks.replica.Load() }

// lookupReplica is Lookup's view on a replica: a logically expired key is
// missing, but stays stored until the primary deletes it.
func (tx *Tx) lookupReplica(t *table, key []byte) *Entry {
	if t == nil {
		return nil
	}
	e := t.keys.Get(key)
	if e == nil || t.expires == nil {
		return e
	}
	if at, ok := t.expires[e.key]; ok && at < tx.now {
		return nil
	}
	return e
}
