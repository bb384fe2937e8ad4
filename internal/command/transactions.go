package command

import (
	"github.com/shoal-db/shoal/internal/slot"
)

// multiState is a client's MULTI queue.
type multiState struct {
	cmds []queued
}

type queued struct {
	cmd  *Command
	argv [][]byte // owned copies: the read buffer is reused
}

type watchedKey struct {
	db  int
	key string
}

// clientWatcher adapts a Client to keyspace.Watcher: the write choke point
// calls Touch when a watched key changes, which makes EXEC fail.
type clientWatcher struct{ c *Client }

func (w *clientWatcher) Touch() { w.c.SetFlag(ClientDirtyCAS, true) }

func (c *Client) queue(cmd *Command, argv [][]byte) {
	cp := make([][]byte, len(argv))
	for i, a := range argv {
		cp[i] = append([]byte(nil), a...)
	}
	c.multi.cmds = append(c.multi.cmds, queued{cmd: cmd, argv: cp})
	c.Mu.Lock()
	c.multiLen = len(c.multi.cmds)
	c.Mu.Unlock()
}

// discardMulti leaves MULTI state and drops the queue.
func (c *Client) discardMulti() {
	c.multi.cmds = nil
	c.SetFlag(ClientMulti|ClientDirtyExec, false)
	c.Mu.Lock()
	c.multiLen = -1
	c.Mu.Unlock()
}

// unwatchAll forgets every WATCHed key.
func (c *Client) unwatchAll(n *Node) {
	for _, k := range c.watched {
		n.KS.Unwatch(c.watcher, k.db, k.key)
	}
	c.watched = c.watched[:0]
	c.SetFlag(ClientDirtyCAS, false)
	c.Mu.Lock()
	c.watchLen = 0
	c.Mu.Unlock()
}

// ResetTransaction drops MULTI and WATCH state (RESET, disconnect).
func (c *Client) ResetTransaction(n *Node) {
	c.discardMulti()
	c.unwatchAll(n)
}

func transactionCommands() []*Command {
	return []*Command{
		{Name: "multi", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "1.2.0",
			Summary: "Starts a transaction.", Handler: multiCommand},
		{Name: "exec", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagSkipSlowlog,
			ACL: []string{"slow", "transaction"}, Group: "transactions", Since: "1.2.0",
			Summary: "Executes all commands in a transaction.", Handler: execCommand},
		{Name: "discard", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "2.0.0",
			Summary: "Discards a transaction.", Handler: discardCommand},
		{Name: "watch", Arity: -2, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
			FirstKey: 1, LastKey: -1, Step: 1,
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "2.2.0",
			Summary: "Monitors changes to keys to determine the execution of a transaction.", Handler: watchCommand},
		{Name: "unwatch", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy,
			ACL: []string{"fast", "transaction"}, Group: "transactions", Since: "2.2.0",
			Summary: "Forgets about watched keys of a transaction.", Handler: unwatchCommand},
	}
}

func multiCommand(c *Ctx) {
	if c.C.Flag(ClientMulti) {
		c.Error(ErrMultiNested)
		return
	}
	c.C.SetFlag(ClientMulti, true)
	c.C.Mu.Lock()
	c.C.multiLen = 0
	c.C.Mu.Unlock()
	c.W.OK()
}

func discardCommand(c *Ctx) {
	if !c.C.Flag(ClientMulti) {
		c.Error(ErrDiscardNoMulti)
		return
	}
	c.C.discardMulti()
	c.C.unwatchAll(c.Node)
	c.W.OK()
}

func watchCommand(c *Ctx) {
	if c.C.Flag(ClientMulti) {
		c.Error(ErrWatchInMulti)
		return
	}
	db := c.C.DB()
	for _, k := range c.Argv[1:] {
		key := string(k)
		dup := false
		for _, w := range c.C.watched {
			if w.db == db && w.key == key {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		c.C.watched = append(c.C.watched, watchedKey{db: db, key: key})
		c.Node.KS.Watch(c.C.watcher, db, key)
	}
	c.C.Mu.Lock()
	c.C.watchLen = len(c.C.watched)
	c.C.Mu.Unlock()
	c.W.OK()
}

func unwatchCommand(c *Ctx) {
	c.C.unwatchAll(c.Node)
	c.W.OK()
}

// execCommand runs the queued commands atomically: it locks the slots of
// every queued key and every WATCHed key (or all slots when a queued
// command touches keys it does not name), checks the WATCHes under those
// locks, then runs the queue inside one Tx so the effects propagate as one
// MULTI/EXEC block.
func execCommand(c *Ctx) {
	cl := c.C
	if !cl.Flag(ClientMulti) {
		c.Error(ErrExecNoMulti)
		return
	}
	if cl.Flag(ClientDirtyExec) {
		cl.discardMulti()
		cl.unwatchAll(c.Node)
		c.Error(ErrExecAbort)
		return
	}
	n := c.Node
	queue := cl.multi.cmds
	all := false
	var slots []int
	for _, q := range queue {
		if q.cmd.Flags&(FlagKeyspace|FlagLockAll) != 0 {
			all = true
		}
		slots = cl.appendSlots(q.argv, q.cmd.KeyPositions(q.argv, nil), slots)
	}
	for _, w := range cl.watched {
		slots = insertSorted(slots, slot.OfString(w.key))
	}
	tx := c.Tx
	// Deferred first so it runs last: wake blocked clients only after the
	// locks are released.
	defer func() { n.blocked.signal(tx.Ready()) }()
	// EXEC itself was called by Exec without locks (it names no keys).
	if all {
		n.KS.LockAll()
		defer n.KS.UnlockAll()
	} else {
		if !n.lockUnpaused(c, queue, slots) {
			return
		}
		defer n.KS.UnlockSlots(slots)
	}
	cl.discardMulti()
	tx.HoldsAll = all
	defer func() { tx.HoldsAll = false }()
	tx.Staging = n.staging(cl, slots)
	tx.BeginMulti(cl.DB())
	// A watched key that expired since WATCH counts as modified: looking
	// it up reclaims it, which touches the watch.
	for _, w := range cl.watched {
		if w.db == cl.DB() {
			tx.Exists([]byte(w.key))
		}
	}
	if cl.Flag(ClientDirtyCAS) {
		cl.unwatchAll(n)
		tx.Finish()
		c.W.NullArray()
		return
	}
	cl.unwatchAll(n)
	c.W.ArrayLen(len(queue))
	for _, q := range queue {
		sub := Ctx{Node: n, C: cl, Tx: tx, W: c.W, Argv: q.argv, Cmd: q.cmd, inExec: true, start: c.start}
		before := tx.Propagated()
		dirty := tx.Dirty()
		if !all && n.KS.Snapshotting() {
			n.prewriteKeys(tx, q.cmd, q.argv, q.cmd.KeyPositions(q.argv, nil))
		}
		n.runHandler(&sub, q.cmd, c.W.Len())
		if q.cmd.Flags&FlagWrite != 0 && tx.Dirty() > dirty && tx.Propagated() == before {
			tx.Propagate(q.argv...)
		}
		q.cmd.stats.Calls.Add(1)
		if sub.failed {
			q.cmd.stats.FailedCalls.Add(1)
		}
	}
	tx.Finish()
}
