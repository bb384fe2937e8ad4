package bus

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// sendQueue is a bounded FIFO of encoded frames drained by one writer
// goroutine.
type sendQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	frames [][]byte
	bytes  int
	closed bool
}

func newSendQueue() *sendQueue {
	q := &sendQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push queues a frame; false means the queue would exceed max.
func (q *sendQueue) push(f []byte, max int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return true
	}
	if q.bytes+len(f) > max {
		return false
	}
	q.frames = append(q.frames, f)
	q.bytes += len(f)
	q.cond.Signal()
	return true
}

func (q *sendQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.frames, q.bytes = nil, 0
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *sendQueue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// writeLoop writes queued frames to conn until the queue closes or a
// write fails; frames are batched into one write when several wait.
func (q *sendQueue) writeLoop(conn net.Conn, timeout time.Duration) {
	var batch net.Buffers
	for {
		q.mu.Lock()
		for len(q.frames) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		batch = append(batch[:0], q.frames...)
		q.frames, q.bytes = q.frames[:0:0], 0
		q.mu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := batch.WriteTo(conn); err != nil {
			return
		}
	}
}

// outLink is our connection to a node: dialed by its own goroutine, then a
// reader and a writer.
type outLink struct {
	t         *Transport
	id        cluster.ID // guarded by t.mu (renames)
	addr      string
	q         *sendQueue
	created   time.Time
	connected bool // guarded by t.mu
	closed    bool // guarded by t.mu

	connMu sync.Mutex // guards conn, cancel and dead; never held while taking t.mu
	conn   net.Conn
	cancel func()
	dead   bool
}

func (t *Transport) dialLocked(d cluster.Dial) {
	if old := t.out[d.ID]; old != nil {
		delete(t.out, d.ID)
		old.shutdown()
	}
	l := &outLink{t: t, id: d.ID, addr: joinHostPort(d.IP, d.CPort), q: newSendQueue(), created: time.Now()}
	t.out[d.ID] = l
	t.wg.Add(1)
	go l.run()
}

// currentID returns the id the link is registered under now.
func (l *outLink) currentID() cluster.ID {
	l.t.mu.Lock()
	defer l.t.mu.Unlock()
	return l.id
}

// shutdown closes the link without reporting it (the State asked for it or
// the transport is closing). Callers hold t.mu.
func (l *outLink) shutdown() {
	l.closed = true
	l.q.close()
	l.connMu.Lock()
	l.dead = true
	if l.cancel != nil {
		l.cancel()
	}
	if l.conn != nil {
		l.conn.Close()
	}
	l.connMu.Unlock()
}

// fail reports a link that died on its own, unless it was replaced.
func (l *outLink) fail() {
	t := l.t
	t.mu.Lock()
	current := t.out[l.id] == l && !l.closed
	id := l.id
	if current {
		delete(t.out, l.id)
	}
	l.closed = true
	t.mu.Unlock()
	l.q.close()
	l.connMu.Lock()
	l.dead = true
	if l.conn != nil {
		l.conn.Close()
	}
	l.connMu.Unlock()
	if current {
		t.emit(Event{Kind: EvLinkDown, Link: id, out: l})
	}
}

func (l *outLink) run() {
	t := l.t
	defer t.wg.Done()
	conn, err := l.dial()
	if err != nil {
		t.cfg.Logger.Debug("cluster bus connect failed", "addr", l.addr, "err", err)
		l.fail()
		return
	}
	t.mu.Lock()
	l.connected = !l.closed
	t.mu.Unlock()
	t.emit(Event{Kind: EvLinkUp, Link: l.currentID(), out: l})
	peer := cluster.Peer{Outbound: true, IP: hostOf(conn.RemoteAddr()), LocalIP: hostOf(conn.LocalAddr())}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		_ = t.readFrames(conn, func(m *cluster.Message) {
			p := peer
			p.Link = l.currentID()
			t.emit(Event{Kind: EvMessage, Peer: p, Msg: m, out: l})
		})
		l.fail()
	}()
	l.q.writeLoop(conn, t.cfg.WriteTimeout)
	l.fail()
}

func (l *outLink) dial() (net.Conn, error) {
	ctx, cancel := context.WithTimeout(l.t.ctx, l.t.cfg.DialTimeout)
	defer cancel()
	l.connMu.Lock()
	if l.dead {
		l.connMu.Unlock()
		return nil, net.ErrClosed
	}
	l.cancel = cancel
	l.connMu.Unlock()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", l.addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	l.connMu.Lock()
	defer l.connMu.Unlock()
	l.cancel = nil
	if l.dead {
		conn.Close()
		return nil, net.ErrClosed
	}
	l.conn = conn
	return conn, nil
}

// inConn is a connection accepted by our listener.
type inConn struct {
	t       *Transport
	id      uint64
	conn    net.Conn
	q       *sendQueue
	created time.Time
	once    sync.Once
}

// shutdown closes without reporting. Callers hold t.mu.
func (c *inConn) shutdown() {
	c.q.close()
	c.conn.Close()
}

// fail reports a connection that closed on its own (once).
func (c *inConn) fail() {
	c.once.Do(func() {
		t := c.t
		t.mu.Lock()
		current := t.in[c.id] == c
		if current {
			delete(t.in, c.id)
		}
		t.mu.Unlock()
		c.q.close()
		c.conn.Close()
		if current {
			t.emit(Event{Kind: EvInboundClosed, Conn: c.id})
		}
	})
}

func (c *inConn) readLoop(peer cluster.Peer) {
	defer c.t.wg.Done()
	_ = c.t.readFrames(c.conn, func(m *cluster.Message) {
		c.t.emit(Event{Kind: EvMessage, Peer: peer, Msg: m, in: c})
	})
	c.fail()
}
