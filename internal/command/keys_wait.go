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

// waitCommand is WAIT numreplicas timeout. This node has no replicas yet,
// so no write is ever acknowledged: WAIT answers 0 at once when it asks for
// no replica or runs inside MULTI, and otherwise blocks for the timeout (0
// blocks until the client goes away), then answers 0, as Valkey without
// replicas does. It holds no lock while it waits.
func waitCommand(c *Ctx) {
	numReplicas, ok := c.Int(1)
	if !ok {
		return
	}
	timeout, ok := parseKeysTimeoutMs(c, 2)
	if !ok {
		return
	}
	const acked = 0
	if acked >= numReplicas || c.Tx.InMulti() {
		c.W.Int(acked)
		return
	}
	keysBlock(c, timeout)
	c.W.Int(acked)
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

// keysBlock waits timeoutMs milliseconds (0: until the client closes).
func keysBlock(c *Ctx, timeoutMs int64) {
	var closed <-chan struct{}
	if n, ok := c.C.Conn.(keysClosedNotifier); ok {
		closed = n.Closed()
	}
	var expired <-chan time.Time
	if timeoutMs > 0 {
		t := time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
		defer t.Stop()
		expired = t.C
	}
	poll := time.NewTicker(keysBlockPoll)
	defer poll.Stop()
	for {
		select {
		case <-expired:
			return
		case <-closed:
			return
		case <-poll.C:
			if c.C.Flag(ClientCloseASAP) || c.C.Flag(ClientCloseAfterReply) {
				return
			}
		}
	}
}
