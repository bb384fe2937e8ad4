package command

import (
	"bufio"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// MIGRATE keeps its connections to target instances open for reuse, as
// Valkey's migrate_cached_sockets do: redis-cli --cluster sends one MIGRATE
// per batch of keys, and a connection (plus a SELECT) per batch would
// dominate the cost of moving small keys.
const (
	migrateCacheItems = 64               // idle connections kept at most
	migrateIdleTTL    = 10 * time.Second // an idle connection is closed after this
	migrateChunk      = 64 * 1024        // bytes written per deadline, as Valkey
	migrateLineMax    = 1024             // reply bytes kept per line, as Valkey's buffers
)

// migrateSockets is the cache. Valkey, single-threaded, shares one socket
// per host:port; here MIGRATE commands run concurrently, so a connection
// is checked out for the duration of one MIGRATE and checked back in
// afterwards: two MIGRATEs to one target use two connections and never
// interleave their replies. No network I/O happens under mu.
type migrateSockets struct {
	mu     sync.Mutex
	idle   map[string][]*migrateConn // by "host:port", most recently used last
	nidle  int
	inUse  int
	closed bool
}

// migrateConn is one connection to a target. Its reads and writes each get
// a fresh deadline of timeout: MIGRATE's timeout is the longest the target
// may stay silent, not a bound on the whole transfer.
type migrateConn struct {
	name    string
	nc      net.Conn
	rd      *bufio.Reader
	lastDB  int64 // the database last SELECTed, -1 when unknown
	timeout time.Duration
	// gen counts check-ins; the idle timer of an older check-in finds a
	// newer generation and leaves the connection alone.
	gen   uint64
	timer *time.Timer
	// req and scratch are reused by each MIGRATE on this connection (one
	// at a time: it is checked out): the request and a value's payload.
	req, scratch []byte
}

// migrateKeepBuffer bounds what a cached connection keeps of its buffers
// after a request: a MIGRATE of huge values does not pin their size.
const migrateKeepBuffer = 4 << 20

func (mc *migrateConn) trimBuffers() {
	if cap(mc.req) > migrateKeepBuffer {
		mc.req = nil
	}
	if cap(mc.scratch) > migrateKeepBuffer {
		mc.scratch = nil
	}
}

// migrateDialError is a failure to open a connection. addr tells whether
// the address itself was unusable (Valkey's immediate connect failure);
// otherwise Valkey would have found out on its first write.
type migrateDialError struct {
	err  error
	addr bool
}

func (e *migrateDialError) Error() string { return "migrate: dial: " + e.err.Error() }
func (e *migrateDialError) Unwrap() error { return e.err }

// checkout returns an idle connection to name (host:port) or dials addr.
// A reused connection may have been closed by its peer since: MIGRATE
// retries once on a fresh one when nothing was acknowledged.
func (m *migrateSockets) checkout(name, addr string, timeout time.Duration) (*migrateConn, error) {
	m.mu.Lock()
	if list := m.idle[name]; len(list) > 0 {
		mc := list[len(list)-1]
		m.idle[name] = list[:len(list)-1]
		m.nidle--
		m.inUse++
		mc.timer.Stop()
		mc.gen++
		m.mu.Unlock()
		mc.timeout = timeout
		return mc, nil
	}
	m.inUse++
	m.mu.Unlock()
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		m.mu.Lock()
		m.inUse--
		m.mu.Unlock()
		var dnsErr *net.DNSError
		var addrErr *net.AddrError
		var parseErr *net.ParseError
		bad := errors.As(err, &dnsErr) || errors.As(err, &addrErr) || errors.As(err, &parseErr)
		return nil, &migrateDialError{err: err, addr: bad}
	}
	mc := &migrateConn{name: name, nc: nc, lastDB: -1, timeout: timeout}
	mc.rd = bufio.NewReaderSize(mc, 4096)
	return mc, nil
}

// checkin returns a healthy connection to the cache and arms its idle
// timer. When the cache is full an idle connection is dropped first.
func (m *migrateSockets) checkin(mc *migrateConn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inUse--
	if m.closed {
		mc.nc.Close()
		return
	}
	if m.nidle >= migrateCacheItems {
		m.evictOneLocked()
	}
	if m.idle == nil {
		m.idle = make(map[string][]*migrateConn)
	}
	m.idle[mc.name] = append(m.idle[mc.name], mc)
	m.nidle++
	mc.gen++
	gen := mc.gen
	mc.timer = time.AfterFunc(migrateIdleTTL, func() { m.expire(mc, gen) })
}

// discard closes a connection that failed or is in an unknown state.
func (m *migrateSockets) discard(mc *migrateConn) {
	mc.nc.Close()
	m.mu.Lock()
	m.inUse--
	m.mu.Unlock()
}

// expire closes mc if it is still idle since check-in gen.
func (m *migrateSockets) expire(mc *migrateConn, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mc.gen != gen || !m.removeIdleLocked(mc) {
		return
	}
	mc.nc.Close()
}

func (m *migrateSockets) removeIdleLocked(mc *migrateConn) bool {
	list := m.idle[mc.name]
	for i, x := range list {
		if x == mc {
			m.idle[mc.name] = append(list[:i:i], list[i+1:]...)
			if len(m.idle[mc.name]) == 0 {
				delete(m.idle, mc.name)
			}
			m.nidle--
			return true
		}
	}
	return false
}

// evictOneLocked drops the least recently used connection of some target.
func (m *migrateSockets) evictOneLocked() {
	for _, list := range m.idle {
		if len(list) > 0 {
			mc := list[0]
			mc.timer.Stop()
			m.removeIdleLocked(mc)
			mc.nc.Close()
			return
		}
	}
}

// count is INFO's migrate_cached_sockets: open connections, idle or in use.
func (m *migrateSockets) count() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(m.nidle + m.inUse)
}

// close drops every idle connection; connections in use are closed when
// checked in.
func (m *migrateSockets) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for _, list := range m.idle {
		for _, mc := range list {
			mc.timer.Stop()
			mc.nc.Close()
		}
	}
	m.idle, m.nidle = nil, 0
}

// CloseMigrateSockets closes MIGRATE's cached connections; the server
// calls it when it stops.
func (n *Node) CloseMigrateSockets() { n.migrate.close() }

// Read implements io.Reader for the connection's bufio.Reader, with a
// fresh deadline per read.
func (mc *migrateConn) Read(p []byte) (int, error) {
	if err := mc.nc.SetReadDeadline(time.Now().Add(mc.timeout)); err != nil {
		return 0, err
	}
	return mc.nc.Read(p)
}

// writeAll writes buf in chunks, each with a fresh deadline.
func (mc *migrateConn) writeAll(buf []byte) error {
	for len(buf) > 0 {
		chunk := buf[:min(len(buf), migrateChunk)]
		if err := mc.nc.SetWriteDeadline(time.Now().Add(mc.timeout)); err != nil {
			return err
		}
		w, err := mc.nc.Write(chunk)
		if err != nil {
			return err
		}
		buf = buf[w:]
	}
	return nil
}

// readLine reads one reply line without its CRLF, keeping at most
// migrateLineMax bytes of it.
func (mc *migrateConn) readLine() (string, error) {
	var line []byte
	for {
		part, err := mc.rd.ReadSlice('\n')
		if len(line) < migrateLineMax {
			line = append(line, part[:min(len(part), migrateLineMax-len(line))]...)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 {
		// connSyncReadLine reports an empty line as a failed read.
		return "", errors.New("migrate: empty reply line")
	}
	return string(line), nil
}

// migrateTimedOut reports an I/O error caused by a deadline: Valkey does
// not retry a MIGRATE that timed out.
func migrateTimedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
