package command

import (
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...). A handler that finds
// nothing to serve calls Ctx.Block instead of replying. The dispatcher then
// registers the client as a waiter on the keys *before* releasing the slot
// locks — so a push that lands right after cannot be missed — and, once the
// locks are released, parks the connection goroutine until it is served,
// its timeout passes, CLIENT UNBLOCK ends the wait or the client goes away.
//
// Serving follows Valkey's handleClientsBlockedOnKeys. Every write records
// the keys it touched (Tx.Ready); when the writing command is done and its
// locks are released, the same goroutine — before the writer's client sees
// its reply — walks the ready keys that have waiters and, for each, runs
// the waiters' commands in the order they blocked (the client that blocked
// first is served first), each under its own slot locks, into a reply
// buffer handed over to the parked client. Keys those commands write
// (BLMOVE's destination) join the walk, so a chain of BLMOVEs completes
// before the writer's reply, exactly as in Valkey. A waiter whose key holds
// another type is skipped; one whose command finds nothing after all stays
// blocked in its place. Serving is serialized node-wide (serveMu) so two
// writers cannot serve one key's waiters out of order.
//
// Lock order: serveMu → slot locks → blockRegistry.mu; a waiter's mu is
// never held while taking another lock.

type blockKey struct {
	db  int
	key string
}

// Waiter states.
const (
	waiterWaiting = iota // registered, claimable by a server
	waiterServing        // a server is running its command
	waiterDone           // served or ended; no longer registered
)

// Reasons a wait ends without being served.
const (
	unblockNone    = iota
	unblockReroute // cluster topology changed: check the slot is still ours
	unblockTimeout // the timeout, or CLIENT UNBLOCK ... TIMEOUT
	unblockError   // CLIENT UNBLOCK ... ERROR
	unblockClosed  // the connection is closing
)

// waiter is one parked client.
type waiter struct {
	client *Client
	cmd    *Command
	argv   [][]byte      // the command's argv (aliasing the parked client's read buffer)
	start  time.Duration // the command's first run, a Keyspace.Mono reading
	db     int
	keys   []blockKey
	slots  []int      // sorted slots of the command's keys
	kind   types.Kind // the type the command waits for
	typed  bool       // kind is meaningful

	// wake is signalled when the state changes behind the client's back
	// (served, or handed back after a server found nothing) and when
	// CLIENT UNBLOCK asks it to end.
	wake chan struct{}

	mu      sync.Mutex
	state   int
	reason  int           // pending unblock reason (CLIENT UNBLOCK)
	reply   []byte        // the served command's reply
	failed  bool          // the served command replied an error
	elapsed time.Duration // time spent running the served command
}

func (w *waiter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// blockRegistry maps keys to the clients waiting on them.
type blockRegistry struct {
	n    atomic.Int64 // blocked clients, for INFO and a lock-free fast path
	node atomic.Pointer[Node]

	mu       sync.Mutex
	m        map[blockKey][]*waiter // waiters per key, in arrival order
	byClient map[int64]*waiter

	// serveMu serializes serving; tx and buf are the server's scratch
	// state, used only under serveMu.
	serveMu sync.Mutex
	tx      *keyspace.Tx
	buf     *resp.Writer
}

func (r *blockRegistry) add(w *waiter) {
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[blockKey][]*waiter)
		r.byClient = make(map[int64]*waiter)
	}
	for _, k := range w.keys {
		r.m[k] = append(r.m[k], w)
	}
	r.byClient[w.client.ID] = w
	r.mu.Unlock()
	r.n.Add(1)
}

// remove unregisters w; only the goroutine that moved w to waiterDone
// calls it, once.
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
	if r.byClient[w.client.ID] == w {
		delete(r.byClient, w.client.ID)
	}
	r.mu.Unlock()
	r.n.Add(-1)
	w.client.SetFlag(ClientBlocked, false)
}

// waitersOf returns a copy of key's waiter list.
func (r *blockRegistry) waitersOf(k blockKey) []*waiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*waiter(nil), r.m[k]...)
}

// watched keeps the ready keys that have waiters, without duplicates.
func (r *blockRegistry) watched(ready []keyspace.ReadyKey, dst []blockKey) []blockKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rk := range ready {
		k := blockKey{rk.DB, rk.Key}
		if _, ok := r.m[k]; !ok {
			continue
		}
		dup := false
		for _, d := range dst {
			if d == k {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, k)
		}
	}
	return dst
}

// signal serves, in arrival order, the clients waiting on the ready keys.
// It runs after the writing command released its slot locks.
func (r *blockRegistry) signal(ready []keyspace.ReadyKey) {
	if r.n.Load() == 0 || len(ready) == 0 {
		return
	}
	keys := r.watched(ready, nil)
	if len(keys) == 0 {
		return
	}
	if n := r.node.Load(); n != nil {
		n.serveBlocked(keys)
	}
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
		req.deadline = c.Node.KS.MonoTime(c.start).Add(timeout)
	}
	c.block = req
}

// CanBlock reports whether the command may block (not inside EXEC).
func (c *Ctx) CanBlock() bool { return !c.inExec }

// blockKind is the type a blocking command waits for, from its ACL
// category, as Valkey's BLOCKED_LIST / BLOCKED_ZSET / BLOCKED_STREAM.
func blockKind(cmd *Command) (types.Kind, bool) {
	for _, a := range cmd.ACL {
		switch a {
		case "list":
			return types.KindList, true
		case "sortedset":
			return types.KindZSet, true
		case "stream":
			return types.KindStream, true
		}
	}
	return 0, false
}

// registerBlock turns a handler's block request into a registered waiter;
// it runs with the command's slot locks still held.
func (n *Node) registerBlock(ctx *Ctx) *waiter {
	n.blocked.node.CompareAndSwap(nil, n)
	db := ctx.C.DB()
	w := &waiter{client: ctx.C, cmd: ctx.Cmd, argv: ctx.Argv, start: ctx.start, db: db,
		wake: make(chan struct{}, 1)}
	w.kind, w.typed = blockKind(ctx.Cmd)
	for _, k := range ctx.block.keys {
		bk := blockKey{db, string(k)}
		dup := false
		for _, x := range w.keys {
			if x == bk {
				dup = true
				break
			}
		}
		if !dup {
			w.keys = append(w.keys, bk)
		}
	}
	for _, p := range ctx.Cmd.KeyPositions(ctx.Argv, nil) {
		w.slots = insertSorted(w.slots, keyspace.SlotOf(ctx.Argv[p]))
	}
	ctx.C.SetFlag(ClientBlocked, true)
	n.blocked.add(w)
	return w
}

// blockingTimeoutArg parses argument i as the timeout of a blocking
// command, in seconds, as Valkey's getTimeoutFromObjectOrReply does with
// UNIT_SECONDS: a long double (decimal or hex, "inf" accepted by the
// parser), multiplied by 1000 and rounded up to whole milliseconds; a
// negative result is an error, so is one that does not fit in a long long
// (nor added to the current time). 0 means forever; a value rounding to
// -0 ms does too, as in Valkey.
func blockingTimeoutArg(c *Ctx, i int) (time.Duration, bool) {
	v, ok := strParseLongDouble(c.Argv[i])
	if !ok {
		c.Error(ErrListTimeoutNotFloat)
		return 0, false
	}
	switch {
	case v.inf > 0:
		c.Error(ErrListTimeoutRange)
		return 0, false
	case v.inf < 0:
		c.Error(ErrTimeoutNegative)
		return 0, false
	}
	ms := new(big.Float).SetPrec(strLDPrec).Mul(v.f, big.NewFloat(1000))
	if ms.Cmp(new(big.Float).SetInt64(math.MaxInt64)) > 0 {
		c.Error(ErrListTimeoutRange)
		return 0, false
	}
	whole, acc := ms.Int(nil) // truncated toward zero
	if acc == big.Below {
		whole.Add(whole, big.NewInt(1)) // ceil of a positive fraction
	}
	if !whole.IsInt64() || whole.Sign() < 0 {
		c.Error(ErrTimeoutNegative)
		return 0, false
	}
	n := whole.Int64()
	if n > 0 && n > math.MaxInt64-c.Now() {
		c.Error(ErrListTimeoutRange)
		return 0, false
	}
	// time.Duration counts nanoseconds: clamp waits beyond ~292 years.
	return time.Duration(min(n, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond, true
}

// readyBlockedIn marks every key clients wait on in databases dbs as
// ready in tx, so that they are served once the command is done if the
// key now holds data: SWAPDB brings in another database's keys without
// writing them.
func (n *Node) readyBlockedIn(tx *keyspace.Tx, dbs ...int) {
	if n.blocked.n.Load() == 0 {
		return
	}
	r := &n.blocked
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.m {
		for _, db := range dbs {
			if k.db == db {
				tx.MarkReady(k.db, k.key)
			}
		}
	}
}
