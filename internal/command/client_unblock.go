package command

import "github.com/shoal-db/shoal/internal/types"

// clientUnblockSubcommand is CLIENT UNBLOCK client-id [TIMEOUT|ERROR].
func clientUnblockSubcommand() *Command {
	return &Command{Name: "unblock", Arity: -3, Flags: FlagNoScript | FlagLoading | FlagStale | FlagAdmin,
		ACL: []string{"admin", "slow", "dangerous", "connection"}, Since: "5.0.0",
		Complexity: "O(log N) where N is the number of client connections",
		Summary:    "Unblocks a client blocked by a blocking command from a different connection.",
		Handler:    clientUnblockCommand}
}

// clientUnblockCommand ends another client's blocking wait: as if it timed
// out (the default, TIMEOUT), or with an UNBLOCKED error (ERROR). It
// replies 1 when that client was blocked, 0 otherwise. As in Valkey, the
// reason is checked before the id.
func clientUnblockCommand(c *Ctx) {
	if len(c.Argv) > 4 {
		c.Error(ErrSubcommandSyntax("client", c.Argv[1]))
		return
	}
	withError := false
	if len(c.Argv) == 4 {
		switch {
		case c.ArgIs(3, "timeout"):
		case c.ArgIs(3, "error"):
			withError = true
		default:
			c.Error(ErrListUnblockReason)
			return
		}
	}
	id, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if c.Node.unblockClient(id, withError) {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}
