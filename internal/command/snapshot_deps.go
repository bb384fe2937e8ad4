package command

import "github.com/shoal-db/shoal/internal/keyspace"

// prewriteKeys runs the keyspace's snapshot pre-write hook for every key a
// write command names, before the handler runs. A running snapshot's
// consumer (a replica in full sync, a migration target) applies the
// command as propagated, and that form may read keys the command does not
// change (SUNIONSTORE's sources, RENAME's source): the consumer must have
// their values first. See keyspace/snapshot_hook.go.
func (n *Node) prewriteKeys(tx *keyspace.Tx, cmd *Command, argv [][]byte, keys []int) {
	if cmd.Flags&FlagWrite == 0 || !n.KS.Snapshotting() || blindWrite(cmd) {
		return
	}
	for _, k := range keys {
		tx.Prewrite(argv[k])
	}
}

// blindWrite reports commands whose effect does not depend on the old
// values of their keys: sending a big value just before deleting it would
// only cost time and memory.
func blindWrite(cmd *Command) bool { return cmd.Name == "del" || cmd.Name == "unlink" }
