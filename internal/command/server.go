package command

import (
	"log/slog"
	"strings"
	"time"
)

// serverCommands is the server/admin family: INFO, CONFIG, CLIENT,
// COMMAND, SLOWLOG, LATENCY, MEMORY, DEBUG, TIME, LASTSAVE and SHUTDOWN.
// The handlers live in one file per command (info.go, client_cmd.go, ...).
func serverCommands() []*Command {
	out := []*Command{
		infoCommand(),
		configCommand(),
		clientCommand(),
		commandCommand(),
		slowlogCommand(),
		latencyCommand(),
		memoryCommand(),
		debugCommand(),
		{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, ACL: []string{"fast"},
			Tips: []string{"nondeterministic_output"}, Group: "server", Since: "2.6.0",
			Summary: "Returns the server time.", Complexity: "O(1)", Handler: timeCommand},
		{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast,
			ACL: []string{"admin", "fast", "dangerous"}, Tips: []string{"nondeterministic_output"},
			Group: "server", Since: "1.0.0", Complexity: "O(1)",
			Summary: "Returns the Unix timestamp of the last successful save to disk.",
			Handler: func(c *Ctx) { c.W.Int(c.Node.LastSave().Unix()) }},
		{Name: "shutdown", Arity: -1,
			Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagNoMulti | FlagAllowBusy,
			ACL:   []string{"admin", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
			Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
			Summary:    "Synchronously saves the database(s) to disk and shuts down the server.",
			Handler:    shutdownCommand},
	}
	return out
}

// container builds a command whose work is done by its subcommands
// (CONFIG GET, CLIENT LIST, ...). Like Valkey it has arity -2 and only the
// @slow category; Resolve dispatches to the subcommands, so its own
// handler only runs if argv names none, which arity already rejects.
func container(name, group, since, summary string, subs ...*Command) *Command {
	c := &Command{Name: name, Arity: -2, ACL: []string{"slow"}, Group: group, Since: since,
		Summary: summary, Complexity: "Depends on subcommand.",
		Subcommands: make(map[string]*Command, len(subs))}
	c.Handler = func(x *Ctx) { x.Error(ErrWrongArgs(name)) }
	for _, s := range subs {
		s.Name = name + "|" + s.Name
		if s.Group == "" {
			s.Group = group
		}
		s.Parent = c
		c.Subcommands[strings.TrimPrefix(s.Name, name+"|")] = s
	}
	return c
}

// helpCommand is the HELP subcommand of a container, listing lines as
// Valkey's addReplyHelp does.
func helpCommand(parent string, lines []string) *Command {
	return &Command{Name: "help", Arity: 2, Flags: FlagLoading | FlagStale, ACL: []string{"slow"},
		Since: "5.0.0", Complexity: "O(1)", Summary: "Returns helpful text about the different subcommands.",
		Handler: func(c *Ctx) { replyHelp(c, parent, lines) }}
}

func replyHelp(c *Ctx, parent string, lines []string) {
	c.W.ArrayLen(len(lines) + 3)
	c.W.Simple(strings.ToUpper(parent) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Simple(l)
	}
	c.W.Simple("HELP")
	c.W.Simple("    Prints this help.")
}

func timeCommand(c *Ctx) {
	now := time.Now()
	c.W.ArrayLen(2)
	c.W.BulkInt(now.Unix())
	c.W.BulkInt(int64(now.Nanosecond() / 1000))
}

// shutdownCommand implements SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].
// Shoal has no persistence yet, so SAVE has nothing to write, and there are
// no replicas to wait for: the shutdown is immediate, which also means
// there is never one in progress to ABORT. On success the connection is
// closed without a reply, as the process is going away.
func shutdownCommand(c *Ctx) {
	var save, nosave, abort, other bool
	for i := 1; i < len(c.Argv); i++ {
		switch {
		case c.ArgIs(i, "nosave"):
			nosave = true
		case c.ArgIs(i, "save"):
			save = true
		case c.ArgIs(i, "now"), c.ArgIs(i, "force"):
			other = true
		case c.ArgIs(i, "abort"):
			abort = true
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		c.Error(ErrSyntax)
		return
	}
	if abort {
		c.Error(ErrNoShutdown)
		return
	}
	slog.Warn("User requested shutdown...", "client", c.C.Addr)
	if save {
		slog.Warn("SHUTDOWN SAVE: persistence is not available, nothing to save")
	}
	c.Node.admin.shutdownAsked.Store(true)
	c.C.SetFlag(ClientCloseAfterReply, true)
	if c.Node.Host != nil {
		c.Node.Host.Shutdown()
	}
}
