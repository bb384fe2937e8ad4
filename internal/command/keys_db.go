package command

import (
	"bytes"

	"github.com/shoal-db/shoal/internal/keyspace"
)

func keysDBCommands() []*Command {
	flushTips := []string{"request_policy:all_shards", "response_policy:all_succeeded"}
	return []*Command{
		{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "write", "slow"}, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key and overwrites the destination.", Complexity: "O(1)",
			Handler: func(c *Ctx) { renameGeneric(c, false) }},
		{Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Renames a key only when the target key name doesn't exist.", Complexity: "O(1)",
			Handler: func(c *Ctx) { renameGeneric(c, true) }},
		{Name: "move", Arity: 3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Moves a key to another database.", Complexity: "O(1)", Handler: moveCommand},
		{Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "write", "slow"}, Group: "generic", Since: "6.2.0",
			Summary:    "Copies the value of a key to a new key.",
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			Handler:    copyCommand},
		{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast | FlagLockAll,
			ACL: []string{"keyspace", "write", "fast", "dangerous"}, Group: "server", Since: "4.0.0",
			Summary: "Swaps two databases.", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
			Handler: swapdbCommand},
		{Name: "flushdb", Arity: -1, Flags: FlagWrite | FlagLockAll,
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Tips: flushTips, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from the current database.", Complexity: "O(N) where N is the number of keys in the selected database",
			Handler: func(c *Ctx) { flushGeneric(c, false) }},
		{Name: "flushall", Arity: -1, Flags: FlagWrite | FlagLockAll,
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Tips: flushTips, Group: "server", Since: "1.0.0",
			Summary: "Removes all keys from all databases.", Complexity: "O(N) where N is the total number of keys in all databases",
			Handler: func(c *Ctx) { flushGeneric(c, true) }},
	}
}

// renameGeneric implements RENAME and RENAMENX. The value moves with its
// expiry; an overwritten destination disappears without a "del" event,
// as in Valkey.
func renameGeneric(c *Ctx, nx bool) {
	src, dst := c.Argv[1], c.Argv[2]
	e := c.Tx.LookupWrite(src)
	if e == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	if bytes.Equal(src, dst) {
		keysReplyRenamed(c, nx, false)
		return
	}
	ttl := c.Tx.TTL(src)
	if c.Tx.LookupWrite(dst) != nil {
		if nx {
			keysReplyRenamed(c, nx, false)
			return
		}
		c.Tx.Delete(dst)
	}
	c.Tx.Delete(src)
	c.Tx.Set(dst, e, false)
	if ttl != -1 {
		c.Tx.SetExpire(dst, ttl)
	}
	c.Tx.Notify(keyspace.NotifyGeneric, "rename_from", src)
	c.Tx.Notify(keyspace.NotifyGeneric, "rename_to", dst)
	keysReplyRenamed(c, nx, true)
}

func keysReplyRenamed(c *Ctx, nx, done bool) {
	switch {
	case !nx:
		c.W.OK()
	case done:
		c.W.Int(1)
	default:
		c.W.Int(0)
	}
}

// parseKeysDB parses a database index argument: a non-integer is
// ErrNotInt (or notInt when given), an index out of range ErrDBIndex.
func parseKeysDB(c *Ctx, i int, notInt string) (int, bool) {
	n, ok := parseKeysInt32(c.Argv[i])
	if !ok {
		c.Error(notInt)
		return 0, false
	}
	if n < 0 || n >= c.Node.KS.NumDBs() {
		c.Error(ErrDBIndex)
		return 0, false
	}
	return n, true
}

// moveCommand moves a key, with its expiry, to another database. MOVE and
// its source and target share the key's slot lock, which every database
// shares.
func moveCommand(c *Ctx) {
	dst, ok := parseKeysDB(c, 2, ErrNotInt)
	if !ok {
		return
	}
	src := c.Tx.DB().Index()
	if dst == src {
		c.Error(ErrSameObject)
		return
	}
	key := c.Argv[1]
	if c.Tx.LookupWrite(key) == nil || !c.Tx.MoveKey(key, dst) {
		c.W.Int(0)
		return
	}
	c.Tx.Notify(keyspace.NotifyGeneric, "move_from", key)
	c.Tx.Select(dst)
	c.Tx.Notify(keyspace.NotifyGeneric, "move_to", key)
	c.Tx.Select(src)
	c.W.Int(1)
}

// copyCommand is COPY source destination [DB n] [REPLACE].
func copyCommand(c *Ctx) {
	src := c.Tx.DB().Index()
	dstDB, replace := src, false
	for j := 3; j < len(c.Argv); j++ {
		switch {
		case c.ArgIs(j, "replace"):
			replace = true
		case c.ArgIs(j, "db") && j+1 < len(c.Argv):
			n, ok := parseKeysDB(c, j+1, ErrNotInt)
			if !ok {
				return
			}
			dstDB = n
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	key, newkey := c.Argv[1], c.Argv[2]
	if dstDB == src && bytes.Equal(key, newkey) {
		c.Error(ErrSameObject)
		return
	}
	e := c.Tx.Lookup(key, 0)
	if e == nil {
		c.W.Int(0)
		return
	}
	ttl := c.Tx.TTL(key)
	c.Tx.Select(dstDB)
	// The default propagation of COPY as received must be recorded on the
	// source database, after this handler returns.
	defer c.Tx.Select(src)
	if c.Tx.LookupWrite(newkey) != nil {
		if !replace {
			c.W.Int(0)
			return
		}
		c.Tx.Delete(newkey)
	}
	c.Tx.Set(newkey, e.Clone(), false)
	if ttl != -1 {
		c.Tx.SetExpire(newkey, ttl)
	}
	c.Tx.Notify(keyspace.NotifyGeneric, "copy_to", newkey)
	c.W.Int(1)
}

// swapdbCommand swaps two databases under every slot lock (FlagLockAll).
func swapdbCommand(c *Ctx) {
	if c.Node.ClusterEnabled {
		c.Error(ErrKeysSwapDBCluster)
		return
	}
	a, ok := parseKeysInt32(c.Argv[1])
	if !ok {
		c.Error(ErrKeysInvalidFirstDB)
		return
	}
	b, ok := parseKeysInt32(c.Argv[2])
	if !ok {
		c.Error(ErrKeysInvalidSecondDB)
		return
	}
	n := c.Node.KS.NumDBs()
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error(ErrDBIndex)
		return
	}
	if a == b {
		// Nothing changes, but Valkey still counts and replicates it.
		c.Tx.Propagate(c.Argv...)
	} else {
		// Stay on the client's database number (which now holds the
		// other data) for the rest of a MULTI block.
		cur := c.Tx.DB().Index()
		c.Tx.SwapDB(a, b)
		c.Tx.Select(cur)
		c.Node.readyBlockedIn(c.Tx, a, b) // blocking.go: serve waiters on keys swapped in
	}
	c.W.OK()
}

// flushGeneric implements FLUSHDB and FLUSHALL [ASYNC|SYNC]. Memory is
// returned by the garbage collector, so both modes behave alike; the
// command propagates even when there was nothing to delete.
func flushGeneric(c *Ctx, all bool) {
	switch {
	case len(c.Argv) == 1:
	case len(c.Argv) == 2 && (c.ArgIs(1, "sync") || c.ArgIs(1, "async")):
	default:
		c.Error(ErrSyntax)
		return
	}
	if all {
		c.Tx.FlushAll()
	} else {
		c.Tx.FlushDB()
	}
	c.W.OK()
}
