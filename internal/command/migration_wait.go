package command

// migrationWaitUnpaused waits for a slot migration's write pause to end.
// It reports false when the client's connection closes first: the
// command is then dropped, unapplied (nobody would get its reply). A
// pause can last — after FAILOVER-GRANTED the source keeps it until it
// knows whether the target claimed the slots — and must hold neither the
// goroutine of a client that left nor Server.Close, which waits for every
// connection's goroutine.
func migrationWaitUnpaused(c *Client, paused <-chan struct{}) bool {
	var closed <-chan struct{}
	if n, ok := c.Conn.(keysClosedNotifier); ok {
		closed = n.Closed()
	}
	select {
	case <-paused:
		return true
	case <-closed:
		return false
	}
}
