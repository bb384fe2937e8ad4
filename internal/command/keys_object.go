package command

import (
	"strings"

	"github.com/shoal-db/shoal/internal/keyspace"
)

// keysObjectCommand is the OBJECT container and its subcommands.
func keysObjectCommand() *Command {
	sub := func(since, summary string, h func(*Ctx, *keyspace.Entry)) *Command {
		return &Command{Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1,
			ACL: []string{"keyspace", "read", "slow"}, Tips: []string{"nondeterministic_output"},
			Group: "generic", Since: since, Summary: summary, Complexity: "O(1)",
			Handler: func(c *Ctx) { objectLookup(c, h) }}
	}
	return &Command{Name: "object", Arity: -2, ACL: []string{"slow"}, Group: "generic", Since: "2.2.3",
		Summary: "A container for object introspection commands.", Complexity: "Depends on subcommand.",
		Handler: func(c *Ctx) { c.Error(ErrKeysUnknownObjectSub) },
		Subcommands: map[string]*Command{
			"encoding": sub("2.2.3", "Returns the internal encoding of an object.",
				func(c *Ctx, e *keyspace.Entry) { c.W.BulkString(e.Encoding()) }),
			"refcount": sub("2.2.3", "Returns the reference count of a value of a key.",
				// Values are never shared between keys, as in Valkey 8+
				// where every value embeds its key.
				func(c *Ctx, e *keyspace.Entry) { c.W.Int(1) }),
			"idletime": sub("2.2.3", "Returns the time since the last access to an object.", objectIdletime),
			"freq":     sub("4.0.0", "Returns the logarithmic access frequency counter of an object.", objectFreq),
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, ACL: []string{"keyspace", "slow"},
				Group: "generic", Since: "6.2.0", Summary: "Returns helpful text about the different subcommands.",
				Complexity: "O(1)", Handler: objectHelp},
		},
	}
}

// objectLookup finds OBJECT's key without touching its access clock
// (hits and misses still count, as in Valkey) and replies null when it is
// missing.
func objectLookup(c *Ctx, h func(*Ctx, *keyspace.Entry)) {
	e := c.Tx.Lookup(c.Argv[2], keyspace.NoTouch)
	if e == nil {
		c.W.Null()
		return
	}
	h(c, e)
}

func objectIdletime(c *Ctx, e *keyspace.Entry) {
	ks := c.Tx.Keyspace()
	if ks.LFUMode() {
		c.Error(ErrKeysLFUSelected)
		return
	}
	idle, _ := ks.AccessInfo(e, c.Now())
	c.W.Int(idle)
}

func objectFreq(c *Ctx, e *keyspace.Entry) {
	ks := c.Tx.Keyspace()
	if !ks.LFUMode() {
		c.Error(ErrLFUNotSelected)
		return
	}
	_, freq := ks.AccessInfo(e, c.Now())
	c.W.Int(freq)
}

func objectHelp(c *Ctx) {
	keysReplyHelp(c, []string{
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}

// keysReplyHelp writes a HELP reply as Valkey's addReplyHelp does: a
// header naming the command, the lines, and the HELP entry, as status
// replies.
func keysReplyHelp(c *Ctx, lines []string) {
	c.W.ArrayLen(len(lines) + 3)
	c.W.Simple(strings.ToUpper(string(c.Argv[0])) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Simple(l)
	}
	c.W.Simple("HELP")
	c.W.Simple("    Print this help.")
}
