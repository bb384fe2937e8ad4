package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// The blocking list commands. Each first does what its non-blocking form
// would when data is there (and is propagated as that form); otherwise it
// blocks (blocking.go), or, where it must not block (inside MULTI/EXEC),
// replies as Valkey does for a client that may not block: a null array for
// the pops, a null for the moves. A wait that times out always replies a
// null array, as Valkey's replyToBlockedClientTimedOut.

func listTimedOut(w *resp.Writer) { w.NullArray() }

// listBlock parks the client on keys, or replies denied when it may not
// block.
func listBlock(c *Ctx, keys [][]byte, timeout time.Duration, denied func()) {
	if !c.CanBlock() {
		denied()
		return
	}
	c.Block(keys, timeout, listTimedOut)
}

// blockingPopCommand is BLPOP / BRPOP key [key ...] timeout.
func blockingPopCommand(c *Ctx, left bool) {
	timeout, ok := blockingTimeoutArg(c, len(c.Argv)-1)
	if !ok {
		return
	}
	keys := c.Argv[1 : len(c.Argv)-1]
	if listPopFirst(c, keys, left, -1) {
		return
	}
	listBlock(c, keys, timeout, c.W.NullArray)
}

// blmpopCommand is BLMPOP timeout numkeys key [key ...] LEFT|RIGHT
// [COUNT count]; the timeout is checked after the other arguments, as in
// Valkey.
func blmpopCommand(c *Ctx) {
	a, ok := parseListMPop(c, 2)
	if !ok {
		return
	}
	timeout, ok := blockingTimeoutArg(c, 1)
	if !ok {
		return
	}
	if listPopFirst(c, a.keys, a.left, a.count) {
		return
	}
	listBlock(c, a.keys, timeout, c.W.NullArray)
}

// blmoveCommand is BLMOVE source destination LEFT|RIGHT LEFT|RIGHT
// timeout, propagated as LMOVE.
func blmoveCommand(c *Ctx) {
	from, ok := listWhere(c, 3)
	if !ok {
		return
	}
	to, ok := listWhere(c, 4)
	if !ok {
		return
	}
	timeout, ok := blockingTimeoutArg(c, 5)
	if !ok {
		return
	}
	listBlockingMove(c, from, to, timeout, func() {
		c.Tx.Propagate(listTokLMOVE, c.Argv[1], c.Argv[2], c.Argv[3], c.Argv[4])
	})
}

// brpoplpushCommand is BRPOPLPUSH source destination timeout, propagated
// as RPOPLPUSH.
func brpoplpushCommand(c *Ctx) {
	timeout, ok := blockingTimeoutArg(c, 3)
	if !ok {
		return
	}
	listBlockingMove(c, false, true, timeout, func() {
		c.Tx.Propagate(listTokRPOPLPUSH, c.Argv[1], c.Argv[2])
	})
}

// listBlockingMove moves an element when the source has one, and blocks
// on the source otherwise.
func listBlockingMove(c *Ctx, from, to bool, timeout time.Duration, propagate func()) {
	src := c.Argv[1]
	e, _, ok := listLookup(c, src, true)
	if !ok {
		return
	}
	if e == nil {
		listBlock(c, c.Argv[1:2], timeout, c.W.Null)
		return
	}
	if listMove(c, from, to) {
		propagate()
	}
}
