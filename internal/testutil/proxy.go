package testutil

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP proxy on 127.0.0.1 in front of one upstream address,
// for network partitions in tests. Block holds every byte in both
// directions without closing anything, as a partition does (a connection
// opened meanwhile is accepted but reaches nothing); what was held is
// delivered on Heal, as TCP retransmits it when a short partition heals.
// Cut closes every connection it carries. The proxy stops when the test
// ends.
type Proxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	blocked chan struct{} // non-nil while blocked; closed by Heal
	conns   map[*proxyConn]struct{}
	closed  bool

	wg sync.WaitGroup
}

// proxyConn is one proxied connection: the client's side and upstream.
type proxyConn struct {
	down, up net.Conn
	cut      chan struct{} // closed when the connection is cut
	once     sync.Once
	mu       sync.Mutex // guards up while it is dialled
}

// StartProxy listens on an ephemeral port and forwards every connection
// to upstream.
func StartProxy(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &Proxy{ln: ln, upstream: upstream, conns: map[*proxyConn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the address clients dial instead of upstream.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Block holds all traffic, in both directions, until Heal.
func (p *Proxy) Block() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked == nil {
		p.blocked = make(chan struct{})
	}
}

// Heal lets traffic flow again, held bytes first.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked != nil {
		close(p.blocked)
		p.blocked = nil
	}
}

// Cut closes every connection the proxy carries now; new ones are
// accepted (and held if blocked).
func (p *Proxy) Cut() {
	p.mu.Lock()
	conns := make([]*proxyConn, 0, len(p.conns))
	for pc := range p.conns {
		conns = append(conns, pc)
	}
	p.mu.Unlock()
	for _, pc := range conns {
		pc.close()
	}
}

// Close stops the proxy: the listener and every connection are closed
// and its goroutines have returned.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		pc := &proxyConn{down: c, cut: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[pc] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go p.serve(pc)
	}
}

// serve dials upstream (once traffic may flow) and pumps both ways until
// both directions have ended; the two pumps are its own goroutines.
func (p *Proxy) serve(pc *proxyConn) {
	defer p.wg.Done()
	defer func() {
		pc.close()
		p.mu.Lock()
		delete(p.conns, pc)
		p.mu.Unlock()
	}()
	if !p.gate(pc) {
		return
	}
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	pc.mu.Lock()
	pc.up = up
	pc.mu.Unlock()
	select {
	case <-pc.cut: // cut while dialling
		up.Close()
		return
	default:
	}
	var pumps sync.WaitGroup
	pumps.Add(2)
	go func() { defer pumps.Done(); p.pump(pc, up, pc.down) }()
	go func() { defer pumps.Done(); p.pump(pc, pc.down, up) }()
	pumps.Wait()
}

// pump copies src to dst while the proxy lets it; an EOF is passed on as
// a half close (after the gate too: a FIN is traffic), anything else
// ends the connection.
func (p *Proxy) pump(pc *proxyConn, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate(pc) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				pc.close()
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && p.gate(pc) {
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
					return
				}
			}
			pc.close()
			return
		}
	}
}

// gate waits while the proxy is blocked; it reports false when the
// connection was cut meanwhile.
func (p *Proxy) gate(pc *proxyConn) bool {
	p.mu.Lock()
	ch := p.blocked
	p.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-pc.cut:
			return false
		}
	}
	select {
	case <-pc.cut:
		return false
	default:
		return true
	}
}

func (pc *proxyConn) close() {
	pc.once.Do(func() {
		close(pc.cut)
		pc.down.Close()
		pc.mu.Lock()
		if pc.up != nil {
			pc.up.Close()
		}
		pc.mu.Unlock()
	})
}
