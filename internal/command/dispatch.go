package command

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/slot"
)

// Exec runs one request from client c, writing the reply to w. It is the
// only entry point from the network layer into command execution.
func (n *Node) Exec(c *Client, w *resp.Writer, argv [][]byte) {
	n.Stats.Commands.Add(1)
	// The client's own Ctx is reused: handlers are called through a
	// function value, so a Ctx on the stack would escape to the heap.
	ctx := &c.ctx
	*ctx = Ctx{Node: n, C: c, Tx: c.Tx, W: w, Argv: argv}
	cmd, unknownSub := n.resolve(c, argv)
	switch {
	case cmd == nil:
		n.reject(ctx, nil, ErrUnknownCommand(argv[0], argv[1:]))
		return
	case unknownSub:
		n.reject(ctx, nil, ErrUnknownSubcommand(cmd.Name, argv[1]))
		return
	}
	ctx.Cmd = cmd
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		n.reject(ctx, cmd, ErrWrongArgs(cmd.Name))
		return
	}
	if !c.Authenticated && cmd.Flags&FlagNoAuth == 0 && n.RequirePass() != "" {
		n.reject(ctx, cmd, ErrNoAuth)
		return
	}
	if c.Proto() == 2 && c.InSubscribeMode() && cmd.Flags&FlagAllowedInSubscribe == 0 {
		n.reject(ctx, cmd, ErrPubSubContext(cmd.Name))
		return
	}
	if c.Flag(ClientMonitor) && cmd.Flags&(FlagWrite|FlagReadonly|FlagMayReplicate) != 0 {
		n.reject(ctx, cmd, ErrReplicaKeyspace)
		return
	}
	// Cluster routing (cluster_route.go): a nil check on standalone nodes.
	if n.Cluster != nil && c.importLink == nil && !n.clusterRoute(ctx, cmd) {
		return
	}
	// Replica read-only, min-replicas-to-write and stale-data gates
	// (repl_gate.go): one atomic load while none applies.
	if n.Repl != nil && n.Repl.Gate() != 0 && !n.replGate(ctx, cmd) {
		return
	}
	if c.Flag(ClientMulti) && !isTransactionControl(cmd) {
		if cmd.Flags&FlagNoMulti != 0 {
			n.reject(ctx, cmd, "ERR Command not allowed inside a transaction")
			return
		}
		if cmd.Flags&FlagDenyOOM != 0 && n.KS.EvictIfNeeded() != nil {
			n.reject(ctx, cmd, ErrOOM)
			return
		}
		c.queue(cmd, argv)
		w.Simple("QUEUED")
		return
	}
	if cmd.Flags&FlagDenyOOM != 0 && !c.Flag(ClientNoEvict) {
		if n.KS.OverMaxmemory() {
			c.clock.stale() // evicting takes time
		}
		if err := n.KS.EvictIfNeeded(); err != nil {
			n.reject(ctx, cmd, ErrOOM)
			return
		}
	}
	if n.waitUnpaused(cmd.Flags&(FlagWrite|FlagMayReplicate) != 0) {
		c.clock.stale()
	}
	n.call(ctx, cmd)
}

// resolve is Table.Resolve with a one-entry cache per client: a pipeline
// mostly repeats one command, and hashing its lowered name into the
// table's map was 8% of the dispatcher's time. Commands with subcommands
// are not cached (their name alone does not decide).
func (n *Node) resolve(c *Client, argv [][]byte) (*Command, bool) {
	if cmd := c.resolved; cmd != nil && nameIs(argv[0], cmd.Name) {
		return cmd, false
	}
	cmd, unknownSub := n.Table.Resolve(argv)
	if cmd != nil && cmd.Subcommands == nil {
		c.resolved = cmd
	}
	return cmd, unknownSub
}

// nameIs reports whether b equals the lower-case name, ignoring ASCII case.
func nameIs(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}

func isTransactionControl(cmd *Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// reject answers a command that was refused before running. Inside MULTI
// a rejected command makes EXEC abort, as in Valkey.
func (n *Node) reject(ctx *Ctx, cmd *Command, msg string) {
	if cmd != nil {
		cmd.stats.RejectedCall.Add(1)
	}
	n.Stats.RejectedCalls.Add(1)
	if cmd != nil && cmd.Name == "exec" {
		// A malformed EXEC aborts the transaction (if any) with the
		// reason, as Valkey's execCommandAbort.
		ctx.C.discardMulti()
		ctx.C.unwatchAll(n)
		ctx.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
		return
	}
	if ctx.C.Flag(ClientMulti) {
		ctx.C.SetFlag(ClientDirtyExec, true)
	}
	ctx.Error(msg)
}

// call runs the command, parking the client and running it again while
// it asks to block (see blocking.go).
func (n *Node) call(ctx *Ctx, cmd *Command) {
	if l := ctx.C.importLink; l != nil {
		l.YieldToHandover() // another import's hand-over goes first
		ctx.C.clock.stale()
	}
	for first := true; ; first = false {
		w := n.callOnce(ctx, cmd, first)
		if ctx.paused != nil {
			// A slot migration is handing the command's slots over: wait,
			// then route again (the answer is then usually -MOVED).
			ok := migrationWaitUnpaused(ctx.C, ctx.paused)
			ctx.paused = nil
			if !ok {
				return // the client left meanwhile
			}
			if n.Cluster != nil && ctx.C.importLink == nil && !n.clusterRoute(ctx, cmd) {
				return
			}
			continue
		}
		if w == nil || !n.waitBlocked(ctx, w) {
			return
		}
		ctx.block = nil
	}
}

// callOnce locks the command's slots, runs its handler inside the client's
// Tx and records statistics. The first run of a command sets its start
// time (blocking timeouts count from it). A panic in a handler answers that client with
// an error and is logged; the node keeps serving everybody else. It
// returns a registered waiter when the handler asked to block.
func (n *Node) callOnce(ctx *Ctx, cmd *Command, first bool) *waiter {
	c := ctx.C
	all := cmd.Flags&FlagLockAll != 0
	var slots []int
	if all {
		n.KS.LockAll()
	} else {
		slots = c.slotsOf(cmd, ctx.Argv)
		n.KS.LockSlots(slots)
		if ch := n.writePaused(cmd, slots); ch != nil {
			n.KS.UnlockSlots(slots)
			ctx.paused = ch
			return nil
		}
	}
	if ctx.route.check && !n.clusterRecheck(ctx, cmd) {
		if all {
			n.KS.UnlockAll()
		} else {
			n.KS.UnlockSlots(slots)
		}
		return nil
	}
	if c.importLink != nil && !n.importLinkLive(c, slots) {
		// The import ended (its staging dropped): a command the source
		// sent before it noticed must not be applied anywhere.
		if all {
			n.KS.UnlockAll()
		} else {
			n.KS.UnlockSlots(slots)
		}
		c.Conn.Close()
		return nil
	}
	tx := ctx.Tx
	tx.Staging = n.staging(c, slots)
	tx.HoldsAll = all
	tx.NoTouch = c.Flag(ClientNoTouch)
	// The start gives both the keyspace time (expiry checks, access
	// clocks) and the duration's start; it is often the previous
	// command's end (clock.go). Monotonic offsets cost one read, where
	// time.Now reads the wall clock too.
	start := c.clock.start(n.KS, first)
	if first {
		ctx.start = start
	}
	tx.BeginAt(c.DB(), start)
	if len(slots) == 1 && len(c.keyBuf) == 1 {
		tx.SetSlotHint(ctx.Argv[c.keyBuf[0]], slots[0])
	}
	if !all {
		n.prewriteKeys(tx, cmd, ctx.Argv, c.keyBuf)
	}
	mark := ctx.W.Len()
	n.runHandler(ctx, cmd, mark)
	end := n.KS.Mono()
	elapsed := end - start
	if cmd.Flags&FlagWrite != 0 && tx.Dirty() > 0 && tx.Propagated() == 0 {
		// argv outlives Finish, so it is propagated without a copy.
		tx.PropagateArgv(ctx.Argv)
	}
	tx.Finish()
	var w *waiter
	if ctx.block != nil {
		w = n.registerBlock(ctx)
		c.clock.stale() // the client waits now
	} else {
		c.clock.ended(end)
	}
	if all {
		n.KS.UnlockAll()
	} else {
		n.KS.UnlockSlots(slots)
	}
	tx.HoldsAll = false
	n.blocked.signal(tx.Ready())
	n.afterCall(ctx, cmd, elapsed)
	return w
}

func (n *Node) runHandler(ctx *Ctx, cmd *Command, mark int) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("panic while running a command", "cmd", cmd.Name, "client", ctx.C.ID,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			ctx.W.Truncate(mark)
			ctx.Error(fmt.Sprintf("ERR internal error while running '%s'", cmd.Name))
		}
	}()
	cmd.Handler(ctx)
}

// afterCall records the command in stats, the slow log, the latency
// monitor and MONITOR output.
func (n *Node) afterCall(ctx *Ctx, cmd *Command, elapsed time.Duration) {
	us := elapsed.Microseconds()
	cmd.stats.Calls.Add(1)
	cmd.stats.Micros.Add(us)
	if ctx.failed {
		cmd.stats.FailedCalls.Add(1)
		n.Stats.FailedCalls.Add(1)
	}
	c := ctx.C
	if cmd.Flags&FlagSkipSlowlog == 0 {
		if thr := n.slowlogThreshold.Load(); thr >= 0 && us >= thr {
			n.Slowlog.Record(ctx.Argv, elapsed, c.Addr, c.Name())
		}
	}
	if thr := n.latencyThreshold.Load(); thr > 0 && elapsed.Milliseconds() >= thr {
		ev := "command"
		if cmd.Flags&FlagFast != 0 {
			ev = "fast-command"
		}
		n.Latency.Record(ev, elapsed.Milliseconds())
	}
	if cmd.Flags&(FlagSkipMonitor|FlagAdmin) == 0 && n.Monitors.Active() {
		if c.Flag(ClientMonitor) {
			// A monitor sees its own command's reply before the line
			// describing it, as in Valkey.
			c.Conn.Sync(ctx.W)
		}
		n.Monitors.Feed(c.DB(), c.Addr, ctx.Argv)
	}
	if c.lastCmd.Load() != cmd {
		c.lastCmd.Store(cmd)
	}
}

// slotsOf returns the sorted, de-duplicated slots of cmd's keys.
func (c *Client) slotsOf(cmd *Command, argv [][]byte) []int {
	c.keyBuf = cmd.KeyPositions(argv, c.keyBuf[:0])
	return c.appendSlots(argv, c.keyBuf, c.slotBuf[:0])
}

func (c *Client) appendSlots(argv [][]byte, keys []int, dst []int) []int {
	for _, k := range keys {
		dst = insertSorted(dst, slot.Of(argv[k]))
	}
	c.slotBuf = dst
	return dst
}

// insertSorted adds s to the ascending, unique list dst.
func insertSorted(dst []int, s int) []int {
	i := len(dst)
	for i > 0 && dst[i-1] > s {
		i--
	}
	if i > 0 && dst[i-1] == s {
		return dst
	}
	dst = append(dst, 0)
	copy(dst[i+1:], dst[i:])
	dst[i] = s
	return dst
}
