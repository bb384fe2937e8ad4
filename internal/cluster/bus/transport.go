package bus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// TransportConfig configures a TCP transport.
type TransportConfig struct {
	// Addr is the listen address of the cluster bus ("127.0.0.1:17000";
	// port 0 picks one).
	Addr string
	// DialTimeout bounds a connect (default 2 s).
	DialTimeout time.Duration
	// WriteTimeout bounds one write on a link (default 10 s); a peer that
	// does not read is disconnected.
	WriteTimeout time.Duration
	// MaxQueueBytes bounds the send queue of one link (default 64 MiB);
	// a link over it is dropped and counted, as Valkey's
	// cluster-link-sendbuf-limit.
	MaxQueueBytes int
	// MaxFrame bounds the body of a received frame (default DefaultMax).
	MaxFrame int
	// Logger receives link-level notices (debug level).
	Logger *slog.Logger
}

func (c *TransportConfig) normalize() {
	if c.DialTimeout <= 0 {
		c.DialTimeout = 2 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.MaxQueueBytes <= 0 {
		c.MaxQueueBytes = 64 << 20
	}
	if c.MaxFrame <= 0 {
		c.MaxFrame = DefaultMax
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// EventKind classifies a transport Event.
type EventKind uint8

// Transport events, each mapping to one State call.
const (
	EvMessage       EventKind = iota // State.Step(Peer, Msg)
	EvLinkUp                         // State.LinkUp(Link)
	EvLinkDown                       // State.LinkDown(Link)
	EvInboundClosed                  // State.InboundClosed(Conn)
	EvBufferLimit                    // State.LinkBufferLimitReached()
)

// Event is something the transport saw, for the owner of the State.
type Event struct {
	Kind EventKind
	Peer cluster.Peer
	Msg  *cluster.Message
	Link cluster.ID
	Conn uint64
	out  *outLink // the outbound link the event is about, if any
	in   *inConn  // the inbound connection a message came on, if any
}

// Transport is the TCP cluster bus: a listener for inbound connections and
// one outbound link per node id. Every goroutine it starts is tracked and
// stops in Close. Apply never blocks on the network.
type Transport struct {
	cfg    TransportConfig
	ln     net.Listener
	events chan Event
	done   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	out      map[cluster.ID]*outLink
	in       map[uint64]*inConn
	nextConn uint64
	closed   bool
}

// Listen starts a transport listening on cfg.Addr.
func Listen(cfg TransportConfig) (*Transport, error) {
	cfg.normalize()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("cluster bus listen %s: %w", cfg.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transport{cfg: cfg, ln: ln, events: make(chan Event, 4096), done: make(chan struct{}),
		ctx: ctx, cancel: cancel, out: map[cluster.ID]*outLink{}, in: map[uint64]*inConn{}}
	t.wg.Add(1)
	go t.acceptLoop()
	return t, nil
}

// Addr returns the listening address.
func (t *Transport) Addr() net.Addr { return t.ln.Addr() }

// Port returns the listening port.
func (t *Transport) Port() int { return t.ln.Addr().(*net.TCPAddr).Port }

// Events delivers what the transport sees; it is closed after Close.
func (t *Transport) Events() <-chan Event { return t.events }

// Resolve brings an event about an outbound link up to date with the
// transport's current links, at the moment the owner processes it: the
// link id follows renames, and events of links that were closed or
// replaced since are stale (ok false) because the State already moved on.
func (t *Transport) Resolve(ev Event) (Event, bool) {
	if ev.out == nil && ev.in == nil {
		return ev, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ev.in != nil {
		// A message still queued from a connection the State closed.
		return ev, t.in[ev.in.id] == ev.in
	}
	if ev.Kind == EvLinkDown {
		cur := t.out[ev.Link]
		return ev, cur == nil || cur == ev.out
	}
	if t.out[ev.out.id] != ev.out || ev.out.closed {
		return ev, false
	}
	ev.Link = ev.out.id
	if ev.Kind == EvMessage {
		ev.Peer.Link = ev.out.id
	}
	return ev, true
}

// emit hands an event to the owner; it gives up when the transport closes.
func (t *Transport) emit(ev Event) {
	select {
	case t.events <- ev:
	case <-t.done:
	}
}

// Close stops the listener and every link and waits for their goroutines.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.done)
	t.cancel()
	err := t.ln.Close()
	for _, l := range t.out {
		l.shutdown()
	}
	for _, c := range t.in {
		c.shutdown()
	}
	t.mu.Unlock()
	t.wg.Wait()
	close(t.events)
	return err
}

func (t *Transport) acceptLoop() {
	defer t.wg.Done()
	for {
		conn, err := t.ln.Accept()
		if err != nil {
			select {
			case <-t.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			t.cfg.Logger.Debug("cluster bus accept", "err", err)
			select {
			case <-t.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		t.addInbound(conn)
	}
}

func (t *Transport) addInbound(conn net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		conn.Close()
		return
	}
	t.nextConn++
	c := &inConn{t: t, id: t.nextConn, conn: conn, q: newSendQueue(), created: time.Now()}
	t.in[c.id] = c
	peer := cluster.Peer{Conn: c.id, IP: hostOf(conn.RemoteAddr()), LocalIP: hostOf(conn.LocalAddr())}
	t.wg.Add(2)
	go c.readLoop(peer)
	go func() {
		defer t.wg.Done()
		c.q.writeLoop(conn, t.cfg.WriteTimeout)
		c.fail()
	}()
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, _ := net.SplitHostPort(a.String())
	return host
}

// Apply carries out the transport part of a State Output: renames,
// closes, dials and sends, in that order. It encodes each message once.
func (t *Transport) Apply(out cluster.Output) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	for _, r := range out.Renames {
		if l := t.out[r.From]; l != nil {
			delete(t.out, r.From)
			if old := t.out[r.To]; old != nil {
				old.shutdown()
			}
			l.id = r.To
			t.out[r.To] = l
		}
	}
	for _, id := range out.Close {
		if l := t.out[id]; l != nil {
			delete(t.out, id)
			l.shutdown()
		}
	}
	for _, c := range out.CloseConns {
		if ic := t.in[c]; ic != nil {
			delete(t.in, c)
			ic.shutdown()
		}
	}
	for _, d := range out.Dials {
		t.dialLocked(d)
	}
	frames := map[*cluster.Message][]byte{}
	for _, e := range out.Send {
		f, ok := frames[e.Msg]
		if !ok {
			f = Encode(e.Msg)
			frames[e.Msg] = f
		}
		t.sendLocked(e, f)
	}
}

func (t *Transport) sendLocked(e cluster.Envelope, frame []byte) {
	var q *sendQueue
	if e.Conn != 0 {
		if c := t.in[e.Conn]; c != nil {
			q = c.q
		}
	} else if l := t.out[e.To]; l != nil {
		q = l.q
	}
	if q == nil {
		return
	}
	if !q.push(frame, t.cfg.MaxQueueBytes) {
		t.overflowLocked(e)
	}
}

// overflowLocked drops a link whose queue is over the limit.
func (t *Transport) overflowLocked(e cluster.Envelope) {
	t.cfg.Logger.Warn("cluster bus link dropped: send queue over limit", "node", e.To, "conn", e.Conn)
	evs := []Event{{Kind: EvBufferLimit}}
	if e.Conn != 0 {
		if c := t.in[e.Conn]; c != nil {
			delete(t.in, e.Conn)
			c.shutdown()
			evs = append(evs, Event{Kind: EvInboundClosed, Conn: e.Conn})
		}
	} else if l := t.out[e.To]; l != nil {
		delete(t.out, e.To)
		l.shutdown()
		evs = append(evs, Event{Kind: EvLinkDown, Link: e.To})
	}
	// Apply runs on the owner's goroutine, which also drains the events:
	// report from a tracked goroutine instead of blocking here.
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for _, ev := range evs {
			t.emit(ev)
		}
	}()
}

// LinkStat describes one link for CLUSTER LINKS.
type LinkStat struct {
	Node      cluster.ID // outbound links
	Conn      uint64     // inbound connections
	Outbound  bool
	Connected bool
	Created   time.Time
	Queued    int // bytes waiting to be written
}

// Stats returns the links and their queues.
func (t *Transport) Stats() []LinkStat {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []LinkStat
	for id, l := range t.out {
		out = append(out, LinkStat{Node: id, Outbound: true, Connected: l.connected, Created: l.created, Queued: l.q.size()})
	}
	for id, c := range t.in {
		out = append(out, LinkStat{Conn: id, Connected: true, Created: c.created, Queued: c.q.size()})
	}
	return out
}

func joinHostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

// readFrames reads frames from conn until an error, handing each message to
// deliver.
func (t *Transport) readFrames(conn net.Conn, deliver func(*cluster.Message)) error {
	r := bufio.NewReaderSize(conn, 64<<10)
	var buf []byte
	for {
		m, _, nb, err := ReadFrame(r, t.cfg.MaxFrame, buf)
		buf = nb
		if err != nil {
			return err
		}
		deliver(m)
	}
}
