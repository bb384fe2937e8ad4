package command

import (
	"math"
	"time"

	"github.com/shoal-db/shoal/internal/types"
)

func keysWaitCommand() *Command {
	return &Command{Name: "wait", Arity: 3, Flags: FlagBlocking,
		ACL: []string{"slow", "connection", "blocking"}, Tips: []string{"request_policy:all_shards", "response_policy:agg_min"},
		Group: "generic", Since: "3.0.0", Complexity: "O(1)",
		Summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
		Handler: waitCommand}
}

// waitCommand is WAIT numreplicas timeout (waitCommand): it blocks, with
// no lock held, until numreplicas replicas acknowledged the replication
// offset of everything written so far, the timeout passes (0: forever) or
// the client goes away, and answers how many did. Inside MULTI it answers
// at once. The offset waited for is the node's offset when WAIT runs,
// which covers the client's own writes (they were propagated before their
// replies).
func waitCommand(c *Ctx) {
	r := c.Node.Repl
	if r != nil && r.IsReplica() {
		c.Error(ErrWaitOnReplica)
		return
	}
	numReplicas, ok := c.Int(1)
	if !ok {
		return
	}
	timeout, ok := parseKeysTimeoutMs(c, 2)
	if !ok {
		return
	}
	if r == nil {
		if numReplicas > 0 && !c.Tx.InMulti() {
			keysBlock(c, timeout)
		}
		c.W.Int(0)
		return
	}
	target := r.WaitTarget()
	acked, changed := r.Acked(target)
	if int64(acked) >= numReplicas || c.Tx.InMulti() {
		c.W.Int(int64(acked))
		return
	}
	r.RequestAck(target)
	c.W.Int(int64(waitAcks(c, r, target, int(numReplicas), timeout, changed)))
}

// waitAcks blocks until n replicas acknowledged target, timeoutMs passes
// (0: never) or the client is closed, and returns the last count.
func waitAcks(c *Ctx, r Replication, target int64, n int, timeoutMs int64, changed <-chan struct{}) int {
	var closed <-chan struct{}
	if cn, ok := c.C.Conn.(keysClosedNotifier); ok {
		closed = cn.Closed()
	}
	var expired <-chan time.Time
	if timeoutMs > 0 {
		t := time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
		defer t.Stop()
		expired = t.C
	}
	poll := time.NewTicker(keysBlockPoll)
	defer poll.Stop()
	acked := 0
	for {
		select {
		case <-changed:
		case <-expired:
			acked, _ = r.Acked(target)
			return acked
		case <-closed:
			return acked
		case <-poll.C:
			if c.C.Flag(ClientCloseASAP) || c.C.Flag(ClientCloseAfterReply) {
				return acked
			}
		}
		acked, changed = r.Acked(target)
		if acked >= n {
			return acked
		}
	}
}

// parseKeysTimeoutMs parses a millisecond timeout as Valkey's
// getTimeoutFromObjectOrReply; 0 means forever.
func parseKeysTimeoutMs(c *Ctx, i int) (int64, bool) {
	ms, ok := types.ParseInt(c.Argv[i])
	if !ok {
		c.Error(ErrTimeout)
		return 0, false
	}
	if ms < 0 {
		c.Error(ErrTimeoutNegative)
		return 0, false
	}
	if ms > 0 && ms > math.MaxInt64-c.Now() {
		c.Error(ErrKeysTimeoutRange)
		return 0, false
	}
	return ms, true
}

// keysClosedNotifier is implemented by connections that can signal their
// closing, so a blocked WAIT ends when its client goes away or the server
// stops.
type keysClosedNotifier interface {
	Closed() <-chan struct{}
}

// keysBlockPoll bounds how long a blocked WAIT goes without checking
// whether its client is being closed (CLIENT KILL), for connections that
// cannot signal it.
const keysBlockPoll = 100 * time.Millisecond

// blockWait is what a command waiting for timeoutMs milliseconds (0:
// for ever) selects on: its client's connection closing (nil when the
// connection cannot tell), the timeout (nil: none) and a poll for clients
// being killed. stop releases the timers.
type blockWait struct {
	closed  <-chan struct{}
	expired <-chan time.Time
	poll    *time.Ticker
	timer   *time.Timer
}

func newBlockWait(c *Ctx, timeoutMs int64) *blockWait {
	w := &blockWait{poll: time.NewTicker(keysBlockPoll)}
	if n, ok := c.C.Conn.(keysClosedNotifier); ok {
		w.closed = n.Closed()
	}
	if timeoutMs > 0 {
		w.timer = time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
		w.expired = w.timer.C
	}
	return w
}

func (w *blockWait) stop() {
	w.poll.Stop()
	if w.timer != nil {
		w.timer.Stop()
	}
}

// killed reports whether the waiting client is being closed.
func (w *blockWait) killed(c *Ctx) bool {
	return c.C.Flag(ClientCloseASAP) || c.C.Flag(ClientCloseAfterReply)
}

// keysBlock waits timeoutMs milliseconds (0: until the client closes).
func keysBlock(c *Ctx, timeoutMs int64) {
	w := newBlockWait(c, timeoutMs)
	defer w.stop()
	closed, expired, poll := w.closed, w.expired, w.poll
	for {
		select {
		case <-expired:
			return
		case <-closed:
			return
		case <-poll.C:
			if w.killed(c) {
				return
			}
		}
	}
}
