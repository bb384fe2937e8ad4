package command

func pubsubCommands() []*Command { return nil }

// unsubscribeAll drops every subscription of c.
func (n *Node) unsubscribeAll(c *Client) {}

// PublishNotification implements keyspace.Notifier.
func (n *Node) PublishNotification(channel, message []byte) {}

// ClientGone releases what a disconnected client held: subscriptions,
// MONITOR, blocked-key registrations.
func (n *Node) ClientGone(c *Client) { n.resetClientState(c) }
