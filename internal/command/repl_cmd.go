package command

import (
	"strings"

	"github.com/shoal-db/shoal/internal/types"
)

// replCommands holds the replication commands: REPLICAOF (and SLAVEOF),
// REPLCONF, PSYNC, SYNC and ROLE. WAIT is in keys_wait.go. The handlers
// parse and validate as Valkey's replication.c does and leave the work to
// Node.Repl.
func replCommands() []*Command {
	replicaof := func(name, since, summary string) *Command {
		return &Command{Name: name, Arity: 3, Flags: FlagAdmin | FlagNoScript | FlagStale,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: since,
			Complexity: "O(1)", Summary: summary, Handler: replicaofCommand}
	}
	return []*Command{
		replicaof("replicaof", "5.0.0", "Configures a server as replica of another, or promotes it to a primary."),
		replicaof("slaveof", "1.0.0", "Sets a server as a replica of another, or promotes it to being a primary."),
		{Name: "replconf", Arity: -1, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagAllowBusy,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "3.0.0", Complexity: "O(1)",
			Summary: "An internal command for configuring the replication stream.", Handler: replconfCommand},
		{Name: "psync", Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagNoMulti,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "2.8.0",
			Summary: "An internal command used in replication.", Handler: psyncCommand},
		{Name: "sync", Arity: 1, Flags: FlagAdmin | FlagNoScript | FlagNoMulti,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
			Summary: "An internal command used in replication.", Handler: syncCommand},
		{Name: "role", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast,
			ACL: []string{"admin", "fast", "dangerous"}, Group: "server", Since: "2.8.12", Complexity: "O(1)",
			Summary: "Returns the replication role.", Handler: roleCommand},
	}
}

// replicaofCommand is REPLICAOF host port | NO ONE (replicaofCommand).
func replicaofCommand(c *Ctx) {
	if c.Node.ClusterEnabled {
		c.Error(ErrReplicaofCluster)
		return
	}
	r := c.Node.Repl
	if c.ArgIs(1, "no") && c.ArgIs(2, "one") {
		if r != nil {
			r.ReplicaOfNoOne()
		}
		c.W.OK()
		return
	}
	if c.C.Flag(ClientReplica) {
		c.Error(ErrReplicaofFromReplica)
		return
	}
	port, ok := types.ParseInt(c.Argv[2])
	if !ok || port < 0 || port > 65535 {
		c.Error(ErrReplicaofPort)
		return
	}
	if r == nil {
		c.W.OK()
		return
	}
	if r.ReplicaOf(c.Arg(1), int(port)) {
		c.W.Simple("OK Already connected to specified master")
		return
	}
	c.W.OK()
}

// netHostStrLen is Valkey's NET_HOST_STR_LEN: the longest ip-address a
// replica may announce, plus one.
const netHostStrLen = 256

// replconfCommand is REPLCONF option value [option value ...]
// (replconfCommand). ACK and GETACK never reply.
func replconfCommand(c *Ctx) {
	if len(c.Argv)%2 == 0 {
		c.Error(ErrSyntax)
		return
	}
	r := c.Node.Repl
	for j := 1; j < len(c.Argv); j += 2 {
		val := c.Argv[j+1]
		switch strings.ToLower(c.Arg(j)) {
		case "listening-port":
			port, ok := c.Int(j + 1)
			if !ok {
				return
			}
			if r != nil {
				r.ReplConfListeningPort(c.C, int(port))
			}
		case "ip-address":
			if len(val) >= netHostStrLen {
				c.Error(ErrReplconfIPTooLong(len(val)))
				return
			}
			if r != nil {
				r.ReplConfIPAddress(c.C, string(val))
			}
		case "capa":
			if r != nil {
				r.ReplConfCapa(c.C, strings.ToLower(string(val)))
			}
		case "ack":
			// Only replica connections acknowledge; nobody gets a reply.
			if off, ok := types.ParseInt(val); ok && r != nil && c.C.Flag(ClientReplica) {
				r.ReplConfAck(c.C, off)
			}
			return
		case "getack":
			// A primary asks over the replication stream, which the
			// replica link answers itself; from anyone else it is a no-op.
			return
		case "rdb-only", "rdb-channel":
			v, ok := types.ParseInt(val)
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if v < 0 || v > 1 {
				c.Error(ErrValueRange(0, 1))
				return
			}
		case "rdb-filter-only", "version":
			// Accepted for compatibility; Shoal sends no RDB.
		default:
			c.Error(ErrReplconfOption(c.Argv[j]))
			return
		}
	}
	c.W.OK()
}

// psyncCommand is PSYNC replicationid offset.
func psyncCommand(c *Ctx) {
	if c.C.Flag(ClientReplica) {
		return
	}
	off, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if c.Node.Repl == nil {
		c.Error(ErrSyncNotShoal)
		return
	}
	c.Node.Repl.Sync(c, true, c.Arg(1), off)
}

// syncCommand is SYNC, the pre-PSYNC protocol: it always asks for an RDB
// payload, which Shoal does not produce.
func syncCommand(c *Ctx) {
	if c.C.Flag(ClientReplica) {
		return
	}
	if c.Node.Repl == nil {
		c.Error(ErrSyncNotShoal)
		return
	}
	c.Node.Repl.Sync(c, false, "", 0)
}

// roleCommand is ROLE: ["master", offset, [[ip, port, offset] ...]] or
// ["slave", host, port, state, offset].
func roleCommand(c *Ctx) {
	var role ReplRole
	if c.Node.Repl != nil {
		role = c.Node.Repl.Role()
	}
	w := c.W
	if role.Replica {
		w.ArrayLen(5)
		w.BulkString("slave")
		w.BulkString(role.Host)
		w.Int(int64(role.Port))
		w.BulkString(role.State)
		w.Int(role.Offset)
		return
	}
	w.ArrayLen(3)
	w.BulkString("master")
	w.Int(role.Offset)
	w.ArrayLen(len(role.Replicas))
	for _, r := range role.Replicas {
		w.ArrayLen(3)
		w.BulkString(r.IP)
		w.BulkInt(int64(r.Port))
		w.BulkInt(r.Offset)
	}
}
