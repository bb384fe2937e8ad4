package keyspace

// MarkReady records key of database db as ready for blocked clients, as a
// write to it would. SWAPDB uses it: the keys clients wait on may hold
// data after the swap although nothing wrote them (Valkey's
// scanDatabaseForReadyKeys).
func (tx *Tx) MarkReady(db int, key string) {
	tx.ready = append(tx.ready, ReadyKey{DB: db, Key: key})
}
