package command

func monitorCmd() *Command {
	return &Command{Name: "monitor", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale,
		ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
		Summary:    "Listens for all requests received by the server in real-time.",
		Complexity: "N/A", Handler: monitorCommand}
}

// monitorCommand turns the connection into a MONITOR feed. The +OK is
// synced to the connection's ordered output before the client joins the
// monitor set, so no fed line can overtake it.
func monitorCommand(c *Ctx) {
	if c.Tx.InMulti() {
		// EXEC promised one reply per queued command; a feed cannot.
		c.Error(ErrMonitorDenyBlocking)
		return
	}
	if c.C.Flag(ClientMonitor) {
		return // Valkey ignores a repeated MONITOR without any reply
	}
	c.W.OK()
	if c.C.Conn != nil {
		c.C.Conn.Sync(c.W)
	}
	c.C.SetFlag(ClientMonitor, true)
	c.Node.Monitors.Add(c.C)
}
