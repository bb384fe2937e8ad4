package command

import (
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// Ctx is everything a handler works with. The argv slices alias the
// connection's read buffer: a handler that keeps an argument beyond the
// command copies it (keyspace.Tx.Set copies keys; NewString copies values).
type Ctx struct {
	Node *Node
	C    *Client
	Tx   *keyspace.Tx
	W    *resp.Writer
	Argv [][]byte
	Cmd  *Command

	failed bool
	start  time.Duration   // when the command was first run, a Keyspace.Mono reading (block deadlines)
	block  *blockRequest   // set by Block
	inExec bool            // running inside EXEC: never block
	paused <-chan struct{} // set by callOnce: the slots are paused for a migration
	route  routeMemo       // cluster routing decision to confirm under the locks (cluster_route.go)
}

// Error replies with an error and counts it for INFO errorstats.
func (c *Ctx) Error(msg string) {
	c.W.Error(msg)
	c.failed = true
	if c.C.importLink != nil {
		c.C.importLink.CommandFailed(msg)
	}
	c.Node.countError(msg)
}

// WrongArgs replies with the wrong-number-of-arguments error.
func (c *Ctx) WrongArgs() { c.Error(ErrWrongArgs(c.Cmd.Name)) }

// Arg returns argument i as a string (copying).
func (c *Ctx) Arg(i int) string { return string(c.Argv[i]) }

// ArgIs reports whether argument i equals opt, ignoring ASCII case.
func (c *Ctx) ArgIs(i int, opt string) bool {
	return len(c.Argv[i]) == len(opt) && strings.EqualFold(string(c.Argv[i]), opt)
}

// Int parses argument i as an integer, replying ErrNotInt on failure.
func (c *Ctx) Int(i int) (int64, bool) {
	n, ok := types.ParseInt(c.Argv[i])
	if !ok {
		c.Error(ErrNotInt)
	}
	return n, ok
}

// Float parses argument i as a float, replying ErrNotFloat on failure.
func (c *Ctx) Float(i int) (float64, bool) {
	f, ok := types.ParseFloat(c.Argv[i])
	if !ok {
		c.Error(ErrNotFloat)
	}
	return f, ok
}

// Now is the command's time in milliseconds (fixed for the whole command).
func (c *Ctx) Now() int64 { return c.Tx.Now() }

// Lookup is a read lookup of key (lazy expiry, stats, access clock).
func (c *Ctx) Lookup(key []byte) *keyspace.Entry { return c.Tx.Lookup(key, 0) }

// LookupKind looks key up for reading and checks its type. It replies
// WRONGTYPE and returns ok=false on a type mismatch; a missing key returns
// (nil, true).
func (c *Ctx) LookupKind(key []byte, k types.Kind) (*keyspace.Entry, bool) {
	e := c.Tx.Lookup(key, 0)
	if e != nil && e.Kind() != k {
		c.Error(ErrWrongType)
		return nil, false
	}
	return e, true
}

// LookupWriteKind is LookupKind for a write.
func (c *Ctx) LookupWriteKind(key []byte, k types.Kind) (*keyspace.Entry, bool) {
	e := c.Tx.LookupWrite(key)
	if e != nil && e.Kind() != k {
		c.Error(ErrWrongType)
		return nil, false
	}
	return e, true
}

// Failed reports whether the handler replied with an error.
func (c *Ctx) Failed() bool { return c.failed }

// formatInt is strconv.AppendInt into a fresh slice, for propagation argv.
func formatInt(n int64) []byte { return strconv.AppendInt(nil, n, 10) }
