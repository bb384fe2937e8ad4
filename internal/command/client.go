package command

import (
	"github.com/shoal-db/shoal/internal/migration"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// Conn is what the network layer provides to a client: asynchronous
// delivery (pub/sub messages, MONITOR lines) and closing (CLIENT KILL).
type Conn interface {
	// Push appends an out-of-band message. encode writes it with the
	// client's protocol; it runs under the connection's output lock.
	// Push must not block on the network.
	Push(encode func(w *resp.Writer))
	// Sync moves the replies buffered in w into the ordered output queue
	// and switches the connection to asynchronous output. A handler calls
	// it before registering a subscription or a monitor, so that whatever
	// is pushed afterwards reaches the client after its reply.
	Sync(w *resp.Writer)
	// Close closes the connection; the client's goroutine then exits.
	Close()
	// BufferSizes reports the query buffer (used, capacity) and the
	// pending output bytes, for CLIENT LIST.
	BufferSizes() (qbuf, qbufFree, obuf int)
}

// Client flags shown by CLIENT LIST (flags=...).
const (
	ClientMulti           = 1 << iota // x
	ClientPubSub                      // P
	ClientMonitor                     // O
	ClientDirtyCAS                    // d: a WATCHed key was touched
	ClientReadonly                    // r: READONLY (cluster)
	ClientAsking                      // cluster ASKING for the next command
	ClientNoEvict                     // e
	ClientNoTouch                     // T
	ClientCloseASAP                   // A
	ClientCloseAfterReply             // c: QUIT, or killed after the current reply
	ClientDirtyExec                   // a queued command was rejected: EXEC aborts
	ClientBlocked                     // b: parked in a blocking command
	ClientPrimary                     // M: a replica's link to its primary (replication)
)

// Client is one connection's session state. Fields without a comment are
// touched only by the connection's own goroutine; Mu guards the fields that
// CLIENT LIST and CLIENT KILL read from other goroutines.
type Client struct {
	ID        int64
	Conn      Conn
	Addr      string
	LocalAddr string
	Created   time.Time
	// importLink is set on the connection a migration source opened to
	// this node after its SYNCSLOTS ESTABLISH (cluster_syncslots.go):
	// its commands skip routing and write to the staging area.
	importLink *migration.ImportLink

	Mu       sync.Mutex
	name     string // guarded by Mu
	libName  string // guarded by Mu
	libVer   string // guarded by Mu
	user     string // guarded by Mu
	multiLen int    // guarded by Mu
	watchLen int    // guarded by Mu

	// db and lastCmd are read by CLIENT LIST from other goroutines and
	// written on every command: atomics keep the hot path lock-free.
	db              atomic.Int32
	lastCmd         atomic.Pointer[Command]
	flags           atomic.Int64
	lastInteraction atomic.Int64 // unix ms
	subs            atomic.Int64 // channel subscriptions
	psubs           atomic.Int64 // pattern subscriptions
	ssubs           atomic.Int64 // shard channel subscriptions

	proto         atomic.Int32 // 2 or 3; read by CLIENT LIST from other goroutines
	Authenticated bool
	Tx            *keyspace.Tx

	multi   multiState
	watched []watchedKey
	watcher *clientWatcher

	keyBuf  []int
	slotBuf []int
	ctx     Ctx // reused by Exec for every command
	// resolved is Exec's one-entry cache of the last command looked up
	// (clock.go has the clock's chain). Both are the goroutine's that
	// runs the client's commands.
	resolved *Command
	clock    commandClock

	// unblock ends a blocking wait early (CLIENT UNBLOCK, disconnection).
	unblock chan struct{}
}

// Unblock ends the client's current blocking wait, if any, as if it timed
// out. It never blocks.
func (c *Client) Unblock() {
	select {
	case c.unblock <- struct{}{}:
	default:
	}
}

// NewClient returns the state for a new connection.
func NewClient(id int64, conn Conn, addr, laddr string, tx *keyspace.Tx) *Client {
	c := &Client{ID: id, Conn: conn, Addr: addr, LocalAddr: laddr, Created: time.Now(), Tx: tx, user: "default"}
	c.proto.Store(2)
	c.watcher = &clientWatcher{c: c}
	c.unblock = make(chan struct{}, 1)
	c.lastInteraction.Store(time.Now().UnixMilli())
	return c
}

// Proto is the RESP version the client speaks (2 or 3).
func (c *Client) Proto() int { return int(c.proto.Load()) }

// SetProto switches the RESP version (HELLO).
func (c *Client) SetProto(p int) { c.proto.Store(int32(p)) }

// Flag reports whether all bits of f are set.
func (c *Client) Flag(f int64) bool { return c.flags.Load()&f == f }

// SetFlag sets or clears flag bits.
func (c *Client) SetFlag(f int64, on bool) {
	for {
		old := c.flags.Load()
		nw := old &^ f
		if on {
			nw = old | f
		}
		if c.flags.CompareAndSwap(old, nw) {
			return
		}
	}
}

// Flags returns the raw flag word.
func (c *Client) Flags() int64 { return c.flags.Load() }

// DB is the selected database.
func (c *Client) DB() int { return int(c.db.Load()) }

// SetDB selects a database.
func (c *Client) SetDB(db int) { c.db.Store(int32(db)) }

// Name is the CLIENT SETNAME name.
func (c *Client) Name() string {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	return c.name
}

// SetName sets the CLIENT SETNAME name.
func (c *Client) SetName(n string) {
	c.Mu.Lock()
	c.name = n
	c.Mu.Unlock()
}

// SetLibInfo sets CLIENT SETINFO lib-name / lib-ver (empty leaves as is).
func (c *Client) SetLibInfo(name, ver *string) {
	c.Mu.Lock()
	if name != nil {
		c.libName = *name
	}
	if ver != nil {
		c.libVer = *ver
	}
	c.Mu.Unlock()
}

// Touch records activity at nowMs, Unix milliseconds (for CLIENT LIST
// idle and the timeout).
func (c *Client) Touch(nowMs int64) { c.lastInteraction.Store(nowMs) }

// LastInteraction is the time of the last command.
func (c *Client) LastInteraction() time.Time { return time.UnixMilli(c.lastInteraction.Load()) }

// Subscriptions returns channel, pattern and shard-channel counts.
func (c *Client) Subscriptions() (subs, psubs, ssubs int64) {
	return c.subs.Load(), c.psubs.Load(), c.ssubs.Load()
}

// AddSubscriptions adjusts the subscription counters; the pub/sub flag
// follows whether any remain.
func (c *Client) AddSubscriptions(subs, psubs, ssubs int64) {
	s := c.subs.Add(subs) + c.psubs.Add(psubs) + c.ssubs.Add(ssubs)
	c.SetFlag(ClientPubSub, s > 0)
}

// InSubscribeMode reports whether the client has any subscription, which
// under RESP2 restricts the commands it may send.
func (c *Client) InSubscribeMode() bool { return c.Flag(ClientPubSub) }

// ClientInfo is a snapshot of a client for CLIENT LIST / CLIENT INFO.
type ClientInfo struct {
	ID                             int64
	Addr, LocalAddr, Name, LibName string
	LibVer, LastCmd, User          string
	AgeSec, IdleSec                int64
	Flags                          int64
	DB, Proto                      int
	Subs, PSubs, SSubs             int64
	MultiLen, WatchLen             int
	QBuf, QBufFree, OBuf           int
}

// Info snapshots the client (safe from any goroutine).
func (c *Client) Info(now time.Time) ClientInfo {
	c.Mu.Lock()
	ci := ClientInfo{ID: c.ID, Addr: c.Addr, LocalAddr: c.LocalAddr, Name: c.name, LibName: c.libName,
		LibVer: c.libVer, User: c.user, DB: c.DB(), MultiLen: c.multiLen, WatchLen: c.watchLen}
	if cmd := c.lastCmd.Load(); cmd != nil {
		ci.LastCmd = cmd.Name
	}
	c.Mu.Unlock()
	ci.AgeSec = int64(now.Sub(c.Created).Seconds())
	ci.IdleSec = int64(now.Sub(c.LastInteraction()).Seconds())
	ci.Flags = c.Flags()
	ci.Proto = c.Proto()
	ci.Subs, ci.PSubs, ci.SSubs = c.Subscriptions()
	if c.Conn != nil {
		ci.QBuf, ci.QBufFree, ci.OBuf = c.Conn.BufferSizes()
	}
	return ci
}
