package command

// roleCommands holds ROLE. Until replication exists every node is a
// primary with no replicas; the replication layer will replace the reply
// with its own state.
func roleCommands() []*Command {
	return []*Command{
		{Name: "role", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast,
			ACL: []string{"admin", "fast", "dangerous"}, Group: "server", Since: "2.8.12",
			Summary: "Returns the replication role.", Handler: roleCommand},
	}
}

func roleCommand(c *Ctx) {
	c.W.ArrayLen(3)
	c.W.BulkString("master")
	c.W.Int(0)
	c.W.ArrayLen(0)
}
