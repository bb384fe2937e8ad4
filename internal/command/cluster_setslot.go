package command

import (
	"math"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/types"
)

// clusterSetSlotDefaultTimeout is how long a primary waits for its
// replicas to acknowledge a replicated CLUSTER SETSLOT when no TIMEOUT is
// given (Valkey's CLUSTER_OPERATION_TIMEOUT, in ms).
const clusterSetSlotDefaultTimeout = 2000

// SetSlotReplicator is implemented by the replication layer
// (internal/repl): it puts a command into the replication stream ahead of
// its execution. See repl.Repl.ReplicateAhead.
type SetSlotReplicator interface {
	// ReplicateAhead appends argv to the stream when at least one replica
	// is online, and returns the offset they must acknowledge and how
	// many they are (0: nothing appended). paused: a manual failover
	// holds writes, nothing was appended (wait for WritesPaused, retry).
	ReplicateAhead(argv [][]byte) (offset int64, online int, paused bool)
}

// clusterSetSlot is CLUSTER SETSLOT <slot> IMPORTING|MIGRATING|NODE <id>
// | STABLE [TIMEOUT ms] (clusterCommandSetSlot), checked in Valkey's
// order: the role, the slot, the action and its target, then the options.
//
// A primary with replicas (Valkey 8+) first replicates the command and
// waits up to TIMEOUT ms (default 2000, 0: forever) until every replica
// that was online acknowledged it; only then does it apply the command
// and answer +OK, so that a replica promoted afterwards knows the slot's
// MIGRATING/IMPORTING state and owner. Replicas that do not acknowledge
// in time get the client -NOREPLICAS and the primary leaves its own state
// unchanged (the replicas that did apply it keep it, as in Valkey).
//
// On a replica the command arrives from its primary (the primary client)
// and is applied to the replica's own view without the primary-only
// checks.
func clusterSetSlot(c *Ctx) {
	fromPrimary := c.C.Flag(ClientPrimary)
	if !fromPrimary && c.Node.Cluster.Routes().Replica {
		c.Error(clusterErrorText(&cluster.Error{Code: cluster.ErrSetSlotReplica}))
		return
	}
	args, opt, ok := clusterParseSetSlot(c)
	if !ok {
		return
	}
	args.FromPrimary = fromPrimary
	if !fromPrimary {
		if msg := c.Node.asmBlocksSetSlot(args.Action, args.Slot); msg != "" {
			c.Error(msg)
			return
		}
	}
	// Keys of the slot in any database (Valkey 9's countKeysInSlot), once
	// those of a slot this node lost are gone.
	c.awaitSlotDropped(args.Slot)
	args.SlotHasKeys = c.Node.KS.SlotCount(args.Slot) > 0
	// Inside MULTI nothing may block: the command is applied at once and
	// reaches the replicas with the transaction's effects, in order.
	inMulti := c.Tx.InMulti()
	replicate := !fromPrimary && c.Node.Repl != nil && !inMulti
	timeout := int64(clusterSetSlotDefaultTimeout)
	optErr, pending := "", false
	err := c.Node.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		if err := s.CheckSetSlot(args); err != nil {
			return cluster.Output{}, err
		}
		if timeout, optErr = clusterSetSlotOptions(c, opt, timeout); optErr != "" {
			return cluster.Output{}, nil
		}
		if replicate && s.MyReplicaCount() > 0 {
			pending = true // applied once the replicas have it
			return cluster.Output{}, nil
		}
		return s.SetSlot(now, args)
	})
	switch {
	case err != nil:
		c.Error(clusterErrorText(err))
	case optErr != "":
		c.Error(optErr)
	case !pending:
		if inMulti && !fromPrimary {
			c.Tx.PropagateKeyless(c.Argv...)
		}
		c.W.OK()
	default:
		switch clusterSetSlotReplicate(c, timeout) {
		case setSlotAcked:
			clusterSetSlotApply(c, args)
		case setSlotDemoted:
			c.Error(clusterErrorText(&cluster.Error{Code: cluster.ErrSetSlotReplica}))
		default:
			c.Error(ErrNoReplicas)
		}
	}
}

// Outcomes of waiting for the replicas (clusterSetSlotReplicate).
const (
	setSlotAcked   = iota // every online replica acknowledged
	setSlotTimeout        // TIMEOUT passed, or the client went away
	setSlotDemoted        // this node became a replica meanwhile
)

// clusterParseSetSlot parses the slot and the action; opt is the index of
// the first optional argument.
func clusterParseSetSlot(c *Ctx) (args cluster.SetSlotArgs, opt int, ok bool) {
	sl, ok := clusterParseSlot(c, 2)
	if !ok {
		return args, 0, false
	}
	args.Slot = sl
	opt = 5
	switch {
	case c.ArgIs(3, "migrating") && len(c.Argv) >= 5:
		args.Action = cluster.SetSlotMigrating
	case c.ArgIs(3, "importing") && len(c.Argv) >= 5:
		args.Action = cluster.SetSlotImporting
	case c.ArgIs(3, "node") && len(c.Argv) >= 5:
		args.Action = cluster.SetSlotNode
	case c.ArgIs(3, "stable"):
		args.Action, opt = cluster.SetSlotStable, 4
	default:
		c.Error(ErrClusterSetSlotAction)
		return args, 0, false
	}
	if opt == 5 {
		args.Node = c.Arg(4)
	}
	return args, opt, true
}

// clusterSetSlotApply applies the command after the replicas acknowledged
// it. Everything is checked again, as Valkey runs the command again: the
// node may have become a replica, or lost the slot, during the wait.
func clusterSetSlotApply(c *Ctx, args cluster.SetSlotArgs) {
	args.SlotHasKeys = c.Node.KS.SlotCount(args.Slot) > 0
	clusterDo(c, func(now time.Time, s *cluster.State) (cluster.Output, error) { return s.SetSlot(now, args) })
}

// clusterSetSlotReplicate puts the command into the replication stream and
// waits until every replica online at that moment acknowledged it, for at
// most timeoutMs (0: no limit). Without an online replica there is
// nothing to wait for (Valkey counts only online replicas: one that is
// down or still synchronizing must not block an operator).
//
// A node that stops being a primary during the wait (gossip made it a
// replica of the node that took its last slot, which is how a drained
// shard ends) answers as a replica does, "Please use SETSLOT only with
// masters.", rather than waiting for acknowledgements that cannot come:
// redis-cli --cluster tolerates that reply on the source's SETSLOT NODE
// (Valkey answers -UNBLOCKED or -NOREPLICAS there, which only valkey-cli
// tolerates).
func clusterSetSlotReplicate(c *Ctx, timeoutMs int64) int {
	rs, ok := c.Node.Repl.(SetSlotReplicator)
	if !ok {
		return setSlotAcked
	}
	offset, online := clusterSetSlotAppend(c, rs)
	if online == 0 {
		return setSlotAcked
	}
	r := c.Node.Repl
	w := newBlockWait(c, timeoutMs)
	defer w.stop()
	closed, expired, poll := w.closed, w.expired, w.poll
	for {
		acked, changed := r.Acked(offset)
		switch {
		case acked >= online:
			return setSlotAcked
		case c.Node.Cluster.Routes().Replica:
			return setSlotDemoted
		}
		select {
		case <-changed:
		case <-poll.C:
			if w.killed(c) {
				return setSlotTimeout
			}
		case <-expired:
			if acked, _ := r.Acked(offset); acked >= online {
				return setSlotAcked
			}
			return setSlotTimeout
		case <-closed:
			return setSlotTimeout
		}
	}
}

// clusterSetSlotAppend appends the command to the stream, after a manual
// failover's write pause if one holds writes (the command then usually
// finds this node a replica).
func clusterSetSlotAppend(c *Ctx, rs SetSlotReplicator) (offset int64, online int) {
	for {
		offset, online, paused := rs.ReplicateAhead(c.Argv)
		if !paused {
			return offset, online
		}
		if ch := c.Node.Repl.WritesPaused(); ch != nil {
			<-ch
		} else {
			time.Sleep(time.Millisecond) // the pause is starting
		}
	}
}

// clusterSetSlotOptions parses [TIMEOUT ms] as Valkey does: other words
// are ignored, the last TIMEOUT wins, and 0 means no limit. It returns
// the timeout (def when none is given) and the error reply, or "".
func clusterSetSlotOptions(c *Ctx, from int, def int64) (int64, string) {
	timeout := def
	for i := from; i < len(c.Argv); i++ {
		if !c.ArgIs(i, "timeout") {
			continue
		}
		if i+1 >= len(c.Argv) {
			return 0, ErrClusterMissingTimeout
		}
		v, ok := types.ParseInt(c.Argv[i+1])
		if !ok {
			return 0, ErrTimeout
		}
		if v < 0 {
			return 0, ErrTimeoutNegative
		}
		if v > math.MaxInt64-c.Now() {
			return 0, ErrTimeoutOutOfRange
		}
		timeout = v
	}
	return timeout, ""
}
