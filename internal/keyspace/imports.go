package keyspace

// The imports staged on this node, for replicas that synchronize fully
// in the middle of one. A replica learns an import from the command that
// opened it (CLUSTER SYNCSLOTS ESTABLISH, propagated) and stages the
// slots' writes that follow; one that loads a snapshot instead would miss
// both and apply the rest of the import to its live data. So the keyspace
// keeps each open import's opening command, and a full synchronization
// replays those at its cut, ahead of the records (the snapshot walks the
// staged tables too), as Valkey's RDB carries its importing slots.
//
// Opening and closing happen under the import's slot locks together with
// the propagation of the opening and closing commands; a snapshot's cut
// holds every slot lock. So an import is in the cut's list exactly when
// its opening command lies before the cut in the stream and its closing
// one after.

// OpenImport stages slots for the import name: their writes through a
// staging Tx go to the shadow databases from now on. head is the command
// that opens the import on a replica; a copy is kept for full
// synchronizations and, with propagate, handed to the propagation sinks.
// It takes the slots' locks itself.
func (ks *Keyspace) OpenImport(name string, slots []int, head [][]byte, propagate bool) {
	head = cloneArgv(head)
	ks.LockSlots(slots)
	defer ks.UnlockSlots(slots)
	ks.StageSlots(slots)
	ks.importsMu.Lock()
	if ks.imports == nil {
		ks.imports = make(map[string][][]byte)
	}
	ks.imports[name] = head
	ks.importsMu.Unlock()
	if propagate {
		ks.propagate(0, -1, head)
	}
}

// CloseImport forgets the import name (its staged tables were published
// or dropped) and hands tail, the command that ends it on a replica, to
// the propagation sinks when it is not nil. It takes the slots' locks.
func (ks *Keyspace) CloseImport(name string, slots []int, tail [][]byte) {
	ks.LockSlots(slots)
	defer ks.UnlockSlots(slots)
	ks.CloseImportLocked(name)
	if tail != nil {
		ks.propagate(0, -1, tail)
	}
}

// CloseImportLocked is CloseImport without a closing command, for a
// caller that holds the import's slot locks (a flush hook).
func (ks *Keyspace) CloseImportLocked(name string) {
	ks.importsMu.Lock()
	delete(ks.imports, name)
	ks.importsMu.Unlock()
}

// ImportHeads returns the opening commands of the open imports. At a
// snapshot's cut (every slot locked) they are exactly the imports whose
// opening precedes the cut and whose closing follows it.
func (ks *Keyspace) ImportHeads() [][][]byte {
	ks.importsMu.Lock()
	defer ks.importsMu.Unlock()
	out := make([][][]byte, 0, len(ks.imports))
	for _, h := range ks.imports {
		out = append(out, h)
	}
	return out
}

// DropStagedLocked is DropStaged for a caller that holds the slots'
// locks (a flush hook).
func (ks *Keyspace) DropStagedLocked(slots []int) int {
	dropped := 0
	for _, s := range slots {
		dropped += ks.dropStagedSlot(s)
	}
	return dropped
}

// dropStagedSlot discards slot s's staged tables and unstages it; the
// caller holds the slot's lock.
func (ks *Keyspace) dropStagedSlot(s int) int {
	dropped := 0
	ks.forStaged(s, func(_, st *DB) { dropped += ks.dropTable(st, s) })
	ks.unstage(s)
	return dropped
}
