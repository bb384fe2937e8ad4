package keyspace

// InMulti reports whether the Tx is running a MULTI/EXEC block. Commands
// that would turn the connection into a stream (SSUBSCRIBE, MONITOR) refuse
// to run there, as Valkey refuses them for a DENY BLOCKING client, and
// SUBSCRIBE inside EXEC must not move the half-written EXEC reply.
func (tx *Tx) InMulti() bool { return tx.inMulti }
