package command

// replGate applies the replication checks of Valkey's processCommand, in
// its order: min-replicas-to-write (NOREPLICAS), replica-read-only
// (READONLY), then replica-serve-stale-data (MASTERDOWN). It runs before
// MULTI queueing, so a refused command inside MULTI makes EXEC abort. It
// returns false after answering with the error.
func (n *Node) replGate(ctx *Ctx, cmd *Command) bool {
	g := n.Repl.Gate()
	c := ctx.C
	write := cmd.Flags&FlagWrite != 0 || (cmd.Name == "exec" && c.multiHasFlag(FlagWrite))
	if g&GateNoGoodReplicas != 0 && write {
		n.reject(ctx, cmd, ErrNoReplicas)
		return false
	}
	if g&GateReadOnly != 0 && write && !c.Flag(ClientPrimary) {
		n.reject(ctx, cmd, ErrReadonlyReplica)
		return false
	}
	if g&GateStale != 0 && (cmd.Flags&FlagStale == 0 || (cmd.Name == "exec" && c.multiLacksFlag(FlagStale))) {
		n.reject(ctx, cmd, ErrPrimaryDown)
		return false
	}
	return true
}

// multiHasFlag reports whether a queued command has flag f.
func (c *Client) multiHasFlag(f Flags) bool {
	if !c.Flag(ClientMulti) {
		return false
	}
	for _, q := range c.multi.cmds {
		if q.cmd.Flags&f != 0 {
			return true
		}
	}
	return false
}

// multiLacksFlag reports whether a queued command lacks flag f.
func (c *Client) multiLacksFlag(f Flags) bool {
	if !c.Flag(ClientMulti) {
		return false
	}
	for _, q := range c.multi.cmds {
		if q.cmd.Flags&f == 0 {
			return true
		}
	}
	return false
}
