package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// The serving side of blocking commands (see blocking.go).

// serveBlocked runs the waiters of keys, and of the keys their commands
// write in turn, in arrival order.
func (n *Node) serveBlocked(keys []blockKey) {
	r := &n.blocked
	r.serveMu.Lock()
	defer r.serveMu.Unlock()
	if r.tx == nil {
		r.tx = n.KS.NewTx()
		r.buf = resp.NewWriter(nil)
	}
	for len(keys) > 0 {
		k := keys[0]
		keys = keys[1:]
		// Only the clients blocked when the key became ready are
		// candidates, so a command that blocks again cannot loop.
		for _, w := range r.waitersOf(k) {
			if ready := n.serveWaiter(w, k); len(ready) > 0 {
				keys = r.watched(ready, keys)
			}
		}
	}
}

// serveWaiter runs w's command if w is still waiting and key k holds the
// type it waits for. It returns the keys the command wrote.
func (n *Node) serveWaiter(w *waiter, k blockKey) []keyspace.ReadyKey {
	w.mu.Lock()
	if w.state != waiterWaiting {
		w.mu.Unlock()
		return nil
	}
	w.state = waiterServing
	w.mu.Unlock()

	r := &n.blocked
	n.KS.LockSlots(w.slots)
	tx := r.tx
	tx.NoTouch = w.client.Flag(ClientNoTouch)
	tx.Begin(w.db)
	e := tx.Lookup([]byte(k.key), keyspace.NoTouch|keyspace.NoStats)
	if e == nil || (w.typed && e.Kind() != w.kind) {
		tx.Finish()
		n.releaseWaiter(w, false)
		n.KS.UnlockSlots(w.slots)
		return append([]keyspace.ReadyKey(nil), tx.Ready()...)
	}
	r.buf.Reset()
	r.buf.Proto = w.client.Proto()
	ctx := Ctx{Node: n, C: w.client, Tx: tx, W: r.buf, Argv: w.argv, Cmd: w.cmd, start: w.start}
	start := time.Now()
	n.runHandler(&ctx, w.cmd, 0)
	elapsed := time.Since(start)
	if w.cmd.Flags&FlagWrite != 0 && tx.Dirty() > 0 && tx.Propagated() == 0 {
		tx.Propagate(ctx.Argv...)
	}
	tx.Finish()
	served := ctx.block == nil
	if served {
		w.mu.Lock()
		w.reply = append(w.reply[:0], r.buf.Bytes()...)
		w.failed = ctx.failed
		w.elapsed = elapsed
		w.mu.Unlock()
	}
	n.releaseWaiter(w, served)
	n.KS.UnlockSlots(w.slots)
	return append([]keyspace.ReadyKey(nil), tx.Ready()...)
}

// releaseWaiter ends a serving attempt under the waiter's slot locks:
// served waiters are done and unregistered; others wait again, in their
// place, before any further write to their keys can happen.
func (n *Node) releaseWaiter(w *waiter, served bool) {
	w.mu.Lock()
	if served {
		w.state = waiterDone
	} else {
		w.state = waiterWaiting
	}
	w.mu.Unlock()
	if served {
		n.blocked.remove(w)
	}
	w.signal()
}

// parkingConn is implemented by connections that take part when their
// client parks: Park sends the replies buffered in w so far (those of
// commands pipelined before the blocking one) and watches the connection
// so that a client whose peer goes away is unblocked at once; the returned
// function ends the watch before the client reads its next command.
type parkingConn interface {
	Park(w *resp.Writer) (unpark func())
}

// waitBlocked parks the client until it is served, its deadline passes,
// CLIENT UNBLOCK ends the wait or the client is closed, and writes the
// reply. It reports whether the command should run again (never: a served
// command's reply is already made).
func (n *Node) waitBlocked(ctx *Ctx, w *waiter) bool {
	if pc, ok := ctx.C.Conn.(parkingConn); ok {
		defer pc.Park(ctx.W)()
	}
	var timeout <-chan time.Time
	if !ctx.block.deadline.IsZero() {
		t := time.NewTimer(time.Until(ctx.block.deadline))
		defer t.Stop()
		timeout = t.C
	}
	pending := unblockNone
	for {
		select {
		case <-w.wake:
		case <-timeout:
			pending = max(pending, unblockTimeout)
			timeout = nil
		case <-ctx.C.unblock:
			pending = unblockClosed
		}
		w.mu.Lock()
		if w.reason > pending {
			pending = w.reason
		}
		switch w.state {
		case waiterDone:
			reply, failed, elapsed := w.reply, w.failed, w.elapsed
			w.mu.Unlock()
			n.finishBlocked(ctx, reply, failed, elapsed)
			return false
		case waiterWaiting:
			if pending == unblockNone {
				w.mu.Unlock()
				continue
			}
			w.state = waiterDone
			w.mu.Unlock()
			n.blocked.remove(w)
			n.endBlocked(ctx, pending)
			return false
		}
		// A server is running the command: its outcome decides.
		w.mu.Unlock()
	}
}

// finishBlocked hands a served command's reply to the client and
// accounts the run (the call itself was counted when it blocked).
func (n *Node) finishBlocked(ctx *Ctx, reply []byte, failed bool, elapsed time.Duration) {
	ctx.W.Raw(reply)
	ctx.Cmd.stats.Micros.Add(elapsed.Microseconds())
	if failed {
		ctx.failed = true
		ctx.Cmd.stats.FailedCalls.Add(1)
		n.Stats.FailedCalls.Add(1)
	}
}

// endBlocked replies to a wait that ended unserved.
func (n *Node) endBlocked(ctx *Ctx, reason int) {
	switch reason {
	case unblockTimeout:
		ctx.block.onTimeout(ctx.W)
	case unblockError:
		ctx.Error(ErrListUnblocked)
		ctx.Cmd.stats.FailedCalls.Add(1)
		n.Stats.FailedCalls.Add(1)
	}
	// A closing client gets no reply.
}

// unblockClient is CLIENT UNBLOCK's effect: it ends client id's blocking
// wait as on timeout, or with an UNBLOCKED error, and reports whether the
// client was blocked.
func (n *Node) unblockClient(id int64, withError bool) bool {
	r := &n.blocked
	r.mu.Lock()
	w := r.byClient[id]
	r.mu.Unlock()
	if w == nil {
		return false
	}
	reason := unblockTimeout
	if withError {
		reason = unblockError
	}
	w.mu.Lock()
	if w.state == waiterDone {
		w.mu.Unlock()
		return false
	}
	w.reason = max(w.reason, reason)
	w.mu.Unlock()
	w.signal()
	return true
}
