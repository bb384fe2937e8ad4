package command

import (
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/types"
)

// clusterCommands is the CLUSTER container and the connection-level
// cluster commands (ASKING, READONLY, READWRITE). Every CLUSTER
// subcommand answers "This instance has cluster support disabled" on a
// standalone node, as Valkey's clusterCommand does before dispatching.
func clusterCommands() []*Command {
	conn := []string{"fast", "connection"}
	return []*Command{
		clusterContainer(),
		{Name: "asking", Arity: 1, Flags: FlagFast, ACL: conn, Group: "cluster", Since: "3.0.0",
			Summary: "Signals that a cluster client is following an -ASK redirect.", Complexity: "O(1)",
			Handler: askingCommand},
		{Name: "readonly", Arity: 1, Flags: FlagFast | FlagLoading | FlagStale, ACL: conn, Group: "cluster",
			Since: "3.0.0", Summary: "Enables read-only queries for a connection to a Valkey replica node.",
			Complexity: "O(1)", Handler: func(c *Ctx) { c.C.SetFlag(ClientReadonly, true); c.W.OK() }},
		{Name: "readwrite", Arity: 1, Flags: FlagFast | FlagLoading | FlagStale, ACL: conn, Group: "cluster",
			Since: "3.0.0", Summary: "Enables read-write queries for a connection to a Valkey replica node.",
			Complexity: "O(1)", Handler: func(c *Ctx) { c.C.SetFlag(ClientReadonly, false); c.W.OK() }},
	}
}

func askingCommand(c *Ctx) {
	if c.Node.Cluster == nil {
		c.Error(ErrClusterDisabled)
		return
	}
	c.C.SetFlag(ClientAsking, true)
	c.W.OK()
}

// clusterSub describes one CLUSTER subcommand compactly.
type clusterSub struct {
	name    string
	arity   int
	flags   Flags
	since   string
	summary string
	handler func(*Ctx)
}

func clusterContainer() *Command {
	const admin = FlagAdmin | FlagStale
	subs := []clusterSub{
		{"addslots", -3, admin, "3.0.0", "Assigns new hash slots to a node.", clusterAddSlots},
		{"addslotsrange", -4, admin, "7.0.0", "Assigns new hash slot ranges to a node.", clusterAddSlotsRange},
		{"bumpepoch", 2, admin, "3.0.0", "Advances the cluster config epoch.", clusterBumpEpoch},
		{"count-failure-reports", 3, admin, "3.0.0", "Returns the number of active failure reports active for a node.", clusterCountFailureReports},
		{"countkeysinslot", 3, FlagStale, "3.0.0", "Returns the number of keys in a hash slot.", clusterCountKeysInSlot},
		{"delslots", -3, admin, "3.0.0", "Sets hash slots as unbound for a node.", clusterDelSlots},
		{"delslotsrange", -4, admin, "7.0.0", "Sets hash slot ranges as unbound for a node.", clusterDelSlotsRange},
		{"failover", -2, admin, "3.0.0", "Forces a replica to perform a manual failover of its primary.", clusterFailover},
		{"flushslots", 2, admin, "3.0.0", "Deletes all slots information from a node.", clusterFlushSlots},
		{"forget", 3, admin, "3.0.0", "Removes a node from the nodes table.", clusterForget},
		{"getkeysinslot", 4, FlagStale, "3.0.0", "Returns the key names in a hash slot.", clusterGetKeysInSlot},
		{"help", 2, FlagLoading | FlagStale, "5.0.0", "Returns helpful text about the different subcommands.", clusterHelp},
		{"info", 2, FlagStale, "3.0.0", "Returns information about the state of a node.", clusterInfo},
		{"keyslot", 3, FlagStale, "3.0.0", "Returns the hash slot for a key.", clusterKeySlot},
		{"links", 2, FlagStale, "7.0.0", "Returns a list of all TCP links to and from peer nodes.", clusterLinks},
		{"meet", -4, admin, "3.0.0", "Forces a node to handshake with another node.", clusterMeet},
		{"myid", 2, FlagStale, "3.0.0", "Returns the ID of a node.", clusterMyID},
		{"myshardid", 2, FlagStale, "7.2.0", "Returns the shard ID of a node.", clusterMyShardID},
		{"nodes", 2, FlagStale, "3.0.0", "Returns the cluster configuration for a node.", clusterNodes},
		{"replicas", 3, admin, "5.0.0", "Lists the replica nodes of a primary node.", clusterReplicas},
		{"replicate", 3, admin, "3.0.0", "Configure a node as replica of a primary node.", clusterReplicate},
		{"reset", -2, admin | FlagNoScript, "3.0.0", "Resets a node.", clusterReset},
		{"saveconfig", 2, admin, "3.0.0", "Forces a node to save the cluster configuration to disk.", clusterSaveConfig},
		{"set-config-epoch", 3, admin, "3.0.0", "Sets the configuration epoch for a new node.", clusterSetConfigEpoch},
		{"setslot", -4, admin | FlagMayReplicate, "3.0.0", "Binds a hash slot to a node.", clusterSetSlot},
		{"shards", 2, FlagLoading | FlagStale, "7.0.0", "Returns the mapping of cluster slots to shards.", clusterShards},
		{"slaves", 3, admin, "3.0.0", "Lists the replica nodes of a primary node.", clusterReplicas},
		{"slots", 2, FlagLoading | FlagStale, "3.0.0", "Returns the mapping of cluster slots to nodes.", clusterSlots},
	}
	subs = append(subs, migrationCommands()...)
	c := &Command{Name: "cluster", Arity: -2, ACL: []string{"slow"}, Group: "cluster", Since: "3.0.0",
		Summary: "A container for Valkey Cluster commands.", Complexity: "Depends on subcommand.",
		Subcommands: make(map[string]*Command, len(subs))}
	for _, s := range subs {
		acl := []string{"slow"}
		if s.flags&FlagAdmin != 0 {
			acl = []string{"admin", "slow", "dangerous"}
		}
		c.Subcommands[s.name] = &Command{Arity: s.arity, Flags: s.flags, ACL: acl, Group: "cluster",
			Since: s.since, Summary: s.summary, Handler: clusterOnly(s.handler)}
	}
	return c
}

// clusterOnly refuses a CLUSTER subcommand on a standalone node.
func clusterOnly(h func(*Ctx)) func(*Ctx) {
	return func(c *Ctx) {
		if c.Node.Cluster == nil {
			c.Error(ErrClusterDisabled)
			return
		}
		h(c)
	}
}

// clusterDo runs a state-machine command and replies +OK or its error.
func clusterDo(c *Ctx, f func(now time.Time, s *cluster.State) (cluster.Output, error)) {
	if err := c.Node.Cluster.Do(f); err != nil {
		c.Error(clusterErrorText(err))
		return
	}
	c.W.OK()
}

var clusterHelpLines = []string{
	"COUNTKEYSINSLOT <slot>",
	"    Return the number of keys in <slot>.",
	"GETKEYSINSLOT <slot> <count>",
	"    Return key names stored by current node in a slot.",
	"INFO",
	"    Return information about the cluster.",
	"KEYSLOT <key>",
	"    Return the hash slot for <key>.",
	"MYID",
	"    Return the node id.",
	"MYSHARDID",
	"    Return the node's shard id.",
	"NODES",
	"    Return cluster configuration seen by node. Output format:",
	"    <id> <ip:port@bus-port[,hostname]> <flags> <primary> <pings> <pongs> <epoch> <link> <slot> ...",
	"REPLICAS <node-id>",
	"    Return <node-id> replicas.",
	"SLOTS",
	"    Return information about slots range mappings. Each range is made of:",
	"    start, end, primary and replicas IP addresses, ports and ids",
	"SHARDS",
	"    Return information about slot range mappings and the nodes associated with them.",
	"ADDSLOTS <slot> [<slot> ...]",
	"    Assign slots to current node.",
	"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Assign slots which are between <start-slot> and <end-slot> to current node.",
	"BUMPEPOCH",
	"    Advance the cluster config epoch.",
	"COUNT-FAILURE-REPORTS <node-id>",
	"    Return number of failure reports for <node-id>.",
	"DELSLOTS <slot> [<slot> ...]",
	"    Delete slots information from current node.",
	"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
	"FAILOVER [FORCE|TAKEOVER]",
	"    Promote current replica node to being a master.",
	"FORGET <node-id>",
	"    Remove a node from the cluster.",
	"FLUSHSLOTS",
	"    Delete current node own slots information.",
	"MEET <ip> <port> [<bus-port>]",
	"    Connect nodes into a working cluster.",
	"REPLICATE <node-id>",
	"    Configure current node as replica to <node-id>.",
	"RESET [HARD|SOFT]",
	"    Reset current node (default: soft).",
	"SET-CONFIG-EPOCH <epoch>",
	"    Set config epoch of current node.",
	"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
	"    Set slot state.",
	"SAVECONFIG",
	"    Force saving cluster configuration on disk.",
	"LINKS",
	"    Return information about all network links between this node and its peers.",
	"    Output format is an array where each array element is a map containing attributes of a link",
}

func clusterHelp(c *Ctx) { replyHelp(c, "cluster", clusterHelpLines) }

func clusterInfo(c *Ctx) {
	var text string
	c.Node.Cluster.View(func(s *cluster.State) { text = s.Info().String() })
	c.W.Verbatim("txt", text)
}

func clusterNodes(c *Ctx) {
	var text string
	c.Node.Cluster.View(func(s *cluster.State) { text = s.ClusterNodes() })
	c.W.Verbatim("txt", text)
}

func clusterMyID(c *Ctx) {
	var id cluster.ID
	c.Node.Cluster.View(func(s *cluster.State) { id = s.MyID() })
	c.W.BulkString(string(id))
}

func clusterMyShardID(c *Ctx) {
	var id cluster.ID
	c.Node.Cluster.View(func(s *cluster.State) { id = s.MyShardID() })
	c.W.BulkString(string(id))
}

func clusterMeet(c *Ctx) {
	if len(c.Argv) > 5 {
		clusterSyntaxError(c)
		return
	}
	port, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(ErrClusterBasePort(c.Argv[3]))
		return
	}
	cport := port + 10000
	if len(c.Argv) == 5 {
		if cport, ok = types.ParseInt(c.Argv[4]); !ok {
			c.Error(ErrClusterBusPort(c.Argv[4]))
			return
		}
	}
	ip, portArg := c.Arg(2), c.Arg(3)
	err := c.Node.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Meet(now, ip, int(port), int(cport))
	})
	if e, isCl := err.(*cluster.Error); isCl && e.Code == cluster.ErrInvalidAddress {
		e.Addr = [2]string{ip, portArg} // as typed, like Valkey
	}
	if err != nil {
		c.Error(clusterErrorText(err))
		return
	}
	c.W.OK()
}

func clusterBumpEpoch(c *Ctx) {
	var bumped bool
	var epoch uint64
	err := c.Node.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		var out cluster.Output
		bumped, epoch, out = s.BumpEpoch(now)
		return out, nil
	})
	if err != nil {
		c.Error(clusterErrorText(err))
		return
	}
	word := "STILL "
	if bumped {
		word = "BUMPED "
	}
	c.W.Simple(word + formatUint(epoch))
}

func clusterSaveConfig(c *Ctx) {
	if err := c.Node.Cluster.SaveConfig(); err != nil {
		c.Error(ErrClusterSaveConfig(err))
		return
	}
	c.W.OK()
}

func clusterForget(c *Ctx) {
	id := c.Arg(2)
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.Forget(now, id) })
}

func clusterCountFailureReports(c *Ctx) {
	var n int
	var err error
	id := c.Arg(2)
	c.Node.Cluster.View(func(s *cluster.State) { n, err = s.CountFailureReports(id) })
	if err != nil {
		c.Error(clusterErrorText(err))
		return
	}
	c.W.Int(int64(n))
}

func clusterSetConfigEpoch(c *Ctx) {
	epoch, ok := c.Int(2)
	if !ok {
		return
	}
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.SetConfigEpoch(now, epoch) })
}

// clusterReset is CLUSTER RESET [HARD|SOFT]. A primary must hold no keys
// in any database (Valkey 9 checks them all in cluster mode).
func clusterReset(c *Ctx) {
	if len(c.Argv) > 3 {
		clusterSyntaxError(c)
		return
	}
	hard := false
	if len(c.Argv) == 3 {
		switch {
		case c.ArgIs(2, "hard"):
			hard = true
		case c.ArgIs(2, "soft"):
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if !c.Node.Cluster.Routes().Replica && c.Node.clusterKeyCount() != 0 {
		c.Error(ErrClusterResetKeys)
		return
	}
	_ = c.Node.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.Reset(now, hard), nil })
	// Inside MULTI nothing waits: EXEC may hold every slot lock, which
	// the flush needs.
	if w, ok := c.Node.Cluster.(roleChangeWaiter); ok && !c.Tx.InMulti() && !c.Tx.HoldsAll {
		w.AwaitRoleChanges()
	}
	c.W.OK()
}

// clusterReplicate is CLUSTER REPLICATE node-id: the state machine
// validates it as Valkey does (an empty primary, or a replica, may follow
// a primary) and the replication layer follows the new primary when the
// EventReplicate it emits is applied.
func clusterReplicate(c *Ctx) {
	empty := c.Node.clusterKeyCount() == 0
	err := c.Node.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Replicate(now, c.Arg(2), empty)
	})
	if err != nil {
		c.Error(clusterErrorText(err))
		return
	}
	c.W.OK()
}

// clusterFailover is CLUSTER FAILOVER [FORCE|TAKEOVER]; the state machine
// refuses it on a primary, which every node is until replication exists.
func clusterFailover(c *Ctx) {
	if len(c.Argv) > 3 {
		clusterSyntaxError(c)
		return
	}
	mode := cluster.FailoverDefault
	if len(c.Argv) == 3 {
		switch {
		case c.ArgIs(2, "force"):
			mode = cluster.FailoverForce
		case c.ArgIs(2, "takeover"):
			mode = cluster.FailoverTakeover
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.Failover(now, mode) })
}

// clusterSyntaxError is addReplySubcommandSyntaxError, for a known
// subcommand with an argument count its handler does not accept.
func clusterSyntaxError(c *Ctx) {
	c.Error(ErrSubcommandSyntax("cluster", c.Argv[1]))
}

func formatUint(v uint64) string { return strconv.FormatUint(v, 10) }
