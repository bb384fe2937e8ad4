package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func stringCommands() []*Command {
	str := []string{"string"}
	return []*Command{
		{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: append([]string{"read", "fast"}, str...), Group: "string", Since: "1.0.0",
			Summary: "Returns the string value of a key.", Handler: getCommand},
		{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: append([]string{"write", "slow"}, str...), Group: "string", Since: "1.0.0",
			Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
			Handler: setCommand},
	}
}

func getCommand(c *Ctx) {
	e, ok := c.LookupKind(c.Argv[1], types.KindString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str)
}

// setCommand is SET key value (options are parsed by the full strings family).
func setCommand(c *Ctx) {
	if len(c.Argv) != 3 {
		c.Error(ErrSyntax)
		return
	}
	c.Tx.Set(c.Argv[1], keyspace.NewString(c.Argv[2]), false)
	c.W.OK()
}
