package command

import (
	"log/slog"

	"github.com/shoal-db/shoal/internal/resp"
)

// ExecPrimary runs one command of this node's primary's replication
// stream, for the client that applies it (flagged ClientPrimary). Like
// Valkey's primary client it skips what only protects a node from its own
// clients — authentication, cluster redirection, the replica gates, the
// memory limit and CLIENT PAUSE — and keeps the rest: MULTI queueing,
// slot locking, propagation bookkeeping and statistics. The caller
// discards the replies; an error is logged, as the stream must go on (the
// primary applied the command, so the replica's copy can only drift).
func (n *Node) ExecPrimary(c *Client, w *resp.Writer, argv [][]byte) {
	n.Stats.Commands.Add(1)
	ctx := &c.ctx
	*ctx = Ctx{Node: n, C: c, Tx: c.Tx, W: w, Argv: argv}
	cmd, unknownSub := n.Table.Resolve(argv)
	switch {
	case cmd == nil:
		replLogRejected(argv, "unknown command")
		return
	case unknownSub:
		replLogRejected(argv, "unknown subcommand")
		return
	}
	ctx.Cmd = cmd
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		replLogRejected(argv, "wrong number of arguments")
		return
	}
	if c.Flag(ClientMulti) && !isTransactionControl(cmd) {
		c.queue(cmd, argv)
		return
	}
	mark := w.Len()
	n.call(ctx, cmd)
	if ctx.failed && w.Len() > mark {
		slog.Debug("command from the primary failed on this replica", "cmd", cmd.Name, "reply", string(w.Bytes()[mark:]))
	}
}

func replLogRejected(argv [][]byte, why string) {
	slog.Warn("command from the primary rejected by this replica", "cmd", string(argv[0]), "reason", why)
}
