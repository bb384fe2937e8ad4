package command

import "github.com/shoal-db/shoal/internal/types"

func slowlogCommand() *Command {
	flags := FlagAdmin | FlagLoading | FlagStale
	acl := []string{"admin", "slow", "dangerous"}
	return container("slowlog", "server", "2.2.12", "A container for slow log commands.",
		&Command{Name: "get", Arity: -2, Flags: flags, ACL: acl, Since: "2.2.12",
			Tips:       []string{"request_policy:all_nodes", "nondeterministic_output"},
			Complexity: "O(N) where N is the number of entries returned",
			Summary:    "Returns the slow log's entries.", Handler: slowlogGetCommand},
		&Command{Name: "len", Arity: 2, Flags: flags, ACL: acl, Since: "2.2.12", Complexity: "O(1)",
			Tips:    []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
			Summary: "Returns the number of entries in the slow log.",
			Handler: func(c *Ctx) { c.W.Int(int64(c.Node.Slowlog.Len())) }},
		&Command{Name: "reset", Arity: 2, Flags: flags, ACL: acl, Since: "2.2.12",
			Tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
			Complexity: "O(N) where N is the number of entries in the slowlog",
			Summary:    "Clears all entries from the slow log.",
			Handler:    func(c *Ctx) { c.Node.Slowlog.Reset(); c.W.OK() }},
		helpCommand("slowlog", []string{
			"GET [<count>]",
			"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
			"    Entries are made of:",
			"    id, timestamp, time in microseconds, arguments array, client IP and port,",
			"    client name",
			"LEN",
			"    Return the length of the slowlog.",
			"RESET",
			"    Reset the slowlog.",
		}),
	)
}

// slowlogGetCommand replies with up to count entries (default 10, -1 for
// all), newest first, each [id, unix time, microseconds, argv, client
// address, client name].
func slowlogGetCommand(c *Ctx) {
	count := int64(10)
	switch len(c.Argv) {
	case 2:
	case 3:
		n, ok := types.ParseInt(c.Argv[2])
		if !ok || n < -1 {
			c.Error(ErrSlowlogCount)
			return
		}
		count = n
	default:
		c.Error(ErrSubcommandSyntax("slowlog", c.Argv[1]))
		return
	}
	entries := c.Node.Slowlog.Get(int(min(count, 1<<31)))
	c.W.ArrayLen(len(entries))
	for _, e := range entries {
		c.W.ArrayLen(6)
		c.W.Int(e.ID)
		c.W.Int(e.Time)
		c.W.Int(e.Micros)
		c.W.ArrayLen(len(e.Argv))
		for _, a := range e.Argv {
			c.W.Bulk(a)
		}
		c.W.BulkString(e.ClientAddr)
		c.W.BulkString(e.ClientName)
	}
}
