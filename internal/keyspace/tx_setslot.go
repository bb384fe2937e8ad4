package keyspace

// PropagateKeyless is Propagate for a command that touches no key (CLUSTER
// SETSLOT inside MULTI): it is tagged with no slot whatever the command
// wrote before, so that a slot migration's stream, which forwards only
// the writes of its slots, never carries it.
func (tx *Tx) PropagateKeyless(argv ...[]byte) {
	tx.Propagate(argv...)
	tx.pending[len(tx.pending)-1].slot = -1
}
