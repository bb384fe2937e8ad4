package command

import (
	"github.com/shoal-db/shoal/internal/pubsub"
	"github.com/shoal-db/shoal/internal/resp"
)

// The first element of each pub/sub reply, by namespace.
var (
	pubsubSubscribeVerb   = [...]string{pubsub.Channel: "subscribe", pubsub.Pattern: "psubscribe", pubsub.Shard: "ssubscribe"}
	pubsubUnsubscribeVerb = [...]string{pubsub.Channel: "unsubscribe", pubsub.Pattern: "punsubscribe", pubsub.Shard: "sunsubscribe"}
	pubsubMessageVerb     = [...]string{pubsub.Channel: "message", pubsub.Pattern: "pmessage", pubsub.Shard: "smessage"}
)

func pubsubCommands() []*Command {
	slow := []string{"pubsub", "slow"}
	fast := []string{"pubsub", "fast"}
	// The (un)subscribe family is what a RESP2 client may still send once
	// it is subscribed.
	subFlags := FlagPubSub | FlagNoScript | FlagLoading | FlagStale | FlagAllowedInSubscribe
	// Valkey marks the publishers may_replicate: a standalone primary
	// replicates PUBLISH, and CLIENT PAUSE WRITE holds them.
	pubFlags := FlagPubSub | FlagLoading | FlagStale | FlagFast | FlagMayReplicate
	return []*Command{
		{Name: "subscribe", Arity: -2, Flags: subFlags, ACL: slow, Group: "pubsub", Since: "2.0.0",
			Summary:    "Listens for messages published to channels.",
			Complexity: "O(N) where N is the number of channels to subscribe to.",
			Handler:    pubsubSubscribeHandler(pubsub.Channel)},
		{Name: "psubscribe", Arity: -2, Flags: subFlags, ACL: slow, Group: "pubsub", Since: "2.0.0",
			Summary:    "Listens for messages published to channels that match one or more patterns.",
			Complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
			Handler:    pubsubSubscribeHandler(pubsub.Pattern)},
		{Name: "ssubscribe", Arity: -2, Flags: subFlags, FirstKey: 1, LastKey: -1, Step: 1, ACL: slow,
			Group: "pubsub", Since: "7.0.0", Summary: "Listens for messages published to shard channels.",
			Complexity: "O(N) where N is the number of shard channels to subscribe to.",
			Handler:    pubsubSubscribeHandler(pubsub.Shard)},
		{Name: "unsubscribe", Arity: -1, Flags: subFlags, ACL: slow, Group: "pubsub", Since: "2.0.0",
			Summary:    "Stops listening to messages posted to channels.",
			Complexity: "O(N) where N is the number of clients already subscribed to a channel.",
			Handler:    pubsubUnsubscribeHandler(pubsub.Channel)},
		{Name: "punsubscribe", Arity: -1, Flags: subFlags, ACL: slow, Group: "pubsub", Since: "2.0.0",
			Summary:    "Stops listening to messages published to channels that match one or more patterns.",
			Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
			Handler:    pubsubUnsubscribeHandler(pubsub.Pattern)},
		{Name: "sunsubscribe", Arity: -1, Flags: subFlags, FirstKey: 1, LastKey: -1, Step: 1, ACL: slow,
			Group: "pubsub", Since: "7.0.0", Summary: "Stops listening to messages posted to shard channels.",
			Complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
			Handler:    pubsubUnsubscribeHandler(pubsub.Shard)},
		{Name: "publish", Arity: 3, Flags: pubFlags, ACL: fast, Group: "pubsub", Since: "2.0.0",
			Summary:    "Posts a message to a channel.",
			Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
			Handler:    publishCommand},
		{Name: "spublish", Arity: 3, Flags: pubFlags, FirstKey: 1, LastKey: 1, Step: 1, ACL: fast,
			Group: "pubsub", Since: "7.0.0", Summary: "Post a message to a shard channel",
			Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
			Handler:    spublishCommand},
		pubsubContainer(),
		monitorCmd(),
	}
}

// Deliver implements pubsub.Subscriber: the message is encoded straight
// into the connection's ordered output queue, which never waits on the
// network (a client that falls too far behind is disconnected by the
// connection layer instead).
func (c *Client) Deliver(m *pubsub.Message) {
	if c.Conn == nil {
		return
	}
	c.Conn.Push(func(w *resp.Writer) { pubsubWriteMessage(w, m) })
}

func pubsubWriteMessage(w *resp.Writer, m *pubsub.Message) {
	if m.Kind == pubsub.Pattern {
		w.PushLen(4)
		w.BulkString(pubsubMessageVerb[m.Kind])
		w.Bulk(m.Pattern)
	} else {
		w.PushLen(3)
		w.BulkString(pubsubMessageVerb[m.Kind])
	}
	w.Bulk(m.Channel)
	w.Bulk(m.Payload)
}

// pubsubWriteAck writes a (un)subscribe confirmation; a nil name is the
// null channel Valkey sends when an argument-less unsubscribe finds
// nothing to remove.
func pubsubWriteAck(w *resp.Writer, verb string, name []byte, count int) {
	w.PushLen(3)
	w.BulkString(verb)
	if name == nil {
		w.Null()
	} else {
		w.Bulk(name)
	}
	w.Int(int64(count))
}

// pubsubAddCounts keeps the client's CLIENT LIST counters (and with them
// its subscribe-mode flag) in step with the registry.
func pubsubAddCounts(c *Client, kind pubsub.Kind, delta int) {
	switch kind {
	case pubsub.Channel:
		c.AddSubscriptions(int64(delta), 0, 0)
	case pubsub.Pattern:
		c.AddSubscriptions(0, int64(delta), 0)
	case pubsub.Shard:
		c.AddSubscriptions(0, 0, int64(delta))
	}
}

// pubsubSync hands the buffered replies to the connection's ordered output
// queue. Inside EXEC the buffer holds a half-written EXEC array, which must
// stay where it is: the connection only switches to queued output, so a
// message published during the EXEC may precede the EXEC reply but never
// lands inside it.
func pubsubSync(c *Ctx, inExec bool) {
	if c.C.Conn == nil {
		return
	}
	if inExec {
		var empty resp.Writer
		c.C.Conn.Sync(&empty)
		return
	}
	c.C.Conn.Sync(c.W)
}

func pubsubSubscribeHandler(kind pubsub.Kind) func(*Ctx) {
	return func(c *Ctx) {
		inExec := c.Tx.InMulti()
		if kind == pubsub.Shard && inExec {
			c.Error(ErrSSubscribeDenyBlocking)
			return
		}
		names := c.Argv[1:]
		verb := pubsubSubscribeVerb[kind]
		// The counters are updated and the confirmations written and
		// synced while the hub still holds its lock, so they reach the
		// client before any message published to the new subscriptions
		// (and CLIENT LIST agrees with what the client was told).
		c.Node.PubSub.Subscribe(c.C, kind, names, func(counts []int, added int) {
			pubsubAddCounts(c.C, kind, added)
			for i, name := range names {
				pubsubWriteAck(c.W, verb, name, counts[i])
			}
			pubsubSync(c, inExec)
		})
	}
}

func pubsubUnsubscribeHandler(kind pubsub.Kind) func(*Ctx) {
	return func(c *Ctx) {
		hub := c.Node.PubSub
		acks, removed := hub.Unsubscribe(c.C, kind, c.Argv[1:])
		pubsubAddCounts(c.C, kind, -removed)
		verb := pubsubUnsubscribeVerb[kind]
		if len(acks) == 0 {
			pubsubWriteAck(c.W, verb, nil, hub.Count(c.C, kind))
			return
		}
		for _, a := range acks {
			pubsubWriteAck(c.W, verb, a.Name, a.Count)
		}
	}
}

func publishCommand(c *Ctx) {
	c.Node.clusterPublish(c.Argv[1], c.Argv[2], false) // cluster_pubsub.go
	c.W.Int(int64(c.Node.PubSub.Publish(c.Argv[1], c.Argv[2])))
}

func spublishCommand(c *Ctx) {
	c.Node.clusterPublish(c.Argv[1], c.Argv[2], true) // cluster_pubsub.go
	c.W.Int(int64(c.Node.PubSub.PublishShard(c.Argv[1], c.Argv[2])))
}

func pubsubContainer() *Command {
	flags := FlagPubSub | FlagLoading | FlagStale
	slow := []string{"pubsub", "slow"}
	return &Command{Name: "pubsub", Arity: -2, ACL: []string{"slow"}, Group: "pubsub", Since: "2.8.0",
		Summary: "A container for Pub/Sub commands.", Complexity: "Depends on subcommand.",
		Subcommands: map[string]*Command{
			"channels": {Arity: -2, Flags: flags, ACL: slow, Group: "pubsub", Since: "2.8.0",
				Summary:    "Returns the active channels.",
				Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
				Handler:    pubsubChannelsHandler(pubsub.Channel)},
			"numpat": {Arity: 2, Flags: flags | FlagFast, ACL: []string{"pubsub", "fast"}, Group: "pubsub",
				Since: "2.8.0", Summary: "Returns a count of unique pattern subscriptions.", Complexity: "O(1)",
				Handler: func(c *Ctx) { c.W.Int(int64(c.Node.PubSub.NumPatterns())) }},
			"numsub": {Arity: -2, Flags: flags, ACL: slow, Group: "pubsub", Since: "2.8.0",
				Summary:    "Returns a count of subscribers to channels.",
				Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
				Handler:    pubsubNumsubHandler(pubsub.Channel)},
			"shardchannels": {Arity: -2, Flags: flags, ACL: slow, Group: "pubsub", Since: "7.0.0",
				Summary:    "Returns the active shard channels.",
				Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
				Handler:    pubsubChannelsHandler(pubsub.Shard)},
			"shardnumsub": {Arity: -2, Flags: flags, ACL: slow, Group: "pubsub", Since: "7.0.0",
				Summary:    "Returns the count of subscribers of shard channels.",
				Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
				Handler:    pubsubNumsubHandler(pubsub.Shard)},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, ACL: []string{"slow"}, Group: "pubsub", Since: "6.2.0",
				Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)",
				Handler: pubsubHelpCommand},
		}}
}

// pubsubChannelsHandler is PUBSUB CHANNELS / SHARDCHANNELS [pattern].
func pubsubChannelsHandler(kind pubsub.Kind) func(*Ctx) {
	return func(c *Ctx) {
		if len(c.Argv) > 3 {
			c.Error(pubsubSubcommandSyntaxErr(c.Arg(0), c.Argv[1]))
			return
		}
		var pattern []byte // nil lists every name, the empty one included
		if len(c.Argv) == 3 {
			pattern = append([]byte{}, c.Argv[2]...)
		}
		names := c.Node.PubSub.Names(kind, pattern)
		c.W.ArrayLen(len(names))
		for _, name := range names {
			c.W.Bulk(name)
		}
	}
}

// pubsubNumsubHandler is PUBSUB NUMSUB / SHARDNUMSUB [name ...]: a flat
// array of name, count pairs in both protocols, as Valkey replies.
func pubsubNumsubHandler(kind pubsub.Kind) func(*Ctx) {
	return func(c *Ctx) {
		names := c.Argv[2:]
		c.W.ArrayLen(2 * len(names))
		for _, name := range names {
			c.W.Bulk(name)
			c.W.Int(int64(c.Node.PubSub.NumSub(kind, name)))
		}
	}
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

func pubsubHelpCommand(c *Ctx) {
	c.W.ArrayLen(len(pubsubHelp))
	for _, line := range pubsubHelp {
		c.W.Simple(line)
	}
}

// unsubscribeAll drops every subscription of c without confirmations
// (RESET, disconnect).
func (n *Node) unsubscribeAll(c *Client) {
	ch, pat, shard := n.PubSub.UnsubscribeAll(c)
	if ch+pat+shard > 0 {
		c.AddSubscriptions(-int64(ch), -int64(pat), -int64(shard))
	}
}

// PublishNotification implements keyspace.Notifier: a keyspace event is an
// ordinary publish, seen by channel and pattern subscribers alike.
func (n *Node) PublishNotification(channel, message []byte) {
	n.PubSub.Publish(channel, message)
}

// ClientGone releases what a disconnected client held: subscriptions,
// MONITOR, blocked-key registrations.
func (n *Node) ClientGone(c *Client) {
	n.resetClientState(c)
	if l := c.importLink; l != nil {
		l.Closed() // the source went away: the import fails and is cleaned up
	}
}
