package server

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/resp"
)

// conn is one client connection. The connection goroutine (serve) owns
// rd, w and client; the output fields below out are shared with publishers
// and the writer goroutine.
type conn struct {
	s      *Server
	nc     net.Conn
	rd     *resp.Reader
	w      *resp.Writer
	client *command.Client

	closeOnce sync.Once
	closed    chan struct{}

	// Asynchronous output. Once a client subscribes or monitors, every
	// byte it is sent goes through pending, in order, and the writer
	// goroutine is the only one writing to the socket. Before that the
	// connection goroutine writes directly and pending is unused.
	outMu    sync.Mutex
	pending  *resp.Writer // guarded by outMu
	async    bool         // guarded by outMu
	wake     chan struct{}
	writerWG sync.WaitGroup
	// sockMu serializes socket writes between the writer goroutine and a
	// final drain, so messages never interleave on the wire.
	sockMu sync.Mutex

	qbuf, qbufCap atomic.Int64
	// batch counts the commands run since the reader last needed input.
	batch int

	// input is the reader's source; parkFlushed is set when Park sent
	// the buffered replies while the client blocked (conn_park.go).
	input       parkedInput
	parkFlushed bool

	// Write combining (combine.go): raw is the socket for non-blocking
	// writes (nil when the connection is not a plain socket); flushed is
	// signalled when the combiner wrote c.sent bytes of w (or failed with
	// sendErr) while this goroutine waited.
	raw     syscall.RawConn
	flushed chan struct{}
	sent    int
	sendErr error
	// combineWrite says whether the queued entry carries replies or only
	// asks for a turn; roundWrites is how many connections wrote in the
	// round that released this one; spins counts the turns left to poll
	// the socket before a blocking read (readWhileBusy).
	combineWrite bool
	roundWrites  int
	spins        int
	// waited says whether the goroutine waited for input (in the poller,
	// or for a turn in the combiner's round) since the last beforeRead.
	waited bool
	// The raw socket callbacks (rawio.go, combine.go), bound once as
	// method values, and their arguments: a closure per call allocated.
	// rawWrite is the combiner's non-blocking write of w; rawWriteWait
	// the connection goroutine's own writes.
	rawRead, rawWrite, rawWriteWait func(fd uintptr) bool
	rbuf, wbuf                      []byte
	rwait                           bool
	rn, wn                          int
	rerr, werr                      error
}

func (s *Server) newConn(nc net.Conn) *conn {
	c := &conn{s: s, nc: nc, closed: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.input.nc, c.input.c = nc, c
	c.rd = resp.NewReader(countingReader{touchReader{c, &c.input}, &s.node.Stats.NetInput})
	c.rd.MaxBulkLen = s.settings.maxBulkLen.Load()
	c.rd.QueryBufLimit = int(s.settings.queryBufLimit.Load())
	var dst io.Writer = nc
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw, c.flushed = raw, make(chan struct{}, 1)
			c.rawRead, c.rawWrite, c.rawWriteWait = c.doRawRead, c.doRawWrite, c.doRawWriteWait
			dst = socketWriter{c}
		}
	}
	c.w = resp.NewWriter(dst)
	c.rd.OnBlock = c.beforeRead
	id := s.node.Clients.NextID()
	c.client = command.NewClient(id, c, nc.RemoteAddr().String(), nc.LocalAddr().String(), s.ks.NewTx())
	c.client.Authenticated = s.node.RequirePass() == ""
	return c
}

// serve is the connection goroutine.
func (s *Server) serve(c *conn) {
	defer s.wg.Done()
	node := s.node
	node.Clients.Add(c.client)
	defer func() {
		c.Close()
		c.writerWG.Wait()
		c.client.ResetTransaction(node)
		node.ClientGone(c.client)
		node.Clients.Remove(c.client)
		s.connsMu.Lock()
		delete(s.conns, c)
		s.connsMu.Unlock()
	}()
	for {
		argv, err := c.rd.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		if len(argv) == 0 {
			continue
		}
		c.w.Proto = c.client.Proto()
		c.batch++
		mark := c.w.Len()
		node.Exec(c.client, c.w, argv)
		if c.parkFlushed {
			// The command blocked and Park sent the replies buffered
			// before it: its own reply is all the writer holds. A client
			// whose peer went away meanwhile runs nothing more.
			mark, c.parkFlushed = 0, false
			select {
			case <-c.closed:
				return
			default:
			}
		}
		c.client.FilterReply(c.w, mark)
		if c.client.Flag(command.ClientCloseAfterReply) {
			c.flush()
			c.drain()
			return
		}
		if c.w.Len() > 64<<10 {
			c.flush()
			// The write may have waited for a slow client: the next
			// command reads the clock afresh.
			c.client.ClockStale()
		}
	}
}

// touchReader records the client's last interaction whenever input
// arrives, once per read rather than once per pipelined command, as
// Valkey sets lastinteraction when it reads from a client. The time is the
// keyspace clock's (one monotonic read; time.Now reads two clocks, 2% of a
// cluster node's user time at -P 1).
type touchReader struct {
	c *conn
	r io.Reader
}

func (t touchReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		// The same reading starts the first command of this input
		// (command.Client.InputArrived).
		ks := t.c.s.ks
		mono := ks.Mono()
		t.c.client.Touch(ks.NowAt(mono))
		t.c.client.InputArrived(mono)
	}
	return n, err
}

// readFailed answers a protocol error before closing, as Valkey does.
func (c *conn) readFailed(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.w.Error("ERR " + pe.Error())
		c.flush()
		c.s.log.Debug("protocol error", "client", c.client.Addr, "err", pe.Msg)
		return
	}
	if errors.Is(err, resp.ErrQueryBufLimit) {
		c.s.log.Warn("closing client that reached max query buffer length", "client", c.client.Addr)
		return
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		c.s.log.Debug("client read error", "client", c.client.Addr, "err", err)
	}
}

// beforeRead runs when the reader has consumed its input: it sends the
// replies, then lets other connections run when this one has had its turn.
//
// A pipelining client refills its connection as soon as it gets the
// replies, often before this goroutine reads again, so the goroutine could
// serve that one client back to back until the scheduler preempts it
// (10ms), while the other connections' requests wait: redis-benchmark -P16
// saw a 20ms p99 with a 0.05ms p50 on one core. Yielding after each batch
// gives every ready connection one read's worth of commands per turn, like
// Valkey's event loop.
//
// A client sending one command at a time usually cannot send the next
// before this goroutine reads again, so the read waits in the poller and
// that is the turn's end. Not when the client shares the server's CPU: the
// reply's write wakes it, it preempts the server's thread, reads the reply
// and sends its next command before the write returns. That read then
// finds input at once, and the goroutine kept serving that one client:
// during a full sync, with the replica loading on the other core, a Go
// trace showed one connection served 45 times in a row for 1.3 ms while
// three others were runnable, and the primary's p99 was 2.4 ms against a
// p50 of 23 us. So a connection whose last read did not wait yields too,
// to the network (package netyield): with Gosched the scheduler would take
// it back from the global run queue before polling again, and connections
// whose input sits in the kernel would wait for sysmon (10 ms).
func (c *conn) beforeRead() {
	switch c.combinedFlush() {
	case combinedSent:
		// Waiting for the combiner's round was this connection's turn.
		c.batch, c.waited = 0, true
		return
	case combinedClosed:
		return
	}
	c.flush()
	switch {
	case c.batch > 1:
		runtime.Gosched()
	case c.batch == 1 && !c.waited:
		c.s.yielders.Yield()
	}
	c.batch = 0
	c.waited = false
}

type combinedResult int

const (
	combinedNot    combinedResult = iota // not combined: flush directly
	combinedSent                         // written (the rest, if any, by this goroutine)
	combinedClosed                       // the connection closed while queued: touch nothing
)

// recordQueryBuf publishes the reader's buffer use for CLIENT LIST / INFO
// (BufferSizes), once per flush rather than per command.
func (c *conn) recordQueryBuf() {
	used, capacity := c.rd.QueryBufLen()
	c.qbuf.Store(int64(used))
	c.qbufCap.Store(int64(capacity))
}

// combinedFlush sends the buffered replies through the server's write
// combiner. Waiting for it is this goroutine's yield to the other
// connections after a batch, so no Gosched follows.
func (c *conn) combinedFlush() combinedResult {
	// A lone command's reply goes out at once: its client waits for it
	// before sending more, so there is no burst to join, and the hop
	// through the combiner only added latency (redis-benchmark -P 1: p99
	// 1.3 ms direct, 3 ms combined). Combining pays for pipelined batches.
	if c.s.combiner == nil || c.raw == nil || c.w.Len() == 0 || c.batch < 2 {
		return combinedNot
	}
	c.outMu.Lock()
	async := c.async
	c.outMu.Unlock()
	if async {
		return combinedNot
	}
	c.recordQueryBuf()
	switch c.s.combiner.submit(c, true) {
	case submitStopped:
		return combinedNot
	case submitClosed:
		return combinedClosed
	}
	if c.roundWrites > 1 {
		c.spins = busyRoundSpins
	}
	n := c.w.Len()
	c.s.node.Stats.NetOutput.Add(int64(n))
	if c.sendErr != nil {
		c.Close()
		return combinedSent
	}
	if err := c.w.FlushFrom(c.sent); err != nil {
		c.Close()
	}
	return combinedSent
}

// flush sends buffered replies: directly, or through the ordered async
// queue once the connection is in async mode.
func (c *conn) flush() {
	c.recordQueryBuf()
	if c.w.Len() == 0 {
		return
	}
	c.outMu.Lock()
	if c.async {
		c.pending.Raw(c.w.Bytes())
		c.outMu.Unlock()
		c.w.Reset()
		c.signal()
		return
	}
	c.outMu.Unlock()
	c.s.node.Stats.NetOutput.Add(int64(c.w.Len()))
	if err := c.w.Flush(); err != nil {
		c.Close()
	}
}

// Sync implements command.Conn: it moves the replies buffered in w into
// the ordered output queue and switches the connection to async mode, so
// that messages published afterwards are delivered after those replies.
func (c *conn) Sync(w *resp.Writer) {
	c.outMu.Lock()
	if !c.async {
		c.async = true
		c.pending = resp.NewWriter(c.nc)
		c.writerWG.Add(1)
		go c.writer()
	}
	c.pending.Raw(w.Bytes())
	c.outMu.Unlock()
	w.Reset()
	c.signal()
}

// Push implements command.Conn.
func (c *conn) Push(encode func(w *resp.Writer)) {
	c.outMu.Lock()
	if !c.async {
		c.outMu.Unlock()
		return // only subscribed / monitoring clients receive pushes
	}
	c.pending.Proto = c.client.Proto()
	encode(c.pending)
	over := c.s.settings.pubsubHardLimit.Load() > 0 && int64(c.pending.Len()) > c.s.settings.pubsubHardLimit.Load()
	c.outMu.Unlock()
	if over {
		c.s.log.Warn("closing client that exceeded its output buffer limit", "client", c.client.Addr)
		c.Close()
		return
	}
	c.signal()
}

// PushNow is Push, then a write of the queue on the calling goroutine
// when no write is in progress, instead of waiting for the writer
// goroutine to be scheduled: a slot migration's control messages (the
// import link's REQUEST-FAILOVER and CLAIMED) are inside the source's
// write pause, where under load each goroutine hop cost up to
// milliseconds. A write in progress owns the queue (sockMu) and sends the
// message right after its own bytes; order is kept either way. The queue
// is written holding outMu: only for connections nobody publishes to.
func (c *conn) PushNow(encode func(w *resp.Writer)) {
	c.Push(encode)
	if !c.sockMu.TryLock() {
		return
	}
	err := c.flushPendingLocked()
	c.sockMu.Unlock()
	if err != nil {
		c.Close() // as the writer does; not under the locks
	}
}

// flushPendingLocked writes the async queue; the caller holds sockMu.
func (c *conn) flushPendingLocked() error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if !c.async || c.pending.Len() == 0 {
		return nil
	}
	n := c.pending.Len()
	if err := c.pending.Flush(); err != nil {
		return err
	}
	c.s.node.Stats.NetOutput.Add(int64(n))
	return nil
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writer is the async-mode output goroutine. It swaps the pending buffer
// out under the lock and writes it without holding the lock, so publishers
// never wait on the network.
func (c *conn) writer() {
	defer c.writerWG.Done()
	spare := resp.NewWriter(c.nc)
	for {
		select {
		case <-c.closed:
			return
		case <-c.wake:
		}
		c.sockMu.Lock()
		c.outMu.Lock()
		buf := c.pending
		c.pending = spare
		c.outMu.Unlock()
		n := buf.Len()
		err := buf.Flush()
		c.sockMu.Unlock()
		if err != nil {
			c.Close()
			return
		}
		c.s.node.Stats.NetOutput.Add(int64(n))
		spare = buf
	}
}

// drain writes whatever the async queue still holds, synchronously, so a
// subscriber's reply to QUIT reaches it before the connection closes.
func (c *conn) drain() {
	c.sockMu.Lock()
	defer c.sockMu.Unlock()
	c.outMu.Lock()
	if !c.async || c.pending.Len() == 0 {
		c.outMu.Unlock()
		return
	}
	buf := c.pending
	c.pending = resp.NewWriter(c.nc)
	c.outMu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	_ = buf.Flush()
}

// Close implements command.Conn.
func (c *conn) Close() {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.nc.Close()
		// A connection goroutine parked in a blocking command does not
		// read the socket; wake it so it sees the close and exits.
		c.client.Unblock()
	})
}

// Closed is closed when the connection closes; a client parked in WAIT
// watches it so a disconnection ends the wait.
func (c *conn) Closed() <-chan struct{} { return c.closed }

// SetReadBuffer sizes the connection's input buffer for a bulk stream of
// n-byte reads (command.readBufferSetter). Only a handler calls it: it runs on the
// connection goroutine, which owns the reader.
func (c *conn) SetReadBuffer(n int) {
	c.rd.SetMinBuffer(n)
	// The socket's receive buffer too, to about the same size: an
	// import link's bytes waiting in the kernel are not applied yet, and
	// a migration's write pause would wait for them (migration's
	// linkKernelBuffer on the source side).
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(n)
	}
}

// BufferSizes implements command.Conn.
func (c *conn) BufferSizes() (qbuf, qbufFree, obuf int) {
	c.outMu.Lock()
	if c.async {
		obuf = c.pending.Len()
	}
	c.outMu.Unlock()
	q, capacity := int(c.qbuf.Load()), int(c.qbufCap.Load())
	return q, capacity - q, obuf
}

// countingReader counts bytes received for INFO total_net_input_bytes.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (cr countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n.Add(int64(n))
	return n, err
}
