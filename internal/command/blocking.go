package command

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...). A handler that finds
// nothing to serve calls Ctx.Block instead of replying. The dispatcher then
// registers the client as a waiter on the keys *before* releasing the slot
// locks — so a push that lands right after cannot be missed — and, once the
// locks are released, parks the connection goroutine until a write to one
// of the keys (reported by the keyspace choke point as a ready key), the
// timeout, or the client's disconnection. On a wake-up it simply runs the
// command again; if another client took the data first it blocks again for
// the remaining time. Waiters are woken in arrival order, so the longest
// waiting client retries first, as in Valkey.

type blockKey struct {
	db  int
	key string
}

type waiter struct {
	ch   chan struct{}
	keys []blockKey
}

// blockRegistry maps keys to the clients waiting on them. Lock order:
// slot locks → blockRegistry.mu.
type blockRegistry struct {
	n  atomic.Int64 // blocked clients, for INFO and a lock-free fast path
	mu sync.Mutex
	m  map[blockKey][]*waiter
}

func (r *blockRegistry) add(w *waiter) {
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[blockKey][]*waiter)
	}
	for _, k := range w.keys {
		r.m[k] = append(r.m[k], w)
	}
	r.mu.Unlock()
	r.n.Add(1)
}

func (r *blockRegistry) remove(w *waiter) {
	r.mu.Lock()
	for _, k := range w.keys {
		list := r.m[k]
		for i, x := range list {
			if x == w {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(r.m, k)
		} else {
			r.m[k] = list
		}
	}
	r.mu.Unlock()
	r.n.Add(-1)
}

// signal wakes, in arrival order, the clients waiting on the ready keys.
func (r *blockRegistry) signal(ready []keyspace.ReadyKey) {
	if r.n.Load() == 0 || len(ready) == 0 {
		return
	}
	r.mu.Lock()
	for _, rk := range ready {
		for _, w := range r.m[blockKey{rk.DB, rk.Key}] {
			select {
			case w.ch <- struct{}{}:
			default:
			}
		}
	}
	r.mu.Unlock()
}

// BlockedClients is the number of clients parked in a blocking command.
func (n *Node) BlockedClients() int64 { return n.blocked.n.Load() }

// blockRequest is what a handler asks for when it would block.
type blockRequest struct {
	keys      [][]byte
	deadline  time.Time // zero: wait forever
	onTimeout func(w *resp.Writer)
}

// Block asks the dispatcher to park the client until one of keys is
// written, then run the command again. timeout 0 waits forever. onTimeout
// writes the reply when the time runs out (a null of the command's
// shape). Inside MULTI (and for scripts) a blocking command must not block:
// handlers check CanBlock first and reply as on timeout.
func (c *Ctx) Block(keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	req := &blockRequest{keys: keys, onTimeout: onTimeout}
	if timeout > 0 {
		req.deadline = c.start.Add(timeout)
	}
	c.block = req
}

// CanBlock reports whether the command may block (not inside EXEC).
func (c *Ctx) CanBlock() bool { return !c.inExec }

// registerBlock turns a handler's block request into a registered waiter;
// it runs with the command's slot locks still held.
func (n *Node) registerBlock(ctx *Ctx) *waiter {
	db := ctx.C.DB()
	w := &waiter{ch: make(chan struct{}, 1)}
	for _, k := range ctx.block.keys {
		w.keys = append(w.keys, blockKey{db, string(k)})
	}
	n.blocked.add(w)
	return w
}

// waitBlocked parks the client until w is signalled, the deadline passes
// or the client is closed. It reports whether the command should run again.
func (n *Node) waitBlocked(ctx *Ctx, w *waiter) bool {
	defer n.blocked.remove(w)
	var timeout <-chan time.Time
	if !ctx.block.deadline.IsZero() {
		d := time.Until(ctx.block.deadline)
		if d <= 0 {
			ctx.block.onTimeout(ctx.W)
			return false
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	ctx.C.SetFlag(ClientBlocked, true)
	defer ctx.C.SetFlag(ClientBlocked, false)
	select {
	case <-w.ch:
		return true
	case <-timeout:
		ctx.block.onTimeout(ctx.W)
		return false
	case <-ctx.C.unblock:
		ctx.block.onTimeout(ctx.W)
		return false
	}
}
