package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
)

// keyCommands is the generic key family (Valkey's "generic" group plus the
// keyspace-wide server commands DBSIZE, FLUSHDB, FLUSHALL and SWAPDB).
// Arity, flags, key positions, ACL categories and tips are those COMMAND
// INFO reports; summaries are Valkey's.
func keyCommands() []*Command {
	cmds := []*Command{
		{Name: "del", Arity: -2, Flags: FlagWrite, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "write", "slow"}, Tips: keysMultiShardTips(), Group: "generic", Since: "1.0.0",
			Summary: "Deletes one or more keys.", Complexity: "O(N) where N is the number of keys that will be removed.",
			Handler: func(c *Ctx) { keysDelete(c) }},
		{Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "write", "fast"}, Tips: keysMultiShardTips(), Group: "generic", Since: "4.0.0",
			Summary: "Asynchronously deletes one or more keys.", Complexity: "O(1) for each key removed regardless of its size.",
			Handler: func(c *Ctx) { keysDelete(c) }},
		{Name: "exists", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Tips: keysMultiShardTips(), Group: "generic", Since: "1.0.0",
			Summary: "Determines whether one or more keys exist.", Complexity: "O(N) where N is the number of keys to check.",
			Handler: existsCommand},
		{Name: "touch", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Tips: keysMultiShardTips(), Group: "generic", Since: "3.2.1",
			Summary:    "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
			Complexity: "O(N) where N is the number of keys that will be touched.", Handler: touchCommand},
		{Name: "type", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "read", "fast"}, Group: "generic", Since: "1.0.0",
			Summary: "Determines the type of value stored at a key.", Complexity: "O(1)", Handler: typeCommand},
		{Name: "randomkey", Arity: 1, Flags: FlagReadonly | FlagKeyspace,
			ACL: []string{"keyspace", "read", "slow"}, Tips: []string{"request_policy:all_shards", "nondeterministic_output"},
			Group: "generic", Since: "1.0.0", Summary: "Returns a random key name from the database.", Complexity: "O(1)",
			Handler: randomkeyCommand},
		{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast | FlagKeyspace,
			ACL: []string{"keyspace", "read", "fast"}, Tips: []string{"request_policy:all_shards", "response_policy:agg_sum"},
			Group: "server", Since: "1.0.0", Summary: "Returns the number of keys in the database.", Complexity: "O(1)",
			Handler: func(c *Ctx) { c.W.Int(c.Tx.DB().Size()) }},
	}
	cmds = append(cmds, keysExpireCommands()...)
	cmds = append(cmds, keysScanCommands()...)
	cmds = append(cmds, keysDBCommands()...)
	cmds = append(cmds, keysObjectCommand(), keysWaitCommand())
	return append(cmds, keysDumpCommands()...)
}

// keysMultiShardTips are the cluster routing tips of the multi-key
// counters (DEL, UNLINK, EXISTS, TOUCH).
func keysMultiShardTips() []string {
	return []string{"request_policy:multi_shard", "response_policy:agg_sum"}
}

// keysDelete is DEL and UNLINK: Go's collector frees values in the
// background either way, so the two differ only in name.
func keysDelete(c *Ctx) {
	var n int64
	for _, k := range c.Argv[1:] {
		if c.Tx.Delete(k) {
			c.Tx.Notify(keyspace.NotifyGeneric, "del", k)
			n++
		}
	}
	c.W.Int(n)
}

func existsCommand(c *Ctx) {
	var n int64
	for _, k := range c.Argv[1:] {
		if c.Tx.Lookup(k, keyspace.NoTouch) != nil {
			n++
		}
	}
	c.W.Int(n)
}

// touchCommand updates the access clock of every existing key, even for a
// client in CLIENT NO-TOUCH mode (TOUCH is the exception Valkey makes).
func touchCommand(c *Ctx) {
	saved := c.Tx.NoTouch
	c.Tx.NoTouch = false
	defer func() { c.Tx.NoTouch = saved }()
	var n int64
	for _, k := range c.Argv[1:] {
		if c.Tx.Lookup(k, 0) != nil {
			n++
		}
	}
	c.W.Int(n)
}

func typeCommand(c *Ctx) {
	e := c.Tx.Lookup(c.Argv[1], keyspace.NoTouch)
	if e == nil {
		c.W.Simple("none")
		return
	}
	c.W.Simple(e.Kind().String())
}

func randomkeyCommand(c *Ctx) {
	k, ok := c.Tx.RandomKey()
	if !ok {
		c.W.Null()
		return
	}
	c.W.BulkString(k)
}
