package command

import (
	"strings"

	"github.com/shoal-db/shoal/internal/glob"
)

func commandCommand() *Command {
	flags := FlagLoading | FlagStale
	acl := []string{"slow", "connection"}
	order := []string{"nondeterministic_output_order"}
	sub := func(name string, arity int, summary string, tips []string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, ACL: acl, Since: "7.0.0",
			Tips: tips, Complexity: "O(N) where N is the number of commands to look up",
			Summary: summary, Handler: h}
	}
	count := sub("count", 2, "Returns a count of commands.", nil,
		func(c *Ctx) { c.W.Int(int64(c.Node.Table.Len())) })
	count.Since, count.Complexity = "2.8.13", "O(1)"
	info := sub("info", -2, "Returns information about one, multiple or all commands.", order, commandInfoCommand)
	info.Since = "2.8.13"
	getkeys := sub("getkeys", -3, "Extracts the key names from an arbitrary command.", nil,
		func(c *Ctx) { commandGetKeys(c, false) })
	getkeys.Since = "2.8.13"
	cmd := container("command", "server", "2.8.13", "Returns detailed information about all commands.",
		count, info, getkeys,
		sub("docs", -2, "Returns documentary information about one, multiple or all commands.", order,
			commandDocsCommand),
		sub("getkeysandflags", -3, "Extracts the key names and access flags for an arbitrary command.", nil,
			func(c *Ctx) { commandGetKeys(c, true) }),
		sub("list", -2, "Returns a list of command names.", order, commandListCommand),
		helpCommand("command", []string{
			"(no subcommand)",
			"    Return details about all commands.",
			"COUNT",
			"    Return the total number of commands in this server.",
			"LIST",
			"    Return a list of all commands in this server.",
			"INFO [<command-name> ...]",
			"    Return details about multiple commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"DOCS [<command-name> ...]",
			"    Return documentation details about multiple commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"GETKEYS <full-command>",
			"    Return the keys from a full command.",
			"GETKEYSANDFLAGS <full-command>",
			"    Return the keys and the access flags from a full command.",
		}),
	)
	// Unlike other containers, COMMAND alone is a command: it lists all.
	cmd.Arity, cmd.Flags, cmd.ACL, cmd.Tips = -1, flags, acl, order
	cmd.Complexity = "O(N) where N is the total number of commands"
	cmd.Handler = func(c *Ctx) { writeAllCommandInfo(c) }
	return cmd
}

func writeAllCommandInfo(c *Ctx) {
	all := c.Node.Table.All()
	c.W.ArrayLen(len(all))
	for _, cmd := range all {
		writeCommandInfo(c.W, cmd)
	}
}

// lookupCommandName finds a command by its full name ("get",
// "config|get"), case-insensitively, as Valkey's lookupCommandBySds.
func (t *Table) lookupCommandName(name string) *Command {
	parts := strings.Split(strings.ToLower(name), "|")
	switch len(parts) {
	case 1:
		return t.Lookup([]byte(parts[0]))
	case 2:
		parent := t.Lookup([]byte(parts[0]))
		if parent == nil || parent.Subcommands == nil {
			return nil
		}
		return parent.Subcommands[parts[1]]
	}
	return nil
}

func commandInfoCommand(c *Ctx) {
	if len(c.Argv) == 2 {
		writeAllCommandInfo(c)
		return
	}
	c.W.ArrayLen(len(c.Argv) - 2)
	for _, name := range c.Argv[2:] {
		if cmd := c.Node.Table.lookupCommandName(string(name)); cmd != nil {
			writeCommandInfo(c.W, cmd)
		} else {
			c.W.Null()
		}
	}
}

func commandDocsCommand(c *Ctx) {
	var cmds []*Command
	if len(c.Argv) == 2 {
		cmds = c.Node.Table.All()
	} else {
		for _, name := range c.Argv[2:] {
			if cmd := c.Node.Table.lookupCommandName(string(name)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.MapLen(len(cmds))
	for _, cmd := range cmds {
		c.W.BulkString(cmd.Name)
		writeCommandDocs(c.W, cmd)
	}
}

// commandListCommand implements COMMAND LIST [FILTERBY MODULE name |
// ACLCAT category | PATTERN pattern], listing commands and subcommands.
func commandListCommand(c *Ctx) {
	var keep func(*Command) bool
	for i := 2; i < len(c.Argv); i += 3 {
		if !c.ArgIs(i, "filterby") || len(c.Argv)-1-i != 2 {
			c.Error(ErrSyntax)
			return
		}
		arg := string(c.Argv[i+2])
		switch {
		case c.ArgIs(i+1, "module"):
			keep = func(*Command) bool { return false } // no modules
		case c.ArgIs(i+1, "aclcat"):
			cat := strings.ToLower(arg)
			keep = func(cmd *Command) bool {
				for _, a := range commandACL(cmd) {
					if a == cat {
						return true
					}
				}
				return false
			}
		case c.ArgIs(i+1, "pattern"):
			keep = func(cmd *Command) bool { return glob.MatchString(arg, cmd.Name, true) }
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	var names []string
	var walk func([]*Command)
	walk = func(cmds []*Command) {
		for _, cmd := range cmds {
			if keep == nil || keep(cmd) {
				names = append(names, cmd.Name)
			}
			walk(sortedSubcommands(cmd))
		}
	}
	walk(c.Node.Table.All())
	c.W.BulkStrings(names)
}

// commandGetKeys implements COMMAND GETKEYS and GETKEYSANDFLAGS.
func commandGetKeys(c *Ctx, withFlags bool) {
	argv := c.Argv[2:]
	cmd, unknownSub := c.Node.Table.Resolve(argv)
	switch {
	case cmd == nil || unknownSub:
		c.Error(ErrGetKeysInvalidCommand)
		return
	case !hasKeys(cmd):
		c.Error(ErrGetKeysNoKeys)
		return
	case (cmd.Arity > 0 && cmd.Arity != len(argv)) || len(argv) < -cmd.Arity:
		c.Error(ErrGetKeysArity)
		return
	}
	pos := cmd.KeyPositions(argv, nil)
	if len(pos) == 0 && cmd.Flags&FlagNoMandatoryKeys == 0 {
		c.Error(ErrGetKeysInvalidArgs)
		return
	}
	c.W.ArrayLen(len(pos))
	flags := keyFlags(cmd)
	for _, p := range pos {
		if !withFlags {
			c.W.Bulk(argv[p])
			continue
		}
		c.W.ArrayLen(2)
		c.W.Bulk(argv[p])
		c.W.SetLen(len(flags))
		for _, f := range flags {
			c.W.Simple(f)
		}
	}
}
